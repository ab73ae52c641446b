import { Redis } from 'ioredis';
import type { Retention } from '../events/index.js';
import { createRedisBus } from './redis-bus.js';
import { createRedisEventLog } from './redis-log.js';
import type { Clock } from '../shared/index.js';
import type { RedisBackbone } from './types.js';

export interface RedisBackboneOptions {
  /** `redis://...` */
  url: string;
  /** Key prefix (`WARDBELL_REDIS_PREFIX`; tests use a unique prefix each). */
  prefix: string;
  retention: Retention;
  clock: Clock;
  /** Errors of either connection and failed bus reads (the bus retries). */
  onError?: (err: unknown) => void;
  /** How long one blocking bus read waits, ms. Default 2000. */
  blockMs?: number;
  /** Names the connections in Redis's `CLIENT LIST`: `<name>` (commands) and `<name>:bus` (blocking reads). Unnamed by default. */
  connectionName?: string;
}

/**
 * Scale-out: the Redis Streams log and the Redis bus over one command connection plus its duplicate
 * for the bus's blocking reads (`XREAD BLOCK` holds a connection). The log's append script writes the
 * event to the tenant stream and the bus stream at once, and the bus only reads the bus stream, so
 * neither is built anywhere else. Resolves once connected and the bus knows where to read from.
 */
export async function createRedisBackbone(opts: RedisBackboneOptions): Promise<RedisBackbone> {
  const onError = opts.onError ?? (() => {});
  const name = opts.connectionName;
  const redis = new Redis(opts.url, { maxRetriesPerRequest: null, lazyConnect: true, ...(name ? { connectionName: name } : {}) });
  redis.on('error', onError);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const reader = name ? redis.duplicate({ connectionName: `${name}:bus` }) : redis.duplicate();
  reader.on('error', onError);
  const log = createRedisEventLog({ redis, prefix: opts.prefix, retention: opts.retention, clock: opts.clock });
  const bus = createRedisBus({ reader, prefix: opts.prefix, onError, ...(opts.blockMs !== undefined ? { blockMs: opts.blockMs } : {}) });
  await bus.ready;
  return {
    kind: 'redis',
    log,
    bus,
    redis,
    async close() {
      await bus.close(); // stops the read loop and drops the reader
      await log.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
