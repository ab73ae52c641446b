import { afterEach, describe, expect, it } from 'vitest';
import { Cluster } from 'ioredis';
import { createEmbeddedBackbone, createRedisBackbone, shardOf, type RedisBackbone, type RedisClient, type ShardedBus } from '../../packages/wardbell/src/backbone/index.js';
import type { Bus } from '../../packages/wardbell/src/bus/index.js';
import type { EventLog, StoredEvent } from '../../packages/wardbell/src/events/index.js';
import { systemClock } from '../../packages/wardbell/src/shared/index.js';
import { migrateToLatest, openSqlite } from '../../packages/wardbell/src/store/index.js';
import { REDIS_URL, redisClusterUrl, testPrefix } from '../helpers/scale.js';
import { deleteKeys } from '../helpers/redis-keys.js';
import { eventually } from '../helpers/eventually.js';

const retention = { maxEvents: 1000, maxAgeMs: 3_600_000 };
const SHARDS = 16;

/**
 * A log and two subscribers standing for two processes, each built by the deployment's backbone
 * factory (the pairs are what the service runs); `publish` is how the service publishes.
 */
interface Backbone {
  log: EventLog;
  a: Bus;
  b: Bus;
  /** The sharded bus of a (Redis), or null where every event reaches every process. */
  sharded: ShardedBus | null;
  publish(e: StoredEvent): Promise<void>;
  close(): Promise<void>;
  /** Drops subscriber a's blocking-read connections for a moment (where there are any). */
  interruptA?(): Promise<void>;
}

/** Kills, on every node, the client connections whose name starts with `name`; ioredis reconnects them. */
async function killClients(redis: RedisClient, name: string): Promise<void> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    for (const line of ((await node.client('LIST')) as string).split('\n')) {
      const f = Object.fromEntries(line.split(' ').map((kv) => kv.split('=', 2)));
      if (typeof f.name === 'string' && f.name.startsWith(name)) await node.client('KILL', 'ID', f.id as string);
    }
  }
}

const redisAdapter = (url: () => string | null, cluster: boolean) => async (opts: { blockMs?: number } = {}): Promise<Backbone> => {
  const prefix = testPrefix();
  const open = (name: string) =>
    createRedisBackbone({ url: url() as string, cluster, prefix, shards: SHARDS, retention, clock: systemClock, blockMs: opts.blockMs ?? 200, lingerMs: 0, connectionName: `${prefix}:${name}` });
  const pa: RedisBackbone = await open('a');
  const pb: RedisBackbone = await open('b');
  return {
    log: pa.log,
    a: pa.bus,
    b: pb.bus,
    sharded: pa.bus,
    publish: (e) => pa.bus.publish(e),
    interruptA: () => killClients(pa.redis, `${prefix}:a:bus`),
    async close() {
      await deleteKeys(pa.redis, prefix);
      await pb.close();
      await pa.close();
    },
  };
};

const adapters: Record<string, (opts?: { blockMs?: number }) => Promise<Backbone>> = {
  'in-process': async () => {
    const db = openSqlite(':memory:');
    await migrateToLatest(db);
    const bb = createEmbeddedBackbone({ db, retention, clock: systemClock });
    return { log: bb.log, a: bb.bus, b: bb.bus, sharded: null, publish: (e) => bb.bus.publish(e), close: async () => { await bb.close(); await db.destroy(); } };
  },
  ...(REDIS_URL ? { redis: redisAdapter(() => REDIS_URL as string, false) } : {}),
  ...(redisClusterUrl() ? { 'redis cluster': redisAdapter(redisClusterUrl, true) } : {}),
};

/** `n` tenant ids of distinct shards. */
function tenantsOfDistinctShards(n: number): string[] {
  const seen = new Map<number, string>();
  for (let i = 0; seen.size < n; i++) if (!seen.has(shardOf(`h${i}`, SHARDS))) seen.set(shardOf(`h${i}`, SHARDS), `h${i}`);
  return [...seen.values()];
}

