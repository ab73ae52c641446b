import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../helpers/sse-reader.js';
import { closeAll, dataOf, hospital, inSeconds, newDataDir, openData, postJson, send, start, startAt, type Hospital } from './helpers.js';

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

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
    await sleep(50);
  }
}

describe('shift reminders', () => {
  it('fires on time, not before', async () => {
    const s = await start();
    const h = await hospital(s);
    const nurse = await h.stream('n1');
    const at = Date.now() + 1200;
    const r = await remind(h, reminder(new Date(at).toISOString()));
    expect(r).toMatchObject({ status: 'pending', shiftId: 'shift-0412', ward: '3', to: { users: ['n1'] }, title: 'Shift reminder', notificationId: null });
    await sleep(600);
    expect(nurse.of('notification')).toEqual([]);
    await nurse.until((x) => x.of('notification').length === 1, 4000);
    const arrived = Date.now();
    expect(arrived).toBeGreaterThanOrEqual(at);
    expect(arrived - at).toBeLessThan(1500);
    const n = dataOf(nurse.of('notification')[0]!).notification;
    expect(n).toMatchObject({ type: 'shift_reminder', priority: 'high', data: { shiftId: 'shift-0412', ward: '3' } });
    const after = await until(() => getReminder(h, r.id), (v) => v.status === 'done');
    expect(after).toMatchObject({ attempts: 1, notificationId: n.id, lastError: null });
    nurse.close();
  });

  it('defaults to an hour before the shift', async () => {
    const s = await start();
    const h = await hospital(s);
    const r = await remind(h, { shiftId: 's1', shiftStartsAt: inSeconds(3601), to: { topic: 'ward:5' } });
    expect(Date.parse(r.runAt) - Date.now()).toBeLessThan(1500);
    const [item] = await until(() => h.inbox('w5a'), (v) => v.length === 1);
    expect(item!.body).toMatch(/^Your shift starts in 60 minutes/);
  });

  it('never fires a cancelled reminder', async () => {
    const s = await start();
    const h = await hospital(s);
    const r = await remind(h, reminder(inSeconds(1)));
    const del = await send('DELETE', h.url(`/api/reminders/${r.id}`), h.service);
    expect(del.status).toBe(200);
    expect(del.json.reminder.status).toBe('cancelled');
    expect((await send('DELETE', h.url(`/api/reminders/${r.id}`), h.service)).status).toBe(200);
    await sleep(1700);
    expect(await h.inbox('n1')).toEqual([]);
    expect((await getReminder(h, r.id)).status).toBe('cancelled');
  });

  it('refuses to cancel a reminder that was already sent', async () => {
    const s = await start();
    const h = await hospital(s);
    const r = await remind(h, reminder(inSeconds(0.3)));
    await until(() => getReminder(h, r.id), (v) => v.status === 'done');
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
    expect(again.status).toBe(200);
    expect(again.json.reminder.id).toBe(first.id);
  });
});

describe('the durable scheduler across restarts and crashes', () => {
  it('fires a pending reminder exactly once after a restart', async () => {
    const dir = newDataDir();
    const a = await startAt(dir);
    const r = await remind(await hospital(a), reminder(inSeconds(1.5)));
    await a.close();

    const b = await startAt(dir);
    const h = await hospital(b);
    await until(() => getReminder(h, r.id), (v) => v.status === 'done', 5000);
    await sleep(800);
    expect((await h.inbox('n1')).filter((i) => i.type === 'shift_reminder')).toHaveLength(1);
    expect((await getReminder(h, r.id)).attempts).toBe(1);
  });

  it('retries a job whose process crashed after claiming it, once its claim lapses', async () => {
    const dir = newDataDir();
    const a = await startAt(dir);
    const r = await remind(await hospital(a), reminder(inSeconds(30)));
    await a.close();
    // Play a process that claimed the job and died: running, claim valid for one more second.
    const db = openData(dir);
    const lapse = Date.now() + 1000;
    await db.updateTable('scheduled_jobs').set({ status: 'running', claimed_by: 'dead-process', claimed_until: lapse, attempts: 1, run_at: Date.now() - 1 }).where('id', '=', r.id).execute();
    await db.destroy();

    const b = await startAt(dir);
    const h = await hospital(b);
    await sleep(500);
    expect(await h.inbox('n1')).toEqual([]);
    const done = await until(() => getReminder(h, r.id), (v) => v.status === 'done', 5000);
    expect(Date.now()).toBeGreaterThanOrEqual(lapse);
    expect(done.attempts).toBe(2);
    expect(await h.inbox('n1')).toHaveLength(1);
  });

  it('does not send twice when a process crashed between sending and marking the job done', async () => {
    const dir = newDataDir();
    const a = await startAt(dir);
    const ha = await hospital(a);
    const r = await remind(ha, reminder(inSeconds(0.3)));
    await until(() => getReminder(ha, r.id), (v) => v.status === 'done');
    await a.close();
    // The send committed, the "done" did not: running with a lapsed claim and no result.
    const db = openData(dir);
    await db.updateTable('scheduled_jobs').set({ status: 'running', claimed_by: 'dead-process', claimed_until: Date.now() - 1, result: null }).where('id', '=', r.id).execute();
    await db.destroy();

    const b = await startAt(dir);
    const h = await hospital(b);
    const again = await until(() => getReminder(h, r.id), (v) => v.status === 'done' && v.attempts === 2, 5000);
    expect((await h.inbox('n1')).filter((i) => i.type === 'shift_reminder')).toHaveLength(1);
    expect(again.notificationId).toBe((await h.inbox('n1'))[0]!.id);
  });
});

describe('scheduled notifications', () => {
  const later = (sendAt: string, extra: Record<string, unknown> = {}) => ({ title: 'Staff meeting at 14:00', body: 'Room 2', priority: 'medium', to: { topic: 'ward:3' }, sendAt, ...extra });

  it('sends the notification at sendAt', async () => {
    const s = await start();
    const h = await hospital(s);
    const nurse = await h.stream('n7');
    const r = await postJson(h.url('/api/notifications/scheduled'), later(inSeconds(0.8)), h.service);
    expect(r.status).toBe(201);
    expect(r.json.scheduled).toMatchObject({ status: 'pending', notification: { title: 'Staff meeting at 14:00', type: 'general', to: { topic: 'ward:3' } } });
    await nurse.until((x) => x.of('notification').length === 1, 4000);
    expect(dataOf(nurse.of('notification')[0]!).notification).toMatchObject({ title: 'Staff meeting at 14:00', body: 'Room 2', senderId: 'scheduler' });
    const got = await until(() => send('GET', h.url(`/api/notifications/scheduled/${r.json.scheduled.id}`), h.service), (v) => v.json.scheduled.status === 'done');
    expect(got.json.scheduled.notificationId).toBe(dataOf(nurse.of('notification')[0]!).notification.id);
    nurse.close();
  });

  it('never sends a cancelled one', async () => {
    const s = await start();
    const h = await hospital(s);
    const r = await postJson(h.url('/api/notifications/scheduled'), later(inSeconds(1)), h.service);
    const del = await send('DELETE', h.url(`/api/notifications/scheduled/${r.json.scheduled.id}`), h.service);
    expect(del.status).toBe(200);
    expect(del.json.scheduled.status).toBe('cancelled');
    await sleep(1600);
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
