import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, type ServiceProcess } from '../helpers/process.js';
import { call, FAULT_SECRET, isAnswer, token, type Answer } from './helpers.js';

/**
 * The embedded service (SQLite) killed with SIGKILL in the middle of a send to 1,000 staff, then
 * started again on the same data directory. A send is one transaction, so every recipient has the
 * notification exactly once or nobody has it (and the sender, whose connection failed, was told
 * it failed); the same request again, with the same Idempotency-Key, then completes it exactly once.
 *
 * Where the kill lands is found, not guessed: the test holds its own connection to the service's
 * SQLite file and watches it while the request is in flight.
 * - "inside the send's transaction": the write lock is held (a `BEGIN IMMEDIATE` of ours is refused
 *   with SQLITE_BUSY) twice, at least 1 ms apart; a 1,000-recipient transaction holds it for
 *   milliseconds, the service's other writers (the push worker's claim) for microseconds;
 * - "after the commit, before the answer": the send's idempotency key is visible to a reader.
 * After the restart the test checks which it was (the key committed or not, the answer received
 * or not) and tries again (a new send, a new key) until the intended point was hit, at most 6 times.
 */

const RECIPIENTS = 1000;
const TENANT = 'h1';
const WARD = 'fault-ward';
const staff = Array.from({ length: RECIPIENTS }, (_, i) => `nurse-${String(i).padStart(4, '0')}`);

type Target = 'in-transaction' | 'after-commit';

interface Round {
  target: Target;
  key: string;
  title: string;
  /** What the killed request's client saw. */
  told: 'connection failed' | `answered ${number}`;
  /** Whether the send had committed when the process died (found after the restart). */
  committed: boolean;
  /** How long the request had been in flight when the kill was sent. */
  killedAfterMs: number;
  hit: boolean;
}

