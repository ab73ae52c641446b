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
  '1004_emergency_policies': {
    async up(db: Kysely<unknown>) {
      // Declines, the frozen escalation policy and where the call is in it, expiry, and the
      // counter of the call's events. Added with defaults, so calls made before read as today's
      // one-step escalation (a null policy is the shorthand of escalate_to/escalate_at).
      await db.schema.alterTable('emergency_calls').addColumn('declined', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('emergency_calls').addColumn('policy', 'text').execute();
      await db.schema.alterTable('emergency_calls').addColumn('wave', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('emergency_calls').addColumn('next_step_at', 'bigint').execute();
      await db.schema.alterTable('emergency_calls').addColumn('expires_at', 'bigint').execute();
      await db.schema.alterTable('emergency_calls').addColumn('event_seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      // One row per person who pressed "Can't come", as the accepts: a double press is impossible.
      await db.schema
        .createTable('emergency_declines')
        .addColumn('call_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('declined_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('emergency_declines_pk', ['call_id', 'user_id'])
        .execute();
      // The call's timeline. `seq` comes from the call row's event_seq, bumped in the transaction
      // that records the event, so events of one call are numbered without gaps or ties, also with
      // several processes; the dedupe key makes a scheduled step's event happen once.
      await db.schema
        .createTable('emergency_call_events')
        .addColumn('call_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('actor', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('dedupe_key', 'text')
        .addPrimaryKeyConstraint('emergency_call_events_pk', ['call_id', 'seq'])
        .execute();
      await db.schema.createIndex('emergency_call_events_dedupe').on('emergency_call_events').columns(['call_id', 'dedupe_key']).unique().execute();
      await db.schema
        .createTable('escalation_policies')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('escalation_policies_pk', ['tenant_id', 'name'])
        .execute();
    },
  },
  '1005_emergency_calls_by_time': {
    async up(db: Kysely<unknown>) {
      // The list of a tenant's calls, newest first (GET /api/emergency-calls).
      await db.schema.createIndex('emergency_calls_by_time').on('emergency_calls').columns(['tenant_id', 'created_at', 'id']).execute();
    },
  },
  '1006_emergency_repeats': {
    async up(db: Kysely<unknown>) {
      // How many repeats each recipient of a call has had: maxRepeats holds per person over the
      // whole call, whatever wave reached them. Written in the repeat's own transaction.
      await db.schema
        .createTable('emergency_repeats')
        .addColumn('call_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('repeats', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('emergency_repeats_pk', ['call_id', 'user_id'])
        .execute();
    },
  },
  '1007_notification_repeats': {
    async up(db: Kysely<unknown>) {
      // The repeats of an urgent notification sent with repeatEverySeconds: one row per repeat, written
      // in its own transaction with its pushes (a run repeated after a crash finds it and sends nothing).
      await db.schema
        .createTable('notification_repeats')
        .addColumn('notification_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('n', 'integer', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('reached', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('notification_repeats_pk', ['notification_id', 'n'])
        .execute();
    },
  },
};
