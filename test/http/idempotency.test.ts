/**
 * `Idempotency-Key` on every creating POST, through the real service: the same key and request
 * answer the first success again and write nothing; another request with the key is a 422; one in
 * flight a 409; a failure keeps nothing; keys are the tenant's; the answer survives a restart; a
 * key left in flight by a killed embedded process is free after the restart. Row counts come from
 * the service's SQLite file, so "nothing else" is every table, not one the test thought of.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDEMPOTENT_CREATES } from '../../packages/wardbell/src/http/index.js';
import { fingerprint, IN_FLIGHT_LEASE_MS, RequestRecords } from '../../packages/wardbell/src/idempotency/index.js';
import { openSqlite } from '../../packages/wardbell/src/store/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { postJson } from '../helpers/service.js';
import { closeAll, hospital, newDataDir, startAt, type Hospital } from '../workflows/helpers.js';
import type { TestService } from '../helpers/service.js';

const shift = { id: 'shift-1', startsAt: '2026-12-04T07:00:00+09:00' };
const later = (clock: FakeClock, s: number) => new Date(clock.now() + s * 1000).toISOString();

/** A valid body for each creating POST, and a second, different one. */
function bodies(clock: FakeClock): Record<string, [unknown, unknown]> {
  return {
    '/api/events': [
      { type: 'schedule.published', data: { n: 1 }, to: { users: ['n1'] } },
      { type: 'schedule.published', data: { n: 2 }, to: { users: ['n1'] } },
    ],
    '/api/notifications': [
      { title: 'Bring badges', to: { topic: 'ward:3' } },
      { title: 'Bring badges!', to: { topic: 'ward:3' } },
    ],
    '/api/notifications/scheduled': [
      { title: 'Later', to: { users: ['n1'] }, sendAt: later(clock, 3600) },
      { title: 'Later', to: { users: ['n2'] }, sendAt: later(clock, 3600) },
    ],
    '/api/reminders': [
      { shiftId: 's1', shiftStartsAt: later(clock, 7200), to: { users: ['n1'] } },
      { shiftId: 's2', shiftStartsAt: later(clock, 7200), to: { users: ['n1'] } },
    ],
    '/api/schedules/published': [
      { scheduleId: 'dec-2026', to: { topic: 'ward:3' } },
      { scheduleId: 'jan-2027', to: { topic: 'ward:3' } },
    ],
    '/api/schedules/updated': [
      { scheduleId: 'dec-2026', to: { users: ['n1'] }, changes: [{ shiftId: 's1', change: 'moved' }] },
      { scheduleId: 'dec-2026', to: { users: ['n2'] }, changes: [{ shiftId: 's1', change: 'moved' }] },
    ],
    '/api/swaps': [
      { requesterId: 'n1', targetId: 'n2', shift },
      { requesterId: 'n1', targetId: 'n3', shift },
    ],
    '/api/emergency-calls': [
      { to: { topic: 'ward:3' }, needed: 1, escalateTo: null },
      { to: { topic: 'ward:3' }, needed: 2, escalateTo: null },
    ],
  };
}

/** Row counts of every table a request can write (authentication's directory upkeep aside). */
function rowCounter(s: TestService): { counts(): Record<string, number>; close(): void } {
  const db = new Database(join(s.dataDir, 'wardbell.sqlite'), { readonly: true, fileMustExist: true });
  const skip = new Set(['directory_members', 'directory_topics', 'kysely_migration', 'kysely_migration_lock']);
  const tables = (db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>).map((t) => t.name).filter((t) => !skip.has(t));
  const statements = tables.map((t) => [t, db.prepare(`select count(*) as n from "${t}"`)] as const);
  return { counts: () => Object.fromEntries(statements.map(([t, st]) => [t, (st.get() as { n: number }).n])), close: () => db.close() };
}

let clock: FakeClock;
let dataDir: string;
let s: TestService;
let h: Hospital;
let rows: ReturnType<typeof rowCounter>;
let otherTenant: string;