describe('SIGKILL in the middle of a 1,000-recipient send (embedded)', () => {
  let dataDir: string;
  let svc: ServiceProcess;
  let app: string;
  let probe: SQLite.Database;
  const rounds: Round[] = [];

  const start = () =>
    startProcess({
      WARDBELL_DATA_DIR: dataDir,
      WARDBELL_JWT_SECRET: FAULT_SECRET,
      // Nothing else of the service writes while a send is watched (a due job would).
      WARDBELL_SCHEDULER_POLL_MS: '60000',
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'wardbell-kill-'));
    svc = await start();
    app = await token({ tenantId: TENANT, userId: 'scheduling-app', roles: ['service'] });
    const put = await call(`${svc.url}/api/directory/members`, {
      method: 'PUT',
      token: app,
      body: { members: staff.map((userId) => ({ userId, roles: ['nurse'], wards: [WARD] })) },
    });
    expect(isAnswer(put) && put.status).toBe(200);
    probe = new SQLite(join(dataDir, 'wardbell.sqlite'));
    // Our lock attempts must never wait: a refusal is the observation.
    probe.pragma('busy_timeout = 0');
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
    probe?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (rounds.length) console.log(`kill points:\n${rounds.map((r) => `  ${r.target}: ${r.hit ? 'hit' : 'missed'} (${r.committed ? 'committed' : 'not committed'}, client ${r.told}, kill after ${r.killedAfterMs} ms)`).join('\n')}`);
  });

  /** True when a write transaction holds the database (our `BEGIN IMMEDIATE` is refused). */
  function writeLocked(): boolean {
    try {
      probe.exec('BEGIN IMMEDIATE');
      probe.exec('ROLLBACK');
      return false;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_BUSY') return true;
      throw err;
    }
  }

  const keyCommitted = (key: string) => Boolean(probe.prepare('select 1 from idempotency_keys where tenant_id = ? and key = ?').get(TENANT, key));

  /** Inbox rows per recipient for notifications titled `title`: user -> count. */
  function inboxCounts(title: string): Map<string, number> {
    const rows = probe
      .prepare('select i.user_id as u, count(*) as n from inbox i join notifications n on n.id = i.notification_id and n.tenant_id = i.tenant_id where n.tenant_id = ? and n.title = ? group by i.user_id')
      .all(TENANT, title) as Array<{ u: string; n: number }>;
    return new Map(rows.map((r) => [r.u, r.n]));
  }

  const notificationsTitled = (title: string) => (probe.prepare('select count(*) as n from notifications where tenant_id = ? and title = ?').get(TENANT, title) as { n: number }).n;

  /** Sends, watches for the target point, SIGKILLs, restarts; returns what happened. */
  async function killDuringSend(target: Target, attempt: number): Promise<Round> {
    const key = `kill-${target}-${attempt}-${Date.now()}`;
    const title = `Shift change ${key}`;
    const body = { title, body: 'Report to ward 3 at 07:00.', priority: 'low', to: { topic: `ward:${WARD}` } };
    const sentAt = Date.now();
    let settled = false;
    const sending = call(`${svc.url}/api/notifications`, { token: app, body, headers: { 'idempotency-key': key }, deadlineMs: 30_000 }).finally(() => (settled = true));

    // Watch the database until the target point, the answer, or a deadline; yield to the event
    // loop between looks so the request's bytes leave and its answer can arrive.
    let lockedSince = 0;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (settled || Date.now() > deadline) break;
      if (target === 'in-transaction') {
        if (writeLocked()) {
          const t = performance.now();
          if (lockedSince && t - lockedSince >= 1) break;
          if (!lockedSince) lockedSince = t;
        } else lockedSince = 0;
      } else if (keyCommitted(key)) break;
      await new Promise((r) => setImmediate(r));
    }
    const killedAfterMs = Date.now() - sentAt;
    await svc.kill();
    const answer = await sending;
    const told: Round['told'] = isAnswer(answer) ? `answered ${answer.status}` : 'connection failed';

    svc = await start();
    const committed = keyCommitted(key);
    const counts = inboxCounts(title);
    // One transaction: all 1,000 or none, never a part; never a second notification.
    if (committed) {
      expect(notificationsTitled(title)).toBe(1);
      expect(counts.size).toBe(RECIPIENTS);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    } else {
      expect(notificationsTitled(title)).toBe(0);
      expect(counts.size).toBe(0);
    }
    // A sender told it succeeded has it delivered; one not told anything had its connection fail.
    if (isAnswer(answer)) {
      expect(answer.status).toBe(201);
      expect(committed).toBe(true);
    }

    // The client retries the same request with the same key: it succeeds, and exactly once.
    const retry = await call(`${svc.url}/api/notifications`, { token: app, body, headers: { 'idempotency-key': key } });
    if (!isAnswer(retry)) throw retry.error;
    expect(retry.json.recipients).toBe(RECIPIENTS);
    if (!committed) {
      expect(retry.status, JSON.stringify(retry.json)).toBe(201);
      expect(retry.json.duplicate).toBe(false);
    } else if (retry.headers.get('idempotent-replayed') === 'true') {
      // Killed after the answer was stored, before it was written: the stored answer again.
      expect(retry.status, JSON.stringify(retry.json)).toBe(201);
    } else {
      // Killed before the answer was stored: the send's own key finds the first notification.
      expect(retry.status, JSON.stringify(retry.json)).toBe(200);
      expect(retry.json.duplicate).toBe(true);
    }
    // Once more: the first result again (a replay of the answer, or the send's own "duplicate"), nothing sent.
    const again = (await call(`${svc.url}/api/notifications`, { token: app, body, headers: { 'idempotency-key': key } })) as Answer;
    expect([200, 201]).toContain(again.status);
    expect(again.json.notification!.id).toBe(retry.json.notification!.id);
    const after = inboxCounts(title);
    expect(after.size).toBe(RECIPIENTS);
    expect(staff.every((u) => after.get(u) === 1)).toBe(true);
    expect(notificationsTitled(title)).toBe(1);

    const hit = target === 'in-transaction' ? !committed && !isAnswer(answer) && lockedSince > 0 : committed && !isAnswer(answer);
    const round = { target, key, title, told, committed, killedAfterMs, hit };
    rounds.push(round);
    return round;
  }

  async function untilHit(target: Target): Promise<Round[]> {
    const mine: Round[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const r = await killDuringSend(target, attempt);
      mine.push(r);
      if (r.hit) break;
    }
    return mine;
  }

  it('killed inside the send\'s transaction: nobody has it, the sender\'s connection failed, the retry delivers it once to all 1,000', async () => {
    const mine = await untilHit('in-transaction');
    expect(mine.map((r) => r.hit), JSON.stringify(mine)).toContain(true);
  }, 90_000);

  it('killed after the commit, before the answer: all 1,000 have it once, the sender\'s connection failed, the retry answers the first result', async () => {
    const mine = await untilHit('after-commit');
    expect(mine.map((r) => r.hit), JSON.stringify(mine)).toContain(true);
  }, 90_000);

  // Each round checked all 1,000 inbox rows in the database; here the API answers the same, for
  // every tenth recipient (each first request of a user also writes their directory entry, so all
  // 1,000 would cost seconds on a busy machine and show nothing more).
  it('the recipients read each notification exactly once in their inbox through the API, and their unread count agrees', async () => {
    expect(rounds.length).toBeGreaterThan(0);
    const titles = new Set(rounds.map((r) => r.title));
    const sample = staff.filter((_, i) => i % 10 === 0 || i === staff.length - 1);
    const problems: string[] = [];
    for (let i = 0; i < sample.length; i += 20) {
      await Promise.all(
        sample.slice(i, i + 20).map(async (userId) => {
          const t = await token({ tenantId: TENANT, userId, roles: ['nurse'], wards: [WARD] });
          const r = await call(`${svc.url}/api/notifications?limit=100`, { token: t });
          if (!isAnswer(r) || r.status !== 200) return problems.push(`${userId}: ${isAnswer(r) ? r.status : r.error.message}`);
          const items = r.json.items as Array<{ title: string }>;
          const mineOnly = items.filter((n) => titles.has(n.title));
          for (const title of titles) {
            const n = mineOnly.filter((x) => x.title === title).length;
            if (n !== 1) problems.push(`${userId}: "${title}" ${n} times`);
          }
          if (r.json.unreadCount !== items.length) problems.push(`${userId}: unreadCount ${r.json.unreadCount} for ${items.length} unread items`);
        }),
      );
    }
    expect(problems.slice(0, 10)).toEqual([]);
  }, 60_000);
});
