import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/service.js';
import { FakePushService, type FakeSubscription } from './helpers/fake-push-service.js';
import { eventually } from '../helpers/eventually.js';
import { sleep } from '../helpers/sse-reader.js';
import { api, peekDb, pushesSettled, startPushService, type Api } from './helpers/push-service.js';

let fake: FakePushService;
let svc: TestService;
let a: Api;
let service: string;
const t: Record<string, string> = {};
const staff = [
  { userId: 'kim', roles: ['nurse'], wards: ['3'] },
  { userId: 'lee', roles: ['nurse'], wards: ['3'] },
  { userId: 'park', roles: ['nurse'], wards: ['4'] },
];

beforeAll(async () => {
  fake = await FakePushService.start();
  svc = await startPushService(fake, { WARDBELL_VAPID_SUBJECT: 'mailto:push-ops@hospital.example' });
  a = api(svc.url);
  service = await svc.token({ tenantId: 'h1', userId: 'scheduler', roles: ['service'] });
  expect((await a.call('PUT', '/api/directory/members', service, { members: staff })).status).toBe(200);
  for (const s of staff) t[s.userId] = await svc.token({ tenantId: 'h1', ...s });
  t.admin = await svc.token({ tenantId: 'h1', userId: 'boss', roles: ['admin'] });
});
afterAll(async () => {
  await svc.close();
  await fake.close();
});

async function device(user: string, extra: Record<string, unknown> = {}): Promise<FakeSubscription> {
  const s = fake.subscription();
  const r = await a.subscribe(t[user]!, s, extra);
  expect(r.status).toBe(201);
  return s;
}

const send = (body: Record<string, unknown>) => a.call('POST', '/api/notifications', service, { type: 'general', priority: 'high', title: 'Note', ...body });
const arrivals = (s: FakeSubscription, n = 1, timeoutMs = 10_000) => fake.waitFor(() => fake.for(s.id).length >= n, timeoutMs).then(() => fake.for(s.id));
/** The delivery records of a device (newest first), optionally of one notification. */
const delivery = (endpoint: string, notificationId = '%') =>
  peekDb<{ status: string; attempts: number; last_status: number | null; last_result: string | null; last_error: string | null }>(
    svc.dataDir,
    'select status, attempts, last_status, last_result, last_error from push_deliveries where subscription_id in (select id from push_subscriptions where endpoint = ?) and notification_id like ? order by created_at desc',
    endpoint,
    notificationId,
  );

