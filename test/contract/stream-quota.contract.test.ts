import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalStreamQuota, createRedisStreamQuota, type StreamQuota } from '../../packages/wardbell/src/sse/index.js';
import { createRedisClient, redisTarget } from '../../packages/wardbell/src/backbone/index.js';
import { REDIS_URL, redisClusterUrl, testPrefix } from '../helpers/scale.js';
import { eventually } from '../helpers/eventually.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** Two quotas standing for two processes of one deployment (the same one where there is one process). */
interface Pair {
  a: StreamQuota;
  b: StreamQuota;
  /** What the quotas reported as failing. */
  errors: unknown[];
  /** Renews a's held slots now, where slots lapse unless renewed. */
  renewA?(): Promise<void>;
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Two processes' quotas, each on its own connection (to one Redis, or a cluster client on the run's cluster). */
function redisPair(url: () => string | null, cluster: boolean) {
  return async (limit: number): Promise<Pair> => {
    const prefix = testPrefix();
    const target = redisTarget(url() as string, cluster);
    const [ra, rb] = [createRedisClient(target), createRedisClient(target)];
    const errors: unknown[] = [];
    const a = createRedisStreamQuota({ redis: ra, prefix, limit, onError: (e) => errors.push(e) });
    const b = createRedisStreamQuota({ redis: rb, prefix, limit, onError: (e) => errors.push(e) });
    return {
      a,
      b,
      errors,
      renewA: () => a.renew(),
      async close() {
        await a.close();
        await b.close();
        ra.disconnect();
        rb.disconnect();
      },
    };
  };
}

const adapters: Record<string, (limit: number) => Promise<Pair>> = {
  local: async (limit) => {
    const q = createLocalStreamQuota(limit);
    return { a: q, b: q, errors: [], close: () => q.close() };
  },
  ...(REDIS_URL ? { redis: redisPair(() => REDIS_URL as string, false) } : {}),
  ...(redisClusterUrl() ? { 'redis cluster': redisPair(redisClusterUrl, true) } : {}),
};

for (const [name, make] of Object.entries(adapters)) {
  describe(`StreamQuota contract: ${name}`, () => {
    const pair = async (limit: number) => {
      const p = await make(limit);
      cleanups.push(() => p.close());
      return p;
    };

    it('admits a user up to the limit across the deployment and refuses the next', async () => {
      const { a, b } = await pair(3);
      expect(a.limit).toBe(3);
      const held = [await a.acquire('h1', 'kim'), await b.acquire('h1', 'kim'), await a.acquire('h1', 'kim')];
      expect(held.every((r) => typeof r === 'function')).toBe(true);
      expect(await b.acquire('h1', 'kim')).toBeNull();
      expect(await a.acquire('h1', 'kim')).toBeNull();
      expect(a.stats.refused + (b === a ? 0 : b.stats.refused)).toBe(2);
    });

    it('renews the slots of many users at once (on a cluster, users\' keys are in many slots)', async () => {
      const p = await pair(1);
      for (let i = 0; i < 40; i++) expect(await p.a.acquire(`h${i % 3}`, `u${i}`)).not.toBeNull();
      await p.renewA?.();
      expect(p.errors).toEqual([]);
      for (let i = 0; i < 40; i++) expect(await p.b.acquire(`h${i % 3}`, `u${i}`)).toBeNull();
    });

    it('counts each user of each tenant apart', async () => {
      const { a, b } = await pair(1);
      expect(await a.acquire('h1', 'kim')).not.toBeNull();
      expect(await b.acquire('h1', 'lee')).not.toBeNull();
      expect(await b.acquire('h2', 'kim')).not.toBeNull();
      expect(await b.acquire('h1', 'kim')).toBeNull();
    });

    it('frees a slot on release, once however often release is called', async () => {
      const { a, b } = await pair(2);
      const first = await a.acquire('h1', 'kim');
      expect(await b.acquire('h1', 'kim')).not.toBeNull();
      expect(await b.acquire('h1', 'kim')).toBeNull();
      first!();
      first!();
      // The Redis adapter gives the slot back without waiting for the answer: b gets it once it is back.
      await eventually(async () => expect(await b.acquire('h1', 'kim')).not.toBeNull());
      expect(await a.acquire('h1', 'kim')).toBeNull();
    });

    it('never admits more than the limit when many connects race', async () => {
      const { a, b } = await pair(5);
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).acquire('h1', 'kim')));
      expect(results.filter((r) => r !== null)).toHaveLength(5);
    });
  });
}

