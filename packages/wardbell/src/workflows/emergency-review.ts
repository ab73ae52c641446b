import { AppError } from '../shared/index.js';
import { readCallEvents, type CallEvent } from './emergency-events.js';
import { loadCall, toCallView, type CallView } from './emergency-view.js';
import type { EmergencyCallsTable, WfDb } from './tables.js';

/**
 * What a call's recipients' devices did with its notifications (delivery receipts, another
 * module's): injected by the composition root, so workflows import nothing of it.
 */
export interface DeliveryEntry {
  at: number;
  kind: 'delivered' | 'displayed' | 'seen';
  /** The recipient. */
  userId: string;
  /** `{notificationId, channel: 'stream' | 'push', device?}`, `{notificationId, via}`, `{notificationId, how: 'opened' | 'read'}`. */
  data: Record<string, unknown>;
}
export type DeliveryReader = (tenantId: string, notificationIds: readonly string[]) => Promise<DeliveryEntry[]>;

/** One line of a call's timeline: its own events (numbered) and its recipients' deliveries (not). */
export interface TimelineEntry {
  seq: number | null;
  at: string;
  kind: CallEvent['kind'] | DeliveryEntry['kind'];
  actor: string | null;
  data: Record<string, unknown>;
}

/** The most entries a timeline page holds (and the default). */
export const TIMELINE_MAX_PAGE = 1000;

/** Where an entry sorts: time, the call's own before deliveries, seq, who, what, which notification. */
type SortKey = [number, number, number, string, string, string];

function keyOf(e: TimelineEntry): SortKey {
  const d = e.data;
  return [Date.parse(e.at), e.seq === null ? 1 : 0, e.seq ?? 0, e.actor ?? '', `${e.kind}/${typeof d.channel === 'string' ? d.channel : ''}`, typeof d.notificationId === 'string' ? d.notificationId : ''];
}

function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number | string;
    const y = b[i] as number | string;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/**
 * Every step of a call in time order: created, notified, delivered per channel, displayed, seen,
 * accepted, declined, repeated, escalated, filled, cancelled, expired. The call's own events come
 * first where the times are equal (a delivery follows the send that made it). Pure.
 */
export function mergeTimeline(events: readonly CallEvent[], deliveries: readonly DeliveryEntry[]): TimelineEntry[] {
  const own = events.map((e): TimelineEntry => ({ seq: e.seq, at: e.at, kind: e.kind, actor: e.actor, data: e.data }));
  const dev = deliveries.map((d): TimelineEntry => ({ seq: null, at: new Date(d.at).toISOString(), kind: d.kind, actor: d.userId, data: d.data }));
  return [...own, ...dev]
    .map((entry) => ({ entry, key: keyOf(entry) }))
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((x) => x.entry);
}

/** An opaque cursor: base64url of a JSON value. */
const encodeJsonCursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** The value a cursor of {@link encodeJsonCursor} carries, when `valid` accepts it; else the 400 every cursor check gives. */
function decodeJsonCursor<T>(c: string, valid: (v: unknown[]) => boolean): T {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && valid(v)) return v as T;
  } catch {
    // below
  }
  throw new AppError('validation_failed', 'cursor is not one this service issued; start without it.');
}

const isSortKey = (v: unknown[]) => v.length === 6 && v.slice(0, 3).every((n) => Number.isSafeInteger(n)) && v.slice(3).every((x) => typeof x === 'string');

/** A page of a merged timeline: the `limit` entries after `cursor` (pure; keyset on the sort order, so entries added meanwhile do not shift the pages). */
export function timelinePage(entries: readonly TimelineEntry[], limit: number, cursor?: string): { entries: TimelineEntry[]; nextCursor: string | null } {
  const after = cursor === undefined ? null : decodeJsonCursor<SortKey>(cursor, isSortKey);
  const from = after === null ? 0 : entries.findIndex((e) => compareKeys(keyOf(e), after) > 0);
  const rest = from < 0 ? [] : entries.slice(from);
  const page = rest.slice(0, limit);
  const last = page[page.length - 1];
  return { entries: page, nextCursor: rest.length > limit && last ? encodeJsonCursor(keyOf(last)) : null };
}

export async function callTimeline(db: WfDb, deliveries: DeliveryReader | null, tenantId: string, id: string): Promise<TimelineEntry[]> {
  await loadCall(db, tenantId, id);
  const events = await readCallEvents(db, tenantId, id);
  if (!deliveries) return mergeTimeline(events, []);
  const notices = await db.selectFrom('emergency_notices').select('notification_id').where('tenant_id', '=', tenantId).where('call_id', '=', id).execute();
  return mergeTimeline(events, await deliveries(tenantId, notices.map((n) => n.notification_id)));
}

export interface CallListQuery {
  status?: EmergencyCallsTable['status'] | undefined;
  /** Created at or after (ms). */
  from?: number | undefined;
  /** Created before (ms). */
  to?: number | undefined;
  limit: number;
  cursor?: string | undefined;
}

const encodeCursor = (r: Pick<EmergencyCallsTable, 'created_at' | 'id'>) => encodeJsonCursor([Number(r.created_at), r.id]);
const decodeCursor = (c: string) => decodeJsonCursor<[number, string]>(c, (v) => v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string');

/** A tenant's calls, newest first, for the review after a shift: cursor pages (keyset on creation time, id). */
export async function listCalls(db: WfDb, tenantId: string, q: CallListQuery): Promise<{ items: CallView[]; nextCursor: string | null }> {
  let sel = db.selectFrom('emergency_calls').selectAll().where('tenant_id', '=', tenantId);
  if (q.status) sel = sel.where('status', '=', q.status);
  if (q.from !== undefined) sel = sel.where('created_at', '>=', q.from);
  if (q.to !== undefined) sel = sel.where('created_at', '<', q.to);
  if (q.cursor !== undefined) {
    const [at, id] = decodeCursor(q.cursor);
    sel = sel.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
  }
  const rows = await sel.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { items: page.map(toCallView), nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
}
