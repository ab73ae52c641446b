export { openSqlite, migrateToLatest, type Db } from './db.js';
export type { Database } from './schema.js';
