import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { closeAll, dataOf, hospital, inSeconds, newDataDir, openData, postJson, schedulerPassed, send, start, startAt, type Hospital } from './helpers.js';

afterEach(closeAll);

const reminder = (remindAt: string, extra: Record<string, unknown> = {}) => ({
  shiftId: 'shift-0412',
  shiftStartsAt: inSeconds(3600),
  ward: '3',
  to: { users: ['n1'] },
  remindAt,
  ...extra,
});

async function remind(h: Hospital, body: Record<string, unknown>) {
  const r = await postJson(h.url('/api/reminders'), body, h.service);
  expect(r.status).toBe(201);
  return r.json.reminder as Record<string, any>;
}

const getReminder = async (h: Hospital, id: string) => (await send('GET', h.url(`/api/reminders/${id}`), h.service)).json.reminder as Record<string, any>;

/** The reminder once `ok` holds for it. */
const reminderWhen = (h: Hospital, id: string, ok: (v: Record<string, any>) => boolean) =>
  eventually(async () => {
    const v = await getReminder(h, id);
    return ok(v) ? v : null;
  });

/** Time on the services' clock (a FakeClock from the real now, so inSeconds stays consistent). */
const fakeClock = () => new FakeClock(Date.now());
const after = (clock: FakeClock, ms: number) => new Date(clock.now() + ms).toISOString();

describe('shift reminders', () => {
  it('fires on time, not before', async () => {
    const clock = fakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const nurse = await h.stream('n1');
    const at = clock.now() + 1200;
    const r = await remind(h, reminder(new Date(at).toISOString()));
    expect(r).toMatchObject({ status: 'pending', shiftId: 'shift-0412', ward: '3', to: { users: ['n1'] }, title: 'Shift reminder', notificationId: null });
    await clock.advanceAsync(1199); // the polls at +500 and +1000 find it not due
    expect(nurse.of('notification')).toEqual([]);
    expect((await getReminder(h, r.id)).status).toBe('pending');
    await clock.advanceAsync(500);
    await nurse.until((x) => x.of('notification').length === 1);
    const n = dataOf(nurse.of('notification')[0]!).notification;
    // Sent at the first poll after its time (polls every 500 ms of the service's clock).
    const sent = Date.parse(n.createdAt);
    expect(sent).toBeGreaterThanOrEqual(at);
    expect(sent - at).toBeLessThan(1500);
    expect(n).toMatchObject({ type: 'shift_reminder', priority: 'high', data: { shiftId: 'shift-0412', ward: '3' } });
    const done = await reminderWhen(h, r.id, (v) => v.status === 'done');
    expect(done).toMatchObject({ attempts: 1, notificationId: n.id, lastError: null });
    nurse.close();
  });

  it('defaults to an hour before the shift', async () => {
    const clock = fakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const r = await remind(h, { shiftId: 's1', shiftStartsAt: after(clock, 3601_000), to: { topic: 'ward:5' } });
    expect(Date.parse(r.runAt) - clock.now()).toBe(1000);
    await clock.advanceAsync(1000);
    const [item] = await eventually(async () => {
      const items = await h.inbox('w5a');
      return items.length === 1 ? items : null;
    });
    expect(item!.body).toMatch(/^Your shift starts in 60 minutes/);
  });

  it('never fires a cancelled reminder', async () => {
    const clock = fakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const r = await remind(h, reminder(after(clock, 1000)));
    const del = await send('DELETE', h.url(`/api/reminders/${r.id}`), h.service);
    expect(del.status).toBe(200);
    expect(del.json.reminder.status).toBe('cancelled');
    expect((await send('DELETE', h.url(`/api/reminders/${r.id}`), h.service)).status).toBe(200);
    await schedulerPassed(h, clock, Date.parse(r.runAt));
    expect(await h.inbox('n1')).toEqual([]);
    expect((await getReminder(h, r.id)).status).toBe('cancelled');
  });

  it('refuses to cancel a reminder that was already sent', async () => {
    const clock = fakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const r = await remind(h, reminder(after(clock, 300)));
    await clock.advanceAsync(500);
    await reminderWhen(h, r.id, (v) => v.status === 'done');
    const del = await send('DELETE', h.url(`/api/reminders/${r.id}`), h.service);
    expect(del.status).toBe(409);
    expect(del.json.error.message).toMatch(/already sent/);
  });

  it('returns the first reminder for a repeated idempotencyKey', async () => {
    const s = await start();
    const h = await hospital(s);
    const body = reminder(inSeconds(60), { idempotencyKey: 'shift-0412-n1' });
    const first = await remind(h, body);
    const again = await postJson(h.url('/api/reminders'), body, h.service);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json.reminder.id).toBe(first.id);
  });
});

