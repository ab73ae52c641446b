import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedBackbone, createRedisBackbone } from '../../packages/wardbell/src/backbone/index.js';
import type { Bus } from '../../packages/wardbell/src/bus/index.js';
import type { EventLog, StoredEvent } from '../../packages/wardbell/src/events/index.js';
import { systemClock } from '../../packages/wardbell/src/shared/index.js';
import { migrateToLatest, openSqlite } from '../../packages/wardbell/src/store/index.js';
import { REDIS_URL, testPrefix } from '../helpers/scale.js';
import { eventually } from '../helpers/eventually.js';

const retention = { maxEvents: 1000, maxAgeMs: 3_600_000 };

/**
 * A log and two subscribers standing for two processes, each built by the deployment's backbone
 * factory (the pairs are what the service runs); `publish` is how the service publishes.
 */
interface Backbone {
  log: EventLog;
  a: Bus;
  b: Bus;
  publish(e: StoredEvent): Promise<void>;
  close(): Promise<void>;
  /** Drops subscriber a's connection for a moment (where there is one). */
  interruptA?(): Promise<void>;
}

const adapters: Record<string, () => Promise<Backbone>> = {
  'in-process': async () => {
    const db = openSqlite(':memory:');
    await migrateToLatest(db);
    const bb = createEmbeddedBackbone({ db, retention, clock: systemClock });
    return { log: bb.log, a: bb.bus, b: bb.bus, publish: (e) => bb.bus.publish(e), close: async () => { await bb.close(); await db.destroy(); } };
  },
  ...(REDIS_URL
    ? {
        redis: async (): Promise<Backbone> => {
          const prefix = testPrefix();
          const open = (name: string) => createRedisBackbone({ url: REDIS_URL as string, prefix, retention, clock: systemClock, blockMs: 200, connectionName: `${prefix}:${name}` });
          const [pa, pb] = [await open('a'), await open('b')];
          const { redis } = pa;
          return {
            log: pa.log,
            a: pa.bus,
            b: pb.bus,
            publish: (e) => pa.bus.publish(e),
            async interruptA() {
              // Drop a's blocking-read connection from the server side; ioredis reconnects.
              for (const line of ((await redis.client('LIST')) as string).split('\n')) {
                const f = Object.fromEntries(line.split(' ').map((kv) => kv.split('=', 2)));
                if (f.name === `${prefix}:a:bus`) await redis.client('KILL', 'ID', f.id as string);
              }
            },
            async close() {
              const keys = await redis.keys(`${prefix}:*`);
              if (keys.length) await redis.del(...keys);
              await pb.close();
              await pa.close();
            },
          };
        },
      }
    : {}),
};

for (const [name, make] of Object.entries(adapters)) {
  describe(`Bus contract: ${name}`, () => {
    let bb: Backbone | null = null;
    afterEach(async () => {
      await bb?.close();
      bb = null;
    });

    it('carries every logged event to every subscriber, in offset order', async () => {
      bb = await make();
      const seenA: number[] = [];
      const seenB: number[] = [];
      bb.a.subscribe((e) => seenA.push(e.offset));
      bb.b.subscribe((e) => seenB.push(e.offset));
      for (let i = 0; i < 50; i++) {
        const e = await bb.log.append({ tenantId: 't1', type: 'schedule.updated', data: { i }, audience: { kind: 'tenant' } });
        await bb.publish(e);
      }
      await eventually(() => seenA.length === 50 && seenB.length === 50);
      expect(seenA).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(seenB).toEqual(seenA);
    });

    it('keeps data, audience and per-recipient values intact', async () => {
      bb = await make();
      const got: StoredEvent[] = [];
      bb.b.subscribe((e) => got.push(e));
      const e = await bb.log.append({ tenantId: 't1', type: 'notification', data: { n: 'x' }, audience: { kind: 'users', users: ['a', 'b'] }, personal: { field: 'unreadCount', values: { a: 1, b: 2 } } });
      await bb.publish(e);
      await eventually(() => got.length === 1);
      expect(got[0]).toMatchObject({ id: e.id, tenantId: 't1', type: 'notification', data: { n: 'x' }, audience: { kind: 'users', users: ['a', 'b'] }, personal: { field: 'unreadCount', values: { a: 1, b: 2 } } });
    });

    it('misses nothing published while a subscriber\'s connection was down', async () => {
      bb = await make();
      if (!bb.interruptA) return expect(name).toBe('in-process');
      const seen: number[] = [];
      bb.a.subscribe((e) => seen.push(e.offset));
      const first = await bb.log.append({ tenantId: 't1', type: 'schedule.updated', data: {}, audience: { kind: 'tenant' } });
      await bb.publish(first);
      await eventually(() => seen.length === 1);
      await bb.interruptA();
      for (let i = 0; i < 10; i++) await bb.publish(await bb.log.append({ tenantId: 't1', type: 'schedule.updated', data: { i }, audience: { kind: 'tenant' } }));
      await eventually(() => seen.length === 11, { timeout: 8000 });
      expect(seen).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    });
  });
}
