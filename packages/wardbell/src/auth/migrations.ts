import type { Kysely } from 'kysely';
import type { MigrationSet } from '../store/index.js';

/** Migrations of the auth module's own tables (`revocations.ts`), named `4xxx_`. */
export const authMigrations: MigrationSet = {
  '4001_session_revocations': {
    async up(db: Kysely<unknown>) {
      // One row per (tenant, user) whose sessions were revoked: tokens issued before
      // `revoked_before` are refused. `updated_at` lets every process pick up new rows by polling.
      await db.schema
        .createTable('session_revocations')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('revoked_before', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('session_revocations_pk', ['tenant_id', 'user_id'])
        .execute();
      await db.schema.createIndex('session_revocations_updated').on('session_revocations').column('updated_at').execute();
    },
  },
};
