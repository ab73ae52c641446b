import type { MetricFamily, MetricSource } from '../metrics/index.js';
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
      {
        name: 'wardbell_push_attempts_total',
        help: 'Requests to push services, by result (delivered, gone, rate_limited, server_error, network_error, too_large, rejected, forbidden_address, invalid).',
        type: 'counter',
        samples: Object.entries(s.attempts).map(([result, value]) => ({ labels: { result }, value })),
      },
      {
        name: 'wardbell_push_deliveries_total',
        help: 'Deliveries settled for good, by status (delivered, failed, pruned, expired, dropped).',
        type: 'counter',
        samples: Object.entries(s.final).map(([status, value]) => ({ labels: { status }, value })),
      },
      { name: 'wardbell_push_retries_scheduled_total', help: 'Deliveries put back for a later attempt (429, 5xx, network).', type: 'counter', samples: [{ value: s.retriesScheduled }] },
      { name: 'wardbell_push_in_flight', help: 'Requests to push services under way.', type: 'gauge', samples: [{ value: worker.inFlight }] },
      { name: 'wardbell_push_send_seconds_total', help: 'Time spent sending (build, encrypt, request), summed over attempts.', type: 'counter', samples: [{ value: s.sendSeconds }] },
      { name: 'wardbell_push_outbox_expanded_total', help: 'Outbox rows taken up by the push worker.', type: 'counter', samples: [{ value: s.outboxExpanded }] },
      {
        name: 'wardbell_push_outbox_settled_total',
        help: 'Outbox rows by what they became: deliveries queued, no subscription wanted it, already read in the app.',
        type: 'counter',
        samples: [
          { labels: { result: 'deliveries' }, value: s.deliveriesQueued },
          { labels: { result: 'no_subscription' }, value: s.withoutSubscription },
          { labels: { result: 'already_read' }, value: s.alreadyRead },
        ],
      },
      { name: 'wardbell_push_worker_errors_total', help: 'Worker rounds or outcome writes that failed (retried on the next round).', type: 'counter', samples: [{ value: s.errors }] },
      { name: 'wardbell_push_vapid_signatures_total', help: 'VAPID JWTs signed (one per push-service origin per lifetime).', type: 'counter', samples: [{ value: signer.signed }] },
      { name: 'wardbell_push_subscriptions', help: 'Push subscriptions stored (all tenants; refreshed every minute).', type: 'gauge', samples: [{ value: counters.subscriptions }] },
      {
        name: 'wardbell_push_subscription_changes_total',
        help: 'Subscription requests by result (subscribed, resubscribed, unsubscribed, refused, expired_cleaned).',
        type: 'counter',
        samples: [
          { labels: { result: 'subscribed' }, value: counters.subscribed },
          { labels: { result: 'resubscribed' }, value: counters.resubscribed },
          { labels: { result: 'unsubscribed' }, value: counters.unsubscribed },
          { labels: { result: 'refused' }, value: counters.refused },
          { labels: { result: 'expired_cleaned' }, value: counters.expiredCleaned + worker.stats.subscriptionsExpired },
        ],
      },
    ];
    return families;
  };
}
