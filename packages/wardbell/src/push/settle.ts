import type { AttemptResult } from './outcome.js';
import { bumpTenantStats, inChunks, ZERO_STATS, type PushDb, type StatsDelta } from './store.js';

/** What became of one claimed delivery, to be written back. */
export type Settlement =
  | { kind: 'done'; id: string; claim: string; tenantId: string; status: number }
  | { kind: 'retry'; id: string; claim: string; tenantId: string; at: number; status: number | null; result: AttemptResult; error: string }
  | { kind: 'fail'; id: string; claim: string; tenantId: string; status: number | null; result: AttemptResult; error: string }
  | { kind: 'prune'; id: string; claim: string; tenantId: string; subscriptionId: string; status: number | null; result: AttemptResult | 'expired_subscription'; error: string }
  | { kind: 'expired'; id: string; claim: string; tenantId: string }
  | { kind: 'drop'; id: string; claim: string; tenantId: string; error: string };

/** Deletes subscriptions and settles their queued deliveries (the manager's `remove`). */
export type RemoveSubscriptions = (db: PushDb, ids: readonly string[], count: 'pruned' | null) => Promise<void>;

/**
 * Writes a batch of settlements in one transaction: statuses, retries with their time, pruned
 * subscriptions, the tenants' counters. Updates are conditional on the claim, so a delivery that
 * another worker took over after a lease ran out is not overwritten.
 */
export async function settleDeliveries(db: PushDb, items: readonly Settlement[], now: number, remove: RemoveSubscriptions): Promise<void> {
  if (!items.length) return;
  const claims = [...new Set(items.map((i) => i.claim))];
  const stats = new Map<string, StatsDelta>();
  const bump = (tenantId: string, key: keyof StatsDelta) => {
    const s = stats.get(tenantId) ?? { ...ZERO_STATS };
    s[key]++;
    stats.set(tenantId, s);
  };
  const simple = new Map<string, string[]>();
  // Settlements with the same outcome share one UPDATE; the key joins the columns with NUL.
  const group = (key: string, id: string) => (simple.get(key) ?? simple.set(key, []).get(key))?.push(id);
  const clean = (text: string) => text.replace(/\0/g, ' ').slice(0, 500);
  await db.transaction().execute(async (trx) => {
    const pruneSubs = new Set<string>();
    for (const it of items) {
      switch (it.kind) {
        case 'done':
          bump(it.tenantId, 'delivered');
          group(`done\0${it.status}\0delivered\0`, it.id);
          break;
        case 'expired':
          bump(it.tenantId, 'expired');
          group('expired\0\0expired\0the notification\'s TTL ran out before it could be sent', it.id);
          break;
        case 'drop':
          group(`pruned\0\0dropped\0${clean(it.error)}`, it.id);
          break;
        case 'prune':
          pruneSubs.add(it.subscriptionId);
          group(`pruned\0${it.status ?? ''}\0${it.result}\0${clean(it.error)}`, it.id);
          break;
        case 'retry':
          bump(it.tenantId, 'retried');
          await trx
            .updateTable('push_deliveries')
            .set({ status: 'pending', not_before: it.at, claim: null, last_status: it.status, last_result: it.result, last_error: it.error.slice(0, 500), updated_at: now })
            .where('id', '=', it.id)
            .where('claim', '=', it.claim)
            .execute();
          break;
        case 'fail':
          bump(it.tenantId, 'failed');
          group(`failed\0${it.status ?? ''}\0${it.result}\0${clean(it.error)}`, it.id);
          break;
      }
    }
    for (const [key, ids] of simple) {
      const [status, code, result, error] = key.split('\0') as [string, string, string, string];
      await inChunks(ids, 500, (chunk) =>
        trx
          .updateTable('push_deliveries')
          .set({
            status: status as 'done',
            claim: null,
            last_status: code === '' ? null : Number(code),
            last_result: result,
            last_error: error === '' ? null : error,
            updated_at: now,
          })
          .where('id', 'in', chunk)
          .where('claim', 'in', claims)
          .execute(),
      );
    }
    if (pruneSubs.size) await remove(trx, [...pruneSubs], 'pruned');
    for (const [tenantId, d] of stats) await bumpTenantStats(trx, tenantId, d);
  });
}
