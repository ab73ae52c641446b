import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPushRequest } from '../../packages/wardbell/src/push/request.js';
import { createHttpsTransport } from '../../packages/wardbell/src/push/transport.js';
import { generateVapidKeys, VapidSigner } from '../../packages/wardbell/src/push/vapid.js';
import { FakePushService, type FakeSubscription } from './helpers/fake-push-service.js';

let fake: FakePushService;
const signer = new VapidSigner({ keys: generateVapidKeys(), subject: 'mailto:ops@hospital.example', now: Date.now });

beforeAll(async () => {
  fake = await FakePushService.start();
});
afterAll(() => fake.close());

const request = (s: FakeSubscription, endpoint = s.endpoint) =>
  buildPushRequest({
    endpoint,
    p256dh: Buffer.from(s.keys.p256dh, 'base64url'),
    auth: Buffer.from(s.keys.auth, 'base64url'),
    payload: Buffer.from(JSON.stringify({ title: 'hello' })),
    ttl: 60,
    urgency: 'normal',
    authorization: signer.authorization(endpoint),
  });

describe('HTTPS to push services', () => {
  it('delivers over pooled keep-alive connections: many requests, few TLS handshakes', async () => {
    const t = createHttpsTransport({ caFile: fake.certFile, allowPrivateNetworks: true, maxSockets: 4 });
    const before = fake.connections;
    const subs = Array.from({ length: 40 }, () => fake.subscription());
    const answers = await Promise.all(subs.map((s) => t.send(request(s))));
    const more = await Promise.all(subs.map((s) => t.send(request(s))));
    expect([...answers, ...more].every((a) => a.status === 201)).toBe(true);
    expect(fake.connections - before).toBeLessThanOrEqual(4);
    expect(fake.for(subs[0]!.id)[0]?.payload).toEqual({ title: 'hello' });
    t.close();
  });

  it('refuses at connect time a host that resolves to loopback, unless in the testing mode', async () => {
    const t = createHttpsTransport({ caFile: fake.certFile, allowPrivateNetworks: false });
    const s = fake.subscription();
    const r = await t.send(request(s, s.endpoint.replace('127.0.0.1', 'localhost')));
    expect(r).toMatchObject({ status: null, forbiddenAddress: true });
    expect(fake.for(s.id)).toHaveLength(0);
    t.close();
  });

  it('does not follow a redirect', async () => {
    const t = createHttpsTransport({ caFile: fake.certFile, allowPrivateNetworks: true });
    const s = fake.subscription();
    const target = fake.subscription();
    fake.script(s.id, { status: 307, headers: { location: target.endpoint } });
    expect((await t.send(request(s))).status).toBe(307);
    expect(fake.for(target.id)).toHaveLength(0);
    t.close();
  });

  it('does not trust a certificate it was not given', async () => {
    const t = createHttpsTransport({ allowPrivateNetworks: true });
    const r = await t.send(request(fake.subscription()));
    expect(r.status).toBeNull();
    expect(r.detail).toMatch(/certificate/i);
    t.close();
  });

  it('passes Retry-After and a body excerpt on', async () => {
    const t = createHttpsTransport({ caFile: fake.certFile, allowPrivateNetworks: true });
    const s = fake.subscription();
    fake.script(s.id, { status: 429, headers: { 'retry-after': '30' }, body: 'slow down '.repeat(100) });
    const r = await t.send(request(s));
    expect(r).toMatchObject({ status: 429, retryAfter: '30' });
    expect(r.detail.length).toBeLessThanOrEqual(512);
    t.close();
  });
});
