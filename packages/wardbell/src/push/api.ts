import type { Identity } from '../auth/index.js';
import type { KeyBox } from './at-rest.js';
import type { BackupFile, PushStats, RestoreResult, SubscriptionBackup } from './backup.js';
import { openKeys, type SubscribeInput, type SubscriptionManager, type SubscriptionView } from './manager.js';
import type { PushCounters } from './metrics.js';
import { buildPayload } from './payload.js';
import type { PushSender } from './sender.js';
import type { PushDb } from './store.js';
import type { PushWorker } from './worker.js';

/** What the push routes offer: a user's devices, a tenant's statistics, backup and restore. */
export interface PushApi {
  /** The VAPID public key (base64url). */
  readonly publicKey: string;
  subscribe(identity: Identity, input: SubscribeInput): Promise<{ subscription: SubscriptionView; created: boolean }>;
  unsubscribe(identity: Identity, endpoint: string): Promise<boolean>;
  listForUser(tenantId: string, userId: string): Promise<SubscriptionView[]>;
  stats(tenantId: string): Promise<PushStats>;
  backup(tenantId: string): Promise<BackupFile>;
  restore(tenantId: string, file: BackupFile): Promise<RestoreResult>;
  /** Sends a test push to the caller's own devices now, bypassing the inbox and the outbox. */
  testPush(identity: Identity): Promise<Array<{ endpoint: string; result: string; status: number | null }>>;
}

export interface PushApiDeps {
  publicKey: string;
  db: PushDb;
  manager: SubscriptionManager;
  backup: SubscriptionBackup;
  sender: PushSender;
  keyBox: KeyBox;
  /** Its attempt counters also count test pushes. */
  worker: PushWorker;
  /** Subscribe and unsubscribe counters, shared with the metrics. */
  counters: PushCounters;
  now: () => number;
}

/** The use cases behind the push routes, over the subscription manager, the backup and the sender. */
export function createPushApi(deps: PushApiDeps): PushApi {
  const { db, manager, backup, sender, keyBox, worker, counters, now } = deps;

  async function testPush(identity: Identity) {
    const rows = await db.selectFrom('push_subscriptions').selectAll().where('tenant_id', '=', identity.tenantId).where('user_id', '=', identity.userId).execute();
    const n = { id: `test-${now()}`, tenantId: identity.tenantId, type: 'general', priority: 'high' as const, title: 'Wardbell test push', body: 'Push notifications reach this device.', data: {}, actions: [], groupKey: 'wardbell-test', state: null, createdAt: now() };
    const payload = buildPayload(n, '');
    return Promise.all(
      rows.map(async (s) => {
        const k = openKeys(keyBox, s);
        if (!k) return { endpoint: s.endpoint, result: 'invalid', status: null };
        const r = await sender.send({ endpoint: s.endpoint, p256dh: k.p256dh, auth: k.auth }, { payload, ttl: 60, urgency: 'high', topic: undefined, attempt: 1 });
        worker.stats.attempts[r.outcome.result]++;
        if (r.outcome.kind === 'prune') await db.transaction().execute((trx) => manager.remove(trx, [s.id], 'pruned'));
        return { endpoint: s.endpoint, result: r.outcome.result, status: r.status };
      }),
    );
  }

  return {
    publicKey: deps.publicKey,
    async subscribe(identity, input) {
      try {
        const r = await manager.subscribe(identity, input);
        if (r.created) counters.subscribed++;
        else counters.resubscribed++;
        return r;
      } catch (err) {
        counters.refused++;
        throw err;
      }
    },
    async unsubscribe(identity, endpoint) {
      const removed = await manager.unsubscribe(identity, endpoint);
      if (removed) counters.unsubscribed++;
      return removed;
    },
    listForUser: (t, u) => manager.listForUser(t, u),
    stats: (t) => backup.stats(t),
    backup: (t) => backup.backup(t),
    restore: (t, f) => backup.restore(t, f),
    testPush,
  };
}
