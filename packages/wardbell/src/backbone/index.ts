/**
 * The realtime backbone: the replay log and the bus of a deployment, built and closed together
 * (a Redis bus beside a SQL log would compile and deliver nothing across processes).
 */
export type { Backbone, EmbeddedBackbone, RedisBackbone } from './types.js';
export { createEmbeddedBackbone, type EmbeddedBackboneOptions } from './embedded.js';
export { createRedisBackbone, type RedisBackboneOptions } from './redis.js';
export type { RedisBusStats, ShardedBus } from './redis-bus.js';
export { createRedisClient, readerClient, redisTarget, type RedisClient, type RedisTarget } from './redis-client.js';
export { shardKeys, shardOf, shardTags, slotOf, type ShardKeys } from './shards.js';
export { openBackbone, type BackboneConfig } from './open.js';
