/**
 * The service under test for `npm run bench:notify`, in its own process. Besides HTTP it answers
 * one IPC command: `seed-inbox`, which writes N notifications into one user's inbox with bulk SQL
 * (sending 100,000 one by one through the API would take minutes and measure nothing of interest).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createWardbell } from '../../packages/wardbell/src/compose.js';
import { loadConfig } from '../../packages/wardbell/src/config/index.js';
import { openSqlite } from '../../packages/wardbell/src/store/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'wardbell-bench-notify-'));
const secret = process.env.BENCH_SECRET ?? 'bench-secret-0123456789abcdef0123456789';
const wardbell = await createWardbell(
  loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    WARDBELL_DATA_DIR: dataDir,
    WARDBELL_JWT_SECRET: secret,
    LOG_LEVEL: 'silent',
    WARDBELL_MAX_CONNECTIONS_PER_USER: '1000',
    WARDBELL_MAX_BODY_BYTES: String(4 * 1024 * 1024),
    // The load comes from one address at rates far past the request limits: measure delivery, not the limiter.
    WARDBELL_RATE_LIMITS: 'off',
  }),
  { logger: pino({ level: 'silent' }) },
);
const url = await wardbell.listen();

async function seedInbox(tenantId: string, userId: string, n: number): Promise<void> {
  // A second connection to the same WAL database file: bulk rows in large transactions.
  const db = openSqlite(join(dataDir, 'wardbell.sqlite'));
  const base = Date.now() - n * 1000;
  const batch = 2000;
  for (let i = 0; i < n; i += batch) {
    await db.transaction().execute(async (trx) => {
      const rows = [];
      for (let j = i; j < Math.min(n, i + batch); j++) rows.push({ id: randomUUID(), at: base + j * 1000, j });
      for (let k = 0; k < rows.length; k += 500) {
        const part = rows.slice(k, k + 500);
        await trx
          .insertInto('notifications')
          .values(part.map((r) => ({
            id: r.id, tenant_id: tenantId, type: r.j % 7 === 0 ? 'swap_requested' : 'general', priority: r.j % 5 === 0 ? 'high' : 'medium',
            title: `Seeded ${r.j}`, body: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit.', data: '{}', actions: '[]',
            audience: JSON.stringify({ kind: 'users', users: [userId] }), group_key: null, group_count: 1, sender_id: 'seed',
            recipient_count: 1, state: null, workflow_kind: null, workflow_id: null, created_at: r.at, updated_at: r.at,
          })))
          .execute();
        await trx
          .insertInto('inbox')
          .values(part.map((r) => ({
            tenant_id: tenantId, user_id: userId, notification_id: r.id, sort_at: r.at, type: r.j % 7 === 0 ? 'swap_requested' : 'general',
            priority: r.j % 5 === 0 ? 'high' : 'medium', read_at: r.j % 3 === 0 ? r.at : null, acted_action: null, acted_at: null,
          })))
          .execute();
      }
    });
  }
  const unread = n - Math.ceil(n / 3);
  await db
    .insertInto('inbox_counters')
    .values({ tenant_id: tenantId, user_id: userId, unread })
    .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet({ unread }))
    .execute();
  await db.destroy();
}

process.on('message', (m: { cmd: string; tenantId: string; userId: string; n: number }) => {
  if (m.cmd === 'seed-inbox') {
    seedInbox(m.tenantId, m.userId, m.n)
      .then(() => process.send?.({ done: 'seed-inbox' }))
      .catch((err: unknown) => process.send?.({ error: String(err) }));
  } else if (m.cmd === 'cpu') {
    const c = process.cpuUsage();
    process.send?.({ cpu: (c.user + c.system) / 1e6, rss: process.memoryUsage().rss });
  }
});
process.send?.({ ready: url });
process.on('disconnect', () => {
  void wardbell.close().then(() => process.exit(0));
});
