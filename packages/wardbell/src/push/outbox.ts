import { createHash, randomBytes } from 'node:crypto';
import type { Audience } from '../events/index.js';
import { notificationReads } from '../notifications/index.js';
import type { PushNotification, PushPriority } from './payload.js';
import { ttlOf } from './payload.js';
import { inChunks, OPEN_DELIVERY, openDelivery, type PushDb, type PushDeliveriesTable, type PushSubscriptionsTable } from './store.js';

/**
 * The durable path from the notification service's `push_outbox` to the push services:
 *   push_outbox (pending) --expand--> push_deliveries (pending, one per subscription) --claim-->
 *   sending (leased) --settle--> done | failed | pruned | expired, or pending again for a retry.
 * Every step is one transaction, so a crash anywhere leaves each message either still queued or
 * settled; a message in flight when the process died is sent again once its lease runs out
 * (at-least-once; the Topic header and the notification tag make a repeat replace, not duplicate).
 */

export const RANK: Record<PushPriority, number> = { urgent: 0, high: 1, medium: 2, low: 3 };

/**
 * Whether a subscription wants a notification (pure). Its topics narrow what it hears: a
 * notification to a topic reaches it only when it chose that topic; personal and whole-tenant
 * notifications always do. Urgent ones (an emergency call) always do: that is what the phone in the
 * locker is for.
 */
export function subscriptionWants(topics: readonly string[], audience: Audience, priority: string): boolean {
  if (priority === 'urgent') return true;
  if (audience.kind === 'topic') return topics.includes(audience.topic);
  return true;
}

/** A delivery's id: deterministic (one per outbox row and subscription), short (it is the primary key). */
function deliveryId(outboxId: string, subscriptionId: string): string {
  return createHash('sha256').update(`${outboxId}\0${subscriptionId}`).digest('base64url').slice(0, 22);
}

type NewDelivery = Omit<PushDeliveriesTable, 'claim' | 'last_status' | 'last_result' | 'last_error'>;

function tag(): string {
  return `c-${randomBytes(9).toString('base64url')}`;
}

export interface ExpandResult {
  outboxRows: number;
  deliveries: number;
  withoutSubscription: number;
  alreadyRead: number;
  /** Subscriptions met past their expirationTime: the caller removes them. */
  expiredSubscriptions: string[];
}

/** Another worker settled some of the same outbox rows first; the transaction rolls back. */
class OutboxRace extends Error {}

/**
 * Turns due outbox rows into delivery rows, in one transaction: each recipient's current
 * subscriptions that want the notification get a delivery, and each outbox row moves from `pending`
 * to what it became with one conditional update. If another worker settled any of the same rows
 * first (possible on PostgreSQL; SQLite serialises transactions), the whole expansion rolls back and
 * the rows are looked at again next round, so no row is ever expanded twice. A recipient who has
 * already read the notification in the app (e.g. during quiet hours) gets no push.
 */
export async function expandOutbox(db: PushDb, now: number, limit: number): Promise<ExpandResult> {
  try {
    return await db.transaction().execute((trx) => expandIn(trx, now, limit));
  } catch (err) {
    if (err instanceof OutboxRace) return { outboxRows: 0, deliveries: 0, withoutSubscription: 0, alreadyRead: 0, expiredSubscriptions: [] };
    throw err;
  }
}

async function expandIn(trx: PushDb, now: number, limit: number): Promise<ExpandResult> {
  const result: ExpandResult = { outboxRows: 0, deliveries: 0, withoutSubscription: 0, alreadyRead: 0, expiredSubscriptions: [] };
  const rows = await trx.selectFrom('push_outbox').selectAll().where('status', '=', 'pending').where('not_before', '<=', now).orderBy('not_before').limit(limit).execute();
  if (!rows.length) return result;
  result.outboxRows = rows.length;
  // The notification and inbox tables are the notification module's: it answers these reads.
  const notes = await notificationReads.audiences(trx, rows.map((r) => r.notification_id));
  const read = await notificationReads.readBy(
    trx,
    rows.filter((r) => notes.get(r.notification_id)?.tenantId === r.tenant_id).map((r) => ({ tenantId: r.tenant_id, userId: r.user_id, notificationId: r.notification_id })),
  );
  const subsByUser = new Map<string, Array<Pick<PushSubscriptionsTable, 'id' | 'topics' | 'expiration_time'>>>();
  const byTenant = new Map<string, Set<string>>();
  for (const r of rows) (byTenant.get(r.tenant_id) ?? byTenant.set(r.tenant_id, new Set()).get(r.tenant_id))?.add(r.user_id);
  for (const [tenantId, users] of byTenant) {
    await inChunks([...users], 500, async (chunk) => {
      const subs = await trx.selectFrom('push_subscriptions').select(['id', 'user_id', 'topics', 'expiration_time']).where('tenant_id', '=', tenantId).where('user_id', 'in', chunk).execute();
      for (const s of subs) {
        const key = `${tenantId}\0${s.user_id}`;
        (subsByUser.get(key) ?? subsByUser.set(key, []).get(key))?.push(s);
      }
    });
  }
  const deliveries: NewDelivery[] = [];
  const expired = new Set<string>();
  const settled: Record<'queued' | 'no_subscription' | 'already_read' | 'gone', string[]> = { queued: [], no_subscription: [], already_read: [], gone: [] };
  for (const r of rows) {
    const n = notes.get(r.notification_id);
    if (!n || n.tenantId !== r.tenant_id) {
      settled.gone.push(r.id);
      continue;
    }
    if (read.has(r.tenant_id, r.user_id, r.notification_id)) {
      settled.already_read.push(r.id);
      continue;
    }
    const subs = (subsByUser.get(`${r.tenant_id}\0${r.user_id}`) ?? []).filter((s) => {
      if (s.expiration_time !== null && Number(s.expiration_time) <= now) {
        expired.add(s.id);
        return false;
      }
      return subscriptionWants(JSON.parse(s.topics) as string[], n.audience, n.priority);
    });
    if (!subs.length) {
      settled.no_subscription.push(r.id);
      continue;
    }
    const priority = n.priority as PushPriority;
    for (const s of subs) {
      deliveries.push({
        id: deliveryId(r.id, s.id),
        outbox_id: r.id,
        tenant_id: r.tenant_id,
        user_id: r.user_id,
        subscription_id: s.id,
        notification_id: r.notification_id,
        rank: RANK[priority] ?? 2,
        status: 'pending',
        attempts: 0,
        not_before: now,
        // From the notification, or from a later enqueue of it (an emergency call's repeat), so a
        // repeat an hour on is not born expired.
        expires_at: Math.max(n.createdAt, Number(r.created_at)) + ttlOf(priority) * 1000,
        created_at: now,
        updated_at: now,
      });
    }
    settled.queued.push(r.id);
  }
  let updated = 0;
  for (const [status, ids] of Object.entries(settled)) {
    await inChunks(ids, 500, async (chunk) => {
      const r = await trx.updateTable('push_outbox').set({ status }).where('id', 'in', chunk).where('status', '=', 'pending').executeTakeFirst();
      updated += Number(r.numUpdatedRows);
    });
  }
  if (updated !== rows.length) throw new OutboxRace();
  await inChunks(deliveries, 400, (chunk) => trx.insertInto('push_deliveries').values(chunk).execute());
  result.deliveries = deliveries.length;
  result.withoutSubscription = settled.no_subscription.length;
  result.alreadyRead = settled.already_read.length;
  result.expiredSubscriptions = [...expired];
  return result;
}

