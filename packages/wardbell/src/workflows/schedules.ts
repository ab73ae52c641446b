import type { Identity } from '../auth/index.js';
import { audienceOf, type Directory, type NotificationService, type Recipients } from '../notifications/index.js';
import type { Publisher } from '../events/index.js';

export interface SchedulePublishedInput {
  scheduleId: string;
  to: Recipients;
  period?: { from: string; to: string } | undefined;
  title?: string | undefined;
  body?: string | undefined;
  /** Link the page opens (e.g. the published schedule). */
  url?: string | undefined;
  data?: Record<string, unknown> | undefined;
  idempotencyKey?: string | undefined;
}

export interface ScheduleUpdatedInput {
  scheduleId: string;
  to: Recipients;
  /** Free-form change records the pages apply (e.g. `{shiftId, userId, from, to}`). */
  changes?: Array<Record<string, unknown>> | undefined;
  summary?: string | undefined;
  title?: string | undefined;
  data?: Record<string, unknown> | undefined;
}

export interface ScheduleResult {
  notificationId: string;
  recipients: number;
  /** True when the notification folded into an earlier one (updates within the group window). */
  grouped: boolean;
  /** True when an idempotent repeat: nothing was sent again. */
  duplicate: boolean;
  /** Id of the SSE event, or null when nothing was published (a repeat). */
  eventId: string | null;
}

/** The group key of a schedule's updates: many within minutes collapse into one inbox entry. */
export const updatesGroupKey = (scheduleId: string) => `schedule:${scheduleId}:updated`;

/**
 * Schedule events (seed 5.1). Published: a `schedule_published` notification and a
 * `schedule.published` event to the affected staff. Updated: the `schedule.updated` event first
 * (pages re-render at once), then a grouped `schedule_updated` notification.
 */
export class Schedules {
  constructor(private readonly o: { events: Publisher; notifications: NotificationService; directory: Directory }) {}

  async published(caller: Identity, input: SchedulePublishedInput): Promise<ScheduleResult> {
    const period = input.period ? ` for ${input.period.from} to ${input.period.to}` : '';
    const data = { ...input.data, scheduleId: input.scheduleId, ...(input.period ? { period: input.period } : {}), ...(input.url ? { url: input.url } : {}) };
    const sent = await this.o.notifications.send({
      tenantId: caller.tenantId,
      senderId: caller.userId,
      type: 'schedule_published',
      priority: 'medium',
      title: input.title ?? 'New schedule published',
      body: input.body ?? `The schedule${period} is published. Check your shifts.`,
      data,
      to: input.to,
      idempotencyKey: input.idempotencyKey,
    });
    // A repeat of the same request sends nothing again, the event included.
    const event = sent.duplicate
      ? null
      : await this.o.events.publish(caller.tenantId, 'schedule.published', { ...data, notificationId: sent.notification.id }, audienceOf(input.to));
    return { notificationId: sent.notification.id, recipients: sent.recipients, grouped: sent.grouped, duplicate: sent.duplicate, eventId: event?.id ?? null };
  }

  async updated(caller: Identity, input: ScheduleUpdatedInput): Promise<ScheduleResult> {
    // The event goes first, so unknown staff must be refused before it: nothing half-sent.
    await this.o.directory.requireKnown(caller.tenantId, 'users' in input.to ? input.to.users : []);
    const data = { ...input.data, scheduleId: input.scheduleId, changes: input.changes ?? [], ...(input.summary ? { summary: input.summary } : {}) };
    const event = await this.o.events.publish(caller.tenantId, 'schedule.updated', data, audienceOf(input.to));
    const sent = await this.o.notifications.send({
      tenantId: caller.tenantId,
      senderId: caller.userId,
      type: 'schedule_updated',
      priority: 'medium',
      title: input.title ?? 'Schedule updated',
      body: input.summary ?? 'The schedule has changed. Check your shifts.',
      data: { scheduleId: input.scheduleId, ...(input.summary ? { summary: input.summary } : {}) },
      to: input.to,
      groupKey: updatesGroupKey(input.scheduleId),
    });
    return { notificationId: sent.notification.id, recipients: sent.recipients, grouped: sent.grouped, duplicate: sent.duplicate, eventId: event.id };
  }
}
