/**
 * The Redis Cluster of the tests (helpers/redis-cluster.ts, setup/redis-cluster.global.ts), on
 * real redis-server processes: the run's shared cluster as suites get it, and a cluster of this
 * test's own whose master is SIGKILLed (not the shared one: other suites use it meanwhile).
 */
import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { CLUSTER_SLOTS, startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { redisClusterUrl, scaleOut, testPrefix } from '../helpers/scale.js';

const seedsOf = (url: string) =>
  url.split(',').map((u) => {
    const { hostname, port } = new URL(u);
    return { host: hostname, port: Number(port) };
  });

function clusterClient(url: string): Cluster {
  return new Cluster(seedsOf(url), {
    // Follows slots to a promoted replica: ask again while the cluster is down or moving.
    retryDelayOnClusterDown: 100,
    retryDelayOnFailover: 100,
    maxRedirections: 100,
    redisOptions: { maxRetriesPerRequest: 20 },
  });
}

/** A plain (non-cluster) connection to one node, closed after `fn`. */
async function onNode<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

type SlotRange = { from: number; to: number; master: number; replicas: number[] };
/** `CLUSTER SLOTS`: each range with its master's and replicas' ports. */
function slotRanges(reply: unknown): SlotRange[] {
  return (reply as Array<[number, number, [string, number, string], ...Array<[string, number, string]>]>).map(([from, to, master, ...replicas]) => ({
    from,
    to,
    master: master[1],
    replicas: replicas.map((r) => r[1]),
  }));
}
const ownerOf = (ranges: SlotRange[], slot: number) => ranges.find((r) => r.from <= slot && slot <= r.to)?.master;

describe.skipIf(!scaleOut)('the Redis Cluster of the tests', () => {
  describe("the run's shared cluster", () => {
    it('is 3 masters with one replica each, serving all 16384 slots', async () => {
      const url = redisClusterUrl();
      expect(url, 'the globalSetup provides the shared cluster when REDIS_URL is set').not.toBeNull();
      const cluster = clusterClient(url as string);
      try {
        const info = String(await cluster.call('CLUSTER', 'INFO'));
        expect(info).toMatch(/^cluster_state:ok\r?$/m);
        expect(info).toMatch(/^cluster_slots_ok:16384\r?$/m);
        expect(info).toMatch(/^cluster_size:3\r?$/m);
        expect(info).toMatch(/^cluster_known_nodes:6\r?$/m);
        const ranges = slotRanges(await cluster.call('CLUSTER', 'SLOTS'));
        expect(ranges.reduce((n, r) => n + r.to - r.from + 1, 0)).toBe(CLUSTER_SLOTS);
        expect(new Set(ranges.map((r) => r.master)).size).toBe(3);
        for (const r of ranges) expect(r.replicas).toHaveLength(1);
        expect(seedsOf(url as string)).toHaveLength(6);
      } finally {
        cluster.disconnect();
      }
    });

    it('keeps each key on the master of its hash slot, so keys spread over all masters', async () => {
      const cluster = clusterClient(redisClusterUrl() as string);
      const prefix = testPrefix();
      const keys = Array.from({ length: 30 }, (_, i) => `${prefix}:k${i}`);
      try {
        for (const k of keys) await cluster.set(k, `v-${k}`, 'EX', 60);
        const ranges = slotRanges(await cluster.call('CLUSTER', 'SLOTS'));
        const owners = new Set<number>();
        for (const k of keys) {
          const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', k));
          const owner = ownerOf(ranges, slot) as number;
          owners.add(owner);
          // Read from that master alone, not through the cluster client: the key is there.
          expect(await onNode(owner, (r) => r.get(k))).toBe(`v-${k}`);
        }
        expect(owners.size).toBe(3);
      } finally {
        await Promise.all(keys.map((k) => cluster.del(k)));
        cluster.disconnect();
      }
    });
  });

  describe('a cluster of its own', () => {
    let own: RedisCluster | undefined;
    afterEach(async () => {
      await own?.stop();
      own = undefined;
    });

    // About 2.5 s to start and 2.5 s to fail over (node timeout 1 s, then an election).
    it("promotes a killed master's replica, which has the data written before", async () => {
      own = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: 1000 });

      const before = await own.nodes();
      const masters = before.filter((n) => n.role === 'master');
      expect(masters).toHaveLength(3);
      expect(before.filter((n) => n.role === 'slave')).toHaveLength(3);
      for (const m of masters) expect(before.filter((n) => n.masterId === m.id)).toHaveLength(1);
      const slots = masters.flatMap((m) => m.slots).sort((a, b) => a[0] - b[0]);
      expect(slots.reduce((n, [a, b]) => n + b - a + 1, 0)).toBe(CLUSTER_SLOTS);
      expect(slots[0]?.[0]).toBe(0);
      expect(slots.at(-1)?.[1]).toBe(CLUSTER_SLOTS - 1);

      const cluster = clusterClient(own.url);
      try {
        const keys = Array.from({ length: 30 }, (_, i) => `failover:k${i}`);
        for (const k of keys) await cluster.set(k, `v-${k}`);
        // Every master's replica has the writes of this client's connection to that master.
        const acked = await Promise.all(cluster.nodes('master').map((n) => n.call('WAIT', 1, 1000)));
        expect(acked).toEqual([1, 1, 1]);

        const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', keys[0] as string));
        const victim = masters.find((m) => m.slots.some(([a, b]) => a <= slot && slot <= b));
        const heir = before.find((n) => n.masterId === victim?.id);
        if (!victim || !heir) throw new Error(`no master or replica for slot ${slot}`);
        // The keys of the victim's slots: the ones the failover must keep.
        const onVictim = [];
        for (const k of keys) {
          const s = Number(await cluster.call('CLUSTER', 'KEYSLOT', k));
          if (victim.slots.some(([a, b]) => a <= s && s <= b)) onVictim.push(k);
        }
        expect(onVictim.length).toBeGreaterThan(0);
        expect(onVictim.length).toBeLessThan(keys.length);

        await own.kill(victim.port);
        await own.waitHealthy({ primaries: 3, timeoutMs: 15_000 });

        const after = await own.nodes();
        const promoted = after.find((n) => n.port === heir.port);
        expect(promoted?.role).toBe('master');
        expect(promoted?.slots).toEqual(victim.slots);
        expect(after.find((n) => n.port === victim.port)).toMatchObject({ alive: false, role: 'master', slots: [] });
        expect(after.filter((n) => n.role === 'master' && n.alive)).toHaveLength(3);
        expect(((await onNode(heir.port, (r) => r.call('ROLE'))) as unknown[])[0]).toBe('master');

        // The same client follows the slots to the promoted replica.
        for (const k of keys) expect(await cluster.get(k)).toBe(`v-${k}`);
        for (const k of onVictim) expect(await onNode(heir.port, (r) => r.get(k))).toBe(`v-${k}`);
      } finally {
        cluster.disconnect();
      }
    }, 30_000);
  });
});
