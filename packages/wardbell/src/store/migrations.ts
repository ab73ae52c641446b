import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The migrations of one module, by name (the name is what the database records as done: never
 * rename one that has shipped). Each module owns its own set and prefix: core `0xxx_`, workflows
 * `1xxx_` (`src/workflows/migrations.ts`), push `2xxx_` (`src/push/migrations.ts`).
 */
export type MigrationSet = Readonly<Record<string, Migration>>;

/**
 * The core migrations (event log, tickets, notifications), in order. Written once for both
 * dialects: only types both SQLite and PostgreSQL accept (text, bigint, integer), and `offset`
 * quoted because it is a keyword in PostgreSQL.
 */
export const coreMigrations: MigrationSet = {
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
  '0003_event_personal': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('events').addColumn('personal', 'text').execute();
    },
  },
  '0004_notifications': {
    async up(db: Kysely<unknown>) {
      // Staff directory: who belongs to which ward and role, so a ward or tenant notification
      // reaches every member's inbox, also members who never connected.
      await db.schema
        .createTable('directory_members')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('wards', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text')
        .addColumn('time_zone', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('directory_members_pk', ['tenant_id', 'user_id'])
        .execute();
      await db.schema
        .createTable('directory_topics')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('directory_topics_pk', ['tenant_id', 'topic', 'user_id'])
        .execute();
      await db.schema
        .createTable('notifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('actions', 'text', (c) => c.notNull())
        .addColumn('audience', 'text', (c) => c.notNull())
        .addColumn('group_key', 'text')
        .addColumn('group_count', 'integer', (c) => c.notNull())
        .addColumn('sender_id', 'text', (c) => c.notNull())
        .addColumn('recipient_count', 'integer', (c) => c.notNull())
        .addColumn('state', 'text')
        .addColumn('workflow_kind', 'text')
        .addColumn('workflow_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('notifications_group').on('notifications').columns(['tenant_id', 'group_key', 'created_at']).execute();
      await db.schema
        .createTable('inbox')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('notification_id', 'text', (c) => c.notNull())
        .addColumn('sort_at', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('read_at', 'bigint')
        .addColumn('acted_action', 'text')
        .addColumn('acted_at', 'bigint')
        .addPrimaryKeyConstraint('inbox_pk', ['tenant_id', 'user_id', 'notification_id'])
        .execute();
      await db.schema.createIndex('inbox_page').on('inbox').columns(['tenant_id', 'user_id', 'sort_at', 'notification_id']).execute();
      await sql`create index inbox_unread on inbox (tenant_id, user_id, sort_at, notification_id) where read_at is null`.execute(db);
      await db.schema.createIndex('inbox_by_notification').on('inbox').columns(['notification_id']).execute();
      await db.schema
        .createTable('inbox_counters')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('unread', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('inbox_counters_pk', ['tenant_id', 'user_id'])
        .execute();
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('notification_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'key'])
        .execute();
      await db.schema
        .createTable('preferences')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('prefs', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('preferences_pk', ['tenant_id', 'user_id'])
        .execute();
      // `push_outbox` was created here too until the push module took its tables over; databases
      // made before that keep it, and `2002_push_outbox` (src/push/migrations.ts) creates it if missing.
    },
  },
  '0005_inbox_by_tenant_notification': {
    async up(db: Kysely<unknown>) {
      // Every read of a notification's recipients names its tenant too, and pages them by user id.
      // With (tenant, notification, user) the index serves `tenant_id = ? and notification_id in
      // (...)` and the recipient pages in order, which SQLite's planner, without ANALYZE statistics
      // (a young database), otherwise served by walking the tenant's whole inbox (inbox_page).
      await db.schema.dropIndex('inbox_by_notification').execute();
      await db.schema.createIndex('inbox_by_notification').on('inbox').columns(['tenant_id', 'notification_id', 'user_id']).execute();
    },
  },
  '0006_notification_ward': {
    async up(db: Kysely<unknown>) {
      // The ward a generic lock screen may name for a notification sent to named staff on a ward's
      // behalf (an emergency call's escalation step); null: the audience's ward, if any.
      await db.schema.alterTable('notifications').addColumn('ward', 'text').execute();
    },
  },
};
