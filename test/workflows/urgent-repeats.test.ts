/**
 * Repeat until acknowledged, for any urgent notification (`POST /api/notifications` with
 * `repeatEverySeconds`): at the fake push service (VAPID checked, decrypted with an independent
 * library) and on the recipients' streams, on a FakeClock. Each repeat reaches exactly who has
 * neither read nor answered it, with `Urgency: high` and the first push's tag; it stops at
 * maxRepeats, and for good once nobody owes an answer; a retried send schedules it once; a repeat
 * whose job runs again after a crash sends nothing twice; bad requests are 400s that write nothing.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPushHospital, type PushHospital } from '../push/helpers/push-hospital.js';
import { barrier, dataOf, postJson, schedulerPassed, send, type Hospital } from './helpers.js';

const USERS = ['n1', 'n2', 'n3', 'n4'];
let ph: PushHospital | null = null;
afterEach(async () => {
  await ph?.close();
  ph = null;
});

const ACTIONS = [{ id: 'coming', label: 'On my way' }];

async function sendUrgent(h: Hospital, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const r = await postJson(h.url('/api/notifications'), { type: 'general', priority: 'urgent', title: 'Bed 7: rapid response', body: 'Call the team.', actions: ACTIONS, to: { users: USERS }, ...body }, h.service, headers);
  return r;
}

const markRead = (h: Hospital, userId: string, id: string) =>
  fetch(h.url(`/api/notifications/${id}`), { method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.tok(userId)}` }, body: JSON.stringify({ read: true }) });

/** The repeat jobs and records in the service's file. */
function stored(ph: PushHospital, notificationId: string) {
  const db = new Database(join(ph.s.dataDir, 'wardbell.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return {
      jobs: db.prepare("select dedupe_key as k, status from scheduled_jobs where kind = 'notification.repeat' and dedupe_key like ? order by dedupe_key").all(`${notificationId}:%`) as Array<{ k: string; status: string }>,
      repeats: db.prepare('select n, reached from notification_repeats where notification_id = ? order by n').all(notificationId) as Array<{ n: number; reached: number }>,
    };
  } finally {
    db.close();
  }
}

