/**
 * `receipts.updated` for the callers of emergency calls, on their real streams: a charge nurse
 * (a user token with role admin, in the directory), an admin the directory learnt from their own
 * request, an admin with no directory row, and a service (role:service only, once). The receipts'
 * recipient pages (cursor) over more recipients than a page. With DATABASE_URL and REDIS_URL: two
 * service stacks on one PostgreSQL and one Redis, sharing a FakeClock, publish at most one
 * `receipts.updated` a second per notification between them, and the last change goes out.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import { createTestDatabase, REDIS_URL, scaleOut, testPrefix } from '../helpers/scale.js';
import { startService, type TestService } from '../helpers/service.js';
import { SseReader } from '../helpers/sse-reader.js';
import { barrier, hospital, postJson, send, VAPID, type Hospital } from '../workflows/helpers.js';

interface Update {
  notificationId: string;
  summary: Record<string, any>;
  at: string;
}

const readers: SseReader[] = [];
const services: TestService[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  for (const s of services.splice(0).reverse()) await s.close();
});

async function open(s: TestService, token: string): Promise<SseReader> {
  const r = await SseReader.open(`${s.url}/api/sse`, { authorization: `Bearer ${token}` });
  readers.push(r);
  await r.until((x) => x.lastEventId !== '');
  return r;
}

const updatesOf = (r: SseReader, id: string): Update[] => r.of('receipts.updated').map((e) => JSON.parse(e.data) as Update).filter((u) => u.notificationId === id);

async function callBy(h: Hospital, token: string, body: Record<string, unknown> = {}) {
  const r = await postJson(h.url('/api/emergency-calls'), { to: { users: ['n1', 'n2'] }, title: 'ICU needs help', message: '', needed: 2, escalateTo: null, ...body }, token);
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json as { call: Record<string, any>; notificationId: string };
}

const display = async (h: Hospital, userId: string, ids: string[], base = h.url('')) =>
  expect((await postJson(`${base}/api/notifications/receipts`, { receipts: ids.map((id) => ({ id, kind: 'displayed' })) }, h.tok(userId))).json).toEqual({ recorded: ids.length, unknown: [] });

async function single() {
  const clock = new FakeClock(Date.now());
  const s = await startService({ ...VAPID }, { clock });
  services.push(s);
  return { clock, s, h: await hospital(s) };
}

describe('receipts.updated to the caller of an emergency call', () => {
  it('reaches a charge nurse who called (a user token, role admin, in the directory) on their own stream, once per change', async () => {
    const { clock, s, h } = await single();
    const put = await fetch(h.url('/api/directory/members'), { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.service}` }, body: JSON.stringify({ members: [{ userId: 'cn1', roles: ['charge_nurse', 'admin'], wards: ['3'] }] }) });
    expect(put.status).toBe(200);
    const cn = await s.token({ tenantId: h.tenantId, userId: 'cn1', roles: ['charge_nurse', 'admin'], wards: ['3'] });
    const mine = await open(s, cn);
    const nurse = await h.stream('n1');
    const c = await callBy(h, cn);
    await display(h, 'n1', [c.notificationId]);
    await clock.advanceAsync(200);
    await mine.until((x) => updatesOf(x, c.notificationId).length === 1);
    expect(updatesOf(mine, c.notificationId)[0]!.summary).toMatchObject({ recipients: 2, displayed: 1, seen: 1 });
    // Once (not also as role:service, which a charge nurse does not hear); a recipient hears none.
    await barrier(h, mine, 'cn1');
    expect(updatesOf(mine, c.notificationId)).toHaveLength(1);
    await barrier(h, nurse, 'n1');
    expect(nurse.of('receipts.updated')).toEqual([]);
    // The next change, a second on: again.
    await clock.advanceAsync(1000);
    expect((await h.press('n2', c.notificationId, 'accept')).status).toBe(200);
    await clock.advanceAsync(200);
    await mine.until((x) => updatesOf(x, c.notificationId).length === 2);
    expect(updatesOf(mine, c.notificationId)[1]!.summary).toMatchObject({ acted: 1, actions: { accept: 1 } });
  });

  it('reaches an admin who called: their own request put them in the directory', async () => {
    const { clock, s, h } = await single();
    const boss = await s.token({ tenantId: h.tenantId, userId: 'boss', roles: ['admin'] });
    const mine = await open(s, boss);
    const c = await callBy(h, boss);
    const members = (await send('GET', h.url('/api/directory/members?limit=100'), h.service)).json.members as Array<{ userId: string; roles: string[] }>;
    expect(members.find((m) => m.userId === 'boss')).toMatchObject({ roles: ['admin'] });
    await display(h, 'n1', [c.notificationId]);
    await clock.advanceAsync(200);
    await mine.until((x) => updatesOf(x, c.notificationId).length === 1);
  });

  it('reaches an admin who called and has no directory row (as a process whose directory cache is stale leaves it)', async () => {
    const { clock, s, h } = await single();
    const boss = await s.token({ tenantId: h.tenantId, userId: 'boss', roles: ['admin'] });
    const mine = await open(s, boss);
    const c = await callBy(h, boss);
    // The row goes, out of band; this process remembers boss and does not write it again.
    const db = new Database(join(s.dataDir, 'wardbell.sqlite'));
    try {
      db.prepare("delete from directory_topics where tenant_id = 'h1' and user_id = 'boss'").run();
      expect(db.prepare("delete from directory_members where tenant_id = 'h1' and user_id = 'boss'").run().changes).toBe(1);
    } finally {
      db.close();
    }
    expect((await send('GET', h.url('/api/emergency-calls'), boss)).status).toBe(200);
    const members = (await send('GET', h.url('/api/directory/members?limit=100'), h.service)).json.members as Array<{ userId: string }>;
    expect(members.map((m) => m.userId)).not.toContain('boss');
    await display(h, 'n1', [c.notificationId]);
    await clock.advanceAsync(200);
    await mine.until((x) => updatesOf(x, c.notificationId).length === 1);
    await barrier(h, mine, 'boss');
    expect(updatesOf(mine, c.notificationId)).toHaveLength(1);
  });

  it('reaches a service that called once, on role:service (not a second time as the sender)', async () => {
    const { clock, h } = await single();
    const svc = await h.stream('service');
    const c = await callBy(h, h.service);
    await display(h, 'n1', [c.notificationId]);
    await clock.advanceAsync(200);
    await svc.until((x) => updatesOf(x, c.notificationId).length === 1);
    await barrier(h, svc, 'scheduler');
    expect(updatesOf(svc, c.notificationId)).toHaveLength(1);
  });
});

/** Staff ids that sort in awkward places (case, punctuation, an Auth0-style `|`). */
const ODD = ['auth0|x1', 'a.b@c', 'Zed', '_under', 'u-dash', 'U050'];
const many = (n: number) => [...Array.from({ length: n }, (_, i) => `u${String(i).padStart(3, '0')}`), ...ODD];

