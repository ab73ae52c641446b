import { openPostgres, openSqlite, type Db } from '../../packages/wardbell/src/store/index.js';
import { createTestDatabase, DATABASE_URL } from '../helpers/scale.js';

/** A fresh, empty database of one dialect, and how to be rid of it. */
export type DatabaseFactory = () => Promise<{ db: Db; dialect: 'sqlite' | 'postgres'; close(): Promise<void> }>;

/**
 * The databases a store contract runs on: SQLite in memory always, and a fresh PostgreSQL database
 * (dropped on close) when DATABASE_URL is set.
 */
export function contractDatabases(opts: { poolSize?: number } = {}): Record<string, DatabaseFactory> {
  return {
    sqlite: async () => {
      const db = openSqlite(':memory:');
      return { db, dialect: 'sqlite', close: () => db.destroy() };
    },
    ...(DATABASE_URL
      ? {
          postgres: async () => {
            const d = await createTestDatabase();
            const db = openPostgres(d.url, { max: opts.poolSize ?? 4 });
            return { db, dialect: 'postgres' as const, close: async () => { await db.destroy(); await d.drop(); } };
          },
        }
      : {}),
  };
}
