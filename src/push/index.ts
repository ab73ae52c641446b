import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { ActionTokens, Authenticator } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { AppEnv } from '../http/index.js';
import type { MetricSource } from '../metrics/index.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../store/index.js';

export interface PushDeps {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Signs the token a push carries so its action buttons work from the service worker. */
  actionTokens: ActionTokens;
}

export interface Push {
  /** Adds the push routes (VAPID key, subscribe, unsubscribe, statistics, backup, restore, service worker). */
  registerRoutes(app: OpenAPIHono<AppEnv>, authenticator: Authenticator): void;
  /** Metric families of the push channel. */
  metrics: MetricSource;
  /** Starts the outbox worker. */
  start(): void;
  /** Stops the worker; resolves when in-flight sends are done. */
  stop(): Promise<void>;
}

/** Web Push: VAPID, subscriptions, the durable outbox worker (RFC 8030/8291/8292). */
export async function createPush(_deps: PushDeps): Promise<Push> {
  return {
    registerRoutes() {},
    metrics: () => [],
    start() {},
    async stop() {},
  };
}