/** Every page of a notification's recipients, by cursor. */
async function allPages(base: string, token: string, id: string, limit: number) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const r = await send('GET', `${base}/api/notifications/${id}/receipts?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, token);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    pages.push((r.json.recipients as Array<{ userId: string }>).map((x) => x.userId));
    cursor = r.json.nextCursor as string | null;
    if (cursor === null) return { pages, summary: r.json.summary as Record<string, number> };
  }
  throw new Error('more than 50 pages');
}

async function expectEveryRecipientOnce(base: string, token: string, id: string, staff: string[]) {
  const { pages, summary } = await allPages(base, token, id, 50);
  const seen = pages.flat();
  expect(summary.recipients).toBe(staff.length);
  expect(seen).toHaveLength(staff.length);
  expect(new Set(seen).size).toBe(staff.length);
  expect([...seen].sort()).toEqual([...staff].sort());
  expect(pages.map((p) => p.length)).toEqual([...Array(Math.floor(staff.length / 50)).fill(50), staff.length % 50].filter((n) => n > 0));
  // One page of 500 is the same list in the same order.
  const whole = await allPages(base, token, id, 500);
  expect(whole.pages).toEqual([seen]);
}

describe('the receipts of a notification, page by page', () => {
  it('returns every recipient exactly once across cursor pages when there are more than one page holds', async () => {
    const { s, h } = await single();
    const staff = many(120);
    const put = await fetch(h.url('/api/directory/members'), { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.service}` }, body: JSON.stringify({ members: staff.map((userId) => ({ userId, roles: ['nurse'], wards: ['9'] })) }) });
    expect(put.status).toBe(200);
    const c = await callBy(h, h.service, { to: { topic: 'ward:9' } });
    await expectEveryRecipientOnce(s.url, h.service, c.notificationId, staff);
    // A cursor this service did not issue is refused.
    expect((await send('GET', h.url(`/api/notifications/${c.notificationId}/receipts?cursor=%%%`), h.service)).status).toBe(400);
  });
});