beforeAll(async () => {
  clock = new FakeClock(Date.now());
  dataDir = newDataDir();
  s = await startAt(dataDir, { clock });
  h = await hospital(s);
  otherTenant = (await hospital(s, 'h2')).service;
  rows = rowCounter(s);
});
afterAll(async () => {
  rows?.close();
  await closeAll();
});

describe('Idempotency-Key on every creating POST', () => {
  it('is described on exactly the creating POSTs, with its 409 and 422', async () => {
    const doc = (await (await fetch(`${s.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }>; responses: Record<string, unknown> }>>;
    };
    const creating = Object.entries(doc.paths)
      .filter(([, ops]) => ops.post && Object.keys(ops.post.responses).some((code) => code === '201' || code === '202'))
      .map(([path]) => path);
    // Every POST that answers 201/202 is a create but these: a push registration (idempotent by
    // its endpoint), a test push to one's own devices, a stream ticket (a retry gets another) and
    // an API key (its secret is kept nowhere, so no answer can be given twice: a retry makes
    // another key, and the one whose answer was lost is revoked).
    expect(creating.filter((p) => !IDEMPOTENT_CREATES.has(p)).sort()).toEqual(['/api/admin/api-keys', '/api/push/subscribe', '/api/push/test', '/api/sse/ticket'].filter((p) => creating.includes(p)).sort());
    for (const path of IDEMPOTENT_CREATES) {
      const op = doc.paths[path]?.post;
      expect(op, path).toBeDefined();
      expect(op!.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key'), path).toBe(true);
      expect(Object.keys(op!.responses), path).toEqual(expect.arrayContaining(['409', '422']));
    }
  });

  for (const path of IDEMPOTENT_CREATES) {
    it(`${path}: a retry answers the first success and writes nothing; another body is a 422`, async () => {
      const [body, other] = bodies(clock)[path]!;
      const key = `retry-${path}`;
      const first = await postJson(h.url(path), body, h.service, { 'idempotency-key': key });
      expect(first.status, JSON.stringify(first.json)).toBeGreaterThanOrEqual(200);
      expect(first.status).toBeLessThan(300);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const after = rows.counts();

      // Keys in another order and other spacing are the same request.
      const shuffled = JSON.stringify(Object.fromEntries(Object.entries(body as Record<string, unknown>).reverse()), null, 2);
      const again = await postJson(h.url(path), shuffled, h.service, { 'idempotency-key': key });
      expect(again.status).toBe(first.status);
      expect(again.json).toEqual(first.json);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(rows.counts()).toEqual(after);

      const reused = await postJson(h.url(path), other, h.service, { 'idempotency-key': key });
      expect(reused.status).toBe(422);
      expect(reused.json).toMatchObject({ error: { code: 'idempotency_key_reused' } });
      expect(rows.counts()).toEqual(after);

      // The same key in another tenant is another tenant's key: it runs there.
      if (path !== '/api/swaps' && path !== '/api/emergency-calls' && path !== '/api/schedules/updated') {
        const there = await postJson(h.url(path), body, otherTenant, { 'idempotency-key': key });
        expect(there.status).toBe(first.status);
        expect(there.headers.get('idempotent-replayed')).toBeNull();
      }
    });
  }

  it('refuses the same key from another caller of the tenant (their request is another request)', async () => {
    const body = { title: 'Mine', to: { users: ['n1'] } };
    const admin = await s.token({ tenantId: h.tenantId, userId: 'ops-admin', roles: ['admin'] });
    expect((await postJson(h.url('/api/notifications'), body, h.service, { 'idempotency-key': 'per-caller' })).status).toBe(201);
    const r = await postJson(h.url('/api/notifications'), body, admin, { 'idempotency-key': 'per-caller' });
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ error: { code: 'idempotency_key_reused' } });
  });

  it('keeps nothing of a request that failed: the corrected retry with the same key runs', async () => {
    const key = 'failed-first';
    const bad = await postJson(h.url('/api/notifications'), { title: 'To nobody', to: { users: ['no-such-nurse'] } }, h.service, { 'idempotency-key': key });
    expect(bad.status).toBe(400);
    const fixed = await postJson(h.url('/api/notifications'), { title: 'To n1', to: { users: ['n1'] } }, h.service, { 'idempotency-key': key });
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
  });

  it('takes the body field as the key, and refuses a header that disagrees with it', async () => {
    const body = { title: 'Field key', to: { users: ['n1'] }, idempotencyKey: 'field-1' };
    const a = await postJson(h.url('/api/notifications'), body, h.service);
    const { idempotencyKey: _k, ...withoutField } = body;
    const b = await postJson(h.url('/api/notifications'), withoutField, h.service, { 'idempotency-key': 'field-1' });
    expect(a.status).toBe(201);
    expect(b).toMatchObject({ status: 201, json: a.json });
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    const clash = await postJson(h.url('/api/notifications'), body, h.service, { 'idempotency-key': 'field-2' });
    expect(clash.status).toBe(400);
    expect(clash.json).toMatchObject({ error: { code: 'validation_failed' } });
    for (const key of ['', 'x'.repeat(201), 'tab\there']) {
      const r = await fetch(h.url('/api/notifications'), { method: 'POST', headers: { authorization: `Bearer ${h.service}`, 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(withoutField) });
      expect(r.status, JSON.stringify(key)).toBe(400);
    }
  });

  it('answers 409 while the first request with the key is in flight, and lets a retry take over once its lease ends', async () => {
    const body = { title: 'In flight', to: { users: ['n1'] } };
    const key = 'in-flight-1';
    // A request of this caller holding the key, as a process would while it runs the send.
    const records = new RequestRecords(openSqlite(join(dataDir, 'wardbell.sqlite')), () => clock.now());
    expect(await records.begin(h.tenantId, key, fingerprint({ method: 'POST', path: '/api/notifications', caller: 'scheduler', body }))).toEqual({ kind: 'new' });
    const busy = await postJson(h.url('/api/notifications'), body, h.service, { 'idempotency-key': key });
    expect(busy.status).toBe(409);
    expect(busy.json).toMatchObject({ error: { code: 'idempotency_key_in_flight' } });
    clock.advance(IN_FLIGHT_LEASE_MS + 1);
    const retry = await postJson(h.url('/api/notifications'), body, h.service, { 'idempotency-key': key });
    expect(retry.status).toBe(201);
  });

  it('answers the first success again after a restart, and frees a key a killed process left in flight', async () => {
    const body = { to: { topic: 'ward:3' }, needed: 1, escalateTo: null, title: 'Restart' };
    const first = await postJson(h.url('/api/emergency-calls'), body, h.service, { 'idempotency-key': 'across-restart' });
    expect(first.status).toBe(201);
    // Left in flight, as by a process killed mid-request.
    const records = new RequestRecords(openSqlite(join(dataDir, 'wardbell.sqlite')), () => clock.now());
    const stuck = { title: 'Stuck', to: { users: ['n2'] } };
    expect((await records.begin(h.tenantId, 'stuck', fingerprint({ method: 'POST', path: '/api/notifications', caller: 'scheduler', body: stuck }))).kind).toBe('new');

    rows.close();
    await s.close();
    s = await startAt(dataDir, { clock });
    rows = rowCounter(s);
    const url = (p: string) => `${s.url}${p}`;
    const before = rows.counts();
    const again = await postJson(url('/api/emergency-calls'), body, h.service, { 'idempotency-key': 'across-restart' });
    expect(again).toMatchObject({ status: 201, json: first.json });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(rows.counts()).toEqual(before);
    const freed = await postJson(url('/api/notifications'), stuck, h.service, { 'idempotency-key': 'stuck' });
    expect(freed.status).toBe(201);
  });
});
