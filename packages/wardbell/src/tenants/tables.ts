import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/index.js';

export interface TenantSettingsTable {
  tenant_id: string;
  /** `full` | `generic`. */
  lock_screen: string;
  updated_by: string;
  updated_at: number;
}

export interface NotificationLockScreensTable {
  tenant_id: string;
  notification_id: string;
  created_at: number;
}

// A type alias, not an interface: `withTables` needs an indexable record type.
export type TenantTables = { tenant_settings: TenantSettingsTable; notification_lock_screens: NotificationLockScreensTable };

/** A handle (database or transaction, with whatever other tables it has typed in) as this module queries it. */
export function tenantDb<DB extends Database>(db: Kysely<DB> | Transaction<DB>): Kysely<Database & TenantTables> {
  return (db as unknown as Kysely<Database>).withTables<TenantTables>();
}
