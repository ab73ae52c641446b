import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/wardbell/src/cli/index.js';
import { postJson, startService, TEST_SECRET, type TestService } from '../helpers/service.js';

/** `wardbell api-key create ...` against the service's data directory; the key. */
async function cliKey(svc: TestService, ...args: string[]): Promise<{ id: string; key: string }> {
  let out = '';
  const code = await runCli(['api-key', 'create', ...args, '--json'], { NODE_ENV: 'test', WARDBELL_DATA_DIR: svc.dataDir, WARDBELL_JWT_SECRET: TEST_SECRET }, { out: (t) => (out += t), err: () => undefined });
  expect(code).toBe(0);
  return JSON.parse(out) as { id: string; key: string };
}

const call = async (url: string, method: string, key: string | null, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(url, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Record<string, any> };
};

const event = { type: 'schedule.updated', data: { v: 1 }, to: { tenant: true } };

describe('API keys for server calls', () => {
  let svc: TestService;
  let admin: string;
  beforeAll(async () => {
    svc = await startService();
    admin = await svc.token({ tenantId: 'h1', userId: 'boss', roles: ['admin'] });
  });
  afterAll(() => svc.close());

  it('a tenant admin creates a key (shown once), which then publishes as role service of that tenant', async () => {
    const made = await postJson(`${svc.url}/api/admin/api-keys`, { name: 'scheduler', scopes: ['publish', 'send'] }, admin);
    expect(made.status).toBe(201);
    expect(made.json.key).toMatch(/^wbk_[a-z2-7]{16}_/);
    expect(made.json.apiKey).toMatchObject({ tenantId: 'h1', name: 'scheduler', scopes: ['publish', 'send'], lastUsedAt: null, revokedAt: null });
    const published = await postJson(`${svc.url}/api/events`, event, made.json.key);
    expect(published.status).toBe(202);
    const list = await call(`${svc.url}/api/admin/api-keys`, 'GET', admin);
    const listed = list.json.apiKeys.find((k: { id: string }) => k.id === made.json.apiKey.id);
    expect(listed).toBeDefined();
    expect(JSON.stringify(list.json)).not.toContain(made.json.key);
    expect(listed.lastUsedAt).not.toBeNull();
  });

  it('refuses a key outside its scopes, and on routes that are a user\'s', async () => {
    const made = await postJson(`${svc.url}/api/admin/api-keys`, { scopes: ['send'] }, admin);
    const key = made.json.key as string;
    const refused = await postJson(`${svc.url}/api/events`, event, key);
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({ code: 'forbidden', details: { scope: 'publish', scopes: ['send'] } });
    expect((await call(`${svc.url}/api/admin/api-keys`, 'GET', key)).status).toBe(403);
    expect((await call(`${svc.url}/api/directory/members`, 'GET', key)).status).toBe(403);
    // A stream, a ticket and a push subscription are a user's.
    expect((await call(`${svc.url}/api/sse`, 'GET', key)).status).toBe(403);
    expect((await postJson(`${svc.url}/api/sse/ticket`, {}, key)).status).toBe(403);
    expect((await postJson(`${svc.url}/api/push/subscribe`, { endpoint: 'https://push.example/x', keys: { p256dh: 'x', auth: 'y' } }, key)).status).toBe(403);
    // Sending is in scope.
    const sent = await postJson(`${svc.url}/api/notifications`, { title: 'Bring badges', to: { topic: 'ward:3' } }, key);
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
  });

  it('keeps a tenant key to its tenant: naming another is refused, and it never sees the other\'s keys', async () => {
    const own = await cliKey(svc, '--tenant', 'h1', '--scope', 'publish', '--scope', 'admin');
    const other = await cliKey(svc, '--tenant', 'h2', '--scope', 'admin');
    const crossed = await postJson(`${svc.url}/api/events`, event, own.key, { 'x-wardbell-tenant': 'h2' });
    expect(crossed.status).toBe(403);
    expect((await postJson(`${svc.url}/api/events`, event, own.key, { 'x-wardbell-tenant': 'h1' })).status).toBe(202);
    const listed = await call(`${svc.url}/api/admin/api-keys`, 'GET', own.key);
    expect(listed.json.apiKeys.every((k: { tenantId: string }) => k.tenantId === 'h1')).toBe(true);
    expect(listed.json.apiKeys.some((k: { id: string }) => k.id === other.id)).toBe(false);
    // Revoking another tenant's key is an unknown id, and the key keeps working.
    expect((await call(`${svc.url}/api/admin/api-keys/${other.id}`, 'DELETE', own.key)).status).toBe(404);
    expect((await call(`${svc.url}/api/admin/api-keys`, 'GET', other.key)).status).toBe(200);
  });

  it('lets a platform key act for the tenant each request names, and only with a name', async () => {
    const platform = await cliKey(svc, '--platform', '--scope', 'publish');
    expect((await postJson(`${svc.url}/api/events`, event, platform.key, { 'x-wardbell-tenant': 'h7' })).status).toBe(202);
    const unnamed = await postJson(`${svc.url}/api/events`, event, platform.key);
    expect(unnamed.status).toBe(400);
    expect(unnamed.json.error.message).toContain('X-Wardbell-Tenant');
    expect((await postJson(`${svc.url}/api/events`, event, platform.key, { 'x-wardbell-tenant': 'h 7' })).status).toBe(400);
    // The platform's keys are not a tenant's to list.
    const list = await call(`${svc.url}/api/admin/api-keys`, 'GET', admin);
    expect(list.json.apiKeys.some((k: { id: string }) => k.id === platform.id)).toBe(false);
  });

  it('refuses forged, malformed and revoked keys with 401, and a revoked key at once', async () => {
    const made = await postJson(`${svc.url}/api/admin/api-keys`, { scopes: ['publish'] }, admin);
    const key = made.json.key as string;
    const forged = `${key.slice(0, 21)}${'B'.repeat(43)}`;
    for (const bad of [forged, 'wbk_nonsense', `${key}x`]) {
      const r = await postJson(`${svc.url}/api/events`, event, bad);
      expect(r.status, bad).toBe(401);
      expect(r.json.error.code).toBe('invalid_token');
    }
    const revoked = await call(`${svc.url}/api/admin/api-keys/${made.json.apiKey.id}`, 'DELETE', admin);
    expect(revoked.status).toBe(200);
    expect(revoked.json.apiKey.revokedAt).not.toBeNull();
    expect((await postJson(`${svc.url}/api/events`, event, key)).status).toBe(401);
    expect((await call(`${svc.url}/api/admin/api-keys/aaaaaaaaaaaaaaaa`, 'DELETE', admin)).status).toBe(404);
    expect((await call(`${svc.url}/api/admin/api-keys/NOT-AN-ID`, 'DELETE', admin)).status).toBe(400);
  });

  it('keeps key management to admins, and validates what they send', async () => {
    const nurse = await svc.token({ tenantId: 'h1', userId: 'kim', roles: ['nurse'] });
    const service = await svc.token({ tenantId: 'h1', userId: 'app', roles: ['service'] });
    for (const who of [nurse, service]) expect((await postJson(`${svc.url}/api/admin/api-keys`, { scopes: ['publish'] }, who)).status).toBe(403);
    for (const body of [{ scopes: [] }, { scopes: ['root'] }, { scopes: ['send'], extra: 1 }, { scopes: 'send' }, {}]) {
      const r = await postJson(`${svc.url}/api/admin/api-keys`, body, admin);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('validation_failed');
    }
    // User tokens work as before beside keys.
    expect((await postJson(`${svc.url}/api/events`, event, service)).status).toBe(202);
  });
});