describe('the durable scheduler across restarts and crashes', () => {
  it('fires a pending reminder exactly once after a restart', async () => {
    const clock = fakeClock();
    const dir = newDataDir();
    const a = await startAt(dir, { clock });
    const r = await remind(await hospital(a), reminder(after(clock, 1500)));
    await a.close();

    const b = await startAt(dir, { clock });
    const h = await hospital(b);
    await clock.advanceAsync(1500);
    await reminderWhen(h, r.id, (v) => v.status === 'done');
    // More polls: nothing runs it again.
    await schedulerPassed(h, clock, clock.now() + 500);
    expect((await h.inbox('n1')).filter((i) => i.type === 'shift_reminder')).toHaveLength(1);
    expect((await getReminder(h, r.id)).attempts).toBe(1);
  });

  it('retries a job whose process crashed after claiming it, once its claim lapses', async () => {
    const clock = fakeClock();
    const dir = newDataDir();
    const a = await startAt(dir, { clock });
    const r = await remind(await hospital(a), reminder(after(clock, 30_000)));
    await a.close();
    // Play a process that claimed the job and died: running, claim valid for one more second.
    const db = openData(dir);
    const lapse = clock.now() + 1000;
    await db.updateTable('scheduled_jobs').set({ status: 'running', claimed_by: 'dead-process', claimed_until: lapse, attempts: 1, run_at: clock.now() - 1 }).where('id', '=', r.id).execute();
    await db.destroy();

    const b = await startAt(dir, { clock });
    const h = await hospital(b);
    await clock.advanceAsync(500); // a poll while the claim holds
    expect(await h.inbox('n1')).toEqual([]);
    await clock.advanceAsync(1000);
    const done = await reminderWhen(h, r.id, (v) => v.status === 'done');
    const [sent] = await h.inbox('n1');
    expect(Date.parse(sent!.createdAt)).toBeGreaterThanOrEqual(lapse);
    expect(done.attempts).toBe(2);
    expect(await h.inbox('n1')).toHaveLength(1);
  });

  it('does not send twice when a process crashed between sending and marking the job done', async () => {
    const clock = fakeClock();
    const dir = newDataDir();
    const a = await startAt(dir, { clock });
    const ha = await hospital(a);
    const r = await remind(ha, reminder(after(clock, 300)));
    await clock.advanceAsync(500);
    await reminderWhen(ha, r.id, (v) => v.status === 'done');
    await a.close();
    // The send committed, the "done" did not: running with a lapsed claim and no result.
    const db = openData(dir);
    await db.updateTable('scheduled_jobs').set({ status: 'running', claimed_by: 'dead-process', claimed_until: clock.now() - 1, result: null }).where('id', '=', r.id).execute();
    await db.destroy();

    const b = await startAt(dir, { clock });
    const h = await hospital(b);
    await clock.advanceAsync(500);
    const again = await reminderWhen(h, r.id, (v) => v.status === 'done' && v.attempts === 2);
    expect((await h.inbox('n1')).filter((i) => i.type === 'shift_reminder')).toHaveLength(1);
    expect(again.notificationId).toBe((await h.inbox('n1'))[0]!.id);
  });
});

describe('scheduled notifications', () => {
  const later = (sendAt: string, extra: Record<string, unknown> = {}) => ({ title: 'Staff meeting at 14:00', body: 'Room 2', priority: 'medium', to: { topic: 'ward:3' }, sendAt, ...extra });

  it('sends the notification at sendAt', async () => {
    const clock = fakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const nurse = await h.stream('n7');
    const r = await postJson(h.url('/api/notifications/scheduled'), later(after(clock, 800)), h.service);
    expect(r.status).toBe(201);
    expect(r.json.scheduled).toMatchObject({ status: 'pending', notification: { title: 'Staff meeting at 14:00', type: 'general', to: { topic: 'ward:3' } } });
    await clock.advanceAsync(1000);
    await nurse.until((x) => x.of('notification').length === 1);
    expect(dataOf(nurse.of('notification')[0]!).notification).toMatchObject({ title: 'Staff meeting at 14:00', body: 'Room 2', senderId: 'scheduler' });
    const got = await eventually(async () => {
      const v = await send('GET', h.url(`/api/notifications/scheduled/${r.json.scheduled.id}`), h.service);
      return v.json.scheduled.status === 'done' ? v : null;
    });
    expect(got.json.scheduled.notificationId).toBe(dataOf(nurse.of('notification')[0]!).notification.id);
    nurse.close();
  });

  it('never sends a cancelled one', async () => {
    const clock = fakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const r = await postJson(h.url('/api/notifications/scheduled'), later(after(clock, 1000)), h.service);
    const del = await send('DELETE', h.url(`/api/notifications/scheduled/${r.json.scheduled.id}`), h.service);
    expect(del.status).toBe(200);
    expect(del.json.scheduled.status).toBe('cancelled');
    await schedulerPassed(h, clock, Date.parse(r.json.scheduled.runAt));
    expect(await h.inbox('n1')).toEqual([]);
  });

  it('lets a manager schedule for their own ward and see only their own', async () => {
    const s = await start();
    const h = await hospital(s);
    const own = await postJson(h.url('/api/notifications/scheduled'), later(inSeconds(60)), h.tok('mgr3'));
    expect(own.status).toBe(201);
    const elsewhere = await postJson(h.url('/api/notifications/scheduled'), later(inSeconds(60), { to: { topic: 'ward:5' } }), h.tok('mgr3'));
    expect(elsewhere.status).toBe(403);
    const byService = await postJson(h.url('/api/notifications/scheduled'), later(inSeconds(60)), h.service);
    expect((await send('GET', h.url(`/api/notifications/scheduled/${byService.json.scheduled.id}`), h.tok('mgr3'))).status).toBe(404);
    expect((await send('GET', h.url(`/api/notifications/scheduled/${own.json.scheduled.id}`), h.tok('mgr3'))).status).toBe(200);
    expect((await send('DELETE', h.url(`/api/notifications/scheduled/${own.json.scheduled.id}`), h.tok('mgr3'))).status).toBe(200);
  });
});
