import type { Transaction } from 'kysely';
import type { Database, Db } from '../store/index.js';

/** How long a send's idempotency key holds: a repeat within it returns the first result. */
export const IDEMPOTENCY_MS = 24 * 3600_000;

/**
 * Idempotency keys of sends (`idempotency_keys`): a key is a primary key inserted inside the send's
 * transaction, so of two racing sends with one key exactly one commits; the other finds the first.
 */
export class IdempotencyKeys {
  constructor(private readonly db: Db) {}

  /** The notification a live key names; an expired key is removed and counts as unused. */
  async find(tenantId: string, key: string, now: number): Promise<string | null> {
    const k = await this.db.selectFrom('idempotency_keys').selectAll().where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirst();
    if (!k) return null;
    if (Number(k.created_at) < now - IDEMPOTENCY_MS) {
      await this.db.deleteFrom('idempotency_keys').where('tenant_id', '=', tenantId).where('key', '=', key).execute();
      return null;
    }
    return k.notification_id || null;
  }

  /** Takes the key inside a send's transaction; false when another send holds it. */
  async reserve(trx: Transaction<Database>, tenantId: string, key: string, now: number): Promise<boolean> {
    const taken = await trx
      .insertInto('idempotency_keys')
      .values({ tenant_id: tenantId, key, notification_id: '', created_at: now })
      .onConflict((oc) => oc.columns(['tenant_id', 'key']).doNothing())
      .executeTakeFirst();
    return Number(taken.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /** Points a reserved key at the notification the send made. */
  async complete(trx: Transaction<Database>, tenantId: string, key: string, notificationId: string): Promise<void> {
    await trx.updateTable('idempotency_keys').set({ notification_id: notificationId }).where('tenant_id', '=', tenantId).where('key', '=', key).execute();
  }

  /** Removes keys older than 24 h. */
  async sweep(now: number): Promise<number> {
    const r = await this.db.deleteFrom('idempotency_keys').where('created_at', '<', now - IDEMPOTENCY_MS).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
