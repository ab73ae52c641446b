import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { ActionTokens, Identity } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { MetricSource } from '../metrics/index.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../store/index.js';
import { createKeyBox } from './at-rest.js';
import { SubscriptionBackup, type BackupFile, type PushStats, type RestoreResult } from './backup.js';
import { EncryptPool, inlineEncryptor, type Encryptor } from './encrypt-pool.js';
import type { EndpointPolicy } from './endpoint.js';
import { loadOrCreatePushKeys } from './keys.js';
import { openKeys, SubscriptionManager, type SubscribeInput, type SubscriptionView } from './manager.js';
import { pushMetrics, type PushCounters } from './metrics.js';
import { buildPayload } from './payload.js';
import { PushSender } from './sender.js';
import { pushDb } from './store.js';
import { createHttpsTransport, type PushTransport } from './transport.js';
import { VapidSigner } from './vapid.js';
import { PushWorker } from './worker.js';

export { encryptPushPayload, checkSubscriptionKeys, MAX_PLAINTEXT_OCTETS, EncryptionError } from './ece.js';
export { VapidSigner, generateVapidKeys, buildVapidJwt, vapidAuthorization, checkVapidClaims, audienceOf, type VapidKeys } from './vapid.js';
export { buildPushRequest, type PushRequest } from './request.js';
export { buildPayload, urgencyOf, ttlOf, topicOf, clickUrlOf, type PushPayload, type PushNotification } from './payload.js';
export { classify, backoffDelay, parseRetryAfter, DEFAULT_RETRY_POLICY, type Outcome, type AttemptResult, type RetryPolicy } from './outcome.js';
export { MAX_ENDPOINT_LENGTH, checkEndpointUrl, checkEndpointDns, isNonPublicAddress, hostAllowed, guardedLookup, type EndpointPolicy } from './endpoint.js';
export { createKeyBox, type KeyBox } from './at-rest.js';
export { createHttpsTransport, type PushTransport, type PushResponse } from './transport.js';
export { PushSender, Limiter } from './sender.js';
export { EncryptPool, inlineEncryptor, type Encryptor } from './encrypt-pool.js';
export { PushWorker } from './worker.js';
export { SubscriptionManager, type PushSubscriptionData, type SubscriptionView } from './manager.js';
export { SubscriptionBackup, BackupFileSchema, type BackupFile, type PushStats } from './backup.js';
export { subscriptionWants } from './outbox.js';
export { pushDb, type PushTables } from './store.js';
export { SERVICE_WORKER_JS } from './sw.js';
export { pushOutboxQueue } from './enqueue.js';

export interface PushDeps {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Signs the token a push carries so its action buttons work from the service worker. */
  actionTokens: ActionTokens;
  /** Tests: another transport (default HTTPS with WARDBELL_PUSH_CA_FILE). */
  transport?: PushTransport;
  /** Tests: outbox poll interval. Default 250 ms. */
  pollMs?: number;
  /**
   * Encryption threads. Default availableParallelism() - 1 (at most 4); 0 encrypts on the event loop
   * (the right choice on one core).
   */
  encryptionThreads?: number;
}

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

export interface Push {
  /** The use cases the HTTP routes call. */
  readonly api: PushApi;
  /** Metric families of the push channel. */
  metrics: MetricSource;
  /** Starts the outbox worker. */
  start(): void;
  /** Stops the worker; resolves when in-flight sends are done. */
  stop(): Promise<void>;
  /** Looks at the outbox now rather than at the next poll (after a send, for lower latency). */
  nudge(): void;
  /** The VAPID public key (base64url). */
  readonly publicKey: string;
  readonly subscriptions: SubscriptionManager;
  readonly worker: PushWorker;
}

/**
 * Web Push (RFC 8030/8291/8292): VAPID keys (from config, or generated once under the data
 * directory), the subscription manager with keys sealed at rest, the durable outbox worker, the
 * routes and the service worker. Housekeeping (expired subscriptions, old delivery records) runs
 * once a minute.
 */
