import { createInProcessBus } from '../../packages/wardbell/src/bus/index.js';
import { createMemoryEventLog } from '../../packages/wardbell/src/events/index.js';
import { Directory, NotificationService } from '../../packages/wardbell/src/notifications/index.js';
import { pushOutboxQueue } from '../../packages/wardbell/src/push/index.js';
import { EventManager, SseHub } from '../../packages/wardbell/src/sse/index.js';
import { migrateToLatest, openPostgres, openSqlite, type Db, type MigrationSet } from '../../packages/wardbell/src/store/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
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

/**
 * The notification service over a contract database, as the service wires it (an in-memory event
 * log and an in-process bus, the push outbox as its queue), on a FakeClock; `migrations` beside
 * the core ones.
 */
export async function notificationStack(db: Db, migrations: readonly MigrationSet[]) {
  await migrateToLatest(db, [...migrations]);
  const clock = new FakeClock();
  const log = createMemoryEventLog({ retention: { maxEvents: 1000, maxAgeMs: 3_600_000 }, clock });
  const hub = new SseHub({ log, clock, heartbeatMs: 0 });
  const events = new EventManager({ log, bus: createInProcessBus(), hub });
  const directory = new Directory(db, () => clock.now());
  const svc = new NotificationService({ db, clock, events, directory, pushQueue: pushOutboxQueue });
  return { svc, directory, clock, events };
}
