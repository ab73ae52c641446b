/**
 * `GET/PUT /api/tenant/settings`: role admin (or an API key with scope admin) of the tenant only,
 * one row per tenant (another tenant's setting never shows or changes), idempotent PUT, bad bodies
 * refused with the error envelope. The store and the reads the push channel makes run on every
 * database the contract suites use (SQLite; PostgreSQL when DATABASE_URL is set).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrateStore } from '../../packages/wardbell/src/compose.js';
import { lockScreensOf, TenantSettingsStore } from '../../packages/wardbell/src/tenants/index.js';
import { contractDatabases } from '../contract/databases.js';
import { startService, type TestService } from '../helpers/service.js';

let svc: TestService;
const t: Record<string, string> = {};

async function call(method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${svc.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json };
}
const settings = (token: string | undefined) => call('GET', '/api/tenant/settings', token);
const put = (token: string | undefined, body: unknown, headers?: Record<string, string>) => call('PUT', '/api/tenant/settings', token, body, headers);

beforeAll(async () => {
  svc = await startService();
  for (const tenant of ['h1', 'h2']) {
    t[`${tenant}:admin`] = await svc.token({ tenantId: tenant, userId: 'boss', roles: ['admin'] });
    t[`${tenant}:service`] = await svc.token({ tenantId: tenant, userId: 'scheduler', roles: ['service'] });
    t[`${tenant}:manager`] = await svc.token({ tenantId: tenant, userId: 'choi', roles: ['manager'], wards: ['3'] });
    t[`${tenant}:nurse`] = await svc.token({ tenantId: tenant, userId: 'kim', roles: ['nurse'], wards: ['3'] });
  }
});
afterAll(() => svc.close());

describe('GET/PUT /api/tenant/settings', () => {
  it('answers the defaults for a tenant that set nothing', async () => {
    expect(await settings(t['h1:admin'])).toEqual({ status: 200, json: { lockScreen: 'full' } });
  });

  it('saves an admin\'s setting, idempotently', async () => {
    expect(await put(t['h1:admin'], { lockScreen: 'generic' })).toEqual({ status: 200, json: { lockScreen: 'generic' } });
    expect(await put(t['h1:admin'], { lockScreen: 'generic' })).toEqual({ status: 200, json: { lockScreen: 'generic' } });
    expect(await settings(t['h1:admin'])).toEqual({ status: 200, json: { lockScreen: 'generic' } });
  });

  it('keeps tenants apart: one tenant\'s setting neither shows nor changes in another', async () => {
    expect((await put(t['h1:admin'], { lockScreen: 'generic' })).status).toBe(200);
    expect((await settings(t['h2:admin'])).json).toEqual({ lockScreen: 'full' });
    expect((await put(t['h2:admin'], { lockScreen: 'full' })).status).toBe(200);
    expect((await settings(t['h1:admin'])).json).toEqual({ lockScreen: 'generic' });
    // A body naming another tenant is not a way in: it is refused.
    expect((await put(t['h2:admin'], { lockScreen: 'full', tenantId: 'h1' })).status).toBe(400);
    expect((await settings(t['h1:admin'])).json).toEqual({ lockScreen: 'generic' });
  });

  it('refuses everyone but an admin with 403 and the envelope, and changes nothing', async () => {
    for (const who of ['service', 'manager', 'nurse']) {
      for (const r of [await put(t[`h1:${who}`], { lockScreen: 'full' }), await settings(t[`h1:${who}`])]) {
        expect(r.status, who).toBe(403);
        expect(r.json.error).toMatchObject({ code: 'forbidden' });
        expect(typeof r.json.error.message).toBe('string');
      }
    }
    expect((await settings(t['h1:admin'])).json).toEqual({ lockScreen: 'generic' });
    const none = await put(undefined, { lockScreen: 'full' });
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('unauthenticated');
  });

  it('lets an API key with scope admin act for its tenant, and refuses one without', async () => {
    const made = await call('POST', '/api/admin/api-keys', t['h2:admin'], { name: 'settings', scopes: ['admin'] });
    expect(made.status).toBe(201);
    const sender = await call('POST', '/api/admin/api-keys', t['h2:admin'], { name: 'sender', scopes: ['send'] });
    expect((await put(made.json.key, { lockScreen: 'generic' })).json).toEqual({ lockScreen: 'generic' });
    expect((await settings(t['h2:admin'])).json).toEqual({ lockScreen: 'generic' });
    expect((await put(sender.json.key, { lockScreen: 'full' })).status).toBe(403);
    expect((await settings(t['h1:admin'])).json).toEqual({ lockScreen: 'generic' });
    expect((await put(t['h2:admin'], { lockScreen: 'full' })).status).toBe(200);
  });

  it.each([
    ['an unknown mode', { lockScreen: 'none' }, 'validation_failed'],
    ['no mode', {}, 'validation_failed'],
    ['a mode of the wrong type', { lockScreen: true }, 'validation_failed'],
    ['an unknown field', { lockScreen: 'full', colour: 'red' }, 'validation_failed'],
    ['an array', [{ lockScreen: 'full' }], 'validation_failed'],
    ['null', 'null', 'validation_failed'],
    ['broken JSON', '{"lockScreen":', 'invalid_json'],
  ])('refuses %s with 400 and the envelope, and changes nothing', async (_name, body, code) => {
    const r = await put(t['h1:admin'], body);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe(code);
    expect((await settings(t['h1:admin'])).json).toEqual({ lockScreen: 'generic' });
  });

  it('refuses a body that is not JSON with 415', async () => {
    const r = await call('PUT', '/api/tenant/settings', t['h1:admin'], 'lockScreen=full', { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    expect(r.json.error.code).toBe('unsupported_media_type');
  });
});

describe.each(Object.entries(contractDatabases()))('the tenant settings store on %s', (_name, open) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('keeps one row per tenant, and tells the push channel which notifications are generic', async () => {
    const d = await open();
    close = d.close;
    await migrateStore(d.db);
    let now = 1_000;
    const store = new TenantSettingsStore(d.db, () => now);
    expect(await store.get('h1')).toEqual({ lockScreen: 'full' });
    await store.put('h1', { lockScreen: 'generic' }, 'boss');
    now = 2_000;
    await store.put('h1', { lockScreen: 'generic' }, 'boss');
    expect(await store.get('h1')).toEqual({ lockScreen: 'generic' });
    expect(await store.get('h2')).toEqual({ lockScreen: 'full' });
    // A send's own mark, written in its transaction; once only, whatever the repeats.
    await d.db.transaction().execute(async (trx) => {
      await store.markGeneric(trx, 'h2', 'n-h2-marked');
      await store.markGeneric(trx, 'h2', 'n-h2-marked');
    });
    const notes = [
      { id: 'n-h1', tenantId: 'h1' },
      { id: 'n-h2', tenantId: 'h2' },
      { id: 'n-h2-marked', tenantId: 'h2' },
      // The same id claimed by another tenant does not inherit the mark.
      { id: 'n-h2-marked', tenantId: 'h3' },
    ];
    const modes = await lockScreensOf(d.db, notes.slice(0, 3));
    expect(Object.fromEntries(modes)).toEqual({ 'n-h1': 'generic', 'n-h2': 'full', 'n-h2-marked': 'generic' });
    expect((await lockScreensOf(d.db, [notes[3]!])).get('n-h2-marked')).toBe('full');
    await store.put('h1', { lockScreen: 'full' }, 'boss');
    expect((await lockScreensOf(d.db, [notes[0]!])).get('n-h1')).toBe('full');
    expect(await lockScreensOf(d.db, [])).toEqual(new Map());
  });
});
