import type { Identity } from '../auth/index.js';
import type { Action, Directory, NotificationService, NotificationType, Priority, Recipients } from '../notifications/index.js';
import { AppError, type Clock } from '../shared/index.js';
import { checkRunAt, planReminder } from './rules.js';
import type { Job, Scheduler } from './scheduler.js';
import { iso, type JobStatus, type ScheduledJobsTable } from './tables.js';

/** Job kind of a shift reminder (`/api/reminders`). */
export const REMINDER_JOB = 'shift_reminder';
/** Job kind of a notification sent later (`/api/notifications/scheduled`). */
export const SCHEDULED_NOTIFICATION_JOB = 'scheduled_notification';

/** What a timed job sends: the body of `POST /api/notifications`, kept until it is due. */
export interface TimedSend {
  type: NotificationType;
  priority: Priority;
  title: string;
  body: string;
  data?: Record<string, unknown> | undefined;
  actions?: Action[] | undefined;
  to: Recipients;
  groupKey?: string | undefined;
}

interface TimedPayload {
  send: TimedSend;
  shift?: { id: string; startsAt: string; ward?: string | undefined } | undefined;
}

export interface ReminderInput {
  shiftId: string;
  shiftStartsAt: string;
  ward?: string | undefined;
  to: Recipients;
  minutesBefore: number;
  remindAt?: string | undefined;
  title?: string | undefined;
  body?: string | undefined;
  data?: Record<string, unknown> | undefined;
  idempotencyKey?: string | undefined;
}

/** How a timed job looks from the API. */
export interface TimedView {
  id: string;
  status: JobStatus;
  runAt: string;
  attempts: number;
  notificationId: string | null;
  lastError: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface ReminderView extends TimedView {
  shiftId: string;
  shiftStartsAt: string;
  ward: string | null;
  to: Recipients;
  title: string;
  body: string;
}

export interface ScheduledNotificationView extends TimedView {
  notification: TimedSend;
}

function timedView(r: ScheduledJobsTable): TimedView & { payload: TimedPayload } {
  const result = r.result === null ? null : (JSON.parse(r.result) as { notificationId?: string } | null);
  return {
    id: r.id,
    status: r.status,
    runAt: iso(r.run_at) ?? '',
    attempts: Number(r.attempts),
    notificationId: result?.notificationId ?? null,
    lastError: r.last_error,
    createdBy: r.created_by,
    createdAt: iso(r.created_at) ?? '',
    updatedAt: iso(r.updated_at) ?? '',
    payload: JSON.parse(r.payload) as TimedPayload,
  };
}

/** A reminder job as the API shows it. */
export function toReminderView(r: ScheduledJobsTable): ReminderView {
  const { payload, ...v } = timedView(r);
  const shift = payload.shift ?? { id: '', startsAt: '' };
  return { ...v, shiftId: shift.id, shiftStartsAt: shift.startsAt, ward: shift.ward ?? null, to: payload.send.to, title: payload.send.title, body: payload.send.body };
}

/** A scheduled-notification job as the API shows it. */
export function toScheduledView(r: ScheduledJobsTable): ScheduledNotificationView {
  const { payload, ...v } = timedView(r);
  return { ...v, notification: payload.send };
}

/**
 * Shift reminders and scheduled notifications: both are rows of the durable scheduler whose run
 * sends a notification with the idempotency key `job:<id>`, so a run repeated after a crash finds
 * the first send instead of sending twice. Cancelling is the scheduler's conditional update.
 */
export class TimedNotifications {
  constructor(private readonly o: { clock: Clock; scheduler: Scheduler; notifications: NotificationService; directory: Directory }) {}