export async function createPush(deps: PushDeps): Promise<Push> {
  const { config, clock, logger } = deps;
  const keys = loadOrCreatePushKeys({
    dataDir: config.WARDBELL_DATA_DIR,
    vapidPublicKey: config.WARDBELL_VAPID_PUBLIC_KEY,
    vapidPrivateKey: config.WARDBELL_VAPID_PRIVATE_KEY,
    keyEncryptionKey: config.WARDBELL_PUSH_KEY_ENCRYPTION_KEY,
  });
  if (keys.source.vapid === 'generated' || keys.source.kek === 'generated') {
    logger.warn({ dataDir: config.WARDBELL_DATA_DIR, source: keys.source }, 'push keys generated under the data directory: back them up; losing them orphans every push subscription');
  }
  if (config.WARDBELL_PUSH_ALLOW_PRIVATE_NETWORKS) logger.warn('WARDBELL_PUSH_ALLOW_PRIVATE_NETWORKS=true: push endpoints may point into private networks (testing only)');
  const db = pushDb(deps.db);
  const now = () => clock.now();
  const keyBox = createKeyBox(keys.kek);
  const policy: EndpointPolicy = { allowedHosts: config.WARDBELL_PUSH_ALLOWED_HOSTS, allowPrivateNetworks: config.WARDBELL_PUSH_ALLOW_PRIVATE_NETWORKS };
  const signer = new VapidSigner({ keys: keys.vapid, subject: config.WARDBELL_VAPID_SUBJECT, now });
  const transport =
    deps.transport ?? createHttpsTransport({ maxSockets: config.WARDBELL_PUSH_CONCURRENCY, caFile: config.WARDBELL_PUSH_CA_FILE, allowPrivateNetworks: config.WARDBELL_PUSH_ALLOW_PRIVATE_NETWORKS });
  const threads = deps.encryptionThreads ?? Math.min(4, availableParallelism() - 1);
  const encryptor: Encryptor = threads > 0 ? new EncryptPool(threads) : inlineEncryptor;
  const sender = new PushSender({ signer, transport, policy, now, encryptor });
  const manager = new SubscriptionManager({ db, keyBox, policy, now });
  const backup = new SubscriptionBackup({ db, keyBox, policy, now });
  const worker = new PushWorker({
    db,
    sender,
    keyBox,
    actionTokens: deps.actionTokens,
    removeSubscriptions: (d, ids, count) => manager.remove(d, ids, count),
    clock,
    logger,
    concurrency: config.WARDBELL_PUSH_CONCURRENCY,
    pollMs: deps.pollMs,
  });
  const counters: PushCounters = { subscribed: 0, resubscribed: 0, unsubscribed: 0, refused: 0, expiredCleaned: 0, subscriptions: 0 };

  const housekeeping = async () => {
    counters.expiredCleaned += await manager.cleanupExpired();
    const old = now() - 7 * 86_400_000;
    // A week of delivery records is kept for inspection; open ones are never swept.
    await db.deleteFrom('push_deliveries').where('created_at', '<', old).where('status', 'in', ['done', 'failed', 'pruned', 'expired']).execute();
    await db.deleteFrom('push_outbox').where('status', 'in', ['queued', 'no_subscription', 'already_read', 'gone']).where('created_at', '<', old).execute();
    const n = await db.selectFrom('push_subscriptions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    counters.subscriptions = Number(n?.n ?? 0);
  };
  let housekeepingTimer: unknown;

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
    publicKey: keys.vapid.publicKey,
    subscriptions: manager,
    worker,
    api: {
        publicKey: keys.vapid.publicKey,
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
    },
    metrics: pushMetrics(worker, signer, counters),
    start() {
      worker.start();
      const run = () => void housekeeping().catch((err: unknown) => logger.error({ err }, 'push housekeeping failed'));
      run();
      const t = clock.setInterval(run, 60_000);
      if (typeof t === 'object' && t.unref) t.unref();
      housekeepingTimer = t;
    },
    async stop() {
      if (housekeepingTimer !== undefined) clock.clearInterval(housekeepingTimer);
      housekeepingTimer = undefined;
      await worker.stop();
      transport.close();
      await encryptor.close();
    },
    nudge: () => worker.nudge(),
  };
}