/** A claimed delivery with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  /** The claim tag; settling is conditional on it. */
  claim: string;
  tenantId: string;
  userId: string;
  notificationId: string;
  /** This attempt's number, from 1. */
  attempt: number;
  expiresAt: number;
  /** When the push was due (ms): its outbox row's creation, or the end of its quiet-hours hold if later. */
  dueAt: number;
  subscription: Pick<PushSubscriptionsTable, 'id' | 'endpoint' | 'keys' | 'tenant_id' | 'user_id' | 'expiration_time'> | null;
  notification: PushNotification | null;
}

/**
 * Claims up to `limit` due deliveries, urgent first, for `leaseMs`: in one transaction, a
 * conditional update moves them to `sending` under a fresh claim tag with `not_before` at the end of
 * the lease, so concurrent workers never share one, and one whose worker died is due again when the
 * lease runs out.
 */
export async function claimDeliveries(db: PushDb, now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const claim = tag();
  const rows = await db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('push_deliveries as d')
      .leftJoin('push_subscriptions as s', 's.id', 'd.subscription_id')
      // When the push was enqueued and due (its outbox row; gone when swept before the delivery settled).
      .leftJoin('push_outbox as o', 'o.id', 'd.outbox_id')
      .select(['d.id', 'd.tenant_id', 'd.user_id', 'd.notification_id', 'd.attempts', 'd.expires_at', 'd.created_at', 's.id as sid', 's.endpoint', 's.keys', 's.tenant_id as s_tenant', 's.user_id as s_user', 's.expiration_time', 'o.created_at as enqueued_at', 'o.not_before as held_until'])
      .where(openDelivery('d'))
      .where('d.not_before', '<=', now)
      .orderBy('d.rank')
      .orderBy('d.not_before')
      .limit(limit)
      .execute();
    if (!due.length) return due;
    const ids = due.map((d) => d.id);
    const taken = await trx
      .updateTable('push_deliveries')
      .set((eb) => ({ status: 'sending', claim, not_before: now + leaseMs, attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', 'in', ids)
      .where(OPEN_DELIVERY)
      .where('not_before', '<=', now)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === due.length) return due;
    // Another worker took some between our select and update (PostgreSQL): keep only ours.
    const mine = new Set((await trx.selectFrom('push_deliveries').select('id').where('id', 'in', ids).where('claim', '=', claim).execute()).map((r) => r.id));
    return due.filter((d) => mine.has(d.id));
  });
  const notes: Map<string, PushNotification> = await notificationReads.contents(db, rows.map((r) => r.notification_id));
  return rows.map((r) => {
    const n = notes.get(r.notification_id);
    return {
      id: r.id,
      claim,
      tenantId: r.tenant_id,
      userId: r.user_id,
      notificationId: r.notification_id,
      attempt: Number(r.attempts) + 1,
      expiresAt: Number(r.expires_at),
      // An outbox row swept before its delivery settled (days of retries): the delivery's own creation.
      dueAt: r.enqueued_at === null ? Number(r.created_at) : Math.max(Number(r.enqueued_at), Number(r.held_until)),
      subscription:
        r.sid && r.endpoint && r.keys && r.s_tenant && r.s_user
          ? { id: r.sid, endpoint: r.endpoint, keys: r.keys, tenant_id: r.s_tenant, user_id: r.s_user, expiration_time: r.expiration_time === null ? null : Number(r.expiration_time) }
          : null,
      notification: n && n.tenantId === r.tenant_id ? n : null,
    };
  });
}
