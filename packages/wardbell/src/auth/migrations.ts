import type { Kysely } from 'kysely';
import type { MigrationSet } from '../store/index.js';

/** Migrations of the auth module's own tables (`revocations.ts`, `api-keys.ts`), named `4xxx_`. */
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
  '4002_api_keys': {
    async up(db: Kysely<unknown>) {
      // Service credentials (`api-keys.ts`): only the key's SHA-256 is kept. `tenant_id` is null
      // for a platform key.
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('api_keys_tenant').on('api_keys').columns(['tenant_id', 'created_at']).execute();
    },
  },
};
