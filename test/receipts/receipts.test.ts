/**
 * Delivery receipts on a real service: written to a stream (live and in a replay), accepted by a
 * push service (the fake one, which decrypts), displayed and opened as pages and the service
 * worker report them, read and acted; the sender's view and who may read it; `receipts.updated`
 * at most once a second per notification (fake clock); hostile reports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionTokens } from '../../packages/wardbell/src/auth/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { eventually } from '../helpers/eventually.js';
import { startService, type TestService } from '../helpers/service.js';
import { SseReader } from '../helpers/sse-reader.js';
import { FakePushService } from '../push/helpers/fake-push-service.js';
import { api, startPushService, type Api } from '../push/helpers/push-service.js';
import { observations, sample, scrape } from '../metrics/helpers.js';

const readers: SseReader[] = [];
afterAll(() => {
  for (const r of readers) r.close();
});

async function stream(svc: TestService, tenantId: string, userId: string, roles: string[] = ['nurse'], lastEventId?: string): Promise<SseReader> {
  const headers: Record<string, string> = { authorization: `Bearer ${await svc.token({ tenantId, userId, roles })}` };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const r = await SseReader.open(`${svc.url}/api/sse`, headers);
  readers.push(r);
  await r.until((x) => x.lastEventId !== '');
  return r;
}

interface Receipt {
  userId: string;
  streamedAt: string | null;
  pushedAt: string | null;
  pushSubscriptionId: string | null;
  displayedAt: string | null;
  displayedVia: string | null;
  openedAt: string | null;
  openedVia: string | null;
  readAt: string | null;
  actedAt: string | null;
  action: string | null;
}

describe('receipts per recipient and channel', () => {
  let fake: FakePushService;
  let svc: TestService;
  let a: Api;
  let scheduler: string;
  const token = (userId: string, tenantId = 'h1') => svc.token({ tenantId, userId, roles: ['nurse'], wards: ['3'] });
  const receipts = async (id: string, as = scheduler) => a.call('GET', `/api/notifications/${id}/receipts`, as);
  const of = async (id: string, userId: string): Promise<Receipt> => ((await receipts(id)).json.recipients as Receipt[]).find((r) => r.userId === userId) as Receipt;

  beforeAll(async () => {
    fake = await FakePushService.start();
    svc = await startPushService(fake);
    a = api(svc.url);
    scheduler = await svc.token({ tenantId: 'h1', userId: 'scheduler', roles: ['service'] });
    const members = ['kim', 'lee', 'park'].map((userId) => ({ userId, roles: ['nurse'], wards: ['3'] }));
    expect((await a.call('PUT', '/api/directory/members', scheduler, { members })).status).toBe(200);
  });
  afterAll(async () => {
    await svc.close();
    await fake.close();
  });

  it('records the stream, the push (with the device), displayed, opened, read and acted, and sums them up', async () => {
    const kimStream = await stream(svc, 'h1', 'kim');
    const device = fake.subscription();
    expect((await a.subscribe(await token('lee'), device)).status).toBe(201);
    const sent = await a.call('POST', '/api/notifications', scheduler, { type: 'general', priority: 'high', title: 'Bring badges', to: { users: ['kim', 'lee', 'park'] }, actions: [{ id: 'ack', label: 'OK' }] });
    expect(sent.status).toBe(201);
    const id = sent.json.notification.id as string;
    await kimStream.until((x) => x.events.some((e) => e.event === 'notification' && e.data.includes(id)));
    await fake.waitFor(() => fake.for(device.id).length === 1);

    // The service's own marks: kim's stream, lee's device.
    await eventually(async () => (await of(id, 'kim')).streamedAt !== null && (await of(id, 'lee')).pushedAt !== null, { message: 'streamed and pushed recorded' });
    const lee0 = await of(id, 'lee');
    const leeSub = ((await a.call('GET', '/api/push/subscriptions', await token('lee'))).json.subscriptions as Array<{ id: string }>)[0]?.id;
    expect(lee0.pushSubscriptionId).toBe(leeSub);
    expect(lee0.streamedAt).toBeNull();
    expect((await of(id, 'park')).streamedAt).toBeNull();

    // Kim's page shows it and she opens it; lee's service worker shows it (with the push's action token).
    const kim = await token('kim');
    expect((await a.call('POST', '/api/notifications/receipts', kim, { receipts: [{ id, kind: 'displayed' }, { id, kind: 'opened' }] })).json).toEqual({ recorded: 2, unknown: [] });
    const actionToken = fake.for(device.id)[0]!.payload!.token as string;
    const byWorker = await fetch(`${svc.url}/api/notifications/receipts`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-wardbell-action-token': actionToken }, body: JSON.stringify({ receipts: [{ id, kind: 'displayed', via: 'worker' }] }) });
    expect(byWorker.status).toBe(200);
    // Read and acted are the inbox's.
    expect((await a.call('PATCH', `/api/notifications/${id}`, kim, { read: true })).status).toBe(200);
    expect((await a.call('POST', `/api/notifications/${id}/actions/ack`, await token('lee'))).status).toBe(200);

    await eventually(async () => (await of(id, 'lee')).displayedAt !== null && (await of(id, 'kim')).openedAt !== null);
    const view = await receipts(id);
    expect(view.status).toBe(200);
    const k = await of(id, 'kim');
    const l = await of(id, 'lee');
    expect([k.displayedVia, k.openedVia, k.readAt !== null, k.action]).toEqual(['page', 'page', true, null]);
    expect([l.displayedVia, l.actedAt !== null, l.action]).toEqual(['worker', true, 'ack']);
    expect(view.json.summary).toEqual({ recipients: 3, reached: 2, streamed: 1, pushed: 1, displayed: 2, seen: 2, opened: 1, read: 2, acted: 1, actions: { ack: 1 } });
    expect((view.json.recipients as Receipt[]).map((r) => r.userId)).toEqual(['kim', 'lee', 'park']);
  });

  it('records a notification written in a replay (the stream was down when it was sent)', async () => {
    const first = await stream(svc, 'h1', 'park');
    const position = first.lastEventId;
    first.close();
    const sent = await a.call('POST', '/api/notifications', scheduler, { title: 'While you were away', to: { users: ['park'] } });
    const id = sent.json.notification.id as string;
    const again = await stream(svc, 'h1', 'park', ['nurse'], position);
    await again.until((x) => x.events.some((e) => e.event === 'notification' && e.data.includes(id)));
    await eventually(async () => (await of(id, 'park')).streamedAt !== null);
  });

  it('keeps the earliest time of each step, and a device clock ahead or behind cannot move it outside [sent, now]', async () => {
    const sent = await a.call('POST', '/api/notifications', scheduler, { title: 'Twice', to: { users: ['kim'] } });
    const id = sent.json.notification.id as string;
    const createdAt = sent.json.notification.createdAt as string;
    const kim = await token('kim');
    const report = async (at?: string) => expect((await a.call('POST', '/api/notifications/receipts', kim, { receipts: [{ id, kind: 'displayed', ...(at ? { at } : {}) }] })).status).toBe(200);
    await report();
    await eventually(async () => (await of(id, 'kim')).displayedAt !== null);
    const firstSeen = (await of(id, 'kim')).displayedAt as string;
    expect(Date.parse(firstSeen)).toBeGreaterThanOrEqual(Date.parse(createdAt));
    // A clock an hour ahead: clamped to now, later than the first: the first stays.
    await report(new Date(Date.now() + 3600_000).toISOString());
    // A clock a day behind: clamped to when the notification was sent, earlier: it wins.
    await report(new Date(Date.now() - 86_400_000).toISOString());
    await eventually(async () => (await of(id, 'kim')).displayedAt === createdAt, { message: 'the earliest possible time' });
  });

  it('lets only the sender, role service and admin read receipts; others and other tenants get 404', async () => {
    const manager = await svc.token({ tenantId: 'h1', userId: 'mgr', roles: ['manager'], wards: ['3'] });
    const sent = await a.call('POST', '/api/notifications', manager, { title: 'Ward 3 meeting', to: { topic: 'ward:3' } });
    expect(sent.status).toBe(201);
    const id = sent.json.notification.id as string;
    expect((await receipts(id, manager)).status).toBe(200);
    expect((await receipts(id, scheduler)).status).toBe(200);
    expect((await receipts(id, await svc.token({ tenantId: 'h1', userId: 'boss', roles: ['admin'] }))).status).toBe(200);
    const recipient = await receipts(id, await token('kim'));
    expect([recipient.status, recipient.json.error?.code]).toEqual([404, 'not_found']);
    const otherTenant = await receipts(id, await svc.token({ tenantId: 'h2', userId: 'scheduler', roles: ['service'] }));
    expect(otherTenant.status).toBe(404);
    expect((await a.call('GET', `/api/notifications/${id}/receipts`, undefined)).status).toBe(401);
  });

  it('refuses hostile reports: other users\' and tenants\' ids, a token for another notification, forged tokens, bad bodies', async () => {
    const sent = await a.call('POST', '/api/notifications', scheduler, { title: 'For lee only', to: { users: ['lee'] } });
    const id = sent.json.notification.id as string;
    const other = await a.call('POST', '/api/notifications', scheduler, { title: 'Another', to: { users: ['lee'] } });
    const otherId = other.json.notification.id as string;
    // Kim did not receive it: unknown, not recorded.
    expect((await a.call('POST', '/api/notifications/receipts', await token('kim'), { receipts: [{ id, kind: 'opened' }] })).json).toEqual({ recorded: 0, unknown: [id] });
    expect((await a.call('POST', '/api/notifications/receipts', await token('lee', 'h2'), { receipts: [{ id, kind: 'opened' }] })).json).toEqual({ recorded: 0, unknown: [id] });
    // An action token reports for its own notification only.
    const tokens = createActionTokens(new TextEncoder().encode('not-the-services-secret-0123456789abcdef'));
    const forged = tokens.sign({ tenantId: 'h1', userId: 'lee', notificationId: id }, 60_000);
    const post = (headers: Record<string, string>, body: unknown) => fetch(`${svc.url}/api/notifications/receipts`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const forgedRes = await post({ 'x-wardbell-action-token': forged }, { receipts: [{ id, kind: 'displayed', via: 'worker' }] });
    expect(forgedRes.status).toBe(401);
    expect((await post({}, { receipts: [{ id, kind: 'displayed' }] })).status).toBe(401);
    const device = fake.subscription();
    expect((await a.subscribe(await token('park'), device)).status).toBe(201);
    const pushed = await a.call('POST', '/api/notifications', scheduler, { title: 'Park', to: { users: ['park'] } });
    const pushedId = pushed.json.notification.id as string;
    // (Pushes still queued for park when the device subscribed may reach it too.)
    await fake.waitFor(() => fake.for(device.id).some((r) => r.payload?.id === pushedId));
    const parkToken = fake.for(device.id).find((r) => r.payload?.id === pushedId)!.payload!.token as string;
    const wrongNotification = await post({ 'x-wardbell-action-token': parkToken }, { receipts: [{ id: otherId, kind: 'displayed', via: 'worker' }] });
    expect([wrongNotification.status, ((await wrongNotification.json()) as { error: { code: string } }).error.code]).toEqual([403, 'forbidden']);
    expect((await post({ 'x-wardbell-action-token': parkToken }, { receipts: [{ id: pushedId, kind: 'displayed', via: 'worker' }] })).status).toBe(200);
    // Bad bodies: each a 400 with the envelope, nothing recorded.
    const lee = await token('lee');
    for (const body of [{}, { receipts: [] }, { receipts: [{ id, kind: 'seen' }] }, { receipts: [{ id: 'nope', kind: 'opened' }] }, { receipts: [{ id, kind: 'opened', extra: 1 }] }, { receipts: Array.from({ length: 101 }, () => ({ id, kind: 'opened' })) }, { receipts: [{ id, kind: 'opened', at: 'yesterday' }] }]) {
      const r = await a.call('POST', '/api/notifications/receipts', lee, body);
      expect([r.status, r.json.error?.code]).toEqual([400, 'validation_failed']);
    }
    expect((await of(id, 'lee')).openedAt).toBeNull();
  });
});

describe('receipts.updated', () => {
  let svc: TestService;
  let clock: FakeClock;
  beforeAll(async () => {
    clock = new FakeClock(Date.now());
    svc = await startService({}, { clock });
  });
  afterAll(() => svc.close());

  it('goes to the sender and role:service at most once a second per notification, and the last change always goes out', async () => {
    const a = api(svc.url);
    const scheduler = await svc.token({ tenantId: 'h1', userId: 'scheduler', roles: ['service'] });
    const watcher = await stream(svc, 'h1', 'scheduler', ['service']);
    const elsewhere = await stream(svc, 'h2', 'scheduler', ['service']);
    const recipients = ['r1', 'r2', 'r3', 'r4'];
    expect((await a.call('PUT', '/api/directory/members', scheduler, { members: recipients.map((userId) => ({ userId, roles: ['nurse'], wards: [] })) })).status).toBe(200);
    const sent = await a.call('POST', '/api/notifications', scheduler, { title: 'Count us', to: { users: recipients } });
    const id = sent.json.notification.id as string;
    const updates = () => watcher.events.filter((e) => e.event === 'receipts.updated' && e.data.includes(id)).map((e) => JSON.parse(e.data) as { summary: { displayed: number }; at: string });
    const show = async (userId: string) => expect((await a.call('POST', '/api/notifications/receipts', await svc.token({ tenantId: 'h1', userId }), { receipts: [{ id, kind: 'displayed' }] })).status).toBe(200);

    await show('r1');
    await clock.advanceAsync(200);
    await eventually(() => updates().length === 1);
    // Three more within the same second: no event until the second has passed.
    for (const u of ['r2', 'r3', 'r4']) {
      await show(u);
      await clock.advanceAsync(200);
    }
    expect(updates()).toHaveLength(1);
    await clock.advanceAsync(400);
    await eventually(() => updates().length === 2);
    const got = updates();
    expect(got.map((u) => u.summary.displayed)).toEqual([1, 4]);
    expect(Date.parse(got[1]!.at) - Date.parse(got[0]!.at)).toBeGreaterThanOrEqual(1000);
    // Nothing changed since: nothing more; and another hospital's service heard none of it.
    await clock.advanceAsync(3000);
    expect(updates()).toHaveLength(2);
    expect(elsewhere.events.filter((e) => e.event === 'receipts.updated')).toEqual([]);
  });

  it('observes each notification\'s time to its first recipient reached and first seen, once', async () => {
    const a = api(svc.url);
    const scheduler = await svc.token({ tenantId: 'h1', userId: 'scheduler', roles: ['service'] });
    expect((await a.call('PUT', '/api/directory/members', scheduler, { members: ['s1', 's2'].map((userId) => ({ userId, roles: ['nurse'], wards: [] })) })).status).toBe(200);
    const before = await scrape(`${svc.url}/metrics`);
    await stream(svc, 'h1', 's1');
    const sent = await a.call('POST', '/api/notifications', scheduler, { title: 'Firsts', to: { users: ['s1', 's2'] } });
    const id = sent.json.notification.id as string;
    await clock.advanceAsync(200); // the stream mark is written: reached, 0 s after creation
    await clock.advanceAsync(30_000);
    expect((await a.call('PATCH', `/api/notifications/${id}`, await svc.token({ tenantId: 'h1', userId: 's2' }), { read: true })).status).toBe(200);
    await clock.advanceAsync(200); // read 30.2 s after creation: first seen
    await clock.advanceAsync(10_000);
    expect((await a.call('POST', '/api/notifications/receipts', await svc.token({ tenantId: 'h1', userId: 's1' }), { receipts: [{ id, kind: 'displayed' }] })).status).toBe(200);
    await clock.advanceAsync(200);
    const after = await eventually(async () => {
      const m = await scrape(`${svc.url}/metrics`);
      return observations(m, 'wardbell_notification_first_seen_seconds') - observations(before, 'wardbell_notification_first_seen_seconds') === 1 ? m : null;
    });
    const grew = (name: string) => observations(after, name) - observations(before, name);
    expect(grew('wardbell_notification_first_reached_seconds')).toBe(1);
    expect(grew('wardbell_notification_first_seen_seconds')).toBe(1);
    const sum = (name: string) => (sample(after, `${name}_sum`) ?? 0) - (sample(before, `${name}_sum`) ?? 0);
    expect(sum('wardbell_notification_first_reached_seconds')).toBeLessThan(1);
    expect(sum('wardbell_notification_first_seen_seconds')).toBeCloseTo(30.2, 0);
  });
});
