import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * Migrations, in order. Written once for both dialects: only types both SQLite and PostgreSQL accept
 * (text, bigint, integer), and `offset` quoted because it is a keyword in PostgreSQL.
 */
const migrations: Record<string, Migration> = {
  '0001_event_log': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('event_streams')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('epoch', 'text', (c) => c.notNull())
        .addColumn('head', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('events')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('offset', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('audience', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('events_pk', ['tenant_id', 'offset'])
        .execute();
      await db.schema.createIndex('events_created_at').on('events').column('created_at').execute();
    },
  },
  '0002_sse_tickets': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sse_tickets')
        .addColumn('ticket_hash', 'text', (c) => c.primaryKey())
        .addColumn('identity', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('id', 'integer')
        .execute();
      await sql`create index sse_tickets_expires on sse_tickets (expires_at)`.execute(db);
    },
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
