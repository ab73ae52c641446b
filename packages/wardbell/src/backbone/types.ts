import type { Redis } from 'ioredis';
import type { Bus } from '../bus/index.js';
import type { EventLog } from '../events/index.js';

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

/** Scale-out: log and bus on Redis Streams, shared by every process. */
export interface RedisBackbone extends BackboneParts {
  readonly kind: 'redis';
  /** The command connection (the log's), for the Redis stream quota and the readiness check. */
  readonly redis: Redis;
}

export type Backbone = EmbeddedBackbone | RedisBackbone;
