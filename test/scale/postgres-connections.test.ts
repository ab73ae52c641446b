import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../src/auth/index.js';
import { createTestDatabase, DATABASE_URL, scaleOut } from '../helpers/scale.js';
import { startProcess, type ServiceProcess } from '../helpers/process.js';
import { postJson } from '../helpers/service.js';
import { eventually } from '../helpers/eventually.js';

const SECRET = 'pg-connections-test-secret-0123456789abcdef';

/** Ends every server backend of one database, as a PostgreSQL restart or an operator would. */
async function terminateBackends(database: string): Promise<number> {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  const r = await admin.query('select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
  await admin.end();
  return r.rowCount ?? 0;
}

describe.skipIf(!scaleOut)('when PostgreSQL ends the pooled connections', () => {
  let svc: ServiceProcess;
  let database: { url: string; drop(): Promise<void> };
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'wardbell-pgc-'));
    svc = await startProcess({ DATABASE_URL: database.url, REDIS_URL: process.env.REDIS_URL ?? '', WARDBELL_REDIS_PREFIX: `wbtest-pg-${Date.now()}`, WARDBELL_JWT_SECRET: SECRET, WARDBELL_DATA_DIR: dataDir });
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps running, says so in the log, and answers the next requests on new connections', async () => {
    const enc = new TextEncoder().encode(SECRET);
    const app = await signDevToken({ tenantId: 'h1', userId: 'app', roles: ['service'], wards: [] }, enc, 600);
    const put = await fetch(`${svc.url}/api/directory/members`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${app}`, 'content-type': 'application/json' },
      body: JSON.stringify({ members: [{ userId: 'kim', roles: ['nurse'], wards: ['3'] }] }),
    });
    expect(put.status).toBe(200);
    const first = await postJson(`${svc.url}/api/notifications`, { title: 'before', to: { users: ['kim'] } }, app);
    expect(first.status).toBe(201);

    const name = new URL(database.url).pathname.slice(1);
    expect(await terminateBackends(name)).toBeGreaterThan(0);
    await eventually(() => expect(svc.output()).toContain('idle connection was closed by the server'));

    expect(svc.child.exitCode).toBeNull();
    const ready = await fetch(`${svc.url}/readyz`);
    expect(ready.status).toBe(200);
    const after = await postJson(`${svc.url}/api/notifications`, { title: 'after', to: { users: ['kim'] } }, app);
    expect(after.status).toBe(201);
    const kim = await signDevToken({ tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] }, enc, 600);
    const inbox = (await (await fetch(`${svc.url}/api/notifications`, { headers: { authorization: `Bearer ${kim}` } })).json()) as { items: Array<{ title: string }> };
    expect(inbox.items.map((i) => i.title)).toEqual(['after', 'before']);
  }, 30_000);
});
