import { createHash } from 'node:crypto';
import { MAX_PLAINTEXT_OCTETS } from './ece.js';

/**
 * What the service worker receives (decrypted) in a push event, and the push headers derived from
 * a notification. Pure.
 */

export type PushPriority = 'low' | 'medium' | 'high' | 'urgent';

/** The notification fields a push carries, as read from the `notifications` table. */
export interface PushNotification {
  id: string;
  tenantId: string;
  type: string;
  priority: PushPriority;
  title: string;
  body: string;
  data: unknown;
  actions: Array<{ id: string; label: string; style?: string | undefined }>;
  groupKey: string | null;
  state: unknown;
  createdAt: number;
}

/** The JSON a push message carries to the service worker (`@wardbell/client/service-worker` reads it; src/push/sw.ts serves it). */
export interface PushPayload {
  v: 1;
  id: string;
  type: string;
  priority: PushPriority;
  title: string;
  body: string;
  actions: Array<{ id: string; label: string; style?: string | undefined }>;
  data: unknown;
  /** The page a tap opens or focuses. */
  url: string;
  /** Action token (X-Wardbell-Action-Token) good for this notification's buttons for this user. */
  token: string;
  /** Notification tag: a newer notification with the same tag replaces the older on the device. */
  tag: string;
  createdAt: string;
  /**
   * `'generic'`: the device shows a generic title and body (the service worker's `genericText`,
   * e.g. "New notification" / "Open the app to see the details."), never `title` and `body`, so
   * a locked screen shows nothing of the content; the action buttons still work. Absent: the
   * notification's own title and body.
   */
  lockScreen?: 'generic';
}

/** The console page a tap opens when the notification names no page of its own. */
export const DEFAULT_CLICK_PATH = '/api-test/realtime';

/** RFC 8030 Section 5.3 urgency from our priority: urgent and high wake the device at once. */
export function urgencyOf(priority: PushPriority): 'very-low' | 'low' | 'normal' | 'high' {
  switch (priority) {
    case 'urgent':
    case 'high':
      return 'high';
    case 'medium':
      return 'normal';
    case 'low':
      return 'low';
  }
}

/**
 * RFC 8030 Section 5.2 TTL (seconds) by priority: how long a push service keeps the message for an
 * offline device. An emergency call an hour old has been answered by someone else; a schedule
 * change is worth a day. Defaults: urgent 1 h, high 4 h, medium and low 24 h.
 */
export function ttlOf(priority: PushPriority): number {
  switch (priority) {
    case 'urgent':
      return 3600;
    case 'high':
      return 4 * 3600;
    default:
      return 24 * 3600;
  }
}

/**
 * RFC 8030 Section 5.4 Topic: at most 32 characters of the base64url alphabet. A push service
 * replaces an undelivered message with a newer one of the same topic. Our subject is the group key
 * (repeats of one thing) or else the notification itself (its later updates), hashed so that no
 * content leaks into a header and the tenant scopes it.
 */
export function topicOf(n: Pick<PushNotification, 'tenantId' | 'id' | 'groupKey'>): string {
  const subject = n.groupKey !== null ? `g\0${n.groupKey}` : `n\0${n.id}`;
  return createHash('sha256').update(`${n.tenantId}\0${subject}`).digest('base64url').slice(0, 32);
}

/** The page to open: `data.url` when it is a same-site path or an http(s) URL, else the console. */
export function clickUrlOf(n: Pick<PushNotification, 'id' | 'data'>): string {
  const d = n.data;
  const raw = d !== null && typeof d === 'object' && 'url' in d ? (d as { url?: unknown }).url : undefined;
  if (typeof raw === 'string' && raw.length <= 1024) {
    if (/^\/(?!\/)/.test(raw) || /^https?:\/\//i.test(raw)) return raw;
  }
  return `${DEFAULT_CLICK_PATH}?notification=${encodeURIComponent(n.id)}`;
}

/**
 * The payload for one recipient, as UTF-8 JSON no longer than `limit` octets (default
 * {@link MAX_PLAINTEXT_OCTETS}, so the encrypted body fits the 4096 octets every push service
 * accepts). Too long: the body is cut (on a character boundary, with an ellipsis), then `data`
 * dropped, then the title cut; the full text is in the inbox.
 */
export function buildPayload(n: PushNotification, token: string, limit = MAX_PLAINTEXT_OCTETS): Buffer {
  const p: PushPayload = {
    v: 1,
    id: n.id,
    type: n.type,
    priority: n.priority,
    title: n.title,
    body: n.body,
    actions: n.actions.map((a) => (a.style ? { id: a.id, label: a.label, style: a.style } : { id: a.id, label: a.label })),
    data: n.data ?? {},
    url: clickUrlOf(n),
    token,
    tag: topicOf(n),
    createdAt: new Date(n.createdAt).toISOString(),
  };
  let out = Buffer.from(JSON.stringify(p), 'utf8');
  if (out.length <= limit) return out;
  p.body = fitText(p, 'body', limit);
  out = Buffer.from(JSON.stringify(p), 'utf8');
  if (out.length <= limit) return out;
  p.data = {};
  out = Buffer.from(JSON.stringify(p), 'utf8');
  if (out.length <= limit) return out;
  p.title = fitText(p, 'title', limit);
  out = Buffer.from(JSON.stringify(p), 'utf8');
  if (out.length <= limit) return out;
  throw new Error(`push payload cannot be made to fit ${limit} octets`);
}

/** The longest prefix of p[field] (plus an ellipsis) with which the JSON fits; binary search on code points. */
function fitText(p: PushPayload, field: 'body' | 'title', limit: number): string {
  const chars = Array.from(p[field]);
  const size = (k: number) => Buffer.byteLength(JSON.stringify({ ...p, [field]: k === chars.length ? p[field] : `${chars.slice(0, k).join('')}…` }), 'utf8');
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(mid) <= limit) lo = mid;
    else hi = mid - 1;
  }
  return lo === chars.length ? p[field] : `${chars.slice(0, lo).join('')}…`;
}
