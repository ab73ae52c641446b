import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Keeps prepared SQLite statements by their SQL text. Kysely's SQLite driver prepares every query
 * afresh, which costs more than running a small indexed query (about 70 us of an inbox page's 0.3 ms).
 * Queries are built from fixed shapes, so a few hundred texts cover them; the least recently used
 * one is dropped beyond `max`. Safe because the driver runs one query at a time per connection and
 * nothing here streams (`iterate`), and SQLite re-prepares a cached statement itself after a schema
 * change.
 */
export function withStatementCache(db: SqliteDatabase & { prepare(sql: string): SqliteStatement }, max = 500): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    prepare(sql) {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql); // re-insert: Map order is recency order
      } else {
        stmt = db.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sql, stmt);
      return stmt;
    },
    close() {
      cache.clear();
      db.close();
    },
  };
}
