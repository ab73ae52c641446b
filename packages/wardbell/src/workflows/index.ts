import type { Logger } from 'pino';
import type { Directory, NotificationService, PushQueue, Recipients } from '../notifications/index.js';
import type { Clock } from '../shared/index.js';
import type { Publisher } from '../events/index.js';
import type { Db } from '../store/index.js';
import type { DeliveryReader } from './emergency-review.js';
import type { MilestoneObserver } from './emergency-answers.js';
import { EmergencyCalls } from './emergency.js';
import { EscalationPolicies } from './policies.js';
import { Schedules } from './schedules.js';
import { Scheduler } from './scheduler.js';
import { SWAP_DECIDED_JOB, Swaps } from './swaps.js';
import { workflowDb } from './tables.js';
import { REMINDER_JOB, SCHEDULED_NOTIFICATION_JOB, TimedNotifications } from './timed.js';
import { RepeatDelivery } from './repeat-delivery.js';
import { URGENT_REPEAT_JOB, UrgentRepeats } from './urgent-repeats.js';

export { Scheduler, type Job, type JobHandler, type NewJob, type SchedulerOptions } from './scheduler.js';
export * from './rules.js';
export * from './schemas.js';
export type { Schedules } from './schedules.js';
export type { Swaps } from './swaps.js';
export type { EmergencyCalls, CallDetail } from './emergency.js';
export type { CallView, EmergencyCallInput } from './emergency-view.js';
export type { EscalationPolicies, NamedPolicyView } from './policies.js';
export { MAX_POLICIES_PER_TENANT } from './policies.js';
export { CALL_EVENT_KINDS, readCallEvents, type CallEvent, type CallEventKind } from './emergency-events.js';
export { mergeTimeline, timelinePage, TIMELINE_MAX_PAGE, type CallListQuery, type DeliveryEntry, type DeliveryReader, type TimelineEntry } from './emergency-review.js';
export { POLICY_LIMITS, POLICY_NAME, DEFAULT_MAX_REPEATS, freezePolicy, shorthandPolicy, stepOfWave, nextWaveAt, repeatAt, lastWave, toRecipients, type EscalationPolicy, type EscalationPolicyInput, type FrozenPolicy, type FrozenStep, type StepTarget } from './policy.js';
export type { TimedNotifications } from './timed.js';
export { URGENT_REPEAT_JOB, type UrgentRepeats, type UrgentRepeatPlan } from './urgent-repeats.js';
export type { WorkflowTables } from './tables.js';
export { workflowMigrations } from './migrations.js';

export interface WorkflowDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  events: Publisher;
  notifications: NotificationService;
  directory: Directory;
  /** The push channel's outbox: where an emergency call's repeats queue their pushes. */
  pushQueue?: PushQueue | undefined;
  /** The recipients' deliveries of a call's notifications (delivery receipts), for its timeline. */
  deliveries?: DeliveryReader | undefined;
  /** Told once per call: time to its first accept and to its fill. */
  onMilestone?: MilestoneObserver | undefined;
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
  /** The tenants' named escalation policies of emergency calls. */
  readonly policies: EscalationPolicies;
  /** Shift reminders and scheduled notifications. */
  readonly timed: TimedNotifications;
  /** Repeats of urgent notifications sent with repeatEverySeconds, until acknowledged. */
  readonly urgentRepeats: UrgentRepeats;
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
  const policies = new EscalationPolicies({ db, directory, now: () => clock.now() });
  // How repeats reach their recipients again: emergency calls' and urgent notifications' alike.
  const delivery = new RepeatDelivery({ db, events, notifications, pushQueue: deps.pushQueue ?? null });
  const emergency = new EmergencyCalls({
    db,
    clock,
    events,
    notifications,
    directory,
    scheduler,
    delivery,
    deliveries: deps.deliveries,
    onMilestone: deps.onMilestone,
    policies,
    escalateAfterSeconds: options.escalateAfterSeconds ?? 600,
    escalateTo: options.escalateTo ?? { topic: 'role:nurse' },
  });
  const timed = new TimedNotifications({ clock, scheduler, notifications, directory });
  const urgentRepeats = new UrgentRepeats({ db, scheduler, notifications, delivery, now: () => clock.now() });

  notifications.onAction('swap', swaps.onAction);
  notifications.onAction('emergency', emergency.onAction);
  scheduler.handle(SWAP_DECIDED_JOB, swaps.applyDecision);
  for (const [kind, handler] of Object.entries(emergency.handlers())) scheduler.handle(kind, handler);
  scheduler.handle(REMINDER_JOB, timed.fire);
  scheduler.handle(SCHEDULED_NOTIFICATION_JOB, timed.fire);
  scheduler.handle(URGENT_REPEAT_JOB, urgentRepeats.repeat);

  return {
    scheduler,
    schedules,
    swaps,
    emergency,
    policies,
    timed,
    urgentRepeats,
    start() {
      scheduler.start();
    },
    stop() {
      return scheduler.stop();
    },
  };
}
