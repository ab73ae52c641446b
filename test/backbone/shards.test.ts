import { createRequire } from 'node:module';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { shardKeys, shardOf, shardTags, slotOf, SLOTS } from '../../packages/wardbell/src/backbone/shards.js';
import { redisClusterUrl } from '../helpers/scale.js';

// ioredis's own slot function (its dependency): an independent implementation to check against.
const clusterKeySlot = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number;

describe('bus shards', () => {
  const keys = ['', 'a', 'foo', '123456789', 'wardbell:ev:{wardbell.3.7}:h1:log', '{}x', 'x{}{y}', 'foo{}{bar}', '{a}{b}', 'ünïcödé', 'h'.repeat(300)];

  it('computes the cluster slot of a key as ioredis does, hash tags included', () => {
    // Except where an empty tag comes before another: there ioredis's helper is wrong (Redis hashes the whole key).
    for (const key of keys.filter((k) => !/\{\}.*\{/.test(k))) expect([key, slotOf(key)]).toEqual([key, clusterKeySlot(key)]);
    expect(slotOf('123456789')).toBe(0x31c3 % SLOTS); // CRC16/XMODEM's check value
  });

  it.skipIf(!redisClusterUrl())('computes the cluster slot of a key as Redis itself does (CLUSTER KEYSLOT)', async () => {
    const redis = new Redis((redisClusterUrl() as string).split(',')[0] as string);
    try {
      for (const key of keys) expect([key, slotOf(key)]).toEqual([key, await redis.cluster('KEYSLOT', key)]);
    } finally {
      redis.disconnect();
    }
  });

  it('puts a tenant\'s log, its meta and its shard\'s bus stream in one slot', () => {
    const keys = shardKeys('wardbell', 16);
    for (const t of ['h1', 'hospital-42', 'tenant with spaces', '{braced}', 'ü']) {
      const s = keys.shardOf(t);
      const slots = new Set([keys.meta(t), keys.log(t), keys.bus(s), keys.tenants(s)].map(slotOf));
      expect([t, slots.size]).toEqual([t, 1]);
    }
  });

  it('spreads shards evenly over the slot space, so over primaries that split it in equal ranges', () => {
    for (const n of [1, 3, 16, 100, 1024]) {
      const tags = shardTags('wardbell', n);
      expect(tags).toHaveLength(n);
      tags.forEach((tag, s) => {
        const slot = slotOf(tag);
        expect(slot).toBeGreaterThanOrEqual(Math.floor((s * SLOTS) / n));
        expect(slot).toBeLessThan(Math.floor(((s + 1) * SLOTS) / n));
      });
    }
    // 16 shards over 3 primaries as `redis-cli --cluster create` splits the slots: 6, 5 and 5.
    const ranges = [[0, 5460], [5461, 10922], [10923, 16383]];
    const perPrimary = ranges.map(([lo, hi]) => shardTags('wardbell', 16).filter((t) => slotOf(t) >= lo! && slotOf(t) <= hi!).length);
    expect(perPrimary.sort()).toEqual([5, 5, 6]);
  });

  it('gives every tenant the same shard in every process, spread roughly evenly', () => {
    expect(shardOf('h1', 16)).toBe(shardOf('h1', 16));
    const counts = new Array(16).fill(0) as number[];
    for (let i = 0; i < 16_000; i++) counts[shardOf(`tenant-${i}`, 16)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
    for (const c of counts) expect(c).toBeLessThan(1200);
  });

  it('keeps deployments sharing a cluster apart by prefix', () => {
    const a = shardKeys('a', 16);
    const b = shardKeys('b', 16);
    expect(a.bus(0)).not.toBe(b.bus(0));
    expect(a.log('h1').startsWith('a:')).toBe(true);
    expect(() => shardKeys('a', 0)).toThrow(/positive integer/);
  });
});
