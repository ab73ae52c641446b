/**
 * Repeats of an emergency call as the devices and the pages get them: each repeat is a push that
 * reaches the fake push service (VAPID checked, decrypted with an independent library) with
 * `Urgency: high`, the first push's `Topic` and, in the payload, its `tag`, priority urgent; only
 * to the recipients who neither answered nor read it; never past maxRepeats or the fill; and the
 * same repeat is a live `notification` event on the pending recipient's stream. On a FakeClock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Received } from '../push/helpers/fake-push-service.js';
import { startPushHospital, type PushHospital } from '../push/helpers/push-hospital.js';
import { barrier, dataOf, postJson, schedulerPassed, type Hospital } from './helpers.js';

const USERS = ['n1', 'n2', 'n3', 'n4', 'n5'];
let ph: PushHospital | null = null;
afterEach(async () => {
  await ph?.close();
  ph = null;
});

async function call(h: Hospital, body: Record<string, unknown>) {
  const r = await postJson(h.url('/api/emergency-calls'), { to: { users: USERS }, title: 'ICU needs help', message: 'Two admissions', escalateTo: null, ...body }, h.service);
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json as { call: Record<string, any>; notificationId: string; recipients: number };
}

const markRead = (h: Hospital, userId: string, id: string) =>
  fetch(h.url(`/api/notifications/${id}`), { method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.tok(userId)}` }, body: JSON.stringify({ read: true }) });

/** Every push of the call at one device is the same message again: Urgency high, one Topic, one tag, urgent. */
function expectSameCallPush(pushes: Received[], notificationId: string) {
  const [first] = pushes;
  expect(first).toBeDefined();
  for (const p of pushes) {
    expect(p.vapid.ok).toBe(true);
    expect(p.answered).toBe(201);
    expect(p.headers.urgency).toBe('high');
    expect(p.headers.topic).toBe(first!.headers.topic);
    expect(p.payload).toMatchObject({ id: notificationId, type: 'emergency_call', priority: 'urgent', tag: first!.payload!.tag, actions: [{ id: 'accept' }, { id: 'decline' }] });
  }
  // The service sets a Topic (RFC 8030 5.4), so a repeat replaces an undelivered one at the push service.
  expect(first!.headers.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
  expect(first!.payload!.tag).toBe(first!.headers.topic);
}

describe('repeats of an emergency call, at the push service and on the stream', () => {
  it('pushes each repeat with Urgency high, the same Topic and tag, only to who neither answered nor read it, up to maxRepeats', async () => {
    ph = await startPushHospital(USERS);
    const { h, clock, at } = ph;
    const pending = await h.stream('n4');
    const accepted = await h.stream('n1');
    const c = await call(h, { needed: 3, repeatEverySeconds: 30, maxRepeats: 2 });
    const id = c.notificationId;
    await ph.pushRound(() => USERS.every((u) => at(u, id).length === 1), 'the first push to every device');
    await pending.until((x) => x.of('notification').length === 1);

    // n1 accepts, n2 declines, n3 reads it; n4 and n5 do nothing.
    expect((await h.press('n1', id, 'accept')).status).toBe(200);
    expect((await h.press('n2', id, 'decline')).status).toBe(200);
    expect((await markRead(h, 'n3', id)).status).toBe(200);

    for (const repeat of [1, 2]) {
      await clock.advanceAsync(30_000);
      // The repeat as a live event on n4's stream: the call's notification again, urgent, unread.
      await pending.until((x) => x.of('notification').length === 1 + repeat);
      const again = dataOf(pending.of('notification')[repeat]!);
      expect(again.notification).toMatchObject({ id, priority: 'urgent', type: 'emergency_call' });
      expect(again.unreadCount).toBe(1);
      await ph.pushRound(() => ['n4', 'n5'].every((u) => at(u, id).length === 1 + repeat), `repeat ${repeat} at n4 and n5`);
    }
    // Past the second repeat's time, and another: no third repeat (maxRepeats 2).
    await schedulerPassed(h, clock, clock.now() + 3 * 30_000);
    await ph.pushBarrier(USERS);
    for (const u of ['n4', 'n5']) {
      expect(at(u, id), u).toHaveLength(3);
      expectSameCallPush(at(u, id), id);
    }
    // Who accepted, declined or read it had the first push only.
    for (const u of ['n1', 'n2', 'n3']) expect(at(u, id), u).toHaveLength(1);
    // The same Topic and tag on every device (they name the notification, not the device).
    const topics = new Set(USERS.flatMap((u) => at(u, id).map((p) => p.headers.topic)));
    expect(topics.size).toBe(1);
    // And no repeat on the stream of who accepted: a marker after it arrived alone.
    await barrier(h, accepted, 'n1');
    expect(accepted.of('notification').filter((e) => dataOf(e).notification.id === id)).toHaveLength(1);
    await barrier(h, pending, 'n4');
    expect(pending.of('notification').filter((e) => dataOf(e).notification.id === id)).toHaveLength(3);
    pending.close();
    accepted.close();
  });

  it('stops the repeat pushes when the call fills', async () => {
    ph = await startPushHospital(USERS);
    const { h, clock, at } = ph;
    const pending = await h.stream('n5');
    const c = await call(h, { needed: 2, repeatEverySeconds: 30, maxRepeats: 5 });
    const id = c.notificationId;
    await ph.pushRound(() => USERS.every((u) => at(u, id).length === 1), 'the first push to every device');
    await clock.advanceAsync(30_000);
    await pending.until((x) => x.of('notification').length === 2);
    await ph.pushRound(() => USERS.every((u) => at(u, id).length === 2), 'the first repeat at every device');
    expect((await h.press('n1', id, 'accept')).status).toBe(200);
    expect((await h.press('n2', id, 'accept')).status).toBe(200);
    // Four more repeat times pass: none goes out.
    await schedulerPassed(h, clock, clock.now() + 4 * 30_000);
    await ph.pushBarrier(USERS);
    for (const u of USERS) {
      expect(at(u, id), u).toHaveLength(2);
      expectSameCallPush(at(u, id), id);
    }
    await barrier(h, pending, 'n5');
    // The filled call's update (state filled) may follow, but never another `notification`.
    expect(pending.of('notification').filter((e) => dataOf(e).notification.id === id)).toHaveLength(2);
    pending.close();
  });
});
