import type { Kysely } from 'kysely';
import type { MigrationSet } from '../store/index.js';

/**
 * Migrations of delivery receipts (the tables of `store.ts`), named `5xxx_`. Portable types only.
 */
export const receiptMigrations: MigrationSet = {
  '5001_receipts': {
    async up(db: Kysely<unknown>) {
      // One row per recipient of a notification, made by the first thing that happened to it on a
      // channel; each column keeps the first time (read and acted live in the inbox row).
      await db.schema
        .createTable('notification_receipts')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('notification_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('streamed_at', 'bigint')
        .addColumn('pushed_at', 'bigint')
        .addColumn('push_subscription_id', 'text')
        .addColumn('displayed_at', 'bigint')
        .addColumn('displayed_via', 'text')
        .addColumn('opened_at', 'bigint')
        .addColumn('opened_via', 'text')
        .addPrimaryKeyConstraint('notification_receipts_pk', ['tenant_id', 'notification_id', 'user_id'])
        .execute();
      // Per notification: when its `receipts.updated` last went out (at most one a second, across
      // processes), and when it first reached and was first seen by anyone (each observed once).
      await db.schema
        .createTable('receipt_progress')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('notification_id', 'text', (c) => c.notNull())
        .addColumn('published_at', 'bigint', (c) => c.notNull())
        .addColumn('first_reached_at', 'bigint')
        .addColumn('first_seen_at', 'bigint')
        .addPrimaryKeyConstraint('receipt_progress_pk', ['tenant_id', 'notification_id'])
        .execute();
    },
  },
};
