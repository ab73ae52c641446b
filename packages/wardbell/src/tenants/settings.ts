import type { Transaction } from 'kysely';
import { z } from 'zod';
import type { Database, Db } from '../store/index.js';
import { markGenericLockScreen } from './lock-screen.js';
import { LOCK_SCREEN_MODES, lockScreenOf } from './mode.js';
import { tenantDb } from './tables.js';

/** A tenant's settings, as `PUT /api/tenant/settings` takes them (every field) and `GET` answers. */
export const TenantSettingsSchema = z
  .object({
    lockScreen: z.enum(LOCK_SCREEN_MODES).meta({
      description:
        '`full` (default): pushes carry the notification\'s title, body and buttons. `generic`: pushes carry only a generic text made from the ' +
        'notification\'s type, priority and ward (e.g. "Urgent call, Ward 3", "Shift swap request") and its id, so nothing personal reaches a lock screen; ' +
        'the page a tap opens fetches the details with the user\'s credentials.',
    }),
  })
  .strict();
export type TenantSettings = z.infer<typeof TenantSettingsSchema>;

export const DEFAULT_TENANT_SETTINGS: TenantSettings = { lockScreen: 'full' };

/** Each tenant's settings (`tenant_settings`): one row per tenant that changed one. */
export class TenantSettingsStore {
  private readonly db;

  constructor(
    db: Db,
    private readonly now: () => number,
  ) {
    this.db = tenantDb(db);
  }

  async get(tenantId: string): Promise<TenantSettings> {
    const row = await this.db.selectFrom('tenant_settings').select(['lock_screen']).where('tenant_id', '=', tenantId).executeTakeFirst();
    return row ? { lockScreen: lockScreenOf(row.lock_screen) } : { ...DEFAULT_TENANT_SETTINGS };
  }

  /** Replaces the tenant's settings (idempotent: the same body again changes nothing but the time). */
  async put(tenantId: string, settings: TenantSettings, updatedBy: string): Promise<TenantSettings> {
    const now = this.now();
    await this.db
      .insertInto('tenant_settings')
      .values({ tenant_id: tenantId, lock_screen: settings.lockScreen, updated_by: updatedBy, updated_at: now })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ lock_screen: settings.lockScreen, updated_by: updatedBy, updated_at: now }))
      .execute();
    return { lockScreen: settings.lockScreen };
  }

  /** In a send's transaction: this notification's pushes are generic whatever the tenant's setting. */
  markGeneric(trx: Transaction<Database>, tenantId: string, notificationId: string): Promise<void> {
    return markGenericLockScreen(trx, tenantId, notificationId, this.now());
  }
}
