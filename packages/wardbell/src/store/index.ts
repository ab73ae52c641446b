export { openSqlite, openPostgres, openDatabase, migrateToLatest, type Db } from './db.js';
export type { Database, NotificationsTable } from './schema.js';
export type { MigrationSet } from './migrations.js';
export { isDatabaseUnavailable } from './unavailable.js';
