/**
 * An emergency call's timeline through `GET /api/emergency-calls/{id}/timeline` only (not the
 * database), with pushes that really reach the fake push service: every kind of line, in time
 * order, each with who: created, notified, delivered by stream, delivered by push (with the
 * device), displayed by a page and by the service worker (reported with the push's action token),
 * seen (opened, read), repeated, declined, escalated (which step), accepted, filled; and, in calls
 * of their own, cancelled and expired. On a FakeClock that starts at the real time.
 *
 * The `notified` lines are matched on their notification and wave only (their audience field is
 * not part of what this suite holds), and only the first repeat is counted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { api } from '../push/helpers/push-service.js';
import { startPushHospital, type PushHospital } from '../push/helpers/push-hospital.js';
import { postJson, schedulerPassed, send, type Hospital } from './helpers.js';

let ph: PushHospital | null = null;
afterEach(async () => {
  await ph?.close();
  ph = null;
});

interface Entry {
  seq: number | null;
  at: string;
  kind: string;
  actor: string | null;
  data: Record<string, any>;
}

const timeline = async (h: Hospital, callId: string): Promise<Entry[]> => {
  const r = await send('GET', h.url(`/api/emergency-calls/${callId}/timeline`), h.service);
  expect(r.status).toBe(200);
  expect(r.json.callId).toBe(callId);
  expect(r.json.nextCursor ?? null).toBeNull(); // the whole timeline on one page
  return r.json.entries as Entry[];
};

async function call(h: Hospital, body: Record<string, unknown>) {
  const r = await postJson(h.url('/api/emergency-calls'), { to: { users: ['n1', 'n2'] }, title: 'ICU needs help', message: '', needed: 1, ...body }, h.service);
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json as { call: Record<string, any>; notificationId: string };
}

/** Time order: no line earlier than the one before it. */
function expectInTimeOrder(entries: Entry[]) {
  const t = entries.map((e) => Date.parse(e.at));
  expect(t.every((x) => Number.isFinite(x))).toBe(true);
  expect(t).toEqual([...t].sort((a, b) => a - b));
  const seqs = entries.filter((e) => e.seq !== null).map((e) => e.seq);
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
}

