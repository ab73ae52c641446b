export { canonicalJson, fingerprint, type RequestShape } from './fingerprint.js';
export { idempotencyMigrations } from './migrations.js';
export { IDEMPOTENCY_WINDOW_MS, IN_FLIGHT_LEASE_MS, RequestRecords, type Begin, type StoredAnswer } from './store.js';