  async remind(caller: Identity, input: ReminderInput): Promise<{ reminder: ReminderView; duplicate: boolean }> {
    const now = this.o.clock.now();
    const startsAt = Date.parse(input.shiftStartsAt);
    const runAt = planReminder({ now, shiftStartsAt: startsAt, minutesBefore: input.minutesBefore, remindAt: input.remindAt === undefined ? undefined : Date.parse(input.remindAt) });
    if (runAt instanceof AppError) throw runAt;
    await this.o.directory.requireKnown(caller.tenantId, 'users' in input.to ? input.to.users : []);
    const minutes = Math.round((startsAt - runAt) / 60_000);
    const payload: TimedPayload = {
      send: {
        type: 'shift_reminder',
        priority: 'high',
        title: input.title ?? 'Shift reminder',
        body: input.body ?? `Your shift${input.ward ? ` on ward ${input.ward}` : ''} starts in ${minutes} minute${minutes === 1 ? '' : 's'} (${new Date(startsAt).toISOString()}).`,
        data: { ...input.data, shiftId: input.shiftId, shiftStartsAt: new Date(startsAt).toISOString(), ...(input.ward ? { ward: input.ward } : {}) },
        to: input.to,
      },
      shift: { id: input.shiftId, startsAt: new Date(startsAt).toISOString(), ward: input.ward },
    };
    const { job, duplicate } = await this.o.scheduler.enqueue({ tenantId: caller.tenantId, kind: REMINDER_JOB, runAt, payload, createdBy: caller.userId, dedupeKey: input.idempotencyKey });
    return { reminder: toReminderView(job), duplicate };
  }

  async schedule(caller: Identity, input: TimedSend & { sendAt: string; idempotencyKey?: string | undefined }): Promise<{ scheduled: ScheduledNotificationView; duplicate: boolean }> {
    const runAt = checkRunAt(Date.parse(input.sendAt), this.o.clock.now(), 'sendAt');
    if (runAt instanceof AppError) throw runAt;
    await this.o.directory.requireKnown(caller.tenantId, 'users' in input.to ? input.to.users : []);
    const { sendAt: _s, idempotencyKey, ...send } = input;
    const { job, duplicate } = await this.o.scheduler.enqueue({
      tenantId: caller.tenantId,
      kind: SCHEDULED_NOTIFICATION_JOB,
      runAt,
      payload: { send } satisfies TimedPayload,
      createdBy: caller.userId,
      dedupeKey: idempotencyKey,
    });
    return { scheduled: toScheduledView(job), duplicate };
  }

  async getReminder(tenantId: string, id: string): Promise<ReminderView> {
    return toReminderView(await this.o.scheduler.get(tenantId, [REMINDER_JOB], id));
  }

  async cancelReminder(tenantId: string, id: string): Promise<ReminderView> {
    return toReminderView(await this.o.scheduler.cancel(tenantId, [REMINDER_JOB], id));
  }

  /** Publishers see every scheduled notification of the tenant; others only their own (404 otherwise). */
  async getScheduled(caller: Identity, id: string, isPublisher: boolean): Promise<ScheduledNotificationView> {
    const row = await this.o.scheduler.get(caller.tenantId, [SCHEDULED_NOTIFICATION_JOB], id);
    if (!isPublisher && row.created_by !== caller.userId) throw new AppError('not_found', 'No such scheduled item in your tenant.');
    return toScheduledView(row);
  }

  async cancelScheduled(caller: Identity, id: string, isPublisher: boolean): Promise<ScheduledNotificationView> {
    await this.getScheduled(caller, id, isPublisher);
    return toScheduledView(await this.o.scheduler.cancel(caller.tenantId, [SCHEDULED_NOTIFICATION_JOB], id));
  }

  /** The job of both kinds: send now, keyed by the job so a repeated run sends nothing new. */
  readonly fire = async (job: Job): Promise<unknown> => {
    const { send } = job.payload as TimedPayload;
    const r = await this.o.notifications.send({ ...send, tenantId: job.tenantId, senderId: job.createdBy, idempotencyKey: `job:${job.id}` });
    return { notificationId: r.notification.id, recipients: r.recipients, duplicate: r.duplicate };
  };
}
