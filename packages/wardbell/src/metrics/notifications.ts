import type { NotificationService } from '../notifications/index.js';
import { single, type MetricSource } from './exposition.js';

/** The notification service's counters. */
export function notificationMetrics(svc: NotificationService): MetricSource {
  return () => {
    const s = svc.stats;
    const counter = (name: string, help: string, value: number) => single(name, help, 'counter', value);
    return [
      counter('wardbell_notifications_sent_total', 'Notifications created or grouped.', s.sent),
      counter('wardbell_notifications_inbox_rows_total', 'Inbox entries written.', s.inboxRows),
      counter('wardbell_notifications_push_queued_total', 'Push deliveries handed to the outbox.', s.pushQueued),
      counter('wardbell_notifications_grouped_total', 'Sends collapsed into an existing grouped entry.', s.grouped),
      counter('wardbell_notifications_idempotent_repeats_total', 'Sends answered from an earlier idempotency key.', s.duplicates),
      counter('wardbell_notifications_actions_total', 'Action buttons pressed.', s.actions),
    ];
  };
}

/** The durable scheduler's counters (reminders, scheduled notifications, escalations, outbox jobs). */
export function schedulerMetrics(stats: { claimed: number; done: number; retried: number; failed: number; lostClaims: number }): MetricSource {
  return () =>
    (['claimed', 'done', 'retried', 'failed', 'lostClaims'] as const).map((k) =>
      single(
        `wardbell_scheduler_jobs_${k === 'lostClaims' ? 'lost_claims' : k}_total`,
        `Scheduled jobs ${k === 'lostClaims' ? 'whose claim was taken over after its lease lapsed' : k}.`,
        'counter',
        stats[k],
      ),
    );
}
