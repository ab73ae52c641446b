import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Retention } from '../events/index.js';
import type { Clock } from '../shared/index.js';
import type { Db } from '../store/index.js';
import { createEmbeddedBackbone } from './embedded.js';
import { createRedisBackbone } from './redis.js';
import type { Backbone } from './types.js';

export type BackboneConfig = Pick<Config, 'REDIS_URL' | 'WARDBELL_REDIS_PREFIX' | 'WARDBELL_REDIS_CLUSTER' | 'WARDBELL_BUS_SHARDS' | 'DATABASE_URL'>;

/**
 * The backbone the configuration asks for: with REDIS_URL, the replay log and the sharded bus are
 * Redis Streams shared by every process (on one Redis, or on a Redis Cluster with
 * WARDBELL_REDIS_CLUSTER); without, the log is the SQL store and the bus is in-process (one process
 * only).
 */
export async function openBackbone(
  config: BackboneConfig,
  deps: { db: Db; retention: Retention; clock: Clock; logger: Pick<Logger, 'warn'> },
): Promise<Backbone> {
  if (!config.REDIS_URL) {
    if (config.DATABASE_URL) {
      deps.logger.warn('DATABASE_URL without REDIS_URL: events reach only this process\'s streams; run one process, or set REDIS_URL');
    }
    return createEmbeddedBackbone(deps);
  }
  return createRedisBackbone({
    url: config.REDIS_URL,
    cluster: config.WARDBELL_REDIS_CLUSTER,
    prefix: config.WARDBELL_REDIS_PREFIX,
    shards: config.WARDBELL_BUS_SHARDS,
    retention: deps.retention,
    clock: deps.clock,
    onError: (err) => deps.logger.warn({ err }, 'redis connection error'),
  });
}
