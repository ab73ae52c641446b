import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, Db } from '../store/index.js';

/** Tables of the push channel (created by `migrations.ts`). */
// A type alias, not an interface: `withTables` needs an indexable record type.
export type PushTables = {
  push_outbox: PushOutboxTable;
  push_subscriptions: PushSubscriptionsTable;
  push_deliveries: PushDeliveriesTable;
  push_tenant_stats: PushTenantStatsTable;
};

/**
 * One row per (notification, user) that wants a push, written in the send's transaction
 * (`enqueue.ts`). `pending` until the worker expands it; then what it became: `queued` (deliveries
 * written), `no_subscription`, `already_read` or `gone` (the notification no longer exists).
 */
export interface PushOutboxTable {
  id: string;
  tenant_id: string;
  user_id: string;
  notification_id: string;
  priority: string;
  /** When it may leave: the end of the user's quiet hours, or the send's time. */
  not_before: number;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
}

export interface PushSubscriptionsTable {
  id: string;
  endpoint: string;
  /** SHA-256 of the endpoint, base64url: the unique key. */
  endpoint_hash: string;
  tenant_id: string;
  user_id: string;
  /** JSON array of topics. */
  topics: string;
  /** Sealed JSON `{p256dh, auth}` (KeyBox). */
  keys: string;
  /** Milliseconds; null when the subscription does not expire. */
  expiration_time: number | null;
  created_at: number;
  updated_at: number;
}

/**
 * `pending` -> `sending` -> `done` | `failed` | `pruned` | `expired` (or back to `pending` for a retry).
 * `pending` and `sending` are the open states (see {@link OPEN_DELIVERY}).
 */
export type DeliveryStatus = 'pending' | 'sending' | 'done' | 'failed' | 'pruned' | 'expired';

export interface PushDeliveriesTable {
  id: string;
  outbox_id: string;
  tenant_id: string;
  user_id: string;
  subscription_id: string;
  notification_id: string;
  /** 0 urgent .. 3 low: urgent pushes leave first. */
  rank: number;
  status: DeliveryStatus;
  attempts: number;
  /** When the row is next due: a retry's time (pending), or the end of the claim's lease (sending). */
  not_before: number;
  /** The notification's TTL runs out here; after it the push is not sent. */
  expires_at: number;
  claim: string | null;
  last_status: number | null;
  last_result: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface PushTenantStatsTable {
  tenant_id: string;
  delivered: number;
  failed: number;
  pruned: number;
  expired: number;
  retried: number;
}

export type PushDb = Kysely<Database & PushTables>;

/**
 * The open deliveries, written literally so that SQLite and PostgreSQL match it to the partial index
 * `push_deliveries_due` (a bound parameter would hide the values from the planner). `table` names
 * the deliveries' alias in a query that joins another table with a `status` column.
 */
export const openDelivery = (table?: string) => sql<boolean>`${sql.ref(table ? `${table}.status` : 'status')} in ('pending', 'sending')`;
export const OPEN_DELIVERY = openDelivery();

/** The database with the push tables typed in. */
export function pushDb(db: Db): PushDb {
  return db.withTables<PushTables>();
}

export function endpointHash(endpoint: string): string {
  return createHash('sha256').update(endpoint).digest('base64url');
}

export type StatsDelta = Omit<PushTenantStatsTable, 'tenant_id'>;

export const ZERO_STATS: StatsDelta = { delivered: 0, failed: 0, pruned: 0, expired: 0, retried: 0 };

/** Adds to a tenant's counters (portable upsert). */
export async function bumpTenantStats(db: PushDb, tenantId: string, d: StatsDelta): Promise<void> {
  if (!d.delivered && !d.failed && !d.pruned && !d.expired && !d.retried) return;
  await db
    .insertInto('push_tenant_stats')
    .values({ tenant_id: tenantId, ...d })
    .onConflict((oc) =>
      oc.column('tenant_id').doUpdateSet((eb) => ({
        delivered: eb('push_tenant_stats.delivered', '+', eb.ref('excluded.delivered')),
        failed: eb('push_tenant_stats.failed', '+', eb.ref('excluded.failed')),
        pruned: eb('push_tenant_stats.pruned', '+', eb.ref('excluded.pruned')),
        expired: eb('push_tenant_stats.expired', '+', eb.ref('excluded.expired')),
        retried: eb('push_tenant_stats.retried', '+', eb.ref('excluded.retried')),
      })),
    )
    .execute();
}

/** Runs `fn` over `items` in chunks (bound parameters per statement stay well under every dialect's limit). */
export async function inChunks<T>(items: readonly T[], size: number, fn: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await fn(items.slice(i, i + size));
}
