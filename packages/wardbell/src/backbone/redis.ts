import type { Retention } from '../events/index.js';
import { createRedisBus } from './redis-bus.js';
import { createRedisClient, readerClient, redisTarget } from './redis-client.js';
import { createRedisEventLog } from './redis-log.js';
import { shardKeys } from './shards.js';
import type { Clock } from '../shared/index.js';
import type { RedisBackbone } from './types.js';

export interface RedisBackboneOptions {
  /** `redis://...`; with `cluster`, one or more seed nodes, comma-separated. */
  url: string;
  /** A Redis Cluster (`WARDBELL_REDIS_CLUSTER=true`). Default false. */
  cluster?: boolean;
  /** Key prefix (`WARDBELL_REDIS_PREFIX`; tests use a unique prefix each). */
  prefix: string;
  /** Bus shards (`WARDBELL_BUS_SHARDS`). Default 16. Every process of a deployment must use the same. */
  shards?: number;
  retention: Retention;
  clock: Clock;
  /** Errors of any connection and failed bus reads (the bus retries). */
  onError?: (err: unknown) => void;
  /** How long one blocking bus read waits, ms. Default 2000. */
  blockMs?: number;
  /** How long a shard is still read after its last followed tenant left, ms. Default 10000. */
  lingerMs?: number;
  /** Names the connections in Redis's `CLIENT LIST`: `<name>` (commands) and `<name>:bus…` (blocking reads). Unnamed by default. */
  connectionName?: string;
}

/**
 * Scale-out: the Redis Streams log and the sharded Redis bus over one command connection, plus
 * connections for the bus's blocking reads (`XREAD BLOCK` holds a connection: one for every shard
 * on a single Redis, one per shard read on a cluster). The log's append script writes the event to
 * the tenant's stream and its shard's bus stream at once, and the bus only reads shard streams, so
 * neither is built anywhere else. Resolves once connected.
 */
export async function createRedisBackbone(opts: RedisBackboneOptions): Promise<RedisBackbone> {
  const onError = opts.onError ?? (() => {});
  const name = opts.connectionName;
  const target = redisTarget(opts.url, opts.cluster ?? false);
  const redis = createRedisClient(target, name ? { connectionName: name } : {});
  redis.on('error', onError);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const keys = shardKeys(opts.prefix, opts.shards ?? 16);
  const log = createRedisEventLog({ redis, keys, retention: opts.retention, clock: opts.clock });
  const bus = createRedisBus({
    redis,
    keys,
    readers: target.cluster ? 'per-shard' : 'one',
    connect: (suffix) => {
      const c = readerClient(redis, name ? `${name}:${suffix}` : undefined);
      c.on('error', onError);
      return c;
    },
    onError,
    ...(opts.blockMs !== undefined ? { blockMs: opts.blockMs } : {}),
    ...(opts.lingerMs !== undefined ? { lingerMs: opts.lingerMs } : {}),
  });
  return {
    kind: 'redis',
    log,
    bus,
    redis,
    keys,
    async close() {
      await bus.close(); // stops the read loops and drops their connections
      await log.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
