import type { EventManager, OrderedFeed, SseHub, StreamQuota } from '../sse/index.js';
import type { MetricSource } from './exposition.js';

/** The realtime core's metric families, read from the hub's, feed's and publisher's plain counters. */
export function realtimeMetrics(hub: SseHub, events: EventManager, feed: OrderedFeed, quota: StreamQuota): MetricSource {
  return () => {
    const s = hub.stats;
    const f = feed.stats;
    return [
      { name: 'wardbell_sse_connections', help: 'Open SSE connections in this process.', type: 'gauge', samples: [{ value: hub.connectionCount }] },
      { name: 'wardbell_sse_connections_opened_total', help: 'SSE connections accepted.', type: 'counter', samples: [{ value: s.connectionsOpened }] },
      {
        name: 'wardbell_events_published_total',
        help: 'Events appended to the log through this process, by type.',
        type: 'counter',
        samples: Object.entries(events.stats.published).map(([type, value]) => ({ labels: { type }, value })),
      },
      { name: 'wardbell_sse_events_delivered_total', help: 'Live events written to connections.', type: 'counter', samples: [{ value: s.eventsDelivered }] },
      { name: 'wardbell_sse_frames_delivered_total', help: 'Frames written to connections (events, replays, heartbeats, control).', type: 'counter', samples: [{ value: s.framesDelivered }] },
      { name: 'wardbell_sse_events_dropped_total', help: 'Events not delivered because a client was too slow and was disconnected.', type: 'counter', samples: [{ value: s.eventsDropped }] },
      { name: 'wardbell_sse_slow_client_disconnects_total', help: 'Connections closed because their queue passed the limit.', type: 'counter', samples: [{ value: s.slowClientDisconnects }] },
      { name: 'wardbell_sse_replays_total', help: 'Reconnects served by replaying from Last-Event-ID.', type: 'counter', samples: [{ value: s.replaysServed }] },
      { name: 'wardbell_sse_replayed_events_total', help: 'Events sent by replays.', type: 'counter', samples: [{ value: s.eventsReplayed }] },
      {
        name: 'wardbell_sse_resets_total',
        help: 'reset events sent because a Last-Event-ID could not be continued, by reason.',
        type: 'counter',
        samples: Object.entries(s.resetsSent).map(([reason, value]) => ({ labels: { reason }, value })),
      },
      { name: 'wardbell_sse_heartbeats_total', help: 'Heartbeat rounds.', type: 'counter', samples: [{ value: s.heartbeatsSent }] },
      { name: 'wardbell_sse_streams_refused_total', help: 'Streams refused because the user already held WARDBELL_MAX_CONNECTIONS_PER_USER.', type: 'counter', samples: [{ value: quota.stats.refused }] },
      { name: 'wardbell_sse_streams_admitted_without_redis_total', help: 'Streams admitted on this process\'s own count because Redis did not answer the quota.', type: 'counter', samples: [{ value: quota.stats.admittedWithoutRedis }] },
      { name: 'wardbell_bus_gaps_filled_total', help: 'Skipped offsets on the bus repaired from the log.', type: 'counter', samples: [{ value: f.gapsFilled }] },
      { name: 'wardbell_bus_events_refetched_total', help: 'Events read from the log to fill bus gaps.', type: 'counter', samples: [{ value: f.eventsRefetched }] },
      { name: 'wardbell_bus_duplicates_dropped_total', help: 'Events the bus brought twice, delivered once.', type: 'counter', samples: [{ value: f.duplicatesDropped }] },
      { name: 'wardbell_bus_tenant_resets_total', help: 'Times a tenant\'s open streams were reset because its log started a new epoch or a gap could not be filled.', type: 'counter', samples: [{ value: f.tenantResets }] },
    ];
  };
}
