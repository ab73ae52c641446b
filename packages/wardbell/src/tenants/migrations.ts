import type { Kysely } from 'kysely';
import type { MigrationSet } from '../store/index.js';

/**
 * Migrations of the tenants module's own tables (`settings.ts`, `lock-screen.ts`), named `6xxx_`;
 * the composition root hands them to `migrateToLatest`. Portable types only, as the core's.
 */
export const tenantMigrations: MigrationSet = {
  '6001_tenant_settings': {
    async up(db: Kysely<unknown>) {
      // One row per tenant that changed a setting; a tenant without a row has the defaults.
      await db.schema
        .createTable('tenant_settings')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('lock_screen', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // Notifications whose sender asked for a generic lock screen whatever the tenant's setting.
      await db.schema
        .createTable('notification_lock_screens')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('notification_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('notification_lock_screens_pk', ['notification_id'])
        .execute();
    },
  },
};
