import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import type { TestService } from '../helpers/service.js';
import { barrier, callTimeline, closeAll, dataOf, hospital, postJson, schedulerPassed, start, type Hospital } from './helpers.js';

afterEach(closeAll);

async function call(h: Hospital, body: Record<string, unknown>) {
  const r = await postJson(h.url('/api/emergency-calls'), { to: { topic: 'ward:3' }, title: 'ICU needs help', message: '', escalateTo: null, ...body }, h.service);
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json as { call: Record<string, any>; notificationId: string; recipients: number };
}

/** How many pushes each user was queued for this notification (the push outbox, read from the service's file). */
function pushesOf(s: TestService, notificationId: string): Record<string, number> {
  const db = new Database(join(s.dataDir, 'wardbell.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('select user_id as u, priority as p from push_outbox where notification_id = ?').all(notificationId) as Array<{ u: string; p: string }>;
    for (const r of rows) expect(r.p).toBe('urgent'); // pushed with Urgency: high, and alerting again on the lock screen
    const out: Record<string, number> = {};
    for (const r of rows) out[r.u] = (out[r.u] ?? 0) + 1;
    return out;
  } finally {
    db.close();
  }
}

const markRead = (h: Hospital, userId: string, id: string) =>
  fetch(h.url(`/api/notifications/${id}`), { method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.tok(userId)}` }, body: JSON.stringify({ read: true }) });

const WARD3 = [...Array.from({ length: 10 }, (_, i) => `n${i + 1}`), 'mgr3'];

describe('emergency calls: repeat until answered', () => {
  it('repeats every repeatEverySeconds to exactly who has neither answered nor read it, and stops at maxRepeats', async () => {
    const clock = new FakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const [waiting, accepted, reader] = [await h.stream('n4'), await h.stream('n1'), await h.stream('n3')];
    const c = await call(h, { needed: 2, repeatEverySeconds: 30, maxRepeats: 2 });
    await h.press('n1', c.notificationId, 'accept');
    await h.press('n2', c.notificationId, 'decline');
    expect((await markRead(h, 'n3', c.notificationId)).status).toBe(200);
    await waiting.until((x) => x.of('notification').length === 1);
    const first = Object.fromEntries(WARD3.map((u) => [u, 1]));
    expect(pushesOf(s, c.notificationId)).toEqual(first);

    await clock.advanceAsync(30_000);
    await waiting.until((x) => x.of('notification').length === 2);
    const again = dataOf(waiting.of('notification')[1]!);
    expect(again.notification).toMatchObject({ id: c.notificationId, priority: 'urgent', actions: [{ id: 'accept' }, { id: 'decline' }] });
    expect(again.unreadCount).toBe(1);
    const pending = WARD3.filter((u) => !['n1', 'n2', 'n3'].includes(u));
    expect(pushesOf(s, c.notificationId)).toEqual({ ...first, ...Object.fromEntries(pending.map((u) => [u, 2])) });
    // Never to who answered or read it: a barrier after the repeat shows nothing came before it.
    for (const [reader_, u] of [[accepted, 'n1'], [reader, 'n3']] as const) {
      await barrier(h, reader_, u);
      expect(reader_.of('notification')).toHaveLength(1);
    }
    // One inbox item, still unread: no duplicate rows.
    const items = (await h.inbox('n4')).filter((i) => i.type === 'emergency_call');
    expect(items.map((i) => [i.id, i.readAt])).toEqual([[c.notificationId, null]]);
    // Reloaded, the repeated call comes first, above what arrived after the call; for the nurse
    // who read it, it stays where it was.
    await postJson(h.url('/api/notifications'), { title: 'Later news', to: { users: ['n4', 'n3'] } }, h.service);
    await clock.advanceAsync(30_000);
    await waiting.until((x) => x.of('notification').length === 4);
    expect((await h.inbox('n4')).map((i) => i.title)[0]).toBe('ICU needs help');
    expect((await h.inbox('n3')).map((i) => i.title)[0]).toBe('Later news');

    await schedulerPassed(h, clock, clock.now() + 120_000);
    expect(pushesOf(s, c.notificationId).n4).toBe(3);
    expect(waiting.of('notification').filter((e) => dataOf(e).notification.id === c.notificationId)).toHaveLength(3);
    const repeated = (await callTimeline(s, h.tenantId, c.call.id)).filter((e) => e.kind === 'repeated');
    expect(repeated.map((e) => [e.data.repeat, e.data.reached, e.data.users])).toEqual([
      [1, 8, pending.sort()],
      [2, 8, pending.sort()],
    ]);
    for (const r of [waiting, accepted, reader]) r.close();
  });

  it('stops repeating the moment the call fills', async () => {
    const clock = new FakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const c = await call(h, { needed: 2, repeatEverySeconds: 30, maxRepeats: 5 });
    await clock.advanceAsync(30_000);
    await h.press('n1', c.notificationId, 'accept');
    await h.press('n2', c.notificationId, 'accept');
    await schedulerPassed(h, clock, clock.now() + 5 * 30_000);
    expect(pushesOf(s, c.notificationId).n4).toBe(2);
    const kinds = (await callTimeline(s, h.tenantId, c.call.id)).map((e) => e.kind);
    expect(kinds).toEqual(['created', 'notified', 'repeated', 'accepted', 'accepted', 'filled']);
  });

  it('stops when the call is cancelled or expires', async () => {
    const clock = new FakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const cancelled = await call(h, { needed: 1, repeatEverySeconds: 30 });
    const expiring = await call(h, { needed: 1, repeatEverySeconds: 30, maxRepeats: 10, expiresAfterSeconds: 75 });
    expect(expiring.call.expiresAt).toBe(new Date(clock.now() + 75_000).toISOString());
    await postJson(h.url(`/api/emergency-calls/${cancelled.call.id}/cancel`), {}, h.service);
    await schedulerPassed(h, clock, clock.now() + 10 * 30_000);
    expect(pushesOf(s, cancelled.notificationId).n4).toBe(1);
    expect(pushesOf(s, expiring.notificationId).n4).toBe(3); // at 30 and 60 s, then expired at 75 s
    const got = (await (await fetch(h.url(`/api/emergency-calls/${expiring.call.id}`), { headers: { authorization: `Bearer ${h.service}` } })).json()) as { call: Record<string, any> };
    expect(got.call).toMatchObject({ status: 'expired', nextStepAt: null });
    const n = (await h.inbox('n4')).find((i) => i.id === expiring.notificationId)!;
    expect(n.state).toMatchObject({ status: 'expired' });
    expect(n.actions).toEqual([{ id: 'accept', label: 'Expired', style: 'secondary' }]);
    const late = await h.press('n4', expiring.notificationId, 'accept');
    expect(late.status).toBe(409);
    expect(late.json.error.message).toMatch(/expired/);
    expect((await postJson(h.url(`/api/emergency-calls/${expiring.call.id}/cancel`), {}, h.service)).status).toBe(409);
    expect((await callTimeline(s, h.tenantId, expiring.call.id)).map((e) => e.kind)).toEqual(['created', 'notified', 'repeated', 'repeated', 'expired']);
    expect((await callTimeline(s, h.tenantId, cancelled.call.id)).map((e) => e.kind)).toEqual(['created', 'notified', 'cancelled']);
  });

  it('refuses maxRepeats without repeatEverySeconds, and repeats more often than every 30 s', async () => {
    const s = await start();
    const h = await hospital(s);
    for (const body of [{ maxRepeats: 2 }, { repeatEverySeconds: 29 }, { repeatEverySeconds: 30, maxRepeats: 11 }, { expiresAfterSeconds: -1 }]) {
      const r = await postJson(h.url('/api/emergency-calls'), { to: { topic: 'ward:3' }, needed: 1, ...body }, h.service);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('validation_failed');
    }
  });
});
