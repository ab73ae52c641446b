import type { ShardedBus } from '../backbone/index.js';
import type { EventManager, OrderedFeed, SseHub, StreamQuota } from '../sse/index.js';
import { byLabel, single, type MetricSource } from './exposition.js';

/** The realtime core's metric families, read from the hub's, feed's and publisher's plain counters. */
export function realtimeMetrics(hub: SseHub, events: EventManager, feed: OrderedFeed, quota: StreamQuota): MetricSource {
  return () => {
    const s = hub.stats;
    const f = feed.stats;
    return [
      single('wardbell_sse_connections', 'Open SSE connections in this process.', 'gauge', hub.connectionCount),
      single('wardbell_sse_connections_opened_total', 'SSE connections accepted.', 'counter', s.connectionsOpened),
      byLabel('wardbell_events_published_total', 'Events appended to the log through this process, by type.', 'counter', 'type', events.stats.published),
      single('wardbell_sse_events_delivered_total', 'Live events written to connections.', 'counter', s.eventsDelivered),
      single('wardbell_sse_frames_delivered_total', 'Frames written to connections (events, replays, heartbeats, control).', 'counter', s.framesDelivered),
      single('wardbell_sse_events_dropped_total', 'Events not delivered because a client was too slow and was disconnected.', 'counter', s.eventsDropped),
      single('wardbell_sse_slow_client_disconnects_total', 'Connections closed because their queue passed the limit.', 'counter', s.slowClientDisconnects),
      single('wardbell_sse_replays_total', 'Reconnects served by replaying from Last-Event-ID.', 'counter', s.replaysServed),
      single('wardbell_sse_replayed_events_total', 'Events sent by replays.', 'counter', s.eventsReplayed),
      byLabel('wardbell_sse_resets_total', 'reset events sent because a Last-Event-ID could not be continued, by reason.', 'counter', 'reason', s.resetsSent),
      single('wardbell_sse_heartbeats_total', 'Heartbeat rounds.', 'counter', s.heartbeatsSent),
      single('wardbell_sse_streams_refused_total', 'Streams refused because the user already held WARDBELL_MAX_CONNECTIONS_PER_USER.', 'counter', quota.stats.refused),
      single('wardbell_sse_streams_admitted_without_redis_total', 'Streams admitted on this process\'s own count because Redis did not answer the quota.', 'counter', quota.stats.admittedWithoutRedis),
      single('wardbell_bus_gaps_filled_total', 'Skipped offsets on the bus repaired from the log.', 'counter', f.gapsFilled),
      single('wardbell_bus_events_refetched_total', 'Events read from the log to fill bus gaps.', 'counter', f.eventsRefetched),
      single('wardbell_bus_duplicates_dropped_total', 'Events the bus brought twice, delivered once.', 'counter', f.duplicatesDropped),
      single('wardbell_bus_tenant_resets_total', 'Times a tenant\'s open streams were reset because its log started a new epoch or a gap could not be filled.', 'counter', f.tenantResets),
      single('wardbell_bus_log_losses_total', 'Times the log was found to have lost events this process had delivered (a Redis failover), ending that epoch.', 'counter', f.logLosses),
      single('wardbell_bus_positions_checked_total', 'Tenants whose last delivered event was checked against the log after a bus read resumed.', 'counter', f.positionsChecked),
    ];
  };
}

/** The sharded Redis bus: which shards this process reads, and how much of what it reads it needs. */
export function shardedBusMetrics(bus: ShardedBus): MetricSource {
  return () => [
    single('wardbell_bus_shards_read', 'Bus shards this process reads (the shards of the tenants it holds streams for).', 'gauge', bus.shardsRead().length),
    single('wardbell_bus_readers', 'Connections this process holds for blocking bus reads.', 'gauge', bus.readerCount()),
    single('wardbell_bus_entries_read_total', 'Entries read from bus shard streams.', 'counter', bus.stats.entriesRead),
    single('wardbell_bus_entries_delivered_total', 'Entries read of tenants this process follows (parsed and delivered; the rest are skipped unparsed).', 'counter', bus.stats.entriesDelivered),
    single('wardbell_bus_shard_starts_total', 'Times this process began reading a shard.', 'counter', bus.stats.shardStarts),
    single('wardbell_bus_resumes_total', 'Bus reads that succeeded after a failed one (a dropped connection, a failover).', 'counter', bus.stats.resumes),
  ];
}
