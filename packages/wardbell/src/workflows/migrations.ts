import type { Kysely } from 'kysely';
import type { MigrationSet } from '../store/index.js';

/**
 * Migrations of the scheduling workflows (scheduled jobs, swaps, emergency calls: the tables of
 * `tables.ts`), in order, named `1xxx_`; the composition root hands them to `migrateToLatest`.
 * Portable to SQLite and PostgreSQL: only text, bigint and integer; times are epoch milliseconds;
 * JSON is kept as text.
 */
export const workflowMigrations: MigrationSet = {
  '1001_scheduled_jobs': {
    async up(db: Kysely<unknown>) {
      // The durable scheduler's queue: shift reminders, scheduled notifications, emergency-call
      // escalations, and the after-commit effects of decisions (an outbox). A claim is a row
      // update (status running, claimed_by a fresh token, claimed_until a lease), so several
      // processes on one database share it without any in-memory lock.
      await db.schema
        .createTable('scheduled_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('claimed_by', 'text')
        .addColumn('claimed_until', 'bigint')
        .addColumn('dedupe_key', 'text')
        .addColumn('result', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('scheduled_jobs_due').on('scheduled_jobs').columns(['status', 'run_at']).execute();
      await db.schema.createIndex('scheduled_jobs_lease').on('scheduled_jobs').columns(['status', 'claimed_until']).execute();
      // NULL keys never collide (both databases), so only jobs that name a key are deduplicated.
      await db.schema
        .createIndex('scheduled_jobs_dedupe')
        .on('scheduled_jobs')
        .columns(['tenant_id', 'kind', 'dedupe_key'])
        .unique()
        .execute();
    },
  },
  '1002_swaps': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('swaps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('requester_id', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('notification_id', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'bigint')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '1003_emergency_calls': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('emergency_calls')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('caller_id', 'text', (c) => c.notNull())
        .addColumn('caller_is_service', 'integer', (c) => c.notNull())
        .addColumn('audience', 'text', (c) => c.notNull())
        .addColumn('needed', 'integer', (c) => c.notNull())
        .addColumn('accepted', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('escalate_to', 'text')
        .addColumn('escalate_at', 'bigint')
        .addColumn('escalated_at', 'bigint')
        .addColumn('filled_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // One row per person who accepted: the primary key is what makes a double press by the same
      // person impossible, also across processes.
      await db.schema
        .createTable('emergency_accepts')
        .addColumn('call_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('accepted_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('emergency_accepts_pk', ['call_id', 'user_id'])
        .execute();
      // The notifications that carry a call (the first one, the escalation), so all of them change
      // to "filled" together.
      await db.schema
        .createTable('emergency_notices')
        .addColumn('call_id', 'text', (c) => c.notNull())
        .addColumn('notification_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('emergency_notices_pk', ['call_id', 'notification_id'])
        .execute();
    },
  },
};
