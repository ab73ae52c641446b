import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { coreMigrations, type MigrationSet } from './migrations.js';
import { withStatementCache } from './statement-cache.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

/**
 * Opens the embedded SQLite database. WAL mode lets readers (replay, inbox) run beside the writer;
 * synchronous=NORMAL keeps each commit durable against a process crash, which is what we need.
 */
export function openSqlite(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // SQLite returns bigint columns as JS numbers (safe below 2^53, far above any offset or time here).
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
}

/** How long a query waits for a PostgreSQL connection (a new one, or a free one of the pool). */
export const POSTGRES_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Opens PostgreSQL (the scale-out deployment). int8 columns (offsets, times, counts) are parsed as
 * JS numbers, like SQLite returns them, so one query code path serves both; values stay far below
 * 2^53. The parser is set on this pool only, not on the global pg module.
 */
export function openPostgres(url: string, opts: { max?: number; connectTimeoutMs?: number; onIdleError?: (err: Error) => void } = {}): Db {
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  // pg's default is to wait for a connection without end: for a new one to a server that does not
  // answer (a host gone from the network), and for a free one while every pooled connection hangs.
  // A request then hung with it. Past this bound the query fails ('timeout exceeded when trying to
  // connect', 'Connection terminated due to connection timeout'), which the HTTP layer answers
  // with 503 and Retry-After (`isDatabaseUnavailable`).
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, connectionTimeoutMillis: opts.connectTimeoutMs ?? POSTGRES_CONNECT_TIMEOUT_MS, types });
  // An idle pooled connection that the server ends (a restart, a terminated backend) is an 'error'
  // event on the pool; unheard it would crash the process. The pool drops that client and opens a
  // new one on the next query, so reporting it is all there is to do.
  const report = opts.onIdleError ?? (() => {});
  pool.on('error', report);
  // A connection checked out between two statements (a transaction's) has no pool listener: its
  // 'error' event would crash the process just the same. The statement in flight fails on its
  // own and the pool discards the dead client when it comes back, so here too reporting is all.
  pool.on('connect', (client) => client.on('error', report));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** The configured database: PostgreSQL when a URL is given, else the embedded SQLite file. */
export function openDatabase(opts: { databaseUrl?: string | undefined; sqlitePath: string; onIdleError?: (err: Error) => void }): { db: Db; dialect: 'postgres' | 'sqlite' } {
  if (opts.databaseUrl) return { db: openPostgres(opts.databaseUrl, opts.onIdleError ? { onIdleError: opts.onIdleError } : {}), dialect: 'postgres' };
  return { db: openSqlite(opts.sqlitePath), dialect: 'sqlite' };
}

/**
 * Brings the schema up to date: the core migrations plus the sets of the modules above the store
 * (workflows, push), which the composition root passes in, since the store imports none of them.
 * Names must be unique across sets. Each module numbers its own migrations, so a new one may sort
 * before a migration of another module that has already run: pending migrations run in name order
 * whatever ran before them (`allowUnorderedMigrations`). Throws with the failing migration's name;
 * returns the names of the migrations it ran.
 */
export async function migrateToLatest(db: Db, modules: readonly MigrationSet[] = []): Promise<string[]> {
  const all: Record<string, MigrationSet[string]> = { ...coreMigrations };
  for (const set of modules) {
    for (const [name, m] of Object.entries(set)) {
      if (name in all) throw new Error(`database migration ${name} is defined twice`);
      all[name] = m;
    }
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => all }, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
