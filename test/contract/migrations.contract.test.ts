import { sql, Migrator, type Kysely, type Migration } from 'kysely';
import { contractDatabases } from './databases.js';
import { afterEach, describe, expect, it } from 'vitest';
import { pushDb, pushMigrations } from '../../packages/wardbell/src/push/index.js';
import { expandOutbox } from '../../packages/wardbell/src/push/outbox.js';
import { coreMigrations, type MigrationSet } from '../../packages/wardbell/src/store/migrations.js';
import { migrateToLatest, type Db } from '../../packages/wardbell/src/store/index.js';
import { workflowMigrations } from '../../packages/wardbell/src/workflows/index.js';

/**
 * The migration sets moved into the modules that own their tables (workflows, push), and the core's
 * `0004_notifications` no longer creates `push_outbox` (push's `2002_push_outbox` does). A database
 * made before that must migrate cleanly and end up with the same schema as a fresh one.
 */

/** What `0004_notifications` created for the push channel before the push module owned the table (verbatim). */
async function oldPushOutbox(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('push_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('not_before', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('push_outbox_due').on('push_outbox').columns(['status', 'not_before']).execute();
}

/**
 * The migration set of the code before the move (one provider in src/store): the same names, the
 * core's 0004 creating push_outbox at its end, no 2002.
 */
function oldMigrations(): Record<string, Migration> {
  const core0004 = coreMigrations['0004_notifications'];
  const push2001 = pushMigrations['2001_push'];
  if (!core0004 || !push2001) throw new Error('a migration of the old set is missing');
  return {
    ...coreMigrations,
    '0004_notifications': {
      async up(db) {
        await core0004.up(db);
        await oldPushOutbox(db);
      },
    },
    ...workflowMigrations,
    '2001_push': push2001,
  };
}

const MODULES: MigrationSet[] = [workflowMigrations, pushMigrations];

const EVERY_TABLE = [
  // core
  'event_streams', 'events', 'sse_tickets', 'directory_members', 'directory_topics', 'notifications', 'inbox', 'inbox_counters', 'idempotency_keys', 'preferences',
  // workflows
  'scheduled_jobs', 'swaps', 'emergency_calls', 'emergency_accepts', 'emergency_notices', 'emergency_declines', 'emergency_repeats', 'notification_repeats', 'emergency_call_events', 'escalation_policies',
  // push
  'push_outbox', 'push_subscriptions', 'push_deliveries', 'push_tenant_stats',
].sort();

const adapters = contractDatabases({ poolSize: 2 });

/** The migrations the database records as done (Kysely's default table). */
async function executed(db: Db): Promise<string[]> {
  return (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map((r) => r.name);
}

/** Every table with its columns, and every index with its table (and, on PostgreSQL, its definition). */
async function schemaOf(db: Db, dialect: 'sqlite' | 'postgres') {
  const tables = (await db.introspection.getTables())
    .map((t) => ({ name: t.name, columns: t.columns.map((c) => `${c.name} ${c.dataType}${c.isNullable ? '' : ' not null'}`).sort() }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const indexes =
    dialect === 'sqlite'
      ? (await sql<{ name: string; tbl: string }>`select name, tbl_name as tbl from sqlite_master where type = 'index' and name not like 'sqlite_%'`.execute(db)).rows.map((r) => `${r.tbl}.${r.name}`)
      : (await sql<{ name: string; tbl: string; def: string }>`select indexname as name, tablename as tbl, indexdef as def from pg_indexes where schemaname = current_schema()`.execute(db)).rows.map((r) => `${r.tbl}.${r.name}: ${r.def}`);
  return { tables, indexes: indexes.sort() };
}

for (const [name, make] of Object.entries(adapters)) {
  describe(`migrations: ${name}`, () => {
    const open: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const c of open.splice(0)) await c();
    });
    async function database() {
      const d = await make();
      open.push(d.close);
      return d;
    }

    it('a fresh database gets every table, and a second run changes nothing', async () => {
      const { db } = await database();
      await migrateToLatest(db, MODULES);
      const tables = (await db.introspection.getTables()).map((t) => t.name).sort();
      expect(tables).toEqual(EVERY_TABLE);
      const names = await executed(db);
      expect(names).toEqual([...Object.keys(coreMigrations), ...Object.keys(workflowMigrations), ...Object.keys(pushMigrations)].sort());
      await migrateToLatest(db, MODULES);
      expect(await executed(db)).toEqual(names);
    });

    it('a database made by the old migrations (push_outbox in the core) migrates cleanly, keeps its rows, and ends with the fresh schema', async () => {
      const old = await database();
      const { error } = await new Migrator({ db: old.db, provider: { getMigrations: async () => oldMigrations() } }).migrateToLatest();
      expect(error).toBeUndefined();
      const before = await executed(old.db);
      expect(before).toContain('0004_notifications');
      expect(before).not.toContain('2002_push_outbox');
      // A send the old code queued and had not pushed yet.
      const now = Date.now();
      await old.db.insertInto('notifications').values({ id: 'n-1', tenant_id: 'h1', type: 'general', priority: 'high', title: 't', body: '', data: '{}', actions: '[]', audience: JSON.stringify({ kind: 'users', users: ['kim'] }), group_key: null, group_count: 1, sender_id: 'app', recipient_count: 1, state: null, workflow_kind: null, workflow_id: null, created_at: now, updated_at: now }).execute();
      await old.db.insertInto('inbox').values({ tenant_id: 'h1', user_id: 'kim', notification_id: 'n-1', sort_at: now, type: 'general', priority: 'high', read_at: null, acted_action: null, acted_at: null }).execute();
      await pushDb(old.db).insertInto('push_outbox').values({ id: 'o-1', tenant_id: 'h1', user_id: 'kim', notification_id: 'n-1', priority: 'high', not_before: now, status: 'pending', attempts: 0, last_error: null, created_at: now }).execute();

      await migrateToLatest(old.db, MODULES);
      expect(await executed(old.db)).toEqual([...before, '2002_push_outbox'].sort());
      expect(await pushDb(old.db).selectFrom('push_outbox').select(['id', 'status']).execute()).toEqual([{ id: 'o-1', status: 'pending' }]);
      // The worker takes the old row up (kim has no subscription).
      expect(await expandOutbox(pushDb(old.db), now, 10)).toMatchObject({ outboxRows: 1, withoutSubscription: 1 });

      const fresh = await database();
      await migrateToLatest(fresh.db, MODULES);
      expect(await schemaOf(old.db, old.dialect)).toEqual(await schemaOf(fresh.db, fresh.dialect));
    });

    it("runs a module's migration that sorts before another module's migration already run", async () => {
      const { db } = await database();
      // E.g. a database the push module migrated before the workflows' set was passed in (or a
      // workflows migration added after push's 2xxx ran).
      await migrateToLatest(db, [pushMigrations]);
      await migrateToLatest(db, MODULES);
      expect((await db.introspection.getTables()).map((t) => t.name).sort()).toEqual(EVERY_TABLE);
    });

    it('refuses a migration name defined twice', async () => {
      const { db } = await database();
      await expect(migrateToLatest(db, [pushMigrations, { '2001_push': { up: async () => {} } }])).rejects.toThrow('database migration 2001_push is defined twice');
    });
  });
}
