import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../packages/wardbell/src/auth/index.js';
import { createTestDatabase, scaleOut } from '../helpers/scale.js';
import { startProcess, type ServiceProcess } from '../helpers/process.js';
import { postJson } from '../helpers/service.js';
import { eventually } from '../helpers/eventually.js';
import { SseReader } from '../helpers/sse-reader.js';
import { freePort, startRedis } from '../helpers/redis-server.js';

const SECRET = 'redis-restart-test-secret-0123456789abcdef';

describe.skipIf(!scaleOut)('when Redis restarts', () => {
  let redis: ChildProcess;
  let port: number;
  let svc: ServiceProcess;
  let database: { url: string; drop(): Promise<void> };
  let dataDir: string;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'wardbell-rr-'));
    svc = await startProcess({ DATABASE_URL: database.url, REDIS_URL: `redis://127.0.0.1:${port}`, WARDBELL_JWT_SECRET: SECRET, WARDBELL_DATA_DIR: dataDir });
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
    redis?.kill('SIGKILL');
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('tells open streams to reset (the log was lost), reports not ready while down, and carries on', async () => {
    const enc = new TextEncoder().encode(SECRET);
    const app = await signDevToken({ tenantId: 'h1', userId: 'app', roles: ['service'], wards: [] }, enc, 600);
    const kim = await signDevToken({ tenantId: 'h1', userId: 'kim', roles: [], wards: [] }, enc, 600);
    const r = await SseReader.open(`${svc.url}/api/sse`, { authorization: `Bearer ${kim}` });
    await r.until((x) => x.lastEventId !== '');
    const before = await postJson(`${svc.url}/api/events`, { type: 'schedule.updated', data: { n: 'before' }, to: { tenant: true } }, app);
    expect(before.status).toBe(202);
    await r.until((x) => x.of('schedule.updated').length === 1);

    redis.kill('SIGKILL');
    await new Promise((res) => redis.once('exit', res));
    const ready = await fetch(`${svc.url}/readyz`, { signal: AbortSignal.timeout(5000) });
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks.redis).toMatch(/no answer|refused|closed/i);

    redis = await startRedis(port);
    const after = await eventually(
      async () => {
        const r = await postJson(`${svc.url}/api/events`, { type: 'schedule.updated', data: { n: 'after' }, to: { tenant: true } }, app).catch(() => null);
        return r?.status === 202 ? r : null;
      },
      { timeout: 5000, interval: 100, message: 'a publish accepted after the restart' },
    );
    expect(after.status).toBe(202);
    await r.until((x) => x.of('reset').length === 1 && x.of('schedule.updated').length === 2, 10_000);
    expect(JSON.parse(r.of('reset')[0]!.data)).toMatchObject({ reason: 'epoch-mismatch' });
    // The new event carries the new epoch; the old position is foreign to it.
    expect(r.of('schedule.updated')[1]!.id!.split('-')[0]).not.toBe(before.json.id.split('-')[0]);
    expect(JSON.parse(r.of('schedule.updated')[1]!.data)).toEqual({ n: 'after' });
    const stale = await SseReader.open(`${svc.url}/api/sse`, { authorization: `Bearer ${kim}`, 'last-event-id': before.json.id as string });
    await stale.until((x) => x.of('reset').length === 1);
    expect((await fetch(`${svc.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/^wardbell_bus_tenant_resets_total 1$/m);
    // One for the open stream, one for the stale reconnect.
    expect(metrics).toMatch(/^wardbell_sse_resets_total\{reason="epoch-mismatch"\} 2$/m);
    r.close();
    stale.close();
  }, 60_000);
});
