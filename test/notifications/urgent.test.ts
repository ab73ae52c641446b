/**
 * "Critical means critical": an urgent notification (and any emergency call) reaches the inbox,
 * the stream and push at once whatever the recipient's preferences say (quiet hours, push off,
 * inbox off, a switched-off type), and is never folded into a group. The planning is pure
 * (unit tests); then through a real service on a FakeClock, with the fake push service as the
 * devices, and the preferences API that shows what is locked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PREFERENCES,
  isCritical,
  LOCKED_NOTE,
  planChannels,
  preferencesView,
  PreferencesInputSchema,
  PreferencesSchema,
  withoutLocked,
} from '../../packages/wardbell/src/notifications/index.js';
import { groupable } from '../../packages/wardbell/src/notifications/grouping.js';
import { eventually } from '../helpers/eventually.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startService, type TestService } from '../helpers/service.js';
import { SseReader } from '../helpers/sse-reader.js';
import { FakePushService, type FakeSubscription } from '../push/helpers/fake-push-service.js';
import { api, fakePushEnv, peekDb, type Api } from '../push/helpers/push-service.js';

// 2026-11-26 13:30 UTC = 22:30 in Seoul.
const at2230Seoul = Date.UTC(2026, 10, 26, 13, 30);
const quietSeoul = { enabled: true, start: '22:00', end: '07:00', timeZone: 'Asia/Seoul' };
const everythingOff = PreferencesSchema.parse({
  channels: { general: { inbox: false, push: false }, emergency_call: { inbox: false, push: false }, swap_requested: { inbox: false, push: false } },
  quietHours: quietSeoul,
});

describe('planning (pure)', () => {
  it('is critical for priority urgent and for emergency calls, and only then', () => {
    expect(isCritical('general', 'urgent')).toBe(true);
    expect(isCritical('emergency_call', 'high')).toBe(true);
    expect(isCritical('emergency_call', 'low')).toBe(true);
    for (const p of ['low', 'medium', 'high'] as const) expect(isCritical('swap_requested', p)).toBe(false);
  });

  it('sends urgent on every channel at once, in quiet hours, with the type switched off', () => {
    for (const type of ['general', 'swap_requested', 'emergency_call'] as const) {
      expect(planChannels(everythingOff, type, 'urgent', at2230Seoul)).toEqual({ inbox: true, push: true, pushNotBefore: at2230Seoul });
    }
    // The same preferences hold back what is not critical.
    expect(planChannels(everythingOff, 'general', 'high', at2230Seoul)).toEqual({ inbox: false, push: false, pushNotBefore: at2230Seoul });
    const quietOnly = PreferencesSchema.parse({ quietHours: quietSeoul });
    expect(planChannels(quietOnly, 'general', 'high', at2230Seoul).pushNotBefore).toBe(Date.UTC(2026, 10, 26, 22, 0));
    expect(planChannels(quietOnly, 'general', 'urgent', at2230Seoul).pushNotBefore).toBe(at2230Seoul);
  });

  it('sends an emergency call of any priority on every channel at once: its type cannot be switched off', () => {
    expect(planChannels(everythingOff, 'emergency_call', 'medium', at2230Seoul)).toEqual({ inbox: true, push: true, pushNotBefore: at2230Seoul });
    // Low priority would not push by default; an emergency call still does.
    expect(planChannels(DEFAULT_PREFERENCES, 'emergency_call', 'low', at2230Seoul).push).toBe(true);
  });

  it('never groups a critical send: its groupKey is dropped', () => {
    const base = { title: 'x', groupKey: 'census-ward3' };
    expect(groupable({ ...base, type: 'general', priority: 'urgent' as const }).groupKey).toBeUndefined();
    expect(groupable({ ...base, type: 'emergency_call', priority: 'high' as const }).groupKey).toBeUndefined();
    expect(groupable({ ...base, type: 'general', priority: 'high' as const }).groupKey).toBe('census-ward3');
    const plain = { title: 'x', type: 'general', priority: 'urgent' as const };
    expect(groupable(plain)).toBe(plain);
  });

  it('stores preferences without the locked types, and shows what is locked', () => {
    expect(withoutLocked(everythingOff).channels).toEqual({ general: { inbox: false, push: false }, swap_requested: { inbox: false, push: false } });
    const view = preferencesView(everythingOff);
    expect(view.channels.emergency_call).toBeUndefined();
    expect(view.locked).toEqual({
      types: { schedule_published: false, schedule_updated: false, swap_requested: false, swap_approved: false, swap_rejected: false, emergency_call: true, shift_reminder: false, general: false },
      priorities: { low: false, medium: false, high: false, urgent: true },
      note: 'Urgent notifications always reach you',
    });
    expect(LOCKED_NOTE).toBe('Urgent notifications always reach you');
    // What GET answers, PUT takes (`locked` is read-only); anything else stays refused.
    expect(PreferencesInputSchema.safeParse(view).success).toBe(true);
    expect(PreferencesInputSchema.safeParse({ ...view, locked: { ...view.locked, extra: 1 } }).success).toBe(false);
    expect(PreferencesInputSchema.safeParse({ ...view, other: 1 }).success).toBe(false);
  });
});

describe('through the service, on a FakeClock', () => {
  let fake: FakePushService;
  let svc: TestService;
  let a: Api;
  let clock: FakeClock;
  let service: string;
  const t: Record<string, string> = {};
  const phones: Record<string, FakeSubscription> = {};
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

  beforeAll(async () => {
    fake = await FakePushService.start();
    // Real time (the fake push service checks VAPID expiry against it), moved only by the test.
    clock = new FakeClock(Date.now());
    svc = await startService(fakePushEnv(fake), { clock });
    a = api(svc.url);
    service = await svc.token({ tenantId: 'h1', userId: 'scheduler', roles: ['service'] });
    const staff = ['kim', 'lee', 'park'].map((userId) => ({ userId, roles: ['nurse'], wards: ['3'] }));
    expect((await a.call('PUT', '/api/directory/members', service, { members: staff })).status).toBe(200);
    for (const s of staff) {
      t[s.userId] = await svc.token({ tenantId: 'h1', ...s });
      const phone = fake.subscription();
      expect((await a.subscribe(t[s.userId]!, phone)).status).toBe(201);
      phones[s.userId] = phone;
    }
    // kim: quiet hours now (an hour either side, in UTC). lee: general and swaps switched off, quiet hours too.
    const quiet = { enabled: true, start: hhmm(clock.now() - 3600_000), end: hhmm(clock.now() + 3600_000), timeZone: 'UTC' };
    expect((await a.call('PUT', '/api/notifications/preferences', t.kim, { quietHours: quiet })).status).toBe(200);
    const off = { inbox: false, push: false };
    expect((await a.call('PUT', '/api/notifications/preferences', t.lee, { channels: { general: off, swap_requested: off }, quietHours: quiet })).status).toBe(200);
  });
  afterAll(async () => {
    await svc?.close();
    await fake?.close();
  });

  const send = (body: Record<string, unknown>) => a.call('POST', '/api/notifications', service, { type: 'general', priority: 'high', ...body });
  /** Moves the clock in the push worker's poll steps until `pred` holds over what the devices got. */
  const pumpUntil = (pred: () => boolean, message: string) =>
    eventually(
      async () => {
        await clock.advanceAsync(300);
        return pred();
      },
      { timeout: 10_000, message },
    );
  const titles = (user: string) => fake.for(phones[user]!.id).map((r) => r.payload?.title as string);
  const inboxTitles = async (user: string) => ((await a.call('GET', '/api/notifications?limit=100', t[user])).json.items as Array<{ title: string }>).map((i) => i.title);
  const outbox = (notificationId: string) => peekDb<{ user_id: string; not_before: number }>(svc.dataDir, 'select user_id, not_before from push_outbox where notification_id = ? order by user_id', notificationId);

  it('pushes an urgent notification in quiet hours at once, and holds a high one until the window ends', async () => {
    const held = await send({ title: 'Held: rota note', to: { users: ['kim'] } });
    const urgent = await send({ title: 'Urgent: call the ward', priority: 'urgent', to: { users: ['kim'] } });
    expect([held.status, urgent.status]).toEqual([201, 201]);
    const now = clock.now();
    expect(outbox(urgent.json.notification.id)).toEqual([{ user_id: 'kim', not_before: now }]);
    expect(Number(outbox(held.json.notification.id)[0]?.not_before)).toBeGreaterThan(now + 3500_000);
    // The urgent one arrives; the high one, sent first, does not (the urgent one is the barrier).
    await pumpUntil(() => titles('kim').includes('Urgent: call the ward'), 'urgent push delivered in quiet hours');
    expect(titles('kim')).not.toContain('Held: rota note');
    // After the window, the held one goes.
    clock.advance(2 * 3600_000);
    await pumpUntil(() => titles('kim').includes('Held: rota note'), 'held push delivered after quiet hours');
  });

  it('reaches a user who switched the type off (inbox and push) and is in quiet hours: inbox, stream and push', async () => {
    const stream = await SseReader.open(`${svc.url}/api/sse`, { authorization: `Bearer ${t.lee}` });
    try {
      await stream.until((r) => r.lastEventId !== '');
      const muted = await send({ title: 'Muted for lee', to: { users: ['lee'] } });
      expect(muted.json.recipients).toBe(0);
      const urgent = await send({ title: 'Urgent for lee', priority: 'urgent', to: { users: ['lee'] } });
      expect(urgent.json.recipients).toBe(1);
      const swap = await send({ type: 'swap_requested', title: 'Urgent swap for lee', priority: 'urgent', to: { users: ['lee'] } });
      expect(swap.json.recipients).toBe(1);
      await stream.until((r) => r.of('notification').some((e) => JSON.parse(e.data).notification.title === 'Urgent swap for lee'));
      const streamed = stream.of('notification').map((e) => JSON.parse(e.data).notification.title as string);
      expect(streamed).toEqual(expect.arrayContaining(['Urgent for lee', 'Urgent swap for lee']));
      expect(streamed).not.toContain('Muted for lee');
      expect(await inboxTitles('lee')).toEqual(expect.arrayContaining(['Urgent for lee', 'Urgent swap for lee']));
      expect(await inboxTitles('lee')).not.toContain('Muted for lee');
      await pumpUntil(() => ['Urgent for lee', 'Urgent swap for lee'].every((x) => titles('lee').includes(x)), 'urgent pushes reach lee');
      expect(titles('lee')).not.toContain('Muted for lee');
      expect(outbox(muted.json.notification.id)).toEqual([]);
    } finally {
      stream.close();
    }
  });

  it('never folds an urgent notification into a group, nor a later one into it', async () => {
    const groupKey = 'census-ward3';
    const first = await send({ title: 'Census 1', priority: 'medium', groupKey, to: { users: ['park'] } });
    const u1 = await send({ title: 'Census: urgent 1', priority: 'urgent', groupKey, to: { users: ['park'] } });
    const u2 = await send({ title: 'Census: urgent 2', priority: 'urgent', groupKey, to: { users: ['park'] } });
    const again = await send({ title: 'Census 2', priority: 'medium', groupKey, to: { users: ['park'] } });
    expect(u1.json).toMatchObject({ grouped: false, notification: { groupKey: null, groupCount: 1, title: 'Census: urgent 1' } });
    expect(u2.json).toMatchObject({ grouped: false, notification: { groupKey: null, groupCount: 1 } });
    expect(new Set([first.json.notification.id, u1.json.notification.id, u2.json.notification.id]).size).toBe(3);
    // A later repeat folds into the first notification of its group, not into an urgent one.
    expect(again.json).toMatchObject({ grouped: true, notification: { id: first.json.notification.id, groupCount: 2 } });
    expect(await inboxTitles('park')).toEqual(expect.arrayContaining(['Census: urgent 1', 'Census: urgent 2', 'Census 2']));
    // Each urgent push has a Topic (and tag) of its own: a repeat cannot replace it on the device.
    await pumpUntil(() => ['Census: urgent 1', 'Census: urgent 2'].every((x) => titles('park').includes(x)), 'urgent pushes reach park');
    const got = fake.for(phones.park!.id);
    const topic = (title: string) => got.find((r) => r.payload?.title === title)?.headers.topic;
    expect(topic('Census: urgent 1')).not.toBe(topic('Census: urgent 2'));
    expect(topic('Census: urgent 1')).not.toBe(topic('Census 1'));
  });

  it('shows urgent and emergency calls as locked in the preferences API, and ignores a PUT that switches them off', async () => {
    const got = await a.call('GET', '/api/notifications/preferences', t.park);
    expect(got.status).toBe(200);
    expect(got.json.locked).toMatchObject({ types: { emergency_call: true, general: false }, priorities: { urgent: true, high: false }, note: 'Urgent notifications always reach you' });
    // Accepted, that part ignored: the answer and the next GET show it is not switched off.
    const off = { inbox: false, push: false };
    const put = await a.call('PUT', '/api/notifications/preferences', t.park, { ...got.json, channels: { emergency_call: off, general: off } });
    expect(put.status).toBe(200);
    expect(put.json.channels).toEqual({ general: off });
    expect(put.json.locked.types.emergency_call).toBe(true);
    expect((await a.call('GET', '/api/notifications/preferences', t.park)).json.channels).toEqual({ general: off });
    // And an emergency call (not even urgent) still reaches park on every channel.
    const call = await send({ type: 'emergency_call', priority: 'high', title: 'Call: ward 3 short', to: { users: ['park'] } });
    expect(call.json.recipients).toBe(1);
    expect(await inboxTitles('park')).toContain('Call: ward 3 short');
    await pumpUntil(() => titles('park').includes('Call: ward 3 short'), 'emergency call pushed to park');
    // A body that is wrong otherwise is still refused.
    expect((await a.call('PUT', '/api/notifications/preferences', t.park, { channels: { emergency_call: { inbox: 'no' } } })).status).toBe(400);
    expect((await a.call('PUT', '/api/notifications/preferences', t.park, { locked: { types: {}, priorities: {}, note: 'x', extra: true } })).json.error.code).toBe('validation_failed');
  });
});
