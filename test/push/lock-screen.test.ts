/**
 * Lock-screen privacy: with the tenant setting `lockScreen: generic` (or a send's own
 * `lockScreen: 'generic'`), a push carries a generic text and the notification's id, nothing of its
 * content. Checked where it matters: the fake push service decrypts each message (with an
 * independent library) and the test looks for every distinctive string of the notification in the
 * decrypted JSON. The inbox and the stream still carry everything; another tenant is not affected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericTextOf } from '../../packages/wardbell/src/push/payload.js';
import type { TestService } from '../helpers/service.js';
import { FakePushService, type FakeSubscription } from './helpers/fake-push-service.js';
import { api, startPushService, type Api } from './helpers/push-service.js';

let fake: FakePushService;
let svc: TestService;
let a: Api;
const t: Record<string, string> = {};
const phones: Record<string, FakeSubscription> = {};

// Every string of the notification that must not reach a generic push.
const SECRET = {
  title: 'Cardiac arrest in bed 12: Quokka Tanaka',
  body: 'Dr Walrus asks for Narwhal Kim to come now. Room 4711.',
  data: { patient: 'Quokka Tanaka', mrn: 'MRN-0042-ZEBRA', url: '/patients/quokka-tanaka' },
  actions: [
    { id: 'accept', label: 'Accept for Quokka', style: 'primary' },
    { id: 'decline', label: 'Decline Walrus' },
    { id: 'phone-narwhal', label: 'Phone Narwhal' },
  ],
};
const WORDS = ['Cardiac', 'bed 12', 'Quokka', 'Tanaka', 'Walrus', 'Narwhal', '4711', 'MRN-0042', 'ZEBRA', '/patients', 'phone-narwhal', 'dr-walrus'];
const leaks = (v: unknown) => {
  const s = JSON.stringify(v);
  return WORDS.filter((w) => s.toLowerCase().includes(w.toLowerCase()));
};

beforeAll(async () => {
  fake = await FakePushService.start();
  svc = await startPushService(fake);
  a = api(svc.url);
  for (const tenant of ['h1', 'h2']) {
    // The sender's id is distinctive too: it must not reach the push either.
    t[`${tenant}:service`] = await svc.token({ tenantId: tenant, userId: 'dr-walrus', roles: ['service'] });
    t[`${tenant}:admin`] = await svc.token({ tenantId: tenant, userId: 'boss', roles: ['admin'] });
    const members = ['kim', 'lee'].map((userId) => ({ userId, roles: ['nurse'], wards: ['3'] }));
    expect((await a.call('PUT', '/api/directory/members', t[`${tenant}:service`], { members })).status).toBe(200);
    for (const m of members) {
      t[`${tenant}:${m.userId}`] = await svc.token({ tenantId: tenant, ...m });
      const phone = fake.subscription();
      expect((await a.subscribe(t[`${tenant}:${m.userId}`]!, phone)).status).toBe(201);
      phones[`${tenant}:${m.userId}`] = phone;
    }
  }
});
afterAll(async () => {
  await svc?.close();
  await fake?.close();
});

const setLockScreen = async (tenant: string, lockScreen: 'full' | 'generic') => {
  const r = await a.call('PUT', '/api/tenant/settings', t[`${tenant}:admin`], { lockScreen });
  expect(r.status).toBe(200);
  expect(r.json).toEqual({ lockScreen });
};
const send = (tenant: string, body: Record<string, unknown>) => a.call('POST', '/api/notifications', t[`${tenant}:service`], body);
/** The decrypted payload of notification `id` at a device, once it arrived. */
const arrived = async (device: string, id: string) => {
  const s = phones[device]!;
  await fake.waitFor(() => fake.for(s.id).some((r) => r.payload?.id === id));
  const got = fake.for(s.id).find((r) => r.payload?.id === id)!;
  expect(got.vapid.ok).toBe(true);
  return got.payload as Record<string, any>;
};

