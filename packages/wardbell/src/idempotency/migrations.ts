import type { Kysely } from 'kysely';
import type { MigrationSet } from '../store/index.js';

/**
 * Migrations of the request records (`store.ts`), named `3xxx_`; the composition root hands them
 * to `migrateToLatest`. Portable types only, as the core's migrations.
 */
export const idempotencyMigrations: MigrationSet = {
  '3001_request_idempotency': {
    async up(db: Kysely<unknown>) {
      // One row per (tenant, Idempotency-Key) of a creating POST: what the request was (its
      // fingerprint) and, once it succeeded, the answer it got. `lease_until` bounds how long a
      // request in flight holds the key: one whose process died is taken over after it.
      await db.schema
        .createTable('request_idempotency')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('status', 'integer')
        .addColumn('body', 'text')
        .addColumn('lease_until', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('request_idempotency_pk', ['tenant_id', 'key'])
        .execute();
      await db.schema.createIndex('request_idempotency_created').on('request_idempotency').column('created_at').execute();
    },
  },
};
