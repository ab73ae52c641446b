import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemoryEventLog,
  createSqlEventLog,
  formatEventId,
  type EventLog,
  type Retention,
} from '../../packages/wardbell/src/events/index.js';
import { createRedisBackbone } from '../../packages/wardbell/src/backbone/index.js';
import { migrateToLatest, openPostgres, openSqlite, type Db } from '../../packages/wardbell/src/store/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { createTestDatabase, DATABASE_URL, REDIS_URL, redisClusterUrl, testPrefix } from '../helpers/scale.js';
import { deleteKeys } from '../helpers/redis-keys.js';

interface ReplayCase {
  name: string;
  history_size: number;
  history_ttl_seconds: number;
  published: number;
  client_last_offset: number;
  wait_seconds_before_reconnect: number;
  replay_limit: number | null;
  client_epoch?: string;
  expected: { replayed_count: number; replayed_offsets: number[]; continuity: 'intact' | 'gap' };
}

const vectors = JSON.parse(readFileSync(new URL('../fixtures/vectors/replay-cases.json', import.meta.url), 'utf8')) as { cases: ReplayCase[] };

type Factory = (opts: { retention: Retention; clock: FakeClock }) => Promise<{ log: EventLog; close(): Promise<void> }>;

/** The Redis log, on one Redis or on the run's Redis Cluster, under a prefix of its own. */
function redisLog(url: () => string | null, cluster: boolean): Factory {
  return async (o) => {
    const prefix = testPrefix();
    const bb = await createRedisBackbone({ url: url() as string, cluster, prefix, ...o });
    return {
      log: bb.log,
      close: async () => {
        await deleteKeys(bb.redis, prefix);
        await bb.close();
      },
    };
  };
}

const adapters: Record<string, Factory> = {
  memory: async (o) => {
    const log = createMemoryEventLog(o);
    return { log, close: () => log.close() };
  },
  sqlite: async (o) => {
    const db: Db = openSqlite(':memory:');
    await migrateToLatest(db);
    const log = createSqlEventLog({ db, ...o });
    return { log, close: async () => { await log.close(); await db.destroy(); } };
  },
  ...(DATABASE_URL
    ? {
        postgres: (async (o) => {
          const database = await createTestDatabase();
          const db: Db = openPostgres(database.url, { max: 2 });
          await migrateToLatest(db);
          const log = createSqlEventLog({ db, ...o });
          return { log, close: async () => { await log.close(); await db.destroy(); await database.drop(); } };
        }) satisfies Factory,
      }
    : {}),
  ...(REDIS_URL ? { redis: redisLog(() => REDIS_URL as string, false) } : {}),
  ...(redisClusterUrl() ? { 'redis cluster': redisLog(redisClusterUrl, true) } : {}),
};

/** The EventLog contract: every adapter passes the same suite. */
for (const [name, make] of Object.entries(adapters)) {
  describe(`EventLog contract: ${name}`, () => {
    let cleanup: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const c of cleanup) await c();
      cleanup = [];
    });
    const open = async (retention: Retention, clock = new FakeClock()) => {
      const r = await make({ retention, clock });
      cleanup.push(r.close);
      return { ...r, clock };
    };
    const ev = (tenantId: string, n: number) => ({ tenantId, type: 'schedule.updated' as const, data: { n }, audience: { kind: 'tenant' as const } });

    it('assigns increasing ASCII ids per tenant, independent across tenants', async () => {
      const { log } = await open({ maxEvents: 100, maxAgeMs: 60_000 });
      const a1 = await log.append(ev('a', 1));
      const a2 = await log.append(ev('a', 2));
      const b1 = await log.append(ev('b', 1));
      expect(a1.offset).toBe(1);
      expect(a2.offset).toBe(2);
      expect(b1.offset).toBe(1);
      expect(a2.id > a1.id).toBe(true);
      expect(a1.id).toMatch(/^[\x21-\x7e]+$/);
      expect(a1.id.split('-')[0]).not.toBe(b1.id.split('-')[0]);
    });

    it('keeps data and audience as appended', async () => {
      const { log } = await open({ maxEvents: 100, maxAgeMs: 60_000 });
      const head = await log.head('t');
      await log.append({ tenantId: 't', type: 'swap.requested', data: { swapId: 's1', note: 'line\nbreak' }, audience: { kind: 'users', users: ['u1', 'u2'] } });
      const r = await log.readSince('t', { epoch: head.epoch, offset: 0 }, 10);
      expect(r).toMatchObject({ continuity: 'intact', events: [{ type: 'swap.requested', data: { swapId: 's1', note: 'line\nbreak' }, audience: { kind: 'users', users: ['u1', 'u2'] } }] });
    });

    it('never reads another tenant\'s events with that tenant\'s position', async () => {
      const { log } = await open({ maxEvents: 100, maxAgeMs: 60_000 });
      const a = await log.append(ev('a', 1));
      await log.append(ev('b', 1));
      const parsed = { epoch: a.id.split('-')[0] as string, offset: 0 };
      const r = await log.readSince('b', parsed, 10);
      expect(r).toEqual({ continuity: 'gap', reason: 'epoch-mismatch' });
    });

    it('trims beyond the retention count and reports the trimmed position as a gap', async () => {
      const { log } = await open({ maxEvents: 3, maxAgeMs: 60_000 });
      const head = await log.head('t');
      for (let i = 1; i <= 6; i++) await log.append(ev('t', i));
      await log.trim();
      expect(await log.readSince('t', { epoch: head.epoch, offset: 1 }, 100)).toEqual({ continuity: 'gap', reason: 'trimmed' });
      const r = await log.readSince('t', { epoch: head.epoch, offset: 3 }, 100);
      expect(r.continuity === 'intact' && r.events.map((e) => e.offset)).toEqual([4, 5, 6]);
    });

    // Centrifuge's recovery cases, mapped onto ids `<epoch>-<offset>` (replay-cases.json).
    for (const c of vectors.cases) {
      it(`replay case ${c.name}: ${c.expected.continuity}, ${c.expected.replayed_count} replayed`, async () => {
        const { log, clock } = await open({ maxEvents: c.history_size, maxAgeMs: c.history_ttl_seconds * 1000 });
        const head = await log.head('t');
        for (let i = 1; i <= c.published; i++) await log.append(ev('t', i));
        clock.advance(c.wait_seconds_before_reconnect * 1000);
        await log.trim();
        const epoch = c.client_epoch ? 'wrongepoch' : head.epoch;
        const r = await log.readSince('t', { epoch, offset: c.client_last_offset }, c.replay_limit ?? 1000);
        expect(r.continuity).toBe(c.expected.continuity);
        const offsets = r.continuity === 'intact' ? r.events.map((e) => e.offset) : [];
        expect(offsets).toEqual(c.expected.replayed_offsets);
        if (r.continuity === 'intact') expect(r.events.map((e) => e.id)).toEqual(offsets.map((o) => formatEventId(head.epoch, o)));
      });
    }

    it('treats expired events as gone even before a trim runs', async () => {
      const { log, clock } = await open({ maxEvents: 100, maxAgeMs: 1000 });
      const head = await log.head('t');
      await log.append(ev('t', 1));
      await log.append(ev('t', 2));
      clock.advance(5000);
      expect(await log.readSince('t', { epoch: head.epoch, offset: 0 }, 100)).toEqual({ continuity: 'gap', reason: 'expired' });
    });
  });
}
