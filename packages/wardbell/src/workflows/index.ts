import type { Logger } from 'pino';
import type { Directory, NotificationService, Recipients } from '../notifications/index.js';
import type { Clock } from '../shared/index.js';
import type { Publisher } from '../events/index.js';
import type { Db } from '../store/index.js';
import { CLOSED_JOB, EmergencyCalls, ESCALATE_JOB } from './emergency.js';
import { Schedules } from './schedules.js';
import { Scheduler } from './scheduler.js';
import { SWAP_DECIDED_JOB, Swaps } from './swaps.js';
import { workflowDb } from './tables.js';
import { REMINDER_JOB, SCHEDULED_NOTIFICATION_JOB, TimedNotifications } from './timed.js';

export { Scheduler, type Job, type JobHandler, type NewJob, type SchedulerOptions } from './scheduler.js';
export * from './rules.js';
export * from './schemas.js';
export type { Schedules } from './schedules.js';
export type { Swaps } from './swaps.js';
export type { EmergencyCalls } from './emergency.js';
export type { TimedNotifications } from './timed.js';
export type { WorkflowTables } from './tables.js';
export { workflowMigrations } from './migrations.js';

export interface WorkflowDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  events: Publisher;
  notifications: NotificationService;
  directory: Directory;
}

/** Tuning of the workflows; every field has a default. */
export interface WorkflowOptions {
  /** How often the scheduler looks for due jobs (default: {@link SchedulerOptions}). */
  pollIntervalMs?: number;
  /** How long a job claim holds before another process may take a crashed job over. */
  leaseMs?: number;
  /** Runs of a job before it is marked failed. */
  maxAttempts?: number;
  /** Seconds before an unfilled emergency call escalates, unless the call says. Default 600. */
  escalateAfterSeconds?: number;
  /** Where an unfilled call escalates, unless the call says. Default `{topic: 'role:nurse'}`. */
  escalateTo?: Recipients;
}

export interface Workflows {
  readonly schedules: Schedules;
  readonly swaps: Swaps;
  readonly emergency: EmergencyCalls;
  /** Shift reminders and scheduled notifications. */
  readonly timed: TimedNotifications;
  /** Starts background work (the durable scheduler). */
  start(): void;
  /** Stops background work; resolves when in-flight jobs are done. */
  stop(): Promise<void>;
  /** The durable scheduler (tests and operations read its stats). */
  readonly scheduler: Scheduler;
}

/**
 * The seed's event system (section 5): schedule events, shift swaps, emergency calls, shift
 * reminders and scheduled notifications, over the notification service and the durable scheduler.
 */
export function createWorkflows(deps: WorkflowDeps, options: WorkflowOptions = {}): Workflows {
  const db = workflowDb(deps.db);
  const { clock, events, notifications, directory } = deps;
  const scheduler = new Scheduler({
    db,
    clock,
    logger: deps.logger,
    pollIntervalMs: options.pollIntervalMs,
    leaseMs: options.leaseMs,
    maxAttempts: options.maxAttempts,
  });
  const schedules = new Schedules({ events, notifications, directory });
  const swaps = new Swaps({ db, clock, events, notifications, directory, scheduler });
  const emergency = new EmergencyCalls({
    db,
    clock,
    events,
    notifications,
    directory,
    scheduler,
    escalateAfterSeconds: options.escalateAfterSeconds ?? 600,
    escalateTo: options.escalateTo ?? { topic: 'role:nurse' },
  });
  const timed = new TimedNotifications({ clock, scheduler, notifications, directory });

  notifications.onAction('swap', swaps.onAction);
  notifications.onAction('emergency', emergency.onAction);
  scheduler.handle(SWAP_DECIDED_JOB, swaps.applyDecision);
  scheduler.handle(ESCALATE_JOB, emergency.escalate);
  scheduler.handle(CLOSED_JOB, emergency.close);
  scheduler.handle(REMINDER_JOB, timed.fire);
  scheduler.handle(SCHEDULED_NOTIFICATION_JOB, timed.fire);

  return {
    scheduler,
    schedules,
    swaps,
    emergency,
    timed,
    start() {
      scheduler.start();
    },
    stop() {
      return scheduler.stop();
    },
  };
}