describe('repeat until acknowledged: urgent notifications', () => {
  it('repeats to exactly who has neither read nor answered it, with Urgency high and the same tag, up to maxRepeats', async () => {
    ph = await startPushHospital(USERS);
    const { h, clock, at } = ph;
    const pending = await h.stream('n4');
    const answered = await h.stream('n1');
    const r = await sendUrgent(h, { repeatEverySeconds: 60, maxRepeats: 2 });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    const id = r.json.notification.id as string;
    await ph.pushRound(() => USERS.every((u) => at(u, id).length === 1), 'the first push to every device');

    // n1 answers with its button, n2 reads it; n3 and n4 do nothing.
    expect((await h.press('n1', id, 'coming')).status).toBe(200);
    expect((await markRead(h, 'n2', id)).status).toBe(200);
    for (const repeat of [1, 2]) {
      await clock.advanceAsync(60_000);
      await pending.until((x) => x.of('notification').filter((e) => dataOf(e).notification.id === id).length === 1 + repeat);
      await ph.pushRound(() => ['n3', 'n4'].every((u) => at(u, id).length === 1 + repeat), `repeat ${repeat} at n3 and n4`);
    }
    // Two more repeat times pass: no third (maxRepeats 2).
    await schedulerPassed(h, clock, clock.now() + 2 * 60_000);
    await ph.pushBarrier(USERS);
    for (const u of ['n3', 'n4']) {
      const pushes = at(u, id);
      expect(pushes, u).toHaveLength(3);
      for (const p of pushes) {
        expect(p.vapid.ok).toBe(true);
        expect(p.headers.urgency).toBe('high');
        expect(p.payload).toMatchObject({ id, priority: 'urgent', tag: pushes[0]!.payload!.tag, actions: [{ id: 'coming', label: 'On my way' }] });
      }
    }
    for (const u of ['n1', 'n2']) expect(at(u, id), u).toHaveLength(1);
    // The live repeat is the notification again, unread, with the recipient's count.
    const again = dataOf(pending.of('notification').filter((e) => dataOf(e).notification.id === id)[1]!);
    expect(again).toMatchObject({ notification: { id, priority: 'urgent', title: 'Bed 7: rapid response' }, unreadCount: 1 });
    await barrier(h, answered, 'n1');
    expect(answered.of('notification').filter((e) => dataOf(e).notification.id === id)).toHaveLength(1);
    expect(stored(ph, id)).toEqual({ jobs: [{ k: `${id}:repeat:1`, status: 'done' }, { k: `${id}:repeat:2`, status: 'done' }], repeats: [{ n: 1, reached: 2 }, { n: 2, reached: 2 }] });
    // The sender sees them with the receipts: when, and to how many.
    const receipts = await send('GET', h.url(`/api/notifications/${id}/receipts`), h.service);
    expect(receipts.status).toBe(200);
    expect(receipts.json.repeats.map((r: { n: number; reached: number }) => [r.n, r.reached])).toEqual([[1, 2], [2, 2]]);
    expect(Date.parse(receipts.json.repeats[1].at) - Date.parse(receipts.json.repeats[0].at)).toBe(60_000);
    expect(receipts.json.summary).toMatchObject({ recipients: 4, read: 2, acted: 1, actions: { coming: 1 } });
    const plain = await sendUrgent(h, { title: 'No repeats asked' });
    expect((await send('GET', h.url(`/api/notifications/${plain.json.notification.id}/receipts`), h.service)).json.repeats).toEqual([]);
    pending.close();
    answered.close();
  });

  it('stops for good once nobody owes an answer, and schedules nothing more', async () => {
    ph = await startPushHospital(USERS);
    const { h, clock, at } = ph;
    const r = await sendUrgent(h, { repeatEverySeconds: 30, maxRepeats: 5 });
    const id = r.json.notification.id as string;
    await ph.pushRound(() => USERS.every((u) => at(u, id).length === 1), 'the first push to every device');
    await clock.advanceAsync(30_000);
    await ph.pushRound(() => USERS.every((u) => at(u, id).length === 2), 'the first repeat at every device');
    for (const u of USERS) expect((await markRead(h, u, id)).status).toBe(200);
    await schedulerPassed(h, clock, clock.now() + 4 * 30_000);
    await ph.pushBarrier(USERS);
    for (const u of USERS) expect(at(u, id), u).toHaveLength(2);
    // The second repeat found nobody and enqueued no third.
    expect(stored(ph, id)).toEqual({ jobs: [{ k: `${id}:repeat:1`, status: 'done' }, { k: `${id}:repeat:2`, status: 'done' }], repeats: [{ n: 1, reached: 4 }] });
  });

  it('sends a repeat once though its job runs again (its process died after the commit, before the job was marked done)', async () => {
    ph = await startPushHospital(USERS);
    const { h, clock, at } = ph;
    const r = await sendUrgent(h, { repeatEverySeconds: 60, maxRepeats: 3 });
    const id = r.json.notification.id as string;
    await ph.pushRound(() => USERS.every((u) => at(u, id).length === 1), 'the first push to every device');
    await clock.advanceAsync(60_000);
    await ph.pushRound(() => USERS.every((u) => at(u, id).length === 2), 'the first repeat at every device');
    // The first repeat's job is made due again, as a crashed claim is taken over.
    const db = new Database(join(ph.s.dataDir, 'wardbell.sqlite'), { fileMustExist: true });
    try {
      const changed = db.prepare("update scheduled_jobs set status = 'pending', claimed_by = null, run_at = ? where kind = 'notification.repeat' and dedupe_key = ?").run(clock.now(), `${id}:repeat:1`);
      expect(changed.changes).toBe(1);
    } finally {
      db.close();
    }
    await schedulerPassed(h, clock, clock.now() + 1000);
    await ph.pushBarrier(USERS);
    for (const u of USERS) expect(at(u, id), u).toHaveLength(2);
    expect(stored(ph, id)).toMatchObject({ jobs: [{ k: `${id}:repeat:1`, status: 'done' }, { k: `${id}:repeat:2`, status: 'pending' }], repeats: [{ n: 1, reached: 4 }] });
  });

  it('schedules the repeats once for a send retried with its idempotency key, and not at all without repeatEverySeconds', async () => {
    ph = await startPushHospital(USERS);
    const { h } = ph;
    const first = await sendUrgent(h, { repeatEverySeconds: 30 }, { 'idempotency-key': 'rapid-response-7' });
    const again = await sendUrgent(h, { repeatEverySeconds: 30 }, { 'idempotency-key': 'rapid-response-7' });
    // The retry is answered with the first answer (replayed), and sends nothing.
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.json.notification.id).toBe(first.json.notification.id);
    expect(stored(ph, first.json.notification.id).jobs).toEqual([{ k: `${first.json.notification.id}:repeat:1`, status: 'pending' }]);
    const plain = await sendUrgent(h, {});
    expect(stored(ph, plain.json.notification.id).jobs).toEqual([]);
  });

  it('refuses repeats of what is not urgent, maxRepeats alone and intervals out of range, and writes nothing', async () => {
    ph = await startPushHospital(USERS);
    const { h } = ph;
    for (const body of [{ priority: 'high', repeatEverySeconds: 60 }, { maxRepeats: 2 }, { repeatEverySeconds: 29 }, { repeatEverySeconds: 3601 }, { repeatEverySeconds: 60, maxRepeats: 11 }, { repeatEverySeconds: '60' }, { repeatEverySeconds: 60.5 }]) {
      const r = await sendUrgent(h, { title: `refused ${JSON.stringify(body)}`, ...body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('validation_failed');
    }
    for (const u of USERS) expect((await h.inbox(u)).filter((i) => String(i.title).startsWith('refused'))).toEqual([]);
  });
});
