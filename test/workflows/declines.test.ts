import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import { closeAll, dataOf, hospital, postJson, schedulerPassed, send, start, type Hospital } from './helpers.js';

afterEach(closeAll);

async function call(h: Hospital, body: Record<string, unknown>) {
  const r = await postJson(h.url('/api/emergency-calls'), { to: { topic: 'ward:3' }, title: 'ICU needs help', message: 'Two nurses to ICU now', ...body }, h.service);
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json as { call: Record<string, any>; notificationId: string; recipients: number };
}

const getCall = async (h: Hospital, id: string) => (await send('GET', h.url(`/api/emergency-calls/${id}`), h.service)).json.call as Record<string, any>;

describe("emergency calls: Can't come", () => {
  it('counts a decline, shows it in the call and in emergency.updated, and records the press', async () => {
    const s = await start();
    const h = await hospital(s);
    const service = await h.stream('service');
    const c = await call(h, { needed: 2, escalateTo: null });
    const r = await h.press('n3', c.notificationId, 'decline');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ result: 'declined', details: { callId: c.call.id, declined: 1, accepted: 0, needed: 2, status: 'open' } });
    const got = await getCall(h, c.call.id);
    expect(got).toMatchObject({ status: 'open', declined: 1, accepted: 0 });
    expect(got.declinedBy).toEqual([{ userId: 'n3', declinedAt: expect.any(String) }]);
    await service.until((x) => x.of('emergency.updated').some((e) => dataOf(e).call.declined === 1));
    // The press is the nurse's answer on their inbox row (and reads it).
    const mine = (await send('GET', h.url(`/api/notifications/${c.notificationId}`), h.tok('n3'))).json;
    expect(mine).toMatchObject({ actedAction: 'decline', readAt: expect.any(String) });
    service.close();
  });

  it('refuses a second decline, a decline after an accept and an accept after a decline, with 409s that say why', async () => {
    const s = await start();
    const h = await hospital(s);
    const c = await call(h, { needed: 3, escalateTo: null });
    await h.press('n1', c.notificationId, 'decline');
    const again = await h.press('n1', c.notificationId, 'decline');
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 'conflict', message: 'You have already declined this call.', details: { answer: 'declined' } });
    const accept = await h.press('n1', c.notificationId, 'accept');
    expect(accept.status).toBe(409);
    expect(accept.json.error.message).toMatch(/You declined this call/);
    await h.press('n2', c.notificationId, 'accept');
    const decline = await h.press('n2', c.notificationId, 'decline');
    expect(decline.status).toBe(409);
    expect(decline.json.error).toMatchObject({ code: 'conflict', details: { answer: 'accepted' } });
    expect(decline.json.error.message).toMatch(/You accepted this call/);
    expect(await getCall(h, c.call.id)).toMatchObject({ accepted: 1, declined: 1 });
  });

  it('counts one answer when a nurse presses accept and decline many times at once', async () => {
    const s = await start();
    const h = await hospital(s);
    const c = await call(h, { needed: 3, escalateTo: null });
    const presses = await Promise.all(Array.from({ length: 8 }, (_, i) => h.press('n5', c.notificationId, i % 2 ? 'accept' : 'decline')));
    expect(presses.filter((p) => p.status === 200)).toHaveLength(1);
    expect(presses.filter((p) => p.status === 409)).toHaveLength(7);
    const got = await getCall(h, c.call.id);
    expect(got.accepted + got.declined).toBe(1);
  });

  it('refuses a decline of a filled or cancelled call, and an action a call does not have', async () => {
    const s = await start();
    const h = await hospital(s);
    const filled = await call(h, { needed: 1, escalateTo: null });
    await h.press('n1', filled.notificationId, 'accept');
    const late = await h.press('n2', filled.notificationId, 'decline');
    expect(late.status).toBe(409);
    expect(late.json.error.message).toMatch(/already filled/);
    const cancelled = await call(h, { needed: 1, escalateTo: null });
    await postJson(h.url(`/api/emergency-calls/${cancelled.call.id}/cancel`), {}, h.service);
    expect((await h.press('n2', cancelled.notificationId, 'decline')).json.error.message).toMatch(/cancelled/);
    const odd = await h.press('n2', filled.notificationId, 'maybe');
    expect(odd.status).toBe(404);
    expect(odd.json.error.message).toMatch(/accept and decline/);
  });

  it('escalates at once when everyone reached so far has declined, instead of waiting for the step', async () => {
    const clock = new FakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const far = await h.stream('w5a');
    const c = await call(h, { to: { users: ['n1', 'n2', 'n3'] }, needed: 1, escalateAfterSeconds: 600, escalateTo: { topic: 'ward:5' } });
    expect((await h.press('n1', c.notificationId, 'decline')).json.details.escalatedNow).toBe(false);
    expect((await h.press('n2', c.notificationId, 'decline')).json.details.escalatedNow).toBe(false);
    expect(await h.inbox('w5a')).toEqual([]);
    // The third and last: no time passes, and ward 5 has the call before the answer comes back.
    const last = await h.press('n3', c.notificationId, 'decline');
    expect(last.json).toMatchObject({ result: 'declined', details: { escalatedNow: true, declined: 3 } });
    expect((await h.inbox('w5a')).map((i) => i.title)).toEqual(['Escalated: ICU needs help']);
    await far.until((x) => x.of('notification').length === 1);
    expect(await getCall(h, c.call.id)).toMatchObject({ status: 'escalated', stepsRun: 1, declined: 3 });
    // The step ran once: its original time passes without another.
    await schedulerPassed(h, clock, Date.parse(c.call.escalateAt));
    expect(await h.inbox('w5b')).toHaveLength(1);
    far.close();
  });

  it('does not escalate early while someone reached has not answered, or has accepted', async () => {
    const s = await start({ clock: new FakeClock() });
    const h = await hospital(s);
    const c = await call(h, { to: { users: ['n1', 'n2', 'n3'] }, needed: 2, escalateAfterSeconds: 600, escalateTo: { topic: 'ward:5' } });
    await h.press('n1', c.notificationId, 'accept');
    await h.press('n2', c.notificationId, 'decline');
    await h.press('n3', c.notificationId, 'decline');
    expect(await h.inbox('w5a')).toEqual([]);
    expect(await getCall(h, c.call.id)).toMatchObject({ status: 'open', stepsRun: 0, accepted: 1, declined: 2 });
  });

  it('puts both buttons on the escalated notification too, and keeps only the relabelled accept once closed', async () => {
    const s = await start({ clock: new FakeClock() });
    const h = await hospital(s);
    const c = await call(h, { to: { users: ['n1'] }, needed: 1, escalateAfterSeconds: 600, escalateTo: { users: ['n2'] } });
    await h.press('n1', c.notificationId, 'decline');
    const [escalated] = await h.inbox('n2');
    expect(escalated!.actions).toEqual([
      { id: 'accept', label: 'Accept now', style: 'primary' },
      { id: 'decline', label: "Can't come", style: 'secondary' },
    ]);
    await h.press('n2', escalated!.id, 'accept');
    const closed = (await send('GET', h.url(`/api/notifications/${escalated!.id}`), h.tok('n2'))).json;
    expect(closed.actions).toEqual([{ id: 'accept', label: 'Filled', style: 'secondary' }]);
  });
});
