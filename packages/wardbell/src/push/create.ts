import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { ActionTokens } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { MetricSource } from '../metrics/index.js';
import type { Clock } from '../shared/index.js';
import type { Db } from '../store/index.js';
import { createPushApi, type PushApi } from './api.js';
import { createKeyBox } from './at-rest.js';
import { SubscriptionBackup } from './backup.js';
import { EncryptPool, inlineEncryptor, type Encryptor } from './encrypt-pool.js';
import type { EndpointPolicy } from './endpoint.js';
import { loadOrCreatePushKeys } from './keys.js';
import { SubscriptionManager } from './manager.js';
import { pushMetrics, type PushCounters } from './metrics.js';
import { PushSender } from './sender.js';
import { pushDb } from './store.js';
import { createHttpsTransport, type PushTransport } from './transport.js';
import { VapidSigner } from './vapid.js';
import { PushWorker, type PushWorkerOptions } from './worker.js';

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
  /** Told when a delivery is settled for good: its final status and the seconds since the push was due. */
  onDeliverySettled?: PushWorkerOptions['onSettled'];
  /** Told when a push service accepted a push for a device. */
  onDeliveryAccepted?: PushWorkerOptions['onAccepted'];
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
 * routes' use cases (`api.ts`). Housekeeping (expired subscriptions, old delivery and outbox
 * records) runs once a minute.
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
    onSettled: deps.onDeliverySettled,
    onAccepted: deps.onDeliveryAccepted,
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

  return {
    publicKey: keys.vapid.publicKey,
    subscriptions: manager,
    worker,
    api: createPushApi({ publicKey: keys.vapid.publicKey, db, manager, backup, sender, keyBox, worker, counters, now }),
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