describe.skipIf(!REDIS_URL)('StreamQuota on Redis', () => {
  it('lets the slots of a process that stopped renewing lapse, and keeps renewed ones', async () => {
    const prefix = testPrefix();
    const ra = new Redis(REDIS_URL as string);
    const rb = new Redis(REDIS_URL as string);
    cleanups.push(async () => {
      ra.disconnect();
      rb.disconnect();
    });
    // Both renew every 100 ms of their own clock; `b` (a process that died) stands still. Slots lapse
    // in Redis server time, so the lifetime is short and real: 200 ms.
    const clockA = new FakeClock();
    const clockB = new FakeClock();
    const a = createRedisStreamQuota({ redis: ra, prefix, limit: 2, slotTtlMs: 200, renewMs: 100, clock: clockA });
    const b = createRedisStreamQuota({ redis: rb, prefix, limit: 2, slotTtlMs: 200, renewMs: 100, clock: clockB });
    cleanups.push(async () => {
      await a.close();
      await b.close();
    });
    expect(await a.acquire('h1', 'kim')).not.toBeNull();
    expect(await b.acquire('h1', 'kim')).not.toBeNull();
    expect(await a.acquire('h1', 'kim')).toBeNull();
    // a keeps renewing (a tick of its clock each try) until b's slot has lapsed and a gets a second one.
    await eventually(async () => {
      clockA.advance(100);
      return (await a.acquire('h1', 'kim')) !== null;
    });
    // a's renewed slot still counts: with both of a's, b is refused.
    expect(await b.acquire('h1', 'kim')).toBeNull();
  });

  it('puts held slots back after Redis lost them, at the next renewal', async () => {
    const prefix = testPrefix();
    const ra = new Redis(REDIS_URL as string);
    const rb = new Redis(REDIS_URL as string);
    const clock = new FakeClock();
    const a = createRedisStreamQuota({ redis: ra, prefix, limit: 2, renewMs: 100, clock });
    const b = createRedisStreamQuota({ redis: rb, prefix, limit: 2, renewMs: 60_000 });
    cleanups.push(async () => {
      await a.close();
      await b.close();
      ra.disconnect();
      rb.disconnect();
    });
    const key = `${prefix}:quota:{h1}:kim`;
    expect(await a.acquire('h1', 'kim')).not.toBeNull();
    expect(await a.acquire('h1', 'kim')).not.toBeNull();
    await rb.del(key); // as a Redis restarted without its data
    expect(await rb.zcard(key)).toBe(0);
    clock.advance(100); // the next renewal
    await eventually(async () => (await rb.zcard(key)) === 2);
    expect(await b.acquire('h1', 'kim')).toBeNull();
  });

  it('admits on the process\'s own count when Redis does not answer, and says so', async () => {
    // A port nobody listens on: with retries unbounded, commands wait instead of failing.
    const dead = new Redis({ host: '127.0.0.1', port: 1, maxRetriesPerRequest: null, lazyConnect: true, retryStrategy: () => 1000 });
    dead.on('error', () => {});
    void dead.connect().catch(() => {});
    const errors: unknown[] = [];
    const q = createRedisStreamQuota({ redis: dead, prefix: testPrefix(), limit: 2, timeoutMs: 150, onError: (e) => errors.push(e) });
    cleanups.push(async () => {
      await q.close();
      dead.disconnect();
    });
    expect(await q.acquire('h1', 'kim')).not.toBeNull();
    expect(await q.acquire('h1', 'kim')).not.toBeNull();
    expect(await q.acquire('h1', 'kim')).toBeNull(); // the local count still holds the limit
    expect(errors).toHaveLength(1); // once per outage, not once per connect
    expect(q.stats).toEqual({ refused: 1, admittedWithoutRedis: 2 });
    expect(String(errors[0])).toContain('no answer from Redis');
  });
});
