import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { isDatabaseUnavailable, openPostgres } from '../../packages/wardbell/src/store/index.js';
import { DATABASE_URL } from '../helpers/scale.js';

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function pgError(code: string, message = 'x'): Error {
  return Object.assign(new Error(message), { code, severity: 'FATAL' });
}

describe('isDatabaseUnavailable, on errors the drivers really throw', () => {
  let silent: Server;
  let silentPort: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts TCP connections and never says a word: a server that hangs.
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('a refused connection (no server on the port) is unavailable', async () => {
    const c = new pg.Client({ connectionString: `postgres://u@127.0.0.1:${await closedPort()}/db` });
    const err = await rejection(c.connect());
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it("the pool's connection timeout, for a new connection and for a free one, is unavailable", async () => {
    const pool = new pg.Pool({ connectionString: `postgres://u@127.0.0.1:${silentPort}/db`, connectionTimeoutMillis: 150, max: 1 });
    try {
      const first = pool.connect();
      const queued = pool.connect(); // waits for the only slot
      const [a, b] = await Promise.all([rejection(first), rejection(queued)]);
      expect(String(a)).toMatch(/Connection terminated due to connection timeout|timeout exceeded when trying to connect/);
      expect(isDatabaseUnavailable(a)).toBe(true);
      expect(isDatabaseUnavailable(b)).toBe(true);
    } finally {
      await pool.end();
    }
  });

  it("the service's pool gives up on a server that never answers, within its connect timeout, as unavailable", async () => {
    const db = openPostgres(`postgres://u@127.0.0.1:${silentPort}/db`);
    const started = Date.now();
    try {
      const err = await rejection(sql`select 1`.execute(db));
      expect(isDatabaseUnavailable(err)).toBe(true);
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      await db.destroy();
    }
  }, 15_000);

  it('a connection the server drops mid-query is unavailable', async () => {
    // A server that answers the startup and then hangs up: pg reports "Connection terminated unexpectedly".
    const rude = createServer((s) => s.once('data', () => s.destroy()));
    await new Promise<void>((r) => rude.listen(0, '127.0.0.1', r));
    try {
      const c = new pg.Client({ connectionString: `postgres://u@127.0.0.1:${(rude.address() as { port: number }).port}/db` });
      c.on('error', () => {});
      const err = await rejection(c.connect());
      expect(String(err)).toMatch(/Connection terminated|ECONNRESET/);
      expect(isDatabaseUnavailable(err)).toBe(true);
    } finally {
      await new Promise((r) => rude.close(r));
    }
  });

  it('SQLite busy past its busy_timeout is unavailable; a constraint error of SQLite is not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wardbell-busy-'));
    const a = new SQLite(join(dir, 'x.sqlite'));
    const b = new SQLite(join(dir, 'x.sqlite'));
    try {
      a.pragma('journal_mode = WAL');
      a.exec('create table t (id integer primary key)');
      b.pragma('busy_timeout = 0');
      a.exec('begin immediate');
      let busy: unknown;
      try {
        b.exec('begin immediate');
      } catch (err) {
        busy = err;
      }
      a.exec('rollback');
      expect((busy as { code?: string }).code).toBe('SQLITE_BUSY');
      expect(isDatabaseUnavailable(busy)).toBe(true);

      a.exec('insert into t values (1)');
      let dup: unknown;
      try {
        a.exec('insert into t values (1)');
      } catch (err) {
        dup = err;
      }
      expect((dup as { code?: string }).code).toMatch(/^SQLITE_CONSTRAINT/);
      expect(isDatabaseUnavailable(dup)).toBe(false);
    } finally {
      a.close();
      b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!DATABASE_URL)('isDatabaseUnavailable, on a real PostgreSQL', () => {
  it('a backend ended by an administrator (57P01) is unavailable; a unique violation and a syntax error are not', async () => {
    const victim = new pg.Client({ connectionString: DATABASE_URL });
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    victim.on('error', () => {});
    await victim.connect();
    await admin.connect();
    try {
      const pid = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const dup = await rejection(victim.query('create temp table u (id int primary key); insert into u values (1), (1)'));
      expect((dup as { code?: string }).code).toBe('23505');
      expect(isDatabaseUnavailable(dup)).toBe(false);
      const syntax = await rejection(victim.query('selec 1'));
      expect((syntax as { code?: string }).code).toBe('42601');
      expect(isDatabaseUnavailable(syntax)).toBe(false);

      const ended = rejection(victim.query('select pg_sleep(30)'));
      await admin.query('select pg_terminate_backend($1)', [pid]);
      const err = await ended;
      expect((err as { code?: string }).code).toBe('57P01');
      expect(isDatabaseUnavailable(err)).toBe(true);
      // The client is unusable afterwards, and says so.
      expect(isDatabaseUnavailable(await rejection(victim.query('select 1')))).toBe(true);
    } finally {
      await admin.end();
      await victim.end().catch(() => {});
    }
  });
});

describe('isDatabaseUnavailable, by shape', () => {
  it.each([
    ['57P01 admin_shutdown', pgError('57P01', 'terminating connection due to administrator command')],
    ['57P02 crash_shutdown', pgError('57P02')],
    ['57P03 cannot_connect_now', pgError('57P03', 'the database system is shutting down')],
    ['53300 too_many_connections', pgError('53300')],
    ['08006 connection_failure', pgError('08006')],
    ['08001 unable to establish', pgError('08001')],
    ['08P01 protocol_violation', pgError('08P01')],
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['EPIPE', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })],
    ['ETIMEDOUT', Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })],
    ['SQLITE_BUSY_SNAPSHOT', Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY_SNAPSHOT' })],
    ['Connection terminated', new Error('Connection terminated')],
    ['a wrapped cause', new Error('query failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) })],
    ['an AggregateError of refusals', new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' }), Object.assign(new Error('b'), { code: 'ECONNREFUSED' })])],
  ])('%s is unavailable', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['23505 unique_violation', pgError('23505')],
    ['42P01 undefined_table', pgError('42P01')],
    ['40001 serialization_failure', pgError('40001')],
    ['57014 query_canceled', pgError('57014')],
    ['SQLITE_CONSTRAINT', Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })],
    ['SQLITE_LOCKED', Object.assign(new Error('locked'), { code: 'SQLITE_LOCKED' })],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a message that merely mentions a connection', new Error('Connection terminated? no: a user typed this')],
    ['an AggregateError with one bug among refusals', new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' }), new TypeError('bug')])],
    ['a string', 'ECONNREFUSED'],
    ['null', null],
    ['a cause chain that loops', (() => { const e = new Error('a'); (e as { cause?: unknown }).cause = e; return e; })()],
  ])('%s is not', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
