import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { pino, type Logger } from 'pino';
import { sql } from 'kysely';
import {
  ApiKeys,
  authMigrations,
  createActionTokens,
  createSqlTicketStore,
  loadOrCreateDevSecret,
  type JwksKeys,
  SessionRevocations,
  withApiKeys,
  type Authenticator,
  type Credential,
  type HeaderGetter,
} from './auth/index.js';
import { openBackbone } from './backbone/index.js';
import { jwksReadiness, resolveAuth } from './compose-auth.js';
import type { Config } from './config/index.js';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createHttpApp, createMetricsApp, memoryRateLimitStore, rateLimitMetrics, rateLimitsFrom, redisRateLimitStore, type AppEnv } from './http/index.js';
import { Directory, NotificationService } from './notifications/index.js';
import { createWorkflows, workflowMigrations } from './workflows/index.js';
import { createPush, pushMigrations, pushOutboxQueue } from './push/index.js';
import { ConsoleFiles, defaultConsoleRoot } from './console/index.js';
import { firstDurations, httpRequestDurations, MetricsRegistry, notificationMetrics, publishToWriteDurations, pushDeliveryDurations, realtimeMetrics, schedulerMetrics, shardedBusMetrics } from './metrics/index.js';
import { AppError, systemClock, type Clock } from './shared/index.js';
import { createLocalStreamQuota, createRedisStreamQuota, EventManager, OrderedFeed, SessionEnds, SseHub, type StreamQuota } from './sse/index.js';
import { migrateToLatest, openDatabase, type Db } from './store/index.js';
import { idempotencyMigrations, RequestRecords } from './idempotency/index.js';
import { tenantMigrations, TenantSettingsStore } from './tenants/index.js';
import { receiptMigrations, Receipts } from './receipts/index.js';
import { VERSION } from './version.js';

export interface WardbellOptions {
  logger?: Logger;
  clock?: Clock;
  /** The per-user stream quota, instead of the one the configuration implies (tests). */
  streamQuota?: StreamQuota;
}

export interface Wardbell {
  readonly server: Server;
  /** The listener of `GET /metrics` alone (WARDBELL_METRICS_PORT), started by `listen`; null when `server` serves it. */
  readonly metricsServer: Server | null;
  /** The HTTP application, for in-process requests (`app.request(...)`). */
  readonly app: OpenAPIHono<AppEnv>;
  readonly hub: SseHub;
  /** The identity provider's keys (WARDBELL_JWKS_URL), or null when tokens are verified otherwise. */
  readonly jwks: JwksKeys | null;
  readonly events: EventManager;
  readonly notifications: NotificationService;
  readonly logger: Logger;
  /** Starts listening; resolves with the base URL (http://host:port). */
  listen(): Promise<string>;
  /** Graceful shutdown: stop accepting, tell SSE clients when to come back, flush storage. */
  close(): Promise<void>;
}

/** Starts a server listening; resolves with its base URL (http://host:port). */
function listenOn(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve(`http://${h === '0.0.0.0' ? '127.0.0.1' : h}:${a.port}`);
    });
  });
}

/** The embedded SQLite file under the data directory (the store when DATABASE_URL is unset). */
export const sqlitePathOf = (config: Config) => join(config.WARDBELL_DATA_DIR, 'wardbell.sqlite');

/** The configured store: PostgreSQL when DATABASE_URL is set, else the embedded SQLite file. */
export function openStore(config: Config, logger: Logger): ReturnType<typeof openDatabase> {
  return openDatabase({
    databaseUrl: config.DATABASE_URL,
    sqlitePath: sqlitePathOf(config),
    onIdleError: (err) => logger.warn({ err }, 'postgres: an idle connection was closed by the server; the pool replaces it'),
  });
}

/** Brings the store's schema up to date; the names of the migrations that ran. */
export function migrateStore(db: Db): Promise<string[]> {
  // The store runs the core's migrations and each module's own (it imports neither module).
  return migrateToLatest(db, [workflowMigrations, pushMigrations, idempotencyMigrations, authMigrations, tenantMigrations, receiptMigrations]);
}

