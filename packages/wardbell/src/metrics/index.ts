export { MetricsRegistry, renderExposition, processMetrics, single, byLabel, type MetricFamily, type MetricSource } from './exposition.js';
export { realtimeMetrics } from './realtime.js';
export { notificationMetrics, schedulerMetrics } from './notifications.js';