describe('a tenant set to generic lock screens', () => {
  it('pushes an emergency call to a ward as "Urgent call, Ward 3" and its id: no title, body, data, sender or labels', async () => {
    await setLockScreen('h1', 'generic');
    const r = await send('h1', { type: 'emergency_call', priority: 'urgent', ...SECRET, to: { topic: 'ward:3' } });
    expect(r.status).toBe(201);
    const id = r.json.notification.id as string;
    const p = await arrived('h1:kim', id);
    expect(leaks(p)).toEqual([]);
    expect(p).toMatchObject({
      v: 1,
      id,
      type: 'emergency_call',
      priority: 'urgent',
      lockScreen: 'generic',
      title: 'Urgent call, Ward 3',
      body: 'Open the app to see the details.',
      // Known buttons with generic labels; others are left out.
      actions: [{ id: 'accept', label: 'Accept', style: 'primary' }, { id: 'decline', label: 'Decline' }],
      data: {},
      url: `/api-test/realtime?notification=${id}`,
    });
    expect(Object.keys(p).sort()).toEqual(['actions', 'body', 'createdAt', 'data', 'id', 'lockScreen', 'priority', 'tag', 'title', 'token', 'type', 'url', 'v']);
    // The action token still works from the lock screen.
    const press = await fetch(`${svc.url}/api/notifications/${id}/actions/accept`, { method: 'POST', headers: { 'x-wardbell-action-token': p.token } });
    expect(press.status).toBe(200);
    // The app, signed in, still gets everything.
    const item = await a.call('GET', `/api/notifications/${id}`, t['h1:lee']);
    expect(item.json).toMatchObject({ title: SECRET.title, body: SECRET.body, data: SECRET.data });
    expect(await arrived('h1:lee', id)).toMatchObject({ title: 'Urgent call, Ward 3', lockScreen: 'generic' });
  });

  it('names the kind of notification only', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 'emergency_call', priority: 'urgent', to: { users: ['kim'] } }, 'Urgent call'],
      [{ type: 'general', priority: 'urgent', to: { topic: 'ward:3' } }, 'Urgent notification'],
      [{ type: 'swap_requested', priority: 'high', to: { users: ['kim'] } }, 'Shift swap request'],
      [{ type: 'schedule_updated', priority: 'medium', to: { users: ['kim'] } }, 'Schedule changed'],
      [{ type: 'general', priority: 'medium', to: { users: ['kim'] } }, 'New notification'],
    ];
    for (const [body, title] of cases) {
      const r = await send('h1', { ...SECRET, ...body });
      expect(r.status).toBe(201);
      const p = await arrived('h1:kim', r.json.notification.id);
      expect([p.title, p.body, p.lockScreen]).toEqual([title, 'Open the app to see the details.', 'generic']);
      expect(leaks(p)).toEqual([]);
    }
  });

  it('leaves another tenant alone, and full again once switched back', async () => {
    const other = await send('h2', { type: 'general', priority: 'high', ...SECRET, to: { users: ['kim'] } });
    const full = await arrived('h2:kim', other.json.notification.id);
    expect(full).toMatchObject({ title: SECRET.title, body: SECRET.body, data: SECRET.data });
    expect(full.lockScreen).toBeUndefined();
    expect((await a.call('GET', '/api/tenant/settings', t['h2:admin'])).json).toEqual({ lockScreen: 'full' });
    await setLockScreen('h1', 'full');
    const back = await send('h1', { type: 'general', priority: 'high', ...SECRET, to: { users: ['kim'] } });
    expect(await arrived('h1:kim', back.json.notification.id)).toMatchObject({ title: SECRET.title, body: SECRET.body });
  });
});

describe('a send that asks for a generic lock screen', () => {
  it('pushes that one notification generic in a tenant on full lock screens, and the next one full', async () => {
    expect((await a.call('GET', '/api/tenant/settings', t['h2:admin'])).json).toEqual({ lockScreen: 'full' });
    const secret = await send('h2', { type: 'swap_requested', priority: 'high', ...SECRET, lockScreen: 'generic', to: { users: ['lee'] } });
    expect(secret.status).toBe(201);
    const p = await arrived('h2:lee', secret.json.notification.id);
    expect(leaks(p)).toEqual([]);
    expect(p).toMatchObject({ lockScreen: 'generic', title: 'Shift swap request', actions: [{ id: 'accept', label: 'Accept' }, { id: 'decline', label: 'Decline' }], data: {} });
    const next = await send('h2', { type: 'swap_requested', priority: 'high', ...SECRET, to: { users: ['lee'] } });
    expect(await arrived('h2:lee', next.json.notification.id)).toMatchObject({ title: SECRET.title });
  });

  it('keeps a group generic once one of its sends asked for it', async () => {
    const groupKey = 'bed-12-updates';
    const first = await send('h2', { ...SECRET, groupKey, lockScreen: 'generic', to: { users: ['kim'] } });
    await arrived('h2:kim', first.json.notification.id);
    const repeat = await send('h2', { ...SECRET, groupKey, to: { users: ['kim'] } });
    expect(repeat.json).toMatchObject({ grouped: true, notification: { id: first.json.notification.id } });
    const s = phones['h2:kim']!;
    await fake.waitFor(() => fake.for(s.id).filter((r) => r.payload?.id === first.json.notification.id).length === 2);
    for (const r of fake.for(s.id).filter((x) => x.payload?.id === first.json.notification.id)) {
      expect(r.payload?.lockScreen).toBe('generic');
      expect(leaks(r.payload)).toEqual([]);
    }
  });

  it('refuses any other value (400) and sends nothing', async () => {
    const r = await send('h2', { ...SECRET, lockScreen: 'full', to: { users: ['kim'] } });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('validation_failed');
  });
});

describe('genericTextOf (pure)', () => {
  it('uses the ward only for an emergency call to a ward', () => {
    expect(genericTextOf({ type: 'emergency_call', priority: 'urgent', ward: '3' }).title).toBe('Urgent call, Ward 3');
    expect(genericTextOf({ type: 'emergency_call', priority: 'high', ward: '3' }).title).toBe('Emergency call, Ward 3');
    expect(genericTextOf({ type: 'emergency_call', priority: 'urgent', ward: null }).title).toBe('Urgent call');
    expect(genericTextOf({ type: 'general', priority: 'urgent', ward: '3' }).title).toBe('Urgent notification');
    expect(genericTextOf({ type: 'swap_approved', priority: 'medium' }).title).toBe('Shift swap update');
    expect(genericTextOf({ type: 'shift_reminder', priority: 'low' }).title).toBe('Shift reminder');
    expect(genericTextOf({ type: 'schedule_published', priority: 'high' }).title).toBe('New schedule');
    expect(genericTextOf({ type: 'toString', priority: 'medium' }).title).toBe('New notification');
  });
});
