import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/index.js';
import { lockScreenOf, type LockScreenMode } from './mode.js';
import { tenantDb } from './tables.js';

const CHUNK = 500;

/**
 * Records that a notification's pushes show a generic lock screen whatever its tenant's setting
 * (a send with `lockScreen: 'generic'`), in the send's own transaction. A grouped send marks its
 * group: once generic, a notification stays generic.
 */
export async function markGenericLockScreen<DB extends Database>(trx: Transaction<DB>, tenantId: string, notificationId: string, now: number): Promise<void> {
  await tenantDb(trx)
    .insertInto('notification_lock_screens')
    .values({ tenant_id: tenantId, notification_id: notificationId, created_at: now })
    .onConflict((oc) => oc.column('notification_id').doNothing())
    .execute();
}

/**
 * What the lock screen may show of each of these notifications: `generic` when its tenant is set to
 * generic or its sender asked for it, else `full`. Two statements per 500 notifications (the
 * tenants' settings, the marked notifications); a tenant and notification must match, so a mark
 * of one tenant never changes another's. For the push channel, through the notification module.
 */
export async function lockScreensOf<DB extends Database>(db: Kysely<DB>, notes: ReadonlyArray<{ id: string; tenantId: string }>): Promise<Map<string, LockScreenMode>> {
  const t = tenantDb(db);
  const out = new Map<string, LockScreenMode>();
  for (let i = 0; i < notes.length; i += CHUNK) {
    const chunk = notes.slice(i, i + CHUNK);
    const tenants = [...new Set(chunk.map((n) => n.tenantId))];
    const settings = await t.selectFrom('tenant_settings').select(['tenant_id', 'lock_screen']).where('tenant_id', 'in', tenants).execute();
    const generic = new Set(settings.filter((s) => lockScreenOf(s.lock_screen) === 'generic').map((s) => s.tenant_id));
    const marked = await t.selectFrom('notification_lock_screens').select(['tenant_id', 'notification_id']).where('notification_id', 'in', chunk.map((n) => n.id)).execute();
    const markedKeys = new Set(marked.map((m) => `${m.tenant_id}\0${m.notification_id}`));
    for (const n of chunk) out.set(n.id, generic.has(n.tenantId) || markedKeys.has(`${n.tenantId}\0${n.id}`) ? 'generic' : 'full');
  }
  return out;
}