describe('the timeline endpoint of an emergency call', () => {
  it('lists created, notified, delivered by stream and by push with the device, displayed by page and worker, seen, repeated, declined, escalated, accepted, filled in time order with who', async () => {
    ph = await startPushHospital(['n2', 'n3']);
    const { h, clock, at } = ph;
    const a = api(ph.s.url);
    const n1 = await h.stream('n1');
    const c = await call(h, { policy: { steps: [{ afterSeconds: 120, to: { users: ['n3'] } }], repeatEverySeconds: 30, maxRepeats: 1 } });
    const id = c.notificationId;
    const t0 = clock.now();
    // n1 has it on the stream, n2 on the phone.
    await n1.until((x) => x.of('notification').some((e) => e.data.includes(id)));
    await ph.pushRound(() => at('n2', id).length === 1, 'the push to n2');
    const n2Device = ((await a.call('GET', '/api/push/subscriptions', h.tok('n2'))).json.subscriptions as Array<{ id: string }>)[0]!.id;
    const actionToken = at('n2', id)[0]!.payload!.token as string;
    const byWorker = (kind: 'displayed' | 'opened') =>
      fetch(h.url('/api/notifications/receipts'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-wardbell-action-token': actionToken }, body: JSON.stringify({ receipts: [{ id, kind, via: 'worker' }] }) });

    await clock.advanceAsync(1000);
    expect((await postJson(h.url('/api/notifications/receipts'), { receipts: [{ id, kind: 'displayed' }] }, h.tok('n1'))).json).toEqual({ recorded: 1, unknown: [] });
    await clock.advanceAsync(1000);
    expect((await byWorker('displayed')).status).toBe(200);
    await schedulerPassed(h, clock, t0 + 30_000); // the repeat: neither has answered or read it
    await clock.advanceAsync(1000);
    expect((await byWorker('opened')).status).toBe(200);
    await clock.advanceAsync(1000);
    expect((await h.press('n1', id, 'decline')).status).toBe(200); // (a press reads it: n1 has seen it)
    await schedulerPassed(h, clock, t0 + 120_000); // the step to n3
    const stepId = (await send('GET', h.url(`/api/emergency-calls/${c.call.id as string}`), h.service)).json.call.notificationIds.find((n: string) => n !== id) as string;
    await ph.pushRound(() => at('n3', stepId).length === 1, 'the step at n3');
    const n3Device = ((await a.call('GET', '/api/push/subscriptions', h.tok('n3'))).json.subscriptions as Array<{ id: string }>)[0]!.id;
    await clock.advanceAsync(1000);
    expect((await h.press('n3', stepId, 'accept')).status).toBe(200);

    const got = await timeline(h, c.call.id as string);
    expectInTimeOrder(got);
    const find = (kind: string, actor: string | null, data: Record<string, unknown> = {}) => {
      const i = got.findIndex((e) => e.kind === kind && e.actor === actor && Object.entries(data).every(([k, v]) => JSON.stringify(e.data[k]) === JSON.stringify(v)));
      expect(i, `${kind} by ${String(actor)} ${JSON.stringify(data)} in ${JSON.stringify(got.map((e) => [e.kind, e.actor, e.data]))}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    // Each line with its who, in the order things happened.
    const order = [
      find('created', 'scheduler'),
      find('notified', null, { notificationId: id, wave: 0, recipients: 2 }),
      find('delivered', 'n1', { notificationId: id, channel: 'stream' }),
      find('delivered', 'n2', { notificationId: id, channel: 'push', device: n2Device }),
      find('displayed', 'n1', { notificationId: id, via: 'page' }),
      find('displayed', 'n2', { notificationId: id, via: 'worker' }),
      find('repeated', null, { wave: 0, repeat: 1, users: ['n1', 'n2'] }),
      find('seen', 'n2', { notificationId: id, how: 'opened' }),
      find('declined', 'n1'),
      find('escalated', null, { step: 1, wave: 1, notificationId: stepId }),
      find('delivered', 'n3', { notificationId: stepId, channel: 'push', device: n3Device }),
      find('accepted', 'n3'),
      find('filled', 'n3'),
    ];
    expect(order).toEqual([...order].sort((x, y) => x - y));
    expect(find('notified', null, { notificationId: stepId, wave: 1, recipients: 1 })).toBeGreaterThan(find('declined', 'n1'));
    // The press read it for n1: seen (read) at the decline's time, not before.
    expect(got[find('seen', 'n1', { notificationId: id, how: 'read' })]!.at).toBe(got[find('declined', 'n1')]!.at);
    // The deliveries and the reports are the devices' (no seq), the call's own lines are numbered.
    for (const e of got) expect(e.seq === null, e.kind).toBe(['delivered', 'displayed', 'seen'].includes(e.kind));
    // Times as they happened on the clock: the call at t0, the repeat at 30 s, the step at 120 s.
    expect(Date.parse(got[find('created', 'scheduler')]!.at)).toBe(t0);
    expect(Date.parse(got[find('repeated', null, { repeat: 1 })]!.at)).toBeGreaterThanOrEqual(t0 + 30_000);
    expect(Date.parse(got[find('escalated', null, { step: 1 })]!.at)).toBeGreaterThanOrEqual(t0 + 120_000);
    // The fill is the call's last line; only n3's own "seen" (the press read it) may share its time.
    expect(got.filter((e) => e.seq !== null).at(-1)!.kind).toBe('filled');
    expect(got.slice(find('filled', 'n3') + 1).map((e) => [e.kind, e.actor, e.data.how])).toEqual([['seen', 'n3', 'read']]);
    // Who may read it: the tenant's publishers only.
    expect((await send('GET', h.url(`/api/emergency-calls/${c.call.id as string}/timeline`), h.tok('n1'))).status).toBe(403);
    n1.close();
  });

  it('ends a cancelled call with cancelled (by whom) and an expired one with expired, each in its own call', async () => {
    ph = await startPushHospital([]);
    const { h, clock } = ph;
    const admin = await ph.s.token({ tenantId: h.tenantId, userId: 'boss', roles: ['admin'] });
    const cancelled = await call(h, { escalateTo: null });
    const expiring = await call(h, { escalateTo: null, expiresAfterSeconds: 60 });
    await clock.advanceAsync(5000);
    expect((await postJson(h.url(`/api/emergency-calls/${cancelled.call.id as string}/cancel`), {}, admin)).status).toBe(200);
    await schedulerPassed(h, clock, clock.now() + 120_000);

    const a = await timeline(h, cancelled.call.id as string);
    expectInTimeOrder(a);
    expect(a.filter((e) => e.seq !== null).map((e) => [e.kind, e.actor])).toEqual([
      ['created', 'scheduler'],
      ['notified', null],
      ['cancelled', 'boss'],
    ]);
    expect(Date.parse(a[a.length - 1]!.at) - Date.parse(a[0]!.at)).toBe(5000);
    const b = await timeline(h, expiring.call.id as string);
    expectInTimeOrder(b);
    expect(b.filter((e) => e.seq !== null).map((e) => e.kind)).toEqual(['created', 'notified', 'expired']);
    const expired = b.find((e) => e.kind === 'expired')!;
    expect(Date.parse(expired.at)).toBe(Date.parse(expiring.call.expiresAt as string));
    expect(b.some((e) => e.kind === 'cancelled')).toBe(false);
  });
});
