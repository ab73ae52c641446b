export { LOCK_SCREEN_MODES, type LockScreenMode } from './mode.js';
export { TenantSettingsSchema, TenantSettingsStore, DEFAULT_TENANT_SETTINGS, type TenantSettings } from './settings.js';
export { markGenericLockScreen, lockScreensOf } from './lock-screen.js';
export { tenantMigrations } from './migrations.js';
export type { TenantTables } from './tables.js';