describe('from POST /api/notifications to the push service', () => {
  it('delivers an urgent emergency call, encrypted, with VAPID, Urgency, TTL and Topic, and its action works with the carried token', async () => {
    const phone = await device('kim');
    const r = await send({
      type: 'emergency_call',
      priority: 'urgent',
      title: 'Emergency: ward 3',
      body: 'A nurse is needed in ward 3 now.',
      actions: [{ id: 'accept', label: 'Accept now', style: 'primary' }],
      data: { ward: '3' },
      to: { users: ['kim'] },
    });
    expect(r.status).toBe(201);
    const id = r.json.notification.id as string;
    const [got] = await arrivals(phone);
    expect(got?.vapid).toMatchObject({ ok: true, claims: { aud: fake.origin, sub: 'mailto:push-ops@hospital.example' } });
    expect(got?.headers.authorization).toContain(`k=${(await a.call('GET', '/api/push/vapid-public-key', undefined)).json.publicKey}`);
    expect(got?.headers['content-encoding']).toBe('aes128gcm');
    expect(got?.headers.urgency).toBe('high');
    expect(Number(got?.headers.ttl)).toBeGreaterThan(3500);
    expect(Number(got?.headers.ttl)).toBeLessThanOrEqual(3600);
    expect(got?.headers.topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(got?.payload).toMatchObject({
      v: 1,
      id,
      type: 'emergency_call',
      priority: 'urgent',
      title: 'Emergency: ward 3',
      body: 'A nurse is needed in ward 3 now.',
      actions: [{ id: 'accept', label: 'Accept now', style: 'primary' }],
      data: { ward: '3' },
      url: `/api-test/realtime?notification=${id}`,
      tag: got?.headers.topic,
    });
    // The service worker presses with the token the push carried (no bearer token on a lock screen).
    const token = got?.payload?.token as string;
    const press = await fetch(`${svc.url}/api/notifications/${id}/actions/accept`, { method: 'POST', headers: { 'x-wardbell-action-token': token } });
    expect(press.status).toBe(200);
    expect(await press.json()).toMatchObject({ notificationId: id, actionId: 'accept' });
    // It is good for this notification only.
    const other = await send({ title: 'Other', to: { users: ['kim'] }, actions: [{ id: 'ok', label: 'OK' }] });
    expect((await fetch(`${svc.url}/api/notifications/${other.json.notification.id}/actions/ok`, { method: 'POST', headers: { 'x-wardbell-action-token': token } })).status).toBe(401);
    const row = await eventually(() => delivery(phone.endpoint, id).find((d) => d.status === 'done') ?? null, { message: 'settled' });
    expect(row).toMatchObject({ status: 'done', attempts: 1, last_status: 201 });
  });

  it('pushes to every device of every recipient, and each device only for topics it chose (urgent always)', async () => {
    const kimWard = await device('kim', { topics: ['ward:3'] });
    const kimOwn = await device('kim', { topics: ['user:kim'] });
    const lee = await device('lee');
    const park = await device('park');
    const r = await send({ title: 'Ward 3 meeting', priority: 'medium', to: { topic: 'ward:3' } });
    await arrivals(kimWard);
    await arrivals(lee);
    const urgent = await send({ title: 'Code blue, ward 3', priority: 'urgent', to: { topic: 'ward:3' } });
    await arrivals(kimOwn);
    await arrivals(kimWard, 2);
    await pushesSettled(svc);
    const mine = [r.json.notification.id, urgent.json.notification.id];
    const ids = (s: FakeSubscription) => fake.for(s.id).map((x) => x.payload?.id).filter((id) => mine.includes(id));
    expect(ids(kimWard)).toEqual([r.json.notification.id, urgent.json.notification.id]);
    expect(ids(kimOwn)).toEqual([urgent.json.notification.id]);
    expect(ids(park)).toEqual([]);
  });

  it('gives a newer notification of the same group the same Topic, so it replaces the older one', async () => {
    const phone = await device('lee');
    await send({ title: 'Census 1', groupKey: 'census-ward3', to: { users: ['lee'] } });
    await arrivals(phone, 1);
    await send({ title: 'Census 2', groupKey: 'census-ward3', to: { users: ['lee'] } });
    const got = await arrivals(phone, 2);
    expect(got[0]?.headers.topic).toBe(got[1]?.headers.topic);
    expect(got.map((g) => g.payload?.title)).toEqual(['Census 1', 'Census 2']);
  });
});

describe('what the push service answers', () => {
  it('removes the subscription when the push service answers 410', async () => {
    const phone = await device('park');
    fake.script(phone.id, 410);
    await send({ title: 'Gone?', to: { users: ['park'] } });
    await arrivals(phone);
    await eventually(async () => !(await a.call('GET', '/api/push/subscriptions', t.park)).json.subscriptions.some((x: { endpoint: string }) => x.endpoint === phone.endpoint), { message: 'pruned' });
    await send({ title: 'After', to: { users: ['park'] } });
    await pushesSettled(svc);
    expect(fake.for(phone.id)).toHaveLength(1);
  });

  it('removes the subscription when the push service answers 404', async () => {
    const phone = await device('park');
    fake.script(phone.id, 404);
    await send({ title: 'Unknown?', to: { users: ['park'] } });
    await arrivals(phone);
    await eventually(async () => !(await a.call('GET', '/api/push/subscriptions', t.park)).json.subscriptions.some((x: { endpoint: string }) => x.endpoint === phone.endpoint), { message: 'pruned' });
  });

  it('waits as long as Retry-After says on 429, then delivers', async () => {
    const phone = await device('lee');
    fake.script(phone.id, { status: 429, headers: { 'retry-after': '1' } });
    await send({ title: 'Busy', to: { users: ['lee'] } });
    const got = await arrivals(phone, 2);
    expect(got.map((g) => g.answered)).toEqual([429, 201]);
    expect((got[1]?.at ?? 0) - (got[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(got[1]?.payload?.title).toBe('Busy');
  });

  it('retries 5xx with backoff until the push service takes it', async () => {
    const phone = await device('lee');
    fake.script(phone.id, 500, 503);
    await send({ title: 'Flaky', to: { users: ['lee'] } });
    const got = await arrivals(phone, 3, 15_000);
    expect(got.map((g) => g.answered)).toEqual([500, 503, 201]);
    await eventually(() => delivery(phone.endpoint)[0]?.status === 'done', { message: 'done' });
    expect(delivery(phone.endpoint)[0]).toMatchObject({ status: 'done', attempts: 3 });
  });

  it('fails for good on 413, records it, and keeps the subscription', async () => {
    const phone = await device('lee');
    fake.script(phone.id, { status: 413, body: 'payload too large for this service' });
    await send({ title: 'Too big?', to: { users: ['lee'] } });
    await arrivals(phone);
    await eventually(() => delivery(phone.endpoint)[0]?.status === 'failed', { message: 'failed' });
    expect(delivery(phone.endpoint)[0]).toMatchObject({ status: 'failed', attempts: 1, last_status: 413, last_result: 'too_large' });
    expect(delivery(phone.endpoint)[0]?.last_error).toContain('payload too large for this service');
    await pushesSettled(svc); // nothing retried
    expect(fake.for(phone.id)).toHaveLength(1);
    expect((await a.call('GET', '/api/push/subscriptions', t.lee)).json.subscriptions.some((x: { endpoint: string }) => x.endpoint === phone.endpoint)).toBe(true);
  });

  it('fails for good on other 4xx (403: VAPID refused) and records it', async () => {
    const phone = await device('lee');
    fake.script(phone.id, { status: 403, body: 'invalid JWT' });
    await send({ title: 'Refused', to: { users: ['lee'] } });
    await arrivals(phone);
    await eventually(() => delivery(phone.endpoint)[0]?.status === 'failed', { message: 'failed' });
    expect(delivery(phone.endpoint)[0]).toMatchObject({ last_status: 403, last_result: 'rejected' });
  });

  it('never pushes to a subscription whose expirationTime has passed, and removes it', async () => {
    // This file's service runs on the real clock (Retry-After is measured in real time): a short wait.
    const phone = await device('park', { expirationTime: Date.now() + 50 });
    await sleep(60);
    await send({ title: 'Too late for that one', to: { users: ['park'] } });
    await pushesSettled(svc);
    expect(fake.for(phone.id)).toHaveLength(0);
    expect((await a.call('GET', '/api/push/subscriptions', t.park)).json.subscriptions.some((x: { endpoint: string }) => x.endpoint === phone.endpoint)).toBe(false);
  });

  it('sends the test push to the caller\'s own devices only', async () => {
    const mine = await device('park');
    const r = await a.call('POST', '/api/push/test', t.park);
    expect(r.status).toBe(200);
    expect(r.json.results).toEqual(expect.arrayContaining([{ endpoint: mine.endpoint, result: 'delivered', status: 201 }]));
    expect((await arrivals(mine))[0]?.payload).toMatchObject({ title: 'Wardbell test push' });
  });
});

describe('counting', () => {
  it('counts every outcome in /metrics and in the tenant statistics', async () => {
    await eventually(async () => (await a.metric('wardbell_push_attempts_total', { result: 'too_large' })) >= 1, { message: 'metrics' });
    expect(await a.metric('wardbell_push_attempts_total', { result: 'delivered' })).toBeGreaterThanOrEqual(8);
    for (const result of ['gone', 'rate_limited', 'server_error', 'rejected']) expect(await a.metric('wardbell_push_attempts_total', { result })).toBeGreaterThanOrEqual(1);
    expect(await a.metric('wardbell_push_deliveries_total', { status: 'pruned' })).toBeGreaterThanOrEqual(2);
    expect(await a.metric('wardbell_push_deliveries_total', { status: 'failed' })).toBeGreaterThanOrEqual(2);
    expect(await a.metric('wardbell_push_retries_scheduled_total')).toBeGreaterThanOrEqual(3);
    expect(await a.metric('wardbell_push_vapid_signatures_total')).toBe(1);
    expect(await a.metric('wardbell_push_subscription_changes_total', { result: 'subscribed' })).toBeGreaterThanOrEqual(10);
    const stats = (await a.call('GET', '/api/push/stats', t.admin)).json;
    expect(stats.deliveries.delivered).toBeGreaterThanOrEqual(8);
    expect(stats.deliveries.failed).toBeGreaterThanOrEqual(2);
    expect(stats.deliveries.pruned).toBeGreaterThanOrEqual(3);
    expect(stats.deliveries.retried).toBeGreaterThanOrEqual(3);
  });
});
