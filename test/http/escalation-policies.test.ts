/**
 * Named escalation policies through the real service: a tenant's own (PUT is an upsert, safe to
 * retry), invisible and unusable to another tenant, copied into a call when it is made, and bad
 * input refused with the error envelope, writing nothing.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import { postJson, type TestService } from '../helpers/service.js';
import { closeAll, hospital, start, type Hospital } from '../workflows/helpers.js';

let clock: FakeClock;
let s: TestService;
let h: Hospital;
let other: Hospital;
let sqlite: Database.Database;

beforeAll(async () => {
  clock = new FakeClock();
  s = await start({ clock });
  h = await hospital(s);
  other = await hospital(s, 'h2');
  sqlite = new Database(join(s.dataDir, 'wardbell.sqlite'), { readonly: true, fileMustExist: true });
});
afterAll(async () => {
  sqlite?.close();
  await closeAll();
});

const url = (name = '') => h.url(`/api/escalation-policies${name ? `/${name}` : ''}`);

async function req(method: string, path: string, token: string, body?: unknown, raw?: string) {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

const policyRows = () => (sqlite.prepare('select count(*) as n from escalation_policies').get() as { n: number }).n;
const callRows = () => (sqlite.prepare('select count(*) as n from emergency_calls').get() as { n: number }).n;

const night = { steps: [{ afterSeconds: 60, to: { ward: '5' } }, { afterSeconds: 120, to: { role: 'nurse' } }], repeatEverySeconds: 30, maxRepeats: 2 };

describe('named escalation policies', () => {
  it('creates with 201, answers a retry of the same body with 200 and no change, replaces with another', async () => {
    const first = await req('PUT', url('night-shift'), h.service, night);
    expect(first.status).toBe(201);
    expect(first.json.policy).toMatchObject({ name: 'night-shift', ...night, loops: 0, createdBy: 'scheduler', updatedBy: 'scheduler' });
    clock.advance(5000);
    const retry = await req('PUT', url('night-shift'), h.service, night);
    expect(retry.status).toBe(200);
    expect(retry.json.policy).toEqual(first.json.policy);
    // Two retries at once: still one policy.
    const both = await Promise.all([req('PUT', url('night-shift'), h.service, night), req('PUT', url('night-shift'), h.service, night)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    const admin = await s.token({ tenantId: 'h1', userId: 'head-nurse', roles: ['admin'] });
    const replaced = await req('PUT', url('night-shift'), admin, { ...night, loops: 1 });
    expect(replaced.status).toBe(200);
    expect(replaced.json.policy).toMatchObject({ loops: 1, createdBy: 'scheduler', updatedBy: 'head-nurse', createdAt: first.json.policy.createdAt });
    expect(replaced.json.policy.updatedAt).not.toBe(first.json.policy.updatedAt);
    await req('PUT', url('night-shift'), h.service, night);
  });

  it('reads one, lists them by name, deletes one (then 404)', async () => {
    await req('PUT', url('day'), h.service, { steps: [{ afterSeconds: 600, to: 'ward:5' }] });
    expect((await req('GET', url('night-shift'), h.service)).json.policy).toMatchObject({ name: 'night-shift', steps: night.steps });
    expect((await req('GET', url(), h.service)).json.policies.map((p: { name: string }) => p.name)).toEqual(['day', 'night-shift']);
    const gone = await req('DELETE', url('day'), h.service);
    expect(gone.status).toBe(200);
    expect(gone.json.policy.name).toBe('day');
    for (const method of ['GET', 'DELETE']) {
      const r = await req(method, url('day'), h.service);
      expect(r.status).toBe(404);
      expect(r.json.error).toMatchObject({ code: 'not_found', message: expect.stringContaining('"day"') });
    }
  });

  it('is the tenant\'s own: another tenant can neither read, list, delete nor call with it', async () => {
    expect((await req('GET', url('night-shift'), other.service)).status).toBe(404);
    expect((await req('DELETE', url('night-shift'), other.service)).status).toBe(404);
    expect((await req('GET', url(), other.service)).json.policies).toEqual([]);
    const before = callRows();
    const r = await postJson(other.url('/api/emergency-calls'), { to: { topic: 'ward:3' }, needed: 1, policy: 'night-shift' }, other.service);
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({ code: 'not_found', details: { policy: 'night-shift' } });
    expect(callRows()).toBe(before);
    // Its own policy of the same name is another one.
    expect((await req('PUT', url('night-shift'), other.service, { steps: [] })).status).toBe(201);
    expect((await req('GET', url('night-shift'), h.service)).json.policy.steps).toEqual(night.steps);
  });

  it('is for role service or admin only', async () => {
    for (const who of ['n1', 'mgr3']) {
      const r = await req('PUT', url('mine'), h.tok(who), night);
      expect(r.status).toBe(403);
      expect((await req('GET', url(), h.tok(who))).status).toBe(403);
    }
  });

  it('is copied into a call when it is made: later changes do not touch the call', async () => {
    const c = await postJson(h.url('/api/emergency-calls'), { to: { users: ['n1'] }, needed: 1, title: 'ICU', policy: 'night-shift' }, h.service);
    expect(c.status).toBe(201);
    expect(c.json.call.policy).toMatchObject({ name: 'night-shift', steps: [{ afterSeconds: 60, to: { topic: 'ward:5' } }, { afterSeconds: 120, to: { topic: 'role:nurse' } }], repeatEverySeconds: 30, maxRepeats: 2 });
    const byName = await postJson(h.url('/api/emergency-calls'), { to: { users: ['n2'] }, needed: 1, policyName: 'night-shift', maxRepeats: 1 }, h.service);
    expect(byName.json.call.policy).toMatchObject({ name: 'night-shift', maxRepeats: 1 });
    expect((await req('PUT', url('night-shift'), h.service, { steps: [{ afterSeconds: 60, to: { users: ['n9'] } }] })).status).toBe(200);
    await clock.advanceAsync(60_000);
    const inbox = async (u: string) => (await h.inbox(u)).filter((i) => i.type === 'emergency_call').length;
    expect(await inbox('w5a')).toBe(2); // both calls' first step: ward 5, as when they were made
    expect(await inbox('n9')).toBe(0);
    expect((await req('DELETE', url('night-shift'), h.service)).status).toBe(200);
    const r = await fetch(h.url(`/api/emergency-calls/${c.json.call.id}`), { headers: { authorization: `Bearer ${h.service}` } });
    expect(((await r.json()) as { call: { policy: { name: string } } }).call.policy.name).toBe('night-shift');
    const unknown = await postJson(h.url('/api/emergency-calls'), { to: { users: ['n2'] }, needed: 1, policy: 'night-shift' }, h.service);
    expect(unknown.status).toBe(404);
  });

  const deep = (n: number): unknown => (n === 0 ? ['n1'] : { users: deep(n - 1) });
  const cases: Array<[string, string, unknown, string | undefined, string]> = [
    ['negative seconds', 'p1', { steps: [{ afterSeconds: -1, to: { ward: '5' } }] }, undefined, 'validation_failed'],
    ['too many steps', 'p1', { steps: Array.from({ length: 11 }, () => ({ afterSeconds: 60, to: { ward: '5' } })) }, undefined, 'validation_failed'],
    ['an unknown field', 'p1', { steps: [], tenantId: 'h2' }, undefined, 'validation_failed'],
    ['an unknown field in a step', 'p1', { steps: [{ afterSeconds: 60, to: { ward: '5' }, policy: 'x' }] }, undefined, 'validation_failed'],
    ['a nested audience', 'p1', { steps: [{ afterSeconds: 60, to: deep(6) }] }, undefined, 'validation_failed'],
    ['absurd nesting', 'p1', undefined, `{"steps":[{"afterSeconds":60,"to":${'{"users":'.repeat(40)}["n1"]${'}'.repeat(40)}}]}`, 'validation_failed'],
    ['repeats too often', 'p1', { steps: [], repeatEverySeconds: 5 }, undefined, 'validation_failed'],
    ['a name in capitals', 'Night', { steps: [] }, undefined, 'validation_failed'],
    ['a name too long', 'x'.repeat(65), { steps: [] }, undefined, 'validation_failed'],
    ['staff missing from the directory', 'p1', { steps: [{ afterSeconds: 60, to: { users: ['ghost'] } }] }, undefined, 'unknown_recipients'],
    ['not JSON', 'p1', undefined, '{"steps":', 'invalid_json'],
    ['no body', 'p1', undefined, '', 'invalid_json'],
  ];
  it.each(cases)('refuses %s with 400 and the envelope, writing nothing', async (_name, name, body, raw, code) => {
    const before = policyRows();
    const r = await req('PUT', url(name), h.service, body, raw);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code, message: expect.any(String) });
    expect(policyRows()).toBe(before);
  });

  it('keeps at most 100 policies per tenant', async () => {
    const have = (await req('GET', url(), h.service)).json.policies.length as number;
    for (let i = have; i < 100; i++) expect((await req('PUT', url(`p-${i}`), h.service, { steps: [] })).status).toBe(201);
    const over = await req('PUT', url('one-too-many'), h.service, { steps: [] });
    expect(over.status).toBe(409);
    expect(over.json.error.code).toBe('conflict');
    // Replacing one is still fine.
    expect((await req('PUT', url('p-99'), h.service, { steps: [], loops: 0, repeatEverySeconds: 60 })).status).toBe(200);
  });
});
