import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../packages/wardbell/src/auth/index.js';
import { createRedisBackbone, shardKeys, slotOf, type RedisBackbone } from '../../packages/wardbell/src/backbone/index.js';
import { systemClock } from '../../packages/wardbell/src/shared/index.js';
import { createTestDatabase, scaleOut } from '../helpers/scale.js';
import { startProcess, type ServiceProcess } from '../helpers/process.js';
import { postJson } from '../helpers/service.js';
import { eventually } from '../helpers/eventually.js';
import { againstLog, recordingClient, type ClientRecord } from '../helpers/log-truth.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';

const SECRET = 'failover-test-secret-0123456789abcdef0123';
const PREFIX = 'fo';
const TENANTS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8'];

/**
 * A Redis Cluster of its own (three primaries, one replica each): while two service processes hold
 * streams of eight tenants and events are published to all of them, the primary holding the first
 * tenant's shard is killed and its replica promoted. Whatever the failover kept or lost, every
 * client ends holding exactly the durable log, or an explicit reset followed by exactly the log
 * after it: never a silent gap, never a duplicate, never another event under an id it holds.
 */
describe.skipIf(!scaleOut)('when a Redis Cluster primary fails over while streams are open', () => {
  let cluster: RedisCluster;
  let database: { url: string; drop(): Promise<void> };
  let dataDir: string;
  let procs: ServiceProcess[] = [];
  let reader: RedisBackbone;

  beforeAll(async () => {
    cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: 1000 });
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'wardbell-failover-'));
    const env = { DATABASE_URL: database.url, REDIS_URL: cluster.url, WARDBELL_REDIS_CLUSTER: 'true', WARDBELL_REDIS_PREFIX: PREFIX, WARDBELL_JWT_SECRET: SECRET, WARDBELL_DATA_DIR: dataDir };
    procs = [await startProcess(env)];
    procs.push(await startProcess(env));
    reader = await createRedisBackbone({ url: cluster.url, cluster: true, prefix: PREFIX, retention: { maxEvents: 10_000, maxAgeMs: 3_600_000 }, clock: systemClock });
  }, 60_000);

  afterAll(async () => {
    await reader?.close();
    await Promise.all(procs.map((p) => p.stop()));
    await cluster?.stop();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends with every client holding the durable log, or a reset and the log after it', async () => {
    const enc = new TextEncoder().encode(SECRET);
    const token = (tenantId: string, userId: string, roles: string[] = []) => signDevToken({ tenantId, userId, roles, wards: [] }, enc, 600);
    const clients: ClientRecord[] = [];
    for (const t of TENANTS) {
      for (const [j, p] of procs.entries()) {
        clients.push(recordingClient({ tenantId: t, token: await token(t, `nurse-${j}`), type: 'schedule.updated', fetch: (_u, init) => fetch(`${p.url}/api/sse`, init) }));
      }
    }
    await eventually(() => clients.every((c) => c.client.state === 'open'), { timeout: 10_000, message: 'every client connected' });

    // The primary serving the first tenant's shard (its log, its bus stream) is the one to die.
    const keys = shardKeys(PREFIX, 16);
    const slot = slotOf(keys.log(TENANTS[0]!));
    const victim = (await cluster.nodes()).find((n) => n.role === 'master' && n.slots.some(([lo, hi]) => slot >= lo && slot <= hi))!;
    const replica = (await cluster.nodes()).find((n) => n.masterId === victim.id)!;
    expect(replica).toBeDefined();

    const publishers = await Promise.all(TENANTS.map((t) => token(t, 'app', ['service'])));
    let stop = false;
    let accepted = 0;
    const publishing = Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        for (let n = 0; !stop; n++) {
          const i = (n * 4 + w) % TENANTS.length;
          const via = procs[n % procs.length]!;
          const r = await postJson(`${via.url}/api/events`, { type: 'schedule.updated', data: { w, n }, to: { tenant: true } }, publishers[i]!).catch(() => null);
          if (r?.status === 202) accepted++;
        }
      }),
    );
    await eventually(() => accepted >= 200, { timeout: 20_000, interval: 5, message: 'publishing before the failover' });
    await cluster.kill(victim.port);
    await cluster.waitHealthy({ primaries: 3, timeoutMs: 20_000 });
    expect((await cluster.nodes()).find((n) => n.port === replica.port)?.role).toBe('master');
    const afterFailover = accepted;
    await eventually(() => accepted >= afterFailover + 200, { timeout: 30_000, interval: 10, message: 'publishing after the failover' });
    stop = true;
    await publishing;

    // Each client against the log: polled until they match (a client may still be catching up).
    await eventually(async () => {
      for (const c of clients) {
        const { got, want } = await againstLog(reader.log, c);
        if (JSON.stringify(got) !== JSON.stringify(want)) return false;
      }
      return true;
    }, { timeout: 20_000, interval: 200, message: 'every client holds the log' }).catch(() => undefined);
    for (const c of clients) {
      const { got, want } = await againstLog(reader.log, c);
      expect({ tenant: c.tenantId, events: got }).toEqual({ tenant: c.tenantId, events: want });
      expect(new Set(c.events.map((e) => e.id)).size).toBe(c.events.length);
    }
    // Tenants of the other primaries went on untouched: no reset for their clients.
    const onVictim = (t: string) => victim.slots.some(([lo, hi]) => slotOf(keys.log(t)) >= lo && slotOf(keys.log(t)) <= hi);
    const elsewhere = clients.filter((c) => !onVictim(c.tenantId));
    for (const c of elsewhere) expect({ tenant: c.tenantId, resets: c.resets }).toEqual({ tenant: c.tenantId, resets: [] });
    expect(elsewhere.length).toBeGreaterThan(0);
    for (const p of procs) await eventually(async () => (await fetch(`${p.url}/readyz`)).status === 200, { message: 'ready again' });
    for (const c of clients) c.client.close();
  }, 120_000);
});
