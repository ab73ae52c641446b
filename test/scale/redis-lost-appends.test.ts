import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../packages/wardbell/src/auth/index.js';
import { createRedisBackbone, shardKeys, type RedisBackbone } from '../../packages/wardbell/src/backbone/index.js';
import { systemClock } from '../../packages/wardbell/src/shared/index.js';
import { createTestDatabase, scaleOut } from '../helpers/scale.js';
import { startProcess, type ServiceProcess } from '../helpers/process.js';
import { postJson } from '../helpers/service.js';
import { eventually } from '../helpers/eventually.js';
import { againstLog, recordingClient } from '../helpers/log-truth.js';
import { freePort, startRedis } from '../helpers/redis-server.js';
import { SseReader } from '../helpers/sse-reader.js';

const SECRET = 'lost-appends-test-secret-0123456789abcdef';
const PREFIX = 'lost';

/**
 * What a failover can do to the log, made exactly: the Redis a replica became had only the first
 * three of five acknowledged appends (replication is asynchronous), and the service's connections
 * dropped as they do when a primary dies. The next append takes offset 4 again, for another event.
 * A client that already holds 4 and 5 must not take the new 4 for a duplicate: it gets a reset.
 */
describe.skipIf(!scaleOut)('when Redis lost acknowledged appends (a failover before replication)', () => {
  let redis: ChildProcess;
  let url: string;
  let svc: ServiceProcess;
  let database: { url: string; drop(): Promise<void> };
  let dataDir: string;
  let reader: RedisBackbone;

  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    url = `redis://127.0.0.1:${port}`;
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'wardbell-lost-'));
    svc = await startProcess({ DATABASE_URL: database.url, REDIS_URL: url, WARDBELL_REDIS_PREFIX: PREFIX, WARDBELL_JWT_SECRET: SECRET, WARDBELL_DATA_DIR: dataDir });
    reader = await createRedisBackbone({ url, prefix: PREFIX, retention: { maxEvents: 10_000, maxAgeMs: 3_600_000 }, clock: systemClock });
  }, 60_000);

  afterAll(async () => {
    await reader?.close();
    await svc?.stop();
    redis?.kill('SIGKILL');
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('resets the tenant\'s streams and goes on in a new epoch, never passing the new events off as old ones', async () => {
    const enc = new TextEncoder().encode(SECRET);
    const app = await signDevToken({ tenantId: 'h1', userId: 'app', roles: ['service'], wards: [] }, enc, 600);
    const kim = await signDevToken({ tenantId: 'h1', userId: 'kim', roles: [], wards: [] }, enc, 600);
    const rec = recordingClient({ tenantId: 'h1', token: kim, type: 'schedule.updated', fetch: (_i, init) => fetch(`${svc.url}/api/sse`, init) });
    await eventually(() => rec.client.state === 'open', { message: 'the client connected' });
    const publish = async (n: number) => {
      const r = await postJson(`${svc.url}/api/events`, { type: 'schedule.updated', data: { n }, to: { tenant: true } }, app);
      expect(r.status).toBe(202);
      return r.json.id as string;
    };
    const ids = [];
    for (let n = 1; n <= 5; n++) ids.push(await publish(n));
    await eventually(() => rec.events.length === 5);

    // The promoted replica's view: head 3, offsets 4 and 5 gone from the log and the bus stream.
    const keys = shardKeys(PREFIX, 16);
    const r = new Redis(url);
    await r.hset(keys.meta('h1'), 'head', 3);
    const kept = (await r.xrange(keys.log('h1'), '-', '3-0')) as Array<[string, string[]]>;
    await r.del(keys.log('h1')); // rebuilt, so that its top id is 3-0 as on the replica
    for (const [id, f] of kept) await r.xadd(keys.log('h1'), id, ...f);
    const bus = (await r.xrange(keys.bus(keys.shardOf('h1')), '-', '+')) as Array<[string, string[]]>;
    await r.xdel(keys.bus(keys.shardOf('h1')), ...bus.filter(([, f]) => ['4', '5'].includes(f[5] as string)).map(([id]) => id));
    await r.client('KILL', 'TYPE', 'normal'); // the service's connections drop, as when a primary dies
    await r.quit();

    await publish(6); // offset 4 again, under the same epoch: another event
    await eventually(() => rec.resets.length === 1, { message: 'the open stream reset' });
    await publish(7);
    await eventually(async () => {
      const { got, want } = await againstLog(reader.log, rec);
      return want.length > 0 && JSON.stringify(got) === JSON.stringify(want);
    }, { timeout: 10_000, message: 'the client holds the log after its reset' });
    const { got, want } = await againstLog(reader.log, rec);
    expect(got).toEqual(want);
    expect(rec.events.slice(0, 5).map((e) => e.data)).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })));
    // Nothing of the new epoch carries the old one, and a stale position is reset, not continued.
    const head = await reader.log.head('h1');
    expect(head.epoch).not.toBe(ids[0]!.slice(0, ids[0]!.lastIndexOf('-')));
    const stale = await SseReader.open(`${svc.url}/api/sse`, { authorization: `Bearer ${kim}`, 'last-event-id': ids[4]! });
    await stale.until((x) => x.of('reset').length === 1);
    stale.close();
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/^wardbell_bus_log_losses_total 1$/m);
    rec.client.close();
  }, 60_000);
});