/** The composition root: config -> adapters -> services -> HTTP app -> server. */
export async function createWardbell(config: Config, opts: WardbellOptions = {}): Promise<Wardbell> {
  const logger = opts.logger ?? pino({ level: config.LOG_LEVEL, base: { service: 'wardbell' } });
  const clock = opts.clock ?? systemClock;
  const { authenticator: baseAuthenticator, devSecret, jwks } = resolveAuth(config, logger);
  // The first fetch of the provider's keys; a failure is logged and /readyz says not ready until one succeeds.
  await jwks?.refresh();

  const { db, dialect } = openStore(config, logger);
  await migrateStore(db);
  const retention = { maxEvents: config.WARDBELL_REPLAY_MAX_EVENTS, maxAgeMs: config.WARDBELL_REPLAY_MAX_AGE_S * 1000 };
  const backbone = await openBackbone(config, { db, retention, clock, logger });
  const { log, bus, redis } = backbone;
  logger.info({ storage: dialect, bus: redis ? 'redis' : 'in-process' }, 'storage opened');
  // One registry per service (several may run in one process); the hub and the push worker are told
  // through plain hooks and know nothing of it.
  const metrics = new MetricsRegistry();
  // Delivery receipts hear the hub and the push worker; made once the publisher exists.
  let receipts: Receipts | null = null;
  const hub = new SseHub({
    log,
    clock,
    heartbeatMs: config.WARDBELL_HEARTBEAT_MS,
    queueLimit: config.WARDBELL_CLIENT_QUEUE_LIMIT,
    replayLimit: config.WARDBELL_REPLAY_LIMIT,
    retryMs: config.WARDBELL_SSE_RETRY_MS,
    onWritten: publishToWriteDurations(metrics),
    onNotificationWritten: (tenantId, notificationId, userId, at) => receipts?.mark({ tenantId, notificationId, userId, kind: 'streamed', at }),
  });
  const feed = new OrderedFeed(log, hub, { bus, onError: (err) => logger.error({ err }, 'event feed: asking the log failed') });
  const unsubscribe = bus.subscribe((e) => feed.accept(e));
  const events = new EventManager({ log, bus, hub, interest: feed });
  const firsts = firstDurations(metrics, config.WARDBELL_METRICS_TENANT_LABEL);
  receipts = new Receipts({
    db,
    clock,
    events,
    onFirst: firsts,
    live: config.WARDBELL_RECEIPT_EVENTS === 'on',
    // Declared below; asked only when a receipt is published, after start.
    workflowSender: async (tenantId, w) => (w.kind === 'emergency' ? workflows.emergency.callerOf(tenantId, w.id) : null),
    repeatsOf: (tenantId, id) => workflows.urgentRepeats.history(tenantId, id),
    onError: (err) => logger.warn({ err }, 'receipts: writing or publishing failed; the marks of that round are lost, later ones are kept'),
  });
  const receiptsOf = receipts;
  const limit = config.WARDBELL_MAX_CONNECTIONS_PER_USER;
  const quota = opts.streamQuota ?? (redis
    ? createRedisStreamQuota({ redis, prefix: config.WARDBELL_REDIS_PREFIX, limit, onError: (err) => logger.warn({ err }, 'stream quota: Redis did not answer; admitted on this process\'s count') })
    : createLocalStreamQuota(limit));
  // Rate limits: counted in Redis when scaled out (shared by every process), else in memory.
  const limits = rateLimitsFrom(config);
  const rateLimits = limits && (redis
    ? redisRateLimitStore({
        redis,
        prefix: config.WARDBELL_REDIS_PREFIX,
        limits,
        onUnavailable: (err) => logger.warn({ err }, 'rate limits: Redis did not answer; each process counts alone until it does (requests are not refused for it)'),
        onRecovered: () => logger.info('rate limits: Redis answers again; counts are shared again'),
      })
    : memoryRateLimitStore(limits));
  const tickets = createSqlTicketStore({ db, clock });
  const requestRecords = new RequestRecords(db, () => clock.now());
  // The embedded store has one process: whatever a previous one left in flight died with it.
  if (dialect === 'sqlite') {
    const released = await requestRecords.releaseAllInFlight();
    if (released > 0) logger.warn({ released }, 'idempotency keys left in flight by the previous process were released');
  }
  const directory = new Directory(db, () => clock.now());
  const tenants = new TenantSettingsStore(db, () => clock.now());
  const notifications = new NotificationService({ db, clock, events, directory, pushQueue: pushOutboxQueue, onRecipientsChanged: (tenantId, ids, seenAt) => receiptsOf.touch(tenantId, ids, seenAt) });
  const revocations = new SessionRevocations(db, () => clock.now());
  const sessions = new SessionEnds({ revocations, hub, clock, onError: (err) => logger.warn({ err }, 'session revocations: poll failed; retried in a second') });
  await sessions.start();
  // Tokens issued before a revocation of their user's sessions are refused; every other verified
  // caller keeps its directory entry current (services are not staff).
  const apiKeys = new ApiKeys(db, () => clock.now(), (err) => logger.warn({ err }, 'api keys: recording a key\'s last use failed'));
  const keyAware = withApiKeys(baseAuthenticator, apiKeys);
  const verify = async (header: HeaderGetter): Promise<Credential> => {
    const cred = await keyAware.verify(header);
    if (cred.apiKey) return cred;
    if (revocations.isRevoked(cred)) throw new AppError('invalid_token', 'Bearer token rejected: it was issued before this user\'s sessions were revoked; sign in again.');
    if (!cred.identity.roles.includes('service')) await directory.observe(cred.identity);
    return cred;
  };
  const authenticator: Authenticator = { mode: baseAuthenticator.mode, verify, authenticate: async (h) => (await verify(h)).identity };

  const actionSecret = config.WARDBELL_ACTION_TOKEN_SECRET ?? loadOrCreateDevSecret(config.WARDBELL_DATA_DIR, 'action-token-secret').secret;
  const actionTokens = createActionTokens(new TextEncoder().encode(actionSecret), () => clock.now());
  const workflows = createWorkflows(
    { db, clock, logger, events, notifications, directory, pushQueue: pushOutboxQueue, deliveries: (tenantId, ids) => receiptsOf.entriesFor(tenantId, ids), onMilestone: firsts },
    { pollIntervalMs: config.WARDBELL_SCHEDULER_POLL_MS, escalateAfterSeconds: config.WARDBELL_EMERGENCY_ESCALATE_AFTER_S },
  );
  const push = await createPush({
    config,
    db,
    clock,
    logger,
    actionTokens,
    onDeliverySettled: pushDeliveryDurations(metrics),
    onDeliveryAccepted: (d) => receiptsOf.mark({ tenantId: d.tenantId, notificationId: d.notificationId, userId: d.userId, kind: 'pushed', at: d.at, detail: d.subscriptionId }),
  });

  metrics.add(realtimeMetrics(hub, events, feed, quota));
  if (backbone.kind === 'redis') metrics.add(shardedBusMetrics(backbone.bus));
  metrics.add(notificationMetrics(notifications));
  metrics.add(schedulerMetrics(workflows.scheduler.stats));
  metrics.add(push.metrics);
  if (rateLimits) metrics.add(rateLimitMetrics(rateLimits));

  const metricsEndpoint = { registry: metrics, token: config.WARDBELL_METRICS_TOKEN };
  const metricsOwnPort = config.WARDBELL_METRICS_PORT !== undefined;
  let shuttingDown = false;
  const app = createHttpApp({
    logger,
    authenticator,
    apiKeys,
    tickets,
    events,
    quota,
    notifications,
    receipts: receiptsOf,
    directory,
    actionTokens,
    // On its own listener (WARDBELL_METRICS_PORT) or on this one, with its token when set.
    metrics: metricsOwnPort ? null : metricsEndpoint,
    observeRequest: httpRequestDurations(metrics),
    readiness: {
      storage: async () => {
        await sql`select 1`.execute(db);
      },
      ...(redis
        ? {
            redis: async () => {
              await redis.ping();
            },
          }
        : {}),
      ...(jwks ? { jwks: async () => jwksReadiness(jwks) } : {}),
    },
    isShuttingDown: () => shuttingDown,
    corsOrigins: config.WARDBELL_CORS_ORIGINS,
    trustedProxies: config.WARDBELL_TRUSTED_PROXIES,
    maxBodyBytes: config.WARDBELL_MAX_BODY_BYTES,
    rateLimits,
    workflows,
    push: push.api,
    tenants,
    requestRecords,
    sessions,
    isRevoked: (cred: Credential) => revocations.isRevoked(cred),
    console: new ConsoleFiles(defaultConsoleRoot()),
    devTokenSecret: devSecret,
    version: VERSION,
  });

  const errorHandler = (err: unknown) => {
    logger.error({ err }, 'unhandled request error');
  };
  const server = createServer({ keepAliveTimeout: 65_000 }, getRequestListener(app.fetch, { errorHandler }));
  const metricsServer = metricsOwnPort
    ? createServer(getRequestListener(createMetricsApp({ logger, metrics: metricsEndpoint, trustedProxies: config.WARDBELL_TRUSTED_PROXIES }).fetch, { errorHandler }))
    : null;

  // Housekeeping: trim the replay log, expired tickets and idempotency keys once a minute.
  const housekeeping = clock.setInterval(() => {
    Promise.all([log.trim(), tickets.sweep(), notifications.sweep(), requestRecords.sweep()]).catch((err: unknown) => logger.error({ err }, 'housekeeping failed'));
  }, 60_000);
  if (typeof housekeeping === 'object') housekeeping.unref?.();
  workflows.start();
  push.start();

  return {
    server,
    metricsServer,
    app,
    hub,
    jwks: jwks ?? null,
    events,
    notifications,
    logger,
    async listen() {
      const url = await listenOn(server, config.PORT, config.HOST);
      if (metricsServer) {
        const at = await listenOn(metricsServer, config.WARDBELL_METRICS_PORT ?? 0, config.WARDBELL_METRICS_HOST ?? config.HOST);
        logger.info({ url: `${at}/metrics` }, 'metrics listener started');
      }
      return url;
    },
    async close() {
      if (shuttingDown) return;
      shuttingDown = true;
      clock.clearInterval(housekeeping);
      sessions.stop();
      await workflows.stop();
      await push.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A scrape is short: the metrics listener closes with its connections.
      const metricsClosed = metricsServer?.listening ? new Promise<void>((resolve) => metricsServer.close(() => resolve())) : null;
      metricsServer?.closeAllConnections();
      const streams = hub.shutdown(config.WARDBELL_SSE_RETRY_MS);
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), 5_000);
      timer.unref();
      await closed;
      await metricsClosed;
      clearTimeout(timer);
      unsubscribe();
      await receiptsOf.close();
      await quota.close();
      await backbone.close();
      await db.destroy();
      logger.info({ streams }, 'shut down');
    },
  };
}
