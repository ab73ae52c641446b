/**
 * SQLite's plans for the reads of a notification's recipients, as a young embedded database has
 * them (no ANALYZE statistics): each is served by an index on the notification, never by scanning
 * the tenant's whole inbox (`inbox_page (tenant_id=?)`), also for `notification_id in (...)`. The
 * statements are the ones the service's own code sends (captured from Kysely's log), explained by
 * SQLite itself.
 */
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateStore } from '../../packages/wardbell/src/compose.js';
import { ReceiptStore } from '../../packages/wardbell/src/receipts/index.js';
import type { Database } from '../../packages/wardbell/src/store/index.js';

let raw: SQLite.Database | null = null;
afterEach(() => {
  raw?.close();
  raw = null;
});

async function young() {
  raw = new SQLite(':memory:');
  const seen: CompiledQuery[] = [];
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }), log: (e) => void (e.level === 'query' && seen.push(e.query)) });
  await migrateStore(db);
  // A hospital's inbox: 3 notifications to 200 staff each.
  const rows: unknown[] = [];
  for (let n = 0; n < 3; n++) for (let u = 0; u < 200; u++) rows.push({ tenant_id: 'h1', user_id: `u${u}`, notification_id: `n${n}`, sort_at: n, type: 'general', priority: 'medium', read_at: u % 3 === 0 ? 1 : null, acted_action: u % 5 === 0 ? 'ok' : null, acted_at: u % 5 === 0 ? 1 : null });
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('inbox').values(rows.slice(i, i + 200) as never).execute();
  seen.length = 0;
  return { db, seen };
}

/** What SQLite does for each statement touching the inbox. */
function plansOf(seen: readonly CompiledQuery[]): Array<{ sql: string; plan: string }> {
  return seen
    .filter((q) => /\binbox\b/.test(q.sql) && !/^insert/i.test(q.sql))
    .map((q) => ({ sql: q.sql, plan: (raw!.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as Array<{ detail: string }>).map((r) => r.detail).join(' | ') }));
}

describe('SQLite plans for a notification\'s recipients, without statistics', () => {
  it('reads summaries, timeline entries and recipient pages through the notification, never the tenant\'s whole inbox', async () => {
    const { db, seen } = await young();
    const store = new ReceiptStore(db);
    const many = await store.summaries('h1', ['n0', 'n1', 'n2']);
    expect([...many.values()].map((s) => [s.recipients, s.read, s.acted, s.actions])).toEqual(Array(3).fill([200, 67, 40, { ok: 40 }]));
    expect((await store.summary('h1', 'n1')).recipients).toBe(200);
    expect((await store.entriesFor('h1', ['n0', 'n2'])).filter((e) => e.kind === 'seen')).toHaveLength(2 * 67);
    expect((await store.recipients('h1', 'n2', { limit: 50, after: 'u1' })).items).toHaveLength(50);
    const plans = plansOf(seen);
    expect(plans.length).toBeGreaterThanOrEqual(5);
    for (const p of plans) {
      expect(p.plan, p.sql).toMatch(/USING (COVERING )?INDEX (inbox_by_notification|sqlite_autoindex_inbox_1) \(tenant_id=\? AND notification_id=\?|USING (COVERING )?INDEX sqlite_autoindex_inbox_1 \(tenant_id=\? AND user_id/);
      expect(p.plan, p.sql).not.toMatch(/inbox_page \(tenant_id=\?\)|SCAN (i|inbox)\b/);
    }
  });
});
