import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { closeAll, dataOf, hospital, postJson, schedulerPassed, send, start, type Hospital } from './helpers.js';

afterEach(closeAll);

const WARD3 = Array.from({ length: 10 }, (_, i) => `n${i + 1}`);

async function call(h: Hospital, body: Record<string, unknown>, token = h.service) {
  const r = await postJson(h.url('/api/emergency-calls'), { to: { topic: 'ward:3' }, title: 'ICU needs help', message: 'Two nurses to ICU now', ...body }, token);
  expect(r.status).toBe(201);
  return r.json as { call: Record<string, any>; notificationId: string; recipients: number };
}

const getCall = async (h: Hospital, id: string) => (await send('GET', h.url(`/api/emergency-calls/${id}`), h.service)).json.call as Record<string, any>;
const mine = async (h: Hospital, userId: string, id: string) => (await send('GET', h.url(`/api/notifications/${id}`), h.tok(userId))).json;

describe('emergency calls, end to end', () => {
  it('reaches the ward as urgent with Accept now and Can\'t come and an emergency.called event', async () => {
    const s = await start();
    const h = await hospital(s);
    const nurse = await h.stream('n4');
    const c = await call(h, { needed: 2 });
    expect(c.recipients).toBe(11); // ten nurses and the ward manager
    expect(c.call).toMatchObject({ status: 'open', needed: 2, accepted: 0, callerId: 'scheduler', escalateTo: { topic: 'role:nurse' } });
    await nurse.until((x) => x.of('notification').length === 1 && x.of('emergency.called').length === 1);
    const n = dataOf(nurse.of('notification')[0]!).notification;
    expect(n).toMatchObject({ type: 'emergency_call', priority: 'urgent', actions: [{ id: 'accept', label: 'Accept now' }, { id: 'decline', label: 'Can\'t come' }], state: { status: 'open', needed: 2 } });
    expect(n.body).toMatch(/^2 of 2 people needed now\./);
    expect(dataOf(nurse.of('emergency.called')[0]!).call.id).toBe(c.call.id);
    nurse.close();
  });

  it('never overfills: of ten simultaneous accepts for three places, exactly three count', async () => {
    const s = await start();
    const h = await hospital(s);
    const service = await h.stream('service');
    const bystander = await h.stream('n10');
    const c = await call(h, { needed: 3 });

    const presses = await Promise.all(WARD3.map((u) => h.press(u, c.notificationId, 'accept')));
    const ok = presses.filter((p) => p.status === 200);
    expect(ok).toHaveLength(3);
    expect(ok.map((p) => p.json.result).sort()).toEqual(['accepted', 'accepted', 'filled']);
    const refused = presses.filter((p) => p.status === 409);
    expect(refused).toHaveLength(7);
    for (const r of refused) expect(r.json.error).toMatchObject({ code: 'conflict', details: { status: 'filled', accepted: 3, needed: 3 } });

    const final = await getCall(h, c.call.id);
    expect(final).toMatchObject({ status: 'filled', accepted: 3, needed: 3 });
    expect(final.acceptedBy).toHaveLength(3);
    expect(final.filledAt).toEqual(expect.any(String));

    // Everyone else's notification now says filled, on their pages and in their inbox.
    await bystander.until((x) => x.of('notification.updated').some((e) => dataOf(e).notification.state?.status === 'filled'));
    const winners = new Set(final.acceptedBy.map((a: { userId: string }) => a.userId));
    for (const u of WARD3.filter((x) => !winners.has(x))) {
      const n = await mine(h, u, c.notificationId);
      expect(n.state).toMatchObject({ status: 'filled', accepted: 3, needed: 3 });
      expect(n.actions).toEqual([{ id: 'accept', label: 'Filled', style: 'secondary' }]);
      expect(n.body).toMatch(/^Filled: 3 of 3 accepted/);
    }
    // And the scheduling application saw it fill.
    await service.until((x) => x.of('emergency.updated').some((e) => dataOf(e).call.status === 'filled'));
    const progress = service.of('emergency.updated').map((e) => dataOf(e).call.accepted as number);
    expect(Math.max(...progress)).toBe(3);
    service.close();
    bystander.close();
  });

  it('answers a late accept, and a second accept by the same nurse, with 409', async () => {
    const s = await start();
    const h = await hospital(s);
    const c = await call(h, { needed: 1 });
    expect((await h.press('n1', c.notificationId, 'accept')).json.result).toBe('filled');
    const late = await h.press('n2', c.notificationId, 'accept');
    expect(late.status).toBe(409);
    expect(late.json.error.message).toMatch(/already filled \(1 of 1\)/);
    const twice = await h.press('n1', c.notificationId, 'accept');
    expect(twice.status).toBe(409);
    expect(twice.json.error.message).toMatch(/already accepted/);
    expect((await getCall(h, c.call.id)).accepted).toBe(1);
  });

  it('counts one accept per nurse even when the same nurse presses many times at once', async () => {
    const s = await start();
    const h = await hospital(s);
    const c = await call(h, { needed: 3 });
    const presses = await Promise.all(Array.from({ length: 6 }, () => h.press('n5', c.notificationId, 'accept')));
    expect(presses.filter((p) => p.status === 200)).toHaveLength(1);
    expect(await getCall(h, c.call.id)).toMatchObject({ accepted: 1, status: 'open' });
  });

  it('shows the caller live progress on their own stream', async () => {
    const s = await start();
    const h = await hospital(s);
    const admin = await s.token({ tenantId: 'h1', userId: 'head-nurse', roles: ['admin'] });
    const { SseReader } = await import('../helpers/sse-reader.js');
    const callerStream = await SseReader.open(h.url('/api/sse'), { authorization: `Bearer ${admin}` });
    const c = await call(h, { needed: 2 }, admin);
    await h.press('n1', c.notificationId, 'accept');
    await h.press('n2', c.notificationId, 'accept');
    await callerStream.until((x) => x.of('emergency.updated').length >= 2);
    expect(callerStream.of('emergency.updated').map((e) => [dataOf(e).call.accepted, dataOf(e).call.status])).toEqual([
      [1, 'open'],
      [2, 'filled'],
    ]);
    callerStream.close();
  });

  it('escalates an unfilled call to staff not yet reached after the configured time', async () => {
    const clock = new FakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const service = await h.stream('service');
    const far = await h.stream('w5a');
    const c = await call(h, { needed: 2, escalateAfterSeconds: 1 });
    await h.press('n1', c.notificationId, 'accept');
    expect(far.of('notification')).toEqual([]);

    await clock.advanceAsync(1000);
    await far.until((x) => x.of('notification').length === 1);
    const escalated = dataOf(far.of('notification')[0]!).notification;
    expect(escalated).toMatchObject({ type: 'emergency_call', priority: 'urgent', title: 'Escalated: ICU needs help', state: { status: 'escalated', accepted: 1, needed: 2 } });
    expect(escalated.body).toMatch(/^1 of 2 people needed now/);
    await service.until((x) => x.of('emergency.updated').some((e) => dataOf(e).call.status === 'escalated'));
    // Ward 3 was reached already: nobody there gets the call twice.
    expect((await h.inbox('n3')).filter((i) => i.type === 'emergency_call')).toHaveLength(1);
    expect((await getCall(h, c.call.id)).escalatedAt).toEqual(expect.any(String));

    // The escalated audience can fill it, and then both notifications say filled.
    expect((await h.press('w5a', escalated.id, 'accept')).json.result).toBe('filled');
    expect((await mine(h, 'w5b', escalated.id)).state.status).toBe('filled');
    expect((await mine(h, 'n3', c.notificationId)).state.status).toBe('filled');
    expect((await getCall(h, c.call.id)).notificationIds).toEqual([c.notificationId, escalated.id]);
    service.close();
    far.close();
  });

  it('does not escalate a call that filled in time', async () => {
    const clock = new FakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const c = await call(h, { needed: 1, escalateAfterSeconds: 1 });
    await h.press('n1', c.notificationId, 'accept');
    await schedulerPassed(h, clock, Date.parse(c.call.escalateAt));
    expect(await h.inbox('w5a')).toEqual([]);
    expect((await getCall(h, c.call.id)).escalatedAt).toBeNull();
  });

  it('escalates to an escalateTo topic given in the request, or never with null', async () => {
    const clock = new FakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    await call(h, { to: { users: ['n1'] }, needed: 1, escalateAfterSeconds: 1, escalateTo: { topic: 'ward:5' } });
    const never = await call(h, { to: { users: ['n2'] }, needed: 1, escalateTo: null });
    expect(never.call.escalateAt).toBeNull();
    await clock.advanceAsync(1000);
    await eventually(async () => expect((await h.inbox('w5b')).map((i) => i.title)).toEqual(['Escalated: ICU needs help']));
    expect(await h.inbox('n3')).toEqual([]);
  });

  it('cancels an open call: notifications close, accepts are refused, the escalation never runs', async () => {
    const clock = new FakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const c = await call(h, { needed: 2, escalateAfterSeconds: 1 });
    const cancel = await postJson(h.url(`/api/emergency-calls/${c.call.id}/cancel`), {}, h.service);
    expect(cancel.status).toBe(200);
    expect(cancel.json.call.status).toBe('cancelled');
    expect((await postJson(h.url(`/api/emergency-calls/${c.call.id}/cancel`), {}, h.service)).status).toBe(200);
    expect((await mine(h, 'n1', c.notificationId)).state.status).toBe('cancelled');
    const accept = await h.press('n1', c.notificationId, 'accept');
    expect(accept.status).toBe(409);
    expect(accept.json.error.message).toMatch(/cancelled/);
    await schedulerPassed(h, clock, Date.parse(c.call.escalateAt));
    expect(await h.inbox('w5a')).toEqual([]);
  });

  it('refuses to cancel a filled call', async () => {
    const s = await start();
    const h = await hospital(s);
    const c = await call(h, { needed: 1 });
    await h.press('n1', c.notificationId, 'accept');
    const r = await postJson(h.url(`/api/emergency-calls/${c.call.id}/cancel`), {}, h.service);
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('conflict');
  });
});
