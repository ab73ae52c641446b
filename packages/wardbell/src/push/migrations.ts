import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../store/index.js';

/**
 * Migrations of the push channel (the outbox, subscriptions, delivery records, per-tenant counters:
 * the tables of `store.ts`), in order, named `2xxx_`; the composition root hands them to
 * `migrateToLatest`. Portable types only (text, bigint, integer), as the core's migrations.
 */
export const pushMigrations: MigrationSet = {
  '2001_push': {
    async up(db: Kysely<unknown>) {
      // One row per browser push subscription. The endpoint identifies it (RFC 8030 Section 4); its
      // hash carries the unique index because endpoints run to hundreds of characters. `keys` is
      // the sealed JSON of p256dh and auth (never plain text, see src/push/at-rest.ts).
      await db.schema
        .createTable('push_subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('endpoint_hash', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('topics', 'text', (c) => c.notNull())
        .addColumn('keys', 'text', (c) => c.notNull())
        .addColumn('expiration_time', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('push_subscriptions_endpoint').unique().on('push_subscriptions').column('endpoint_hash').execute();
      // The per-user index: who gets a user's pushes.
      await db.schema.createIndex('push_subscriptions_user').on('push_subscriptions').columns(['tenant_id', 'user_id']).execute();
      await db.schema.createIndex('push_subscriptions_expiry').on('push_subscriptions').column('expiration_time').execute();

      // One row per (outbox row, subscription): each browser's delivery has its own fate (one phone
      // answers 201, an old laptop 410). `not_before` is when the row is next due: the retry time of
      // a pending row, the lease expiry of a row being sent (a worker that died leaves it due again).
      await db.schema
        .createTable('push_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('outbox_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('subscription_id', 'text', (c) => c.notNull())
        .addColumn('notification_id', 'text', (c) => c.notNull())
        .addColumn('rank', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('not_before', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('claim', 'text')
        .addColumn('last_status', 'integer')
        .addColumn('last_result', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // Only open rows are indexed for claiming (a partial index, in SQLite and PostgreSQL alike): a
      // settled row leaves the index with one delete and costs nothing more. Queries must repeat the
      // predicate literally (not as bound parameters) for the planner to use it.
      await sql`create index push_deliveries_due on push_deliveries (rank, not_before) where status in ('pending', 'sending')`.execute(db);
      await db.schema.createIndex('push_deliveries_created').on('push_deliveries').column('created_at').execute();

      // Per-tenant totals, kept as counters so statistics survive the sweep of old delivery rows.
      await db.schema
        .createTable('push_tenant_stats')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('delivered', 'bigint', (c) => c.notNull())
        .addColumn('failed', 'bigint', (c) => c.notNull())
        .addColumn('pruned', 'bigint', (c) => c.notNull())
        .addColumn('expired', 'bigint', (c) => c.notNull())
        .addColumn('retried', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '2002_push_outbox': {
    async up(db: Kysely<unknown>) {
      // The durable hand-off from a send to the push channel, written in the send's transaction
      // (`enqueue.ts`). The core's `0004_notifications` created it until the push module took it
      // over, so a database made before then has it already: hence `if not exists`, with the same
      // columns and index as that migration made.
      await db.schema
        .createTable('push_outbox')
        .ifNotExists()
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
      await db.schema.createIndex('push_outbox_due').ifNotExists().on('push_outbox').columns(['status', 'not_before']).execute();
    },
  },
};
