import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushMigrations } from '../../packages/wardbell/src/push/index.js';
import { migrateToLatest, openPostgres, openSqlite, type Db } from '../../packages/wardbell/src/store/index.js';
import { workflowMigrations } from '../../packages/wardbell/src/workflows/index.js';
import { createTestDatabase, DATABASE_URL } from '../helpers/scale.js';

/**
 * The databases the workflow suites run on: SQLite always, PostgreSQL when DATABASE_URL is set
 * (each run gets a fresh database). `connect()` opens another, independent pool on PostgreSQL,
 * which is how a second process sees it; on SQLite it is the same connection (see below).
 */
export interface TestDatabase {
  db: Db;
  connect(): Db;
  close(): Promise<void>;
}

export const databases: Record<string, () => Promise<TestDatabase>> = {
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wardbell-wfdb-'));
    const db = openSqlite(join(dir, 'db.sqlite'));
    await migrateToLatest(db, [workflowMigrations, pushMigrations]);
    return {
      db,
      // SQLite is the single-process deployment, one connection. A second better-sqlite3
      // connection in this thread would wait for a lock synchronously, blocking the very thread
      // that holds it; "another process" therefore shares the connection, as the embedded service does.
      connect: () => db,
      async close() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  ...(DATABASE_URL
    ? {
        postgres: async (): Promise<TestDatabase> => {
          const d = await createTestDatabase();
          const opened: Db[] = [];
          const connect = () => {
            const db = openPostgres(d.url, { max: 8 });
            opened.push(db);
            return db;
          };
          const db = connect();
          await migrateToLatest(db, [workflowMigrations, pushMigrations]);
          return {
            db,
            connect,
            async close() {
              for (const x of opened) await x.destroy();
              await d.drop();
            },
          };
        },
      }
    : {}),
};