for (const [name, make] of Object.entries(adapters)) {
  describe(`Bus contract: ${name}`, () => {
    let bb: Backbone | null = null;
    afterEach(async () => {
      await bb?.close();
      bb = null;
    });
    const append = async (tenantId: string, data: unknown = {}) => {
      const e = await bb!.log.append({ tenantId, type: 'schedule.updated', data, audience: { kind: 'tenant' } });
      await bb!.publish(e);
      return e;
    };

    it('carries every logged event of a followed tenant to every follower, in offset order', async () => {
      bb = await make();
      const seenA: number[] = [];
      const seenB: number[] = [];
      bb.a.subscribe((e) => seenA.push(e.offset));
      bb.b.subscribe((e) => seenB.push(e.offset));
      await bb.a.follow('t1');
      await bb.b.follow('t1');
      for (let i = 0; i < 50; i++) await append('t1', { i });
      await eventually(() => seenA.length === 50 && seenB.length === 50);
      expect(seenA).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(seenB).toEqual(seenA);
    });

    it('keeps data, audience and per-recipient values intact', async () => {
      bb = await make();
      const got: StoredEvent[] = [];
      bb.b.subscribe((e) => got.push(e));
      await bb.b.follow('t1');
      const e = await bb.log.append({ tenantId: 't1', type: 'notification', data: { n: 'x' }, audience: { kind: 'users', users: ['a', 'b'] }, personal: { field: 'unreadCount', values: { a: 1, b: 2 } } });
      await bb.publish(e);
      await eventually(() => got.length === 1);
      expect(got[0]).toMatchObject({ id: e.id, tenantId: 't1', type: 'notification', data: { n: 'x' }, audience: { kind: 'users', users: ['a', 'b'] }, personal: { field: 'unreadCount', values: { a: 1, b: 2 } } });
    });

    it('misses nothing published while a subscriber\'s connection was down, and says it resumed', async () => {
      bb = await make();
      if (!bb.interruptA) return expect(name).toBe('in-process');
      const seen: number[] = [];
      const resumed: boolean[] = [];
      bb.a.subscribe((e) => seen.push(e.offset));
      bb.a.onResumed((concerns) => resumed.push(concerns('t1')));
      await bb.a.follow('t1');
      await append('t1');
      await eventually(() => seen.length === 1);
      await bb.interruptA();
      for (let i = 0; i < 10; i++) await append('t1', { i });
      await eventually(() => seen.length === 11, { timeout: 8000 });
      expect(seen).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
      expect(resumed).toContain(true);
    });

    it('reads only the shards of the tenants it follows, and passes on only their events', async () => {
      bb = await make();
      const bus = bb.sharded;
      if (!bus) return expect(name).toBe('in-process');
      const [mine, other, third] = tenantsOfDistinctShards(3) as [string, string, string];
      const got: string[] = [];
      bb.a.subscribe((e) => got.push(`${e.tenantId}:${e.offset}`));
      await bb.a.follow(mine);
      await bb.b.follow(other); // b reads other's shard; a must not
      for (let i = 0; i < 3; i++) (await append(other), await append(mine));
      await eventually(() => got.length === 3);
      expect(bus.shardsRead()).toEqual([shardOf(mine, SHARDS)]);
      expect(got).toEqual([`${mine}:1`, `${mine}:2`, `${mine}:3`]);
      expect(bus.stats.entriesRead).toBe(3);
      // A second and third shard: one blocking read names them all on one Redis, one each on a cluster.
      await bb.a.follow(other);
      await bb.a.follow(third);
      expect(bus.shardsRead()).toEqual([mine, other, third].map((t) => shardOf(t, SHARDS)).sort((x, y) => x - y));
      expect(bus.readerCount()).toBe(name === 'redis' ? 1 : 3);
      await append(third);
      await eventually(() => got.includes(`${third}:1`));
      // Unfollowed (no linger in these tests): the shard is let go and its events no longer come.
      bb.a.unfollow(third);
      expect(bus.shardsRead()).not.toContain(shardOf(third, SHARDS));
      await append(third);
      await append(mine);
      await eventually(() => got.includes(`${mine}:4`));
      expect(got).not.toContain(`${third}:2`);
    });

    it('starts reading a newly followed shard at once, even while a read is blocked on the others', async () => {
      bb = await make({ blockMs: 30_000 });
      if (!bb.sharded) return expect(name).toBe('in-process');
      const [first, second] = tenantsOfDistinctShards(2) as [string, string];
      const got: string[] = [];
      bb.a.subscribe((e) => got.push(e.tenantId));
      await bb.a.follow(first);
      await append(first);
      await eventually(() => got.length === 1); // the read loop runs and now blocks on first's shard
      await bb.a.follow(second);
      const before = Date.now();
      await append(second);
      await eventually(() => got.includes(second), { timeout: 3000 });
      expect(Date.now() - before).toBeLessThan(3000);
    });

    it('hands on what was appended after follow resolved, even as the shard\'s first follower', async () => {
      bb = await make();
      if (!bb.sharded) return expect(name).toBe('in-process');
      const before = await append('t9');
      const got: number[] = [];
      bb.a.subscribe((e) => got.push(e.offset));
      await bb.a.follow('t9');
      const after = await append('t9');
      await eventually(() => got.includes(after.offset));
      expect(got).toEqual([after.offset]); // not `before`: that one is the replay's to send
      expect(before.offset).toBe(after.offset - 1);
    });
  });
}
