import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type TestService } from '../helpers/service.js';
import { FakePushService } from './helpers/fake-push-service.js';
import { api, fakePushEnv, peekDb, startPushService, type Api } from './helpers/push-service.js';

let fake: FakePushService;
let svc: TestService;
let a: Api;
const t: Record<string, string> = {};

beforeAll(async () => {
  fake = await FakePushService.start();
  svc = await startPushService(fake);
  a = api(svc.url);
  t.kim = await svc.token({ tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] });
  t.lee = await svc.token({ tenantId: 'h1', userId: 'lee', roles: ['nurse'], wards: ['3'] });
  t.admin = await svc.token({ tenantId: 'h1', userId: 'boss', roles: ['admin'] });
  t.h2admin = await svc.token({ tenantId: 'h2', userId: 'boss2', roles: ['admin'] });
  t.h2kim = await svc.token({ tenantId: 'h2', userId: 'kim', roles: ['nurse'], wards: ['3'] });
});
afterAll(async () => {
  await svc.close();
  await fake.close();
});

describe('VAPID key and service worker', () => {
  it('serves the VAPID public key without a token, the one kept under the data directory', async () => {
    const r = await a.call('GET', '/api/push/vapid-public-key', undefined);
    expect(r.status).toBe(200);
    const kept = JSON.parse(readFileSync(join(svc.dataDir, 'vapid-keys.json'), 'utf8'));
    expect(r.json).toEqual({ publicKey: kept.publicKey });
    expect(Buffer.from(r.json.publicKey, 'base64url')).toHaveLength(65);
  });

  it('keeps the generated keys across a restart on the same data directory', async () => {
    const first = readFileSync(join(svc.dataDir, 'vapid-keys.json'), 'utf8');
    const again = await startService({ ...fakePushEnv(fake), WARDBELL_DATA_DIR: svc.dataDir, PORT: '0' });
    try {
      expect((await api(again.url).call('GET', '/api/push/vapid-public-key', undefined)).json.publicKey).toBe(JSON.parse(first).publicKey);
    } finally {
      await again.wardbell.close();
    }
  });

  it('serves the service worker with Service-Worker-Allowed and a JavaScript type', async () => {
    const res = await fetch(`${svc.url}/sw.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('service-worker-allowed')).toBe('/');
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    const js = await res.text();
    expect(js).toContain("addEventListener('push'");
    expect(js).toContain("addEventListener('notificationclick'");
    expect(js).toContain('X-Wardbell-Action-Token');
  });
});

describe('subscribe', () => {
  it('registers a subscription (201), renews it on the same endpoint (200), and lists it in the per-user index', async () => {
    const s = fake.subscription();
    const first = await a.subscribe(t.kim!, s);
    expect(first.status).toBe(201);
    expect(first.json.subscription).toMatchObject({ endpoint: s.endpoint, userId: 'kim', tenantId: 'h1', topics: ['user:kim', 'ward:3', 'role:nurse'], expirationTime: null });
    expect(first.json.subscription.keys).toBeUndefined();
    const again = await a.subscribe(t.kim!, s, { topics: ['ward:3'] });
    expect(again.status).toBe(200);
    expect(again.json.subscription).toMatchObject({ id: first.json.subscription.id, topics: ['ward:3', 'user:kim'] });
    const mine = await a.call('GET', '/api/push/subscriptions', t.kim);
    expect(mine.json.subscriptions.filter((x: { endpoint: string }) => x.endpoint === s.endpoint)).toHaveLength(1);
    expect((await a.call('GET', '/api/push/subscriptions', t.lee)).json.subscriptions.map((x: { endpoint: string }) => x.endpoint)).not.toContain(s.endpoint);
  });

  it('moves an endpoint to whoever subscribes it last (a shared ward workstation)', async () => {
    const s = fake.subscription();
    await a.subscribe(t.kim!, s);
    expect((await a.subscribe(t.lee!, s)).json.subscription.userId).toBe('lee');
    expect((await a.call('GET', '/api/push/subscriptions', t.kim)).json.subscriptions.map((x: { endpoint: string }) => x.endpoint)).not.toContain(s.endpoint);
  });

  it('refuses topics the identity is not granted (403)', async () => {
    const r = await a.subscribe(t.kim!, fake.subscription(), { topics: ['ward:4'] });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('forbidden_topic');
  });

  it('refuses a userId or tenantId other than the caller\'s', async () => {
    expect((await a.subscribe(t.kim!, fake.subscription(), { userId: 'lee' })).status).toBe(403);
    expect((await a.subscribe(t.kim!, fake.subscription(), { tenantId: 'h2' })).status).toBe(403);
    expect((await a.subscribe(t.kim!, fake.subscription(), { userId: 'kim', tenantId: 'h1' })).status).toBe(201);
  });

  const good = () => {
    const { endpoint, keys } = fake.subscription();
    return { endpoint, keys };
  };
  it.each([
    ['an http endpoint', () => ({ ...good(), endpoint: good().endpoint.replace('https:', 'http:') }), /https/],
    ['a host that is not a push service', () => ({ ...good(), endpoint: 'https://evil.example/push/x' }), /not a known push service/],
    ['a p256dh off the curve', () => ({ ...good(), keys: { ...good().keys, p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url') } }), /not a point/],
    ['an auth secret of the wrong size', () => ({ ...good(), keys: { ...good().keys, auth: Buffer.alloc(20).toString('base64url') } }), /16 octets/],
    ['keys that are not base64url', () => ({ ...good(), keys: { ...good().keys, auth: 'not base64!!!!!!!!' } }), /base64url/],
    ['missing keys', () => ({ endpoint: good().endpoint }), /keys/],
  ])('refuses %s with 400', async (_name, make, message) => {
    const s = make() as { endpoint: string; keys: { p256dh: string; auth: string } };
    const r = await a.call('POST', '/api/push/subscribe', t.kim, s);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json.error)).toMatch(message);
  });

  it('refuses an expirationTime in the past and unknown fields', async () => {
    expect((await a.subscribe(t.kim!, fake.subscription(), { expirationTime: Date.now() - 1000 })).status).toBe(400);
    expect((await a.subscribe(t.kim!, fake.subscription(), { extra: 1 })).status).toBe(400);
  });

  it('needs a token', async () => {
    expect((await a.subscribe('', fake.subscription())).status).toBe(401);
  });

  it('stores the keys only sealed', async () => {
    const s = fake.subscription();
    await a.subscribe(t.kim!, s);
    const [row] = peekDb<{ keys: string }>(svc.dataDir, 'select keys from push_subscriptions where endpoint = ?', s.endpoint);
    expect(row?.keys).toMatch(/^v1\./);
    expect(row?.keys).not.toContain(s.keys.auth);
    expect(row?.keys).not.toContain(s.keys.p256dh);
  });
});

describe('endpoints inside the network', () => {
  it('refuses, without the testing switch, an endpoint whose host resolves to loopback, and a private address literal', async () => {
    const strict = await startService({ WARDBELL_PUSH_ALLOWED_HOSTS: 'localhost,127.0.0.1' });
    try {
      const s = api(strict.url);
      const kim = await strict.token({ tenantId: 'h1', userId: 'kim' });
      const sub = fake.subscription();
      const byName = await s.subscribe(kim, { ...sub, endpoint: sub.endpoint.replace('127.0.0.1', 'localhost') });
      expect(byName.status).toBe(400);
      expect(byName.json.error.message).toMatch(/resolves to a loopback, private or link-local address/);
      const literal = await s.subscribe(kim, sub);
      expect(literal.status).toBe(400);
      expect(literal.json.error.message).toMatch(/loopback, private or link-local/);
    } finally {
      await strict.close();
    }
  });
});

describe('unsubscribe', () => {
  it('removes the caller\'s subscription, answers 404 after, and never touches another user\'s', async () => {
    const s = fake.subscription();
    await a.subscribe(t.kim!, s);
    expect((await a.call('DELETE', '/api/push/subscribe', t.lee, { endpoint: s.endpoint })).status).toBe(404);
    expect((await a.call('DELETE', '/api/push/subscribe', t.h2kim, { endpoint: s.endpoint })).status).toBe(404);
    expect((await a.call('DELETE', '/api/push/subscribe', t.kim, { endpoint: s.endpoint })).json).toEqual({ removed: true });
    expect((await a.call('DELETE', '/api/push/subscribe', t.kim, { endpoint: s.endpoint })).status).toBe(404);
    expect((await a.call('GET', '/api/push/subscriptions', t.kim)).json.subscriptions.map((x: { endpoint: string }) => x.endpoint)).not.toContain(s.endpoint);
  });
});

describe('statistics, backup and restore, per tenant', () => {
  it('counts a tenant\'s subscriptions by topic and never another tenant\'s', async () => {
    await a.subscribe(t.h2kim!, fake.subscription());
    const h1 = (await a.call('GET', '/api/push/stats', t.admin)).json;
    const h2 = (await a.call('GET', '/api/push/stats', t.h2admin)).json;
    expect(h2).toMatchObject({ tenantId: 'h2', subscriptions: 1, users: 1, byTopic: { 'user:kim': 1, 'ward:3': 1, 'role:nurse': 1 } });
    expect(h1.tenantId).toBe('h1');
    expect(h1.subscriptions).toBe(peekDb<{ n: number }>(svc.dataDir, "select count(*) as n from push_subscriptions where tenant_id = 'h1'")[0]?.n);
    expect(h1.deliveries).toEqual(expect.objectContaining({ delivered: expect.any(Number), failed: expect.any(Number), pending: expect.any(Number) }));
    expect((await a.call('GET', '/api/push/stats', t.kim)).status).toBe(403);
  });

  it('backs up a tenant with its keys sealed, and restores it after the subscriptions are gone', async () => {
    const s = fake.subscription();
    await a.subscribe(t.kim!, s, { topics: ['ward:3'] });
    const res = await a.call('GET', '/api/push/backup', t.admin);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="wardbell-push-h1-/);
    const file = res.json;
    expect(file).toMatchObject({ format: 'wardbell-push-backup', version: 1, tenantId: 'h1' });
    expect(file.subscriptions.every((x: { userId: string }) => ['kim', 'lee'].includes(x.userId))).toBe(true);
    const text = JSON.stringify(file);
    expect(text).not.toContain(s.keys.auth);
    expect(text).not.toContain(s.keys.p256dh);
    const count = file.subscriptions.length;

    await a.call('DELETE', '/api/push/subscribe', t.kim, { endpoint: s.endpoint });
    const restored = await a.call('POST', '/api/push/restore', t.admin, file);
    expect(restored.status).toBe(200);
    expect(restored.json).toEqual({ restored: count, skipped: [] });
    const mine = (await a.call('GET', '/api/push/subscriptions', t.kim)).json.subscriptions;
    expect(mine.find((x: { endpoint: string }) => x.endpoint === s.endpoint)).toMatchObject({ topics: ['ward:3', 'user:kim'] });
  });

  it('refuses to restore one tenant\'s file into another, even with the tenant field edited', async () => {
    const file = (await a.call('GET', '/api/push/backup', t.admin)).json;
    const refused = await a.call('POST', '/api/push/restore', t.h2admin, file);
    expect(refused.status).toBe(403);
    // Edited to claim tenant h2: the sealed keys are bound to h1 and do not open.
    const edited = await a.call('POST', '/api/push/restore', t.h2admin, { ...file, tenantId: 'h2' });
    expect(edited.status).toBe(200);
    expect(edited.json.restored).toBe(0);
    expect(edited.json.skipped.length).toBe(file.subscriptions.length);
    expect(edited.json.skipped[0].reason).toMatch(/do not open/);
    expect((await a.call('GET', '/api/push/stats', t.h2admin)).json.subscriptions).toBe(1);
  });

  it('skips entries moved to another user in an edited file, and refuses a file sealed with another key', async () => {
    const file = (await a.call('GET', '/api/push/backup', t.admin)).json;
    const moved = { ...file, subscriptions: file.subscriptions.slice(0, 1).map((x: { userId: string }) => ({ ...x, userId: x.userId === 'kim' ? 'lee' : 'kim' })) };
    expect((await a.call('POST', '/api/push/restore', t.admin, moved)).json.skipped).toHaveLength(1);
    expect((await a.call('POST', '/api/push/restore', t.admin, { ...file, keyId: 'someotherkey' })).status).toBe(409);
  });

  it('needs role service or admin for statistics, backup and restore', async () => {
    expect((await a.call('GET', '/api/push/backup', t.kim)).status).toBe(403);
    expect((await a.call('POST', '/api/push/restore', t.kim, {})).status).toBe(403);
  });
});
