import type { MetricsRegistry } from './registry.js';

/** Upper bounds, seconds. Most answers take a few milliseconds; a send to a whole hospital, more. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Milliseconds within a process (a burst's batch waits at most 10 ms), a Redis round trip more across processes. */
const PUBLISH_TO_WRITE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Under a second when the push service answers the first attempt; retries after 429 or 5xx take minutes. */
const PUSH_DELIVERY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The `route` label of a request no route matched. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Told once per answered request: its method, its route's pattern (null: none matched), status, duration. */
export type RequestObserver = (method: string, route: string | null, status: number, seconds: number) => void;

/** `wardbell_http_request_duration_seconds`; labels stay bounded (route patterns, known methods). */
export function httpRequestDurations(registry: MetricsRegistry): RequestObserver {
  const h = registry.histogram(
    'wardbell_http_request_duration_seconds',
    'Time from a request\'s arrival to its answer, by method, route pattern ("unmatched": no route) and status. For GET /api/sse the time to the stream\'s head: a stream\'s own life is not timed.',
    HTTP_BUCKETS,
    ['method', 'route', 'status'],
  );
  return (method, route, status, seconds) => h.observe({ method: METHODS.has(method) ? method : 'other', route: route ?? UNMATCHED_ROUTE, status: String(status) }, seconds);
}

/** The hub's `onWritten` hook: the `createdAt` (ms) of the events a delivery pass wrote, and the time after it. */
export type WrittenObserver = (createdAtMs: readonly number[], nowMs: number) => void;

/** `wardbell_sse_publish_to_write_seconds`, one observation per event and delivery pass. */
export function publishToWriteDurations(registry: MetricsRegistry): WrittenObserver {
  const h = registry.histogram(
    'wardbell_sse_publish_to_write_seconds',
    'Time from a live event\'s append to the log to its write to the streams of this process, once per event and delivery pass (not per stream). Across processes it includes the bus and the hosts\' clock difference.',
    PUBLISH_TO_WRITE_BUCKETS,
  );
  return (createdAtMs, nowMs) => {
    for (const at of createdAtMs) h.observe(nowMs > at ? (nowMs - at) / 1000 : 0);
  };
}

/** Told when a push delivery is settled for good: its final status and the seconds since it was due. */
export type PushSettledObserver = (status: 'delivered' | 'failed' | 'pruned' | 'expired' | 'dropped', seconds: number) => void;

/** `wardbell_push_delivery_seconds`, by final status. */
export function pushDeliveryDurations(registry: MetricsRegistry): PushSettledObserver {
  const h = registry.histogram(
    'wardbell_push_delivery_seconds',
    'Time from a push\'s enqueue (its outbox row, or the end of its quiet-hours hold) to its final outcome, by status: delivered is the push service\'s 2xx; failed, pruned, expired and dropped as in wardbell_push_deliveries_total.',
    PUSH_DELIVERY_BUCKETS,
    ['status'],
  );
  return (status, seconds) => h.observe({ status }, Math.max(0, seconds));
}

/** Seconds to a first sign of life; an urgent call is answered in minutes, a schedule read in hours. */
const FIRST_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600];

/** Told once per notification (or call) and milestone, with its tenant and the seconds since creation. */
export type FirstObserver = (milestone: string, tenantId: string, seconds: number) => void;

/**
 * `wardbell_notification_first_reached_seconds` and `_first_seen_seconds` (receipts) and
 * `wardbell_emergency_first_accept_seconds` and `_fill_seconds` (calls), each observed once per
 * notification or call. With `perTenant` (WARDBELL_METRICS_TENANT_LABEL) they carry a `tenant`
 * label: one series set per tenant, so only for a deployment with few tenants.
 */
export function firstDurations(registry: MetricsRegistry, perTenant: boolean): FirstObserver {
  const labels = perTenant ? ['tenant'] : [];
  const make = (name: string, help: string) => registry.histogram(name, help, FIRST_BUCKETS, labels);
  const families: Record<string, ReturnType<typeof make>> = {
    reached: make('wardbell_notification_first_reached_seconds', 'Time from a notification\'s creation to its first recipient reached (written to a stream or accepted by a push service), once per notification.'),
    seen: make('wardbell_notification_first_seen_seconds', 'Time from a notification\'s creation to its first recipient who saw it (displayed, opened, read or acted), once per notification.'),
    first_accept: make('wardbell_emergency_first_accept_seconds', 'Time from an emergency call\'s creation to its first accept, once per call.'),
    fill: make('wardbell_emergency_fill_seconds', 'Time from an emergency call\'s creation to the accept that filled it, once per call.'),
  };
  return (milestone, tenantId, seconds) => {
    const h = families[milestone];
    if (!h) return;
    if (perTenant) h.observe({ tenant: tenantId }, Math.max(0, seconds));
    else h.observe(Math.max(0, seconds));
  };
}
