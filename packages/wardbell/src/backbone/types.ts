import type { Bus } from '../bus/index.js';
import type { EventLog } from '../events/index.js';
import type { RedisClient } from './redis-client.js';
import type { ShardedBus } from './redis-bus.js';
import type { ShardKeys } from './shards.js';

/**
 * The realtime backbone of one deployment: the replay log and the bus, built together because they
 * only work as a pair (the Redis bus carries what the Redis log's append wrote to the bus stream; the
 * in-process bus fans out within the one process that owns the SQL log).
 */
interface BackboneParts {
  readonly log: EventLog;
  readonly bus: Bus;
  /**
   * Closes the bus, then the log, then the backbone's own connections. Call it after unsubscribing
   * and after closing whatever else uses `redis` (the stream quota). The database is the caller's.
   */
  close(): Promise<void>;
}

/** One process: the SQL log (SQLite or PostgreSQL) and the in-process bus. */
export interface EmbeddedBackbone extends BackboneParts {
  readonly kind: 'embedded';
  readonly redis: null;
}

/** Scale-out: log and sharded bus on Redis Streams (one Redis or a Redis Cluster), shared by every process. */
export interface RedisBackbone extends BackboneParts {
  readonly kind: 'redis';
  readonly bus: ShardedBus;
  /** The command connection (the log's; a cluster client on a cluster), for the Redis stream quota, the rate limits and the readiness check. */
  readonly redis: RedisClient;
  /** Where each tenant's log and each shard's bus stream live. */
  readonly keys: ShardKeys;
}

export type Backbone = EmbeddedBackbone | RedisBackbone;
