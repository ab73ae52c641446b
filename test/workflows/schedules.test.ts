import { afterEach, describe, expect, it } from 'vitest';
import { barrier, closeAll, dataOf, hospital, postJson, start } from './helpers.js';

afterEach(closeAll);

describe('schedule published', () => {
  it('gives the ward a schedule_published notification and a schedule.published event', async () => {
    const s = await start();
    const h = await hospital(s);
    const nurse = await h.stream('n1');
    const other = await h.stream('w5a');
    const r = await postJson(h.url('/api/schedules/published'), { scheduleId: 'dec-2026', to: { topic: 'ward:3' }, period: { from: '2026-12-01', to: '2026-12-31' }, url: '/schedules/dec-2026' }, h.service);
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ recipients: 11, grouped: false, duplicate: false, eventId: expect.any(String) });

    await nurse.until((x) => x.of('schedule.published').length === 1 && x.of('notification').length === 1);
    expect(dataOf(nurse.of('schedule.published')[0]!)).toMatchObject({ scheduleId: 'dec-2026', period: { from: '2026-12-01', to: '2026-12-31' }, url: '/schedules/dec-2026', notificationId: r.json.notificationId });
    expect(dataOf(nurse.of('notification')[0]!).notification).toMatchObject({ type: 'schedule_published', title: 'New schedule published', body: 'The schedule for 2026-12-01 to 2026-12-31 is published. Check your shifts.' });
    await barrier(h, other, 'w5a');
    expect(other.of('schedule.published')).toEqual([]);
    nurse.close();
    other.close();
  });

  it('reaches a list of users, and a repeat with the same idempotencyKey sends nothing again', async () => {
    const s = await start();
    const h = await hospital(s);
    const nurse = await h.stream('n2');
    const body = { scheduleId: 'dec-2026', to: { users: ['n2', 'w5a'] }, idempotencyKey: 'publish-dec-2026' };
    const first = await postJson(h.url('/api/schedules/published'), body, h.service);
    const again = await postJson(h.url('/api/schedules/published'), body, h.service);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    await nurse.until((x) => x.of('schedule.published').length === 1);
    await barrier(h, nurse, 'n2');
    expect(nurse.of('schedule.published')).toHaveLength(1);
    expect(await h.inbox('w5a')).toHaveLength(1);
    nurse.close();
  });
});

describe('schedule updated', () => {
  it('sends every update in realtime and collapses the notifications of one schedule', async () => {
    const s = await start();
    const h = await hospital(s);
    const nurse = await h.stream('n1');
    const results = [];
    for (let i = 1; i <= 3; i++) {
      const r = await postJson(h.url('/api/schedules/updated'), { scheduleId: 'dec-2026', to: { topic: 'ward:3' }, summary: `Change ${i}`, changes: [{ shiftId: `s${i}`, userId: 'n1' }] }, h.service);
      expect(r.status).toBe(201);
      results.push(r.json);
    }
    expect(results.map((r) => r.grouped)).toEqual([false, true, true]);
    expect(new Set(results.map((r) => r.notificationId)).size).toBe(1);

    await nurse.until((x) => x.of('schedule.updated').length === 3);
    expect(nurse.of('schedule.updated').map((e) => dataOf(e).changes[0].shiftId)).toEqual(['s1', 's2', 's3']);
    const updates = (await h.inbox('n1')).filter((i) => i.type === 'schedule_updated');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ groupCount: 3, body: 'Change 3', groupKey: 'schedule:dec-2026:updated' });
    nurse.close();
  });

  it('keeps the updates of different schedules apart', async () => {
    const s = await start();
    const h = await hospital(s);
    for (const scheduleId of ['dec-2026', 'jan-2027']) {
      await postJson(h.url('/api/schedules/updated'), { scheduleId, to: { topic: 'ward:3' } }, h.service);
    }
    expect((await h.inbox('n1')).filter((i) => i.type === 'schedule_updated')).toHaveLength(2);
  });

  it('publishes nothing when a listed user is unknown', async () => {
    const s = await start();
    const h = await hospital(s);
    const nurse = await h.stream('n1');
    const r = await postJson(h.url('/api/schedules/updated'), { scheduleId: 'dec-2026', to: { users: ['n1', 'ghost'] } }, h.service);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'unknown_recipients', details: { unknownUsers: ['ghost'] } });
    await barrier(h, nurse, 'n1');
    expect(nurse.of('schedule.updated')).toEqual([]);
    expect(await h.inbox('n1')).toEqual([]);
    nurse.close();
  });
});
