import { byLabel, single, type MetricFamily, type MetricSource } from '../metrics/index.js';
import type { PushWorker } from './worker.js';
import type { VapidSigner } from './vapid.js';

export interface PushCounters {
  subscribed: number;
  resubscribed: number;
  unsubscribed: number;
  refused: number;
  expiredCleaned: number;
  /** Subscriptions stored, refreshed by housekeeping (a scrape never queries the database). */
  subscriptions: number;
}

/** The push channel's metric families: every attempt by result, every final outcome, the queue. */
export function pushMetrics(worker: PushWorker, signer: VapidSigner, counters: PushCounters): MetricSource {
  return () => {
    const s = worker.stats;
    const families: MetricFamily[] = [
      byLabel('wardbell_push_attempts_total', 'Requests to push services, by result (delivered, gone, rate_limited, server_error, network_error, too_large, rejected, forbidden_address, invalid).', 'counter', 'result', s.attempts),
      byLabel('wardbell_push_deliveries_total', 'Deliveries settled for good, by status (delivered, failed, pruned, expired, dropped).', 'counter', 'status', s.final),
      single('wardbell_push_retries_scheduled_total', 'Deliveries put back for a later attempt (429, 5xx, network).', 'counter', s.retriesScheduled),
      single('wardbell_push_in_flight', 'Requests to push services under way.', 'gauge', worker.inFlight),
      single('wardbell_push_send_seconds_total', 'Time spent sending (build, encrypt, request), summed over attempts.', 'counter', s.sendSeconds),
      single('wardbell_push_outbox_expanded_total', 'Outbox rows taken up by the push worker.', 'counter', s.outboxExpanded),
      byLabel('wardbell_push_outbox_settled_total', 'Outbox rows by what they became: deliveries queued, no subscription wanted it, already read in the app.', 'counter', 'result', { deliveries: s.deliveriesQueued, no_subscription: s.withoutSubscription, already_read: s.alreadyRead }),
      single('wardbell_push_worker_errors_total', 'Worker rounds or outcome writes that failed (retried on the next round).', 'counter', s.errors),
      single('wardbell_push_vapid_signatures_total', 'VAPID JWTs signed (one per push-service origin per lifetime).', 'counter', signer.signed),
      single('wardbell_push_subscriptions', 'Push subscriptions stored (all tenants; refreshed every minute).', 'gauge', counters.subscriptions),
      byLabel('wardbell_push_subscription_changes_total', 'Subscription requests by result (subscribed, resubscribed, unsubscribed, refused, expired_cleaned).', 'counter', 'result', { subscribed: counters.subscribed, resubscribed: counters.resubscribed, unsubscribed: counters.unsubscribed, refused: counters.refused, expired_cleaned: counters.expiredCleaned + worker.stats.subscriptionsExpired }),
    ];
    return families;
  };
}
