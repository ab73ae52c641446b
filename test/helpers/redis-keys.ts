import { Cluster } from 'ioredis';
import type { RedisClient } from '../../packages/wardbell/src/backbone/index.js';

/**
 * Deletes every key under a test's prefix, on one Redis or on each primary of a cluster (a cluster
 * refuses one DEL over keys of several slots, so they go one by one).
 */
export async function deleteKeys(redis: RedisClient, prefix: string): Promise<number> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  let n = 0;
  for (const node of nodes) {
    const keys = await node.keys(`${prefix}:*`);
    for (const k of keys) n += await node.unlink(k);
  }
  return n;
}
