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
  /** `generic`: the payload carries the generic text ({@link genericTextOf}) and the id, nothing of the content. Absent: `full`. */
  lockScreen?: 'full' | 'generic' | undefined;
  /** The ward of a notification addressed to `ward:<id>` (a generic emergency call names it). */
  ward?: string | null | undefined;
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
   * `'generic'` (the tenant's lock-screen setting, or the send's own `lockScreen`): `title` and
   * `body` are a generic text made from the type, priority and ward ({@link genericTextOf}), the
   * actions have generic labels ({@link GENERIC_ACTION_LABELS}; others are left out), `data` is
   * empty and `url` is the default page with the notification's id: nothing of the content, the
   * sender or the recipients is in the message. The service worker shows `title` and `body` as
   * they are; the page a tap opens fetches the details with the user's credentials. Absent: the
   * notification's own content.
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

/** The body of every generic push. */
export const GENERIC_BODY = 'Open the app to see the details.';

/** Generic titles by notification type (an urgent one of another type: `Urgent notification`). */
export const GENERIC_TITLES: Readonly<Record<string, string>> = {
  emergency_call: 'Emergency call',
  swap_requested: 'Shift swap request',
  swap_approved: 'Shift swap update',
  swap_rejected: 'Shift swap update',
  schedule_published: 'New schedule',
  schedule_updated: 'Schedule changed',
  shift_reminder: 'Shift reminder',
  general: 'New notification',
};

/**
 * The buttons a generic push keeps, by action id, with these labels (the sender's label may name
 * people or places); a button with another id is left out (the app shows it).
 */
export const GENERIC_ACTION_LABELS: Readonly<Record<string, string>> = {
  accept: 'Accept',
  decline: 'Decline',
  approve: 'Approve',
  reject: 'Reject',
};

/**
 * The generic text of a notification (pure), from its type, priority and, for an emergency call
 * to a ward, the ward: `Urgent call, Ward 3`, `Urgent call` (to selected staff), `Urgent
 * notification` (another urgent one), else by type (`Shift swap request`, ..., `New notification`).
 */
export function genericTextOf(n: Pick<PushNotification, 'type' | 'priority' | 'ward'>): { title: string; body: string } {
  let title: string;
  if (n.type === 'emergency_call') title = `${n.priority === 'urgent' ? 'Urgent call' : 'Emergency call'}${n.ward ? `, Ward ${n.ward}` : ''}`;
  else if (n.priority === 'urgent') title = 'Urgent notification';
  else title = Object.hasOwn(GENERIC_TITLES, n.type) ? (GENERIC_TITLES[n.type] as string) : 'New notification';
  return { title, body: GENERIC_BODY };
}

/** A generic push (pure): the generic text, the id and what the buttons need, nothing of the content. */
function genericPayload(n: PushNotification, token: string): PushPayload {
  const text = genericTextOf(n);
  const actions = n.actions
    .filter((a) => Object.hasOwn(GENERIC_ACTION_LABELS, a.id))
    .map((a) => ({ id: a.id, label: GENERIC_ACTION_LABELS[a.id] as string, ...(a.style ? { style: a.style } : {}) }));
  return {
    v: 1,
    id: n.id,
    type: n.type,
    priority: n.priority,
    title: text.title,
    body: text.body,
    actions,
    data: {},
    url: clickUrlOf({ id: n.id, data: {} }),
    token,
    tag: topicOf(n),
    createdAt: new Date(n.createdAt).toISOString(),
    lockScreen: 'generic',
  };
}

/**
 * The payload for one recipient, as UTF-8 JSON no longer than `limit` octets (default
 * {@link MAX_PLAINTEXT_OCTETS}, so the encrypted body fits the 4096 octets every push service
 * accepts). Too long: the body is cut (on a character boundary, with an ellipsis), then `data`
 * dropped, then the title cut; the full text is in the inbox. With `lockScreen: 'generic'`, the
 * generic push ({@link PushPayload.lockScreen}).
 */
export function buildPayload(n: PushNotification, token: string, limit = MAX_PLAINTEXT_OCTETS): Buffer {
  if (n.lockScreen === 'generic') {
    const out = Buffer.from(JSON.stringify(genericPayload(n, token)), 'utf8');
    if (out.length <= limit) return out;
    throw new Error(`push payload cannot be made to fit ${limit} octets`);
  }
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
