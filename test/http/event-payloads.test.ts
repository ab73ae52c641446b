import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventPayloadsSchema } from '../../packages/wardbell/src/http/event-payloads.js';
import { eventually } from '../helpers/eventually.js';
import { closeAll, hospital, postJson, send, start, type Hospital, type SseReader } from '../workflows/helpers.js';

const shift = { id: 'shift-9', startsAt: '2026-12-04T07:00:00+09:00' };

/**
 * Every workflow's events, read from real streams, against the `EventPayloads` schema the API
 * description publishes and `@wardbell/client` types its handlers with: a payload that drifts from
 * it fails here.
 */
describe('event payloads as the API description says', () => {
  let h: Hospital;
  const streams: SseReader[] = [];
  beforeAll(async () => {
    h = await hospital(await start());
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await closeAll();
  });

  it('hold for the notification, inbox, swap, emergency and schedule flows', async () => {
    const [n1, n2, service] = await Promise.all([h.stream('n1'), h.stream('n2'), h.stream('service')]);
    streams.push(n1, n2, service);
    // A notification, read, then deleted.
    const sent = await postJson(h.url('/api/notifications'), { title: 'Bring badges', to: { users: ['n1'] }, actions: [{ id: 'ack', label: 'OK' }] }, h.service);
    expect(sent.status).toBe(201);
    const id = sent.json.notification.id as string;
    expect((await send('GET', h.url(`/api/notifications/${id}`), h.tok('n1'))).status).toBe(200);
    const patch = async (read: boolean) => (await fetch(h.url(`/api/notifications/${id}`), { method: 'PATCH', headers: { authorization: `Bearer ${h.tok('n1')}`, 'content-type': 'application/json' }, body: JSON.stringify({ read }) })).json();
    expect(await patch(true)).toEqual({ updated: 1, unreadCount: 0 });
    // Unread again: the count comes back, and repeating it changes nothing.
    expect(await patch(false)).toEqual({ updated: 1, unreadCount: 1 });
    expect(await patch(false)).toEqual({ updated: 0, unreadCount: 1 });
    expect(await patch(true)).toEqual({ updated: 1, unreadCount: 0 });
    expect((await h.press('n1', id, 'ack')).status).toBe(200);
    await fetch(h.url(`/api/notifications/${id}`), { method: 'DELETE', headers: { authorization: `Bearer ${h.tok('n1')}` } });
    // A swap, approved.
    const swap = await postJson(h.url('/api/swaps'), { requesterId: 'n1', targetId: 'n2', shift }, h.service);
    expect(swap.status).toBe(201);
    const ask = (await h.inbox('n2')).find((n) => n.type === 'swap_requested');
    expect((await h.press('n2', ask?.id as string, 'approve')).json.result).toBe('approved');
    // An emergency call, filled.
    const call = await postJson(h.url('/api/emergency-calls'), { to: { users: ['n1', 'n2'] }, needed: 1, escalateTo: null }, h.service);
    expect(call.status).toBe(201);
    expect((await h.press('n2', call.json.notificationId as string, 'accept')).json.result).toBe('filled');
    // A schedule published.
    expect((await postJson(h.url('/api/schedules/published'), { scheduleId: 'dec', to: { topic: 'ward:3' } }, h.service)).status).toBe(201);

    const wanted = ['notification', 'inbox.updated', 'notification.updated', 'swap.requested', 'swap.approved', 'emergency.called', 'emergency.updated', 'schedule.published'];
    const seen = () => new Set([n1, n2, service].flatMap((s) => s.events.map((e) => e.event)));
    await eventually(() => expect([...seen()].filter((t) => wanted.includes(t)).sort()).toEqual([...wanted].sort()), { timeout: 10_000 });
    await eventually(() => expect(n1.events.some((e) => e.event === 'inbox.updated' && JSON.parse(e.data).unread?.[0] === id)).toBe(true));
    const shapes = EventPayloadsSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean; error?: unknown } }>;
    let checked = 0;
    for (const s of [n1, n2, service]) {
      for (const e of s.events) {
        const shape = shapes[e.event];
        if (!shape) continue;
        const r = shape.safeParse(JSON.parse(e.data));
        expect(r.success, `${e.event}: ${e.data}\n${JSON.stringify(r.error)}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(wanted.length);
  });
});
