export { single, byLabel, type MetricFamily, type MetricSource } from './exposition.js';
export { MetricsRegistry } from './registry.js';
export { firstDurations, httpRequestDurations, publishToWriteDurations, pushDeliveryDurations, UNMATCHED_ROUTE, type RequestObserver, type WrittenObserver, type PushSettledObserver } from './histograms.js';
export { realtimeMetrics, shardedBusMetrics } from './realtime.js';
export { notificationMetrics, schedulerMetrics } from './notifications.js';
