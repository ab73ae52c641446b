import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createRedisClient, redisTarget, shardKeys } from '../../packages/wardbell/src/backbone/index.js';
import { createSSEClient } from '../../packages/client/src/index.js';
import { signDevToken } from '../../packages/wardbell/src/auth/index.js';
import { createTestDatabase, REDIS_URL, redisClusterUrl, scaleOut, testPrefix } from '../helpers/scale.js';
import { startProcess, type ServiceProcess } from '../helpers/process.js';
import { eventually } from '../helpers/eventually.js';
import { SseReader } from '../helpers/sse-reader.js';
import { postJson } from '../helpers/service.js';

const SECRET = 'multi-process-test-secret-0123456789abcdef';
const token = (tenantId: string, userId: string, roles: string[] = [], wards: string[] = []) =>
  signDevToken({ tenantId, userId, roles, wards }, new TextEncoder().encode(SECRET), 3600);

/** The same suite on one Redis and on a Redis Cluster (the run's shared one). */
const backends = [
  { name: 'one Redis', url: REDIS_URL, cluster: false },
  { name: 'a Redis Cluster', url: scaleOut ? redisClusterUrl() : null, cluster: true },
];

for (const backend of backends) describe.skipIf(!scaleOut || !backend.url)(`several processes on one PostgreSQL and ${backend.name}`, () => {
  let a: ServiceProcess;
  let b: ServiceProcess;
  let database: { url: string; drop(): Promise<void> };
  let env: Record<string, string>;
  let svc: string;
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'wardbell-mp-'));
    env = { DATABASE_URL: database.url, REDIS_URL: backend.url as string, WARDBELL_REDIS_CLUSTER: String(backend.cluster), WARDBELL_REDIS_PREFIX: testPrefix().replace(/:/g, '-'), WARDBELL_JWT_SECRET: SECRET, WARDBELL_DATA_DIR: dataDir };
    // The first process migrates; the second starts against the migrated database.
    a = await startProcess(env);
    b = await startProcess(env);
    svc = await token('h1', 'scheduler', ['service']);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers an event published through one process to a stream held by the other', async () => {
    const r = await SseReader.open(`${b.url}/api/sse`, { authorization: `Bearer ${await token('h1', 'kim', [], ['3'])}` });
    await r.until((x) => x.lastEventId !== '');
    const pub = await postJson(`${a.url}/api/events`, { type: 'schedule.published', data: { via: 'a' }, to: { topic: 'ward:3' } }, svc);
    expect(pub.status).toBe(202);
    await r.until((x) => x.of('schedule.published').length === 1);
    expect(r.of('schedule.published')[0]!.id).toBe(pub.json.id);
    r.close();
  });

  it('holds the per-user stream limit across processes, and frees a slot when a stream closes', async () => {
    const t = await token('h1', 'storm');
    const open: SseReader[] = [];
    for (let i = 0; i < 20; i++) open.push(await SseReader.open(`${(i % 2 ? b : a).url}/api/sse`, { authorization: `Bearer ${t}` }));
    for (const p of [a, b]) {
      const refused = await fetch(`${p.url}/api/sse`, { headers: { authorization: `Bearer ${t}` } });
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({ error: { code: 'too_many_connections' } });
    }
    open.shift()!.close(); // one held by a
    const moved = await eventually(async () => {
      const res = await fetch(`${b.url}/api/sse`, { headers: { authorization: `Bearer ${t}` } });
      if (res.status !== 200) await res.body?.cancel();
      return res.status === 200 ? res : null;
    });
    expect(moved.status).toBe(200);
    await moved.body?.cancel();
    for (const r of open) r.close();
  });

  it('replays exactly the missed events when a stream moves from one process to the other', async () => {
    const t = await token('h1', 'lee');
    const first = await SseReader.open(`${a.url}/api/sse`, { authorization: `Bearer ${t}` });
    await first.until((x) => x.lastEventId !== '');
    await postJson(`${a.url}/api/events`, { type: 'schedule.updated', data: { n: 0 }, to: { users: ['lee'] } }, svc);
    await first.until((x) => x.of('schedule.updated').length === 1);
    const pos = first.lastEventId;
    first.close();
    for (let n = 1; n <= 5; n++) await postJson(`${(n % 2 ? a : b).url}/api/events`, { type: 'schedule.updated', data: { n }, to: { users: ['lee'] } }, svc);
    const second = await SseReader.open(`${b.url}/api/sse`, { authorization: `Bearer ${t}`, 'last-event-id': pos });
    await second.until((x) => x.of('schedule.updated').length === 5);
    // A barrier: a last event after them; a stream is ordered, so a duplicate would have come first.
    await postJson(`${a.url}/api/events`, { type: 'schedule.updated', data: { n: 'end' }, to: { users: ['lee'] } }, svc);
    await second.until((x) => x.of('schedule.updated').some((e) => JSON.parse(e.data).n === 'end'));
    expect(second.of('schedule.updated').map((e) => JSON.parse(e.data).n)).toEqual([1, 2, 3, 4, 5, 'end']);
    expect(second.of('reset')).toEqual([]);
    second.close();
  });

  it('ends a revoked user\'s streams in every process within 2 s, and refuses their token in every process', async () => {
    const kim = await token('h1', 'kim-mp', ['nurse'], ['3']);
    const onA = await SseReader.open(`${a.url}/api/sse`, { authorization: `Bearer ${kim}` });
    const onB = await SseReader.open(`${b.url}/api/sse`, { authorization: `Bearer ${kim}` });
    await onA.until((r) => r.lastEventId !== '');
    await onB.until((r) => r.lastEventId !== '');
    const revokedAt = Date.now();
    const r = await postJson(`${a.url}/api/directory/revocations`, { userIds: ['kim-mp'] }, svc);
    expect(r.status).toBe(200);
    await onA.until((x) => x.ended, 2_000);
    await onB.until((x) => x.ended, 2_000 - (Date.now() - revokedAt));
    for (const s of [onA, onB]) expect(s.of('access-ended').map((e) => JSON.parse(e.data))).toEqual([{ reason: 'sessions_revoked' }]);
    for (const url of [a.url, b.url]) {
      await eventually(async () => (await fetch(`${url}/api/notifications`, { headers: { authorization: `Bearer ${kim}` } })).status === 401, { timeout: 2_000, message: `the revoked token refused by ${url}` });
    }
  });

  it('holds an idempotency key across processes', async () => {
    const put = await fetch(`${a.url}/api/directory/members`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${svc}`, 'content-type': 'application/json' },
      body: JSON.stringify({ members: [{ userId: 'park', roles: ['nurse'], wards: ['5'] }] }),
    });
    expect(put.status).toBe(200);
    const body = { title: 'Once across processes', to: { users: ['park'] }, idempotencyKey: 'mp-1' };
    const [r1, r2] = await Promise.all([postJson(`${a.url}/api/notifications`, body, svc), postJson(`${b.url}/api/notifications`, body, svc)]);
    // One of the two ran; the other found it running (409) or done (its answer again).
    const [first, second] = r1.status === 201 && r1.headers.get('idempotent-replayed') === null ? [r1, r2] : [r2, r1];
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    if (second.status === 409) expect(second.json).toMatchObject({ error: { code: 'idempotency_key_in_flight' } });
    else expect(second).toMatchObject({ status: 201, json: first.json });
    // Whichever process a retry reaches, it gets the first answer.
    for (const url of [a.url, b.url]) {
      const again = await postJson(`${url}/api/notifications`, body, svc);
      expect(again.status).toBe(201);
      expect(again.json).toEqual(first.json);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    }
  });

  it('loses nothing from the durable log when a process is killed mid-broadcast', async () => {
    // A third and fourth process so the suite's own pair stays up.
    const c = await startProcess(env);
    const d = await startProcess(env);
    const users = Array.from({ length: 10 }, (_, i) => `staff-${i}`);
    let target = c.url;
    const clients = await Promise.all(
      users.map(async (u, i) => {
        const t = await token('h9', u);
        const got: string[] = [];
        const home = i % 2 === 0 ? 'c' : 'd';
        const client = createSSEClient({
          url: 'http://placeholder/api/sse',
          // Streams start on c or d; once c is gone, every (re)connect goes to d.
          fetch: (_input, init) => fetch(`${home === 'c' ? target : d.url}/api/sse`, init),
          getToken: () => t,
          reconnect: { baseDelayMs: 50, maxDelayMs: 200, maxAttempts: 50 },
        });
        client.on('schedule.updated', (_data, ev) => got.push(ev.id ?? ''));
        const resets: unknown[] = [];
        client.on('reset', (r) => resets.push(r));
        client.connect();
        return { client, got, resets };
      }),
    );
    await eventually(() => clients.every((cl) => cl.client.state === 'open'), { timeout: 10_000, message: 'every client connected' });
    const publisher = await token('h9', 'app', ['service']);
    const accepted: string[] = [];
    let killed = false;
    const publishing = (async () => {
      for (let i = 0; i < 400; i++) {
        try {
          const r = await postJson(`${c.url}/api/events`, { type: 'schedule.updated', data: { i }, to: { tenant: true } }, publisher);
          if (r.status === 202) accepted.push(r.json.id as string);
        } catch {
          if (killed) break;
        }
      }
    })();
    await eventually(() => accepted.length >= 60, { timeout: 20_000, interval: 5 });
    killed = true;
    await c.kill();
    target = d.url;
    await publishing;
    // The durable log is the truth: every event it holds for h9, in order.
    const redis = createRedisClient(redisTarget(backend.url as string, backend.cluster));
    const keys = shardKeys(env.WARDBELL_REDIS_PREFIX as string, 16);
    const rows = (await redis.xrange(keys.log('h9'), '-', '+')) as Array<[string, string[]]>;
    const meta = await redis.hgetall(keys.meta('h9'));
    await redis.quit();
    const logged = rows.map(([id]) => `${meta.epoch}-${id.split('-')[0]!.padStart(12, '0')}`);
    expect(logged.length).toBeGreaterThanOrEqual(accepted.length);
    for (const id of accepted) expect(logged).toContain(id);
    // Wait (up to 15 s) for the clients to catch up; the assertions below say what is missing.
    await eventually(() => clients.every((cl) => cl.got.length >= logged.length), { timeout: 15_000 }).catch(() => undefined);
    for (const cl of clients) {
      expect(cl.resets).toEqual([]);
      expect(cl.got).toEqual(logged);
      cl.client.close();
    }
    await d.stop();
  }, 60_000);

  it('keeps the schema in PostgreSQL (not a local file)', async () => {
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    const r = await c.query("select count(*)::int as n from information_schema.tables where table_name in ('events','inbox','notifications')");
    await c.end();
    expect(r.rows[0].n).toBe(3);
  });
});
