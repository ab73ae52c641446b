import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/index.js';
import type { AppEnv } from '../http/index.js';
import type { Directory, NotificationService } from '../notifications/index.js';
import type { Clock } from '../shared/clock.js';
import type { EventManager } from '../sse/index.js';
import type { Db } from '../store/index.js';

export interface WorkflowDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  events: EventManager;
  notifications: NotificationService;
  directory: Directory;
}

export interface Workflows {
  /** Adds the workflow routes to the HTTP app. */
  registerRoutes(app: OpenAPIHono<AppEnv>, authenticator: Authenticator): void;
  /** Starts background work (the durable scheduler). */
  start(): void;
  /** Stops background work; resolves when in-flight jobs are done. */
  stop(): Promise<void>;
}

/** The seed's event system (section 5): schedule, swap, emergency call, shift reminders. */
export function createWorkflows(_deps: WorkflowDeps): Workflows {
  return {
    registerRoutes() {},
    start() {},
    async stop() {},
  };
}