describe.skipIf(!scaleOut)('two service stacks on one PostgreSQL and one Redis', () => {
  let database: { url: string; drop(): Promise<void> };
  let env: Record<string, string>;
  let dataDirs: string[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    env = { ...VAPID, DATABASE_URL: database.url, REDIS_URL: REDIS_URL as string, WARDBELL_REDIS_PREFIX: testPrefix().replace(/:/g, '-') };
  }, 30_000);
  afterAll(async () => {
    await database?.drop();
    for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
    dataDirs = [];
  });

  async function two(clock: FakeClock) {
    const dirs = [mkdtempSync(join(tmpdir(), 'wardbell-rl-a-')), mkdtempSync(join(tmpdir(), 'wardbell-rl-b-'))];
    dataDirs.push(...dirs);
    const a = await startService(env, { clock, dataDir: dirs[0] });
    services.push(a);
    const b = await startService(env, { clock, dataDir: dirs[1] });
    services.push(b);
    return { a, b, h: await hospital(a, `h${Math.random().toString(36).slice(2, 8)}`) };
  }

  it('sends at most one receipts.updated a second per notification between them, and the last change', async () => {
    const clock = new FakeClock(Date.now());
    const { a, b, h } = await two(clock);
    const cn = await a.token({ tenantId: h.tenantId, userId: 'cn1', roles: ['charge_nurse', 'admin'], wards: [] });
    const svc = await open(a, h.service); // role:service, on a
    const caller = await open(b, cn); // the caller, on b
    const c = await postJson(`${a.url}/api/emergency-calls`, { to: { users: ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'] }, title: 'ICU', needed: 6, escalateTo: null }, cn);
    expect(c.status, JSON.stringify(c.json)).toBe(201);
    const id = c.json.notificationId as string;
    // Markers, one per stack: a notification to n5 and n6 whose own first update shows that
    // stack's round after the reports before it has run.
    const marker = async (title: string) => (await postJson(`${a.url}/api/notifications`, { title, to: { users: ['n5', 'n6'] } }, h.service)).json.notification.id as string;
    const [mA, mB] = [await marker('marker a'), await marker('marker b')];

    await display(h, 'n1', [id], a.url);
    await clock.advanceAsync(200);
    await svc.until((x) => updatesOf(x, id).length === 1);
    // Within that second: one report at b, one at a, one at b, each followed by a round of both.
    await display(h, 'n2', [id], b.url);
    await clock.advanceAsync(200);
    await display(h, 'n3', [id], a.url);
    await clock.advanceAsync(200);
    await display(h, 'n4', [id], b.url);
    await display(h, 'n5', [mA], a.url);
    await display(h, 'n6', [mB], b.url);
    await clock.advanceAsync(200);
    await svc.until((x) => updatesOf(x, mA).length === 1 && updatesOf(x, mB).length === 1);
    // n4's report was in b's round before mB's: still one update of the call.
    expect(updatesOf(svc, id)).toHaveLength(1);
    // The second passes: one of them sends the last change, once.
    await clock.advanceAsync(600);
    await svc.until((x) => updatesOf(x, id).some((u) => u.summary.displayed === 4));
    await clock.advanceAsync(3000);
    for (const s of [a, b]) expect((await send('GET', `${s.url}/api/notifications/${id}/receipts`, h.service)).json.summary.displayed).toBe(4);
    await barrier(h, svc, 'scheduler');
    await barrier(h, caller, 'cn1');
    for (const [who, r] of [['role:service', svc], ['the caller', caller]] as const) {
      const got = updatesOf(r, id);
      const times = got.map((u) => Date.parse(u.at));
      expect(got.length, who).toBeGreaterThanOrEqual(2);
      expect(got.length, who).toBeLessThanOrEqual(3); // the loser of the last claim may send it once more, a second later
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `${who}: ${JSON.stringify(got)}`).toBeGreaterThanOrEqual(1000);
      expect(got[0]!.summary.displayed, who).toBe(1);
      expect(got.at(-1)!.summary.displayed, who).toBe(4);
    }
    // Both heard the same publications (the caller as the sender, the service as role:service).
    expect(updatesOf(caller, id).map((u) => u.at)).toEqual(updatesOf(svc, id).map((u) => u.at));
  }, 30_000);

  it('pages the recipients exactly once each on PostgreSQL too', async () => {
    const clock = new FakeClock(Date.now());
    const { a, b, h } = await two(clock);
    const staff = many(120);
    const put = await fetch(`${a.url}/api/directory/members`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.service}` }, body: JSON.stringify({ members: staff.map((userId) => ({ userId, roles: ['nurse'], wards: ['9'] })) }) });
    expect(put.status).toBe(200);
    const c = await callBy(h, h.service, { to: { topic: 'ward:9' } });
    await expectEveryRecipientOnce(b.url, h.service, c.notificationId, staff);
  }, 30_000);
});
