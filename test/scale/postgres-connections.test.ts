import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { signDevToken } from '../../packages/wardbell/src/auth/index.js';
import { openPostgres } from '../../packages/wardbell/src/store/index.js';
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
    // Every idle connection was ended; each is dropped as its error arrives, so readiness may say
    // "not ready" for a moment until the pool holds new connections.
    await eventually(async () => (await fetch(`${svc.url}/readyz`)).status === 200, { timeout: 5000 });
    const after = await postJson(`${svc.url}/api/notifications`, { title: 'after', to: { users: ['kim'] } }, app);
    expect(after.status).toBe(201);
    const kim = await signDevToken({ tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] }, enc, 600);
    const inbox = (await (await fetch(`${svc.url}/api/notifications`, { headers: { authorization: `Bearer ${kim}` } })).json()) as { items: Array<{ title: string }> };
    expect(inbox.items.map((i) => i.title)).toEqual(['after', 'before']);
  }, 30_000);
});

describe.skipIf(!DATABASE_URL)('when PostgreSQL ends a connection that is checked out', () => {
  it('fails the transaction that held it, reports it, and the pool goes on with a new one', async () => {
    const database = await createTestDatabase();
    const reported: Error[] = [];
    const db = openPostgres(database.url, { onIdleError: (err) => reported.push(err) });
    try {
      const name = new URL(database.url).pathname.slice(1);
      // Between two statements of a transaction the client belongs to no pool listener.
      const failed = db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        expect(await terminateBackends(name)).toBeGreaterThan(0);
        await eventually(() => reported.length > 0);
        await sql`select 2`.execute(trx);
      });
      await expect(failed).rejects.toThrow();
      expect(reported[0]?.message).toMatch(/terminat/i);
      const r = await sql<{ n: number }>`select 3 as n`.execute(db);
      expect(r.rows[0]?.n).toBe(3);
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});
