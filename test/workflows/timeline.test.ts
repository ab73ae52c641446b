/**
 * An emergency call's timeline through the service, on a fake clock: every step in order with its
 * time and who, the call's own events (created, notified, repeated, declined, escalated, accepted,
 * filled) and its recipients' deliveries (delivered by stream, displayed, seen); and the list of
 * calls for the review after a shift (filters, cursor pages, tenant isolation, bad input).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import { eventually } from '../helpers/eventually.js';
import { closeAll, hospital, postJson, schedulerPassed, send, start, type Hospital } from './helpers.js';
import { observations, sample, scrape } from '../metrics/helpers.js';

afterEach(closeAll);

interface Entry {
  seq: number | null;
  at: string;
  kind: string;
  actor: string | null;
  data: Record<string, unknown>;
}

async function call(h: Hospital, body: Record<string, unknown>) {
  const r = await postJson(h.url('/api/emergency-calls'), { to: { users: ['n1', 'n2'] }, title: 'ICU needs help', message: 'Two admissions', needed: 1, ...body }, h.service);
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json as { call: Record<string, any>; notificationId: string };
}

const timeline = async (h: Hospital, id: string, token = h.service) => send('GET', h.url(`/api/emergency-calls/${id}/timeline`), token);

describe('the timeline of an emergency call', () => {
  it('lists every step in time order: created, notified, delivered, displayed, repeated, declined, seen, escalated, accepted, filled', async () => {
    const clock = new FakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const n1 = await h.stream('n1');
    const c = await call(h, { policy: { steps: [{ afterSeconds: 120, to: { users: ['n3'] } }], repeatEverySeconds: 30, maxRepeats: 1 } });
    await n1.until((x) => x.events.some((e) => e.event === 'notification' && e.data.includes(c.notificationId)));
    expect((await postJson(h.url('/api/notifications/receipts'), { receipts: [{ id: c.notificationId, kind: 'displayed' }] }, h.tok('n1'))).status).toBe(200);
    await clock.advanceAsync(200);
    await schedulerPassed(h, clock, clock.now() + 30_000); // the repeat (neither has answered nor read it)
    expect((await h.press('n2', c.notificationId, 'decline')).status).toBe(200);
    const read = await fetch(h.url(`/api/notifications/${c.notificationId}`), { method: 'PATCH', headers: { authorization: `Bearer ${h.tok('n1')}`, 'content-type': 'application/json' }, body: JSON.stringify({ read: true }) });
    expect(read.status).toBe(200);
    await schedulerPassed(h, clock, clock.now() + 120_000); // the step to n3
    const step = (await h.inbox('n3')).find((i) => i.type === 'emergency_call');
    expect(step).toBeDefined();
    expect((await h.press('n3', step!.id as string, 'accept')).status).toBe(200);

    const got = await eventually(async () => {
      const r = await timeline(h, c.call.id);
      const kinds = (r.json.entries as Entry[]).map((e) => e.kind);
      return kinds.includes('filled') ? (r.json.entries as Entry[]) : null;
    });
    const kinds = got.map((e) => e.kind);
    const first = (kind: string, actor?: string) => got.findIndex((e) => e.kind === kind && (actor === undefined || e.actor === actor));
    for (const k of ['created', 'notified', 'delivered', 'displayed', 'repeated', 'declined', 'seen', 'escalated', 'accepted', 'filled']) expect(kinds, k).toContain(k);
    // In order, each with its time and who.
    expect(first('created')).toBe(0);
    expect(got[0]).toMatchObject({ seq: 1, actor: 'scheduler' });
    expect(first('delivered', 'n1')).toBeGreaterThan(first('notified'));
    expect(got[first('delivered', 'n1')]).toMatchObject({ seq: null, data: { notificationId: c.notificationId, channel: 'stream' } });
    expect(got[first('displayed', 'n1')]).toMatchObject({ data: { via: 'page' } });
    expect(first('repeated')).toBeGreaterThan(first('displayed', 'n1'));
    expect(first('declined', 'n2')).toBeGreaterThan(first('repeated'));
    expect(got[first('seen', 'n1')]).toMatchObject({ data: { how: 'read' } });
    expect(first('escalated')).toBeGreaterThan(first('declined', 'n2'));
    // Each notification says which audience it went to and how many it reached: the call's, then the step's.
    expect(got.filter((e) => e.kind === 'notified').map((e) => e.data)).toEqual([
      expect.objectContaining({ wave: 0, to: { users: ['n1', 'n2'] }, recipients: 2 }),
      expect.objectContaining({ wave: 1, to: { users: ['n3'] }, recipients: 1 }),
    ]);
    expect(first('accepted', 'n3')).toBeGreaterThan(first('escalated'));
    expect(first('filled')).toBeGreaterThan(first('accepted', 'n3'));
    const times = got.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // The call's own events are numbered 1, 2, 3, ... without gaps.
    const seqs = got.filter((e) => e.seq !== null).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    // The metrics: one first accept and one fill, the time since the call was made (over 150 s here).
    const m = await scrape(`${s.url}/metrics`);
    expect([observations(m, 'wardbell_emergency_first_accept_seconds'), observations(m, 'wardbell_emergency_fill_seconds')]).toEqual([1, 1]);
    const took = (Date.parse(got[first('filled')]!.at) - Date.parse(got[0]!.at)) / 1000;
    expect(sample(m, 'wardbell_emergency_fill_seconds_sum')).toBeCloseTo(took, 1);
    expect(took).toBeGreaterThan(150);
    n1.close();
  });

  it('is the tenant\'s only: another tenant\'s id and an unknown one are 404, a nurse is refused', async () => {
    const s = await start();
    const h = await hospital(s);
    const other = await hospital(s, 'h2');
    const c = await call(h, {});
    expect((await timeline(h, c.call.id)).status).toBe(200);
    expect((await timeline(other, c.call.id)).status).toBe(404);
    expect((await timeline(h, '6f9619ff-8b86-4d11-b42d-00c04fc964ff')).status).toBe(404);
    expect((await timeline(h, c.call.id, h.tok('n1'))).status).toBe(403);
    expect((await timeline(h, 'not-an-id')).status).toBe(400);
  });

  it('comes in cursor pages that add up to the whole timeline, each entry once', async () => {
    const clock = new FakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const streams = await Promise.all(['n1', 'n2', 'n3'].map((u) => h.stream(u)));
    const c = await call(h, { to: { users: ['n1', 'n2', 'n3'] } });
    for (const st of streams) await st.until((x) => x.events.some((e) => e.event === 'notification' && e.data.includes(c.notificationId)));
    await clock.advanceAsync(200); // the receipts' flush: three deliveries by stream
    expect((await h.press('n2', c.notificationId, 'decline')).status).toBe(200);
    const whole = await eventually(async () => {
      const r = await timeline(h, c.call.id);
      const e = r.json.entries as Entry[];
      return e.filter((x) => x.kind === 'delivered').length === 3 && e.some((x) => x.kind === 'declined') ? r.json : null;
    });
    expect(whole.nextCursor).toBeNull();
    const entries = whole.entries as Entry[];
    expect(entries.length).toBeGreaterThanOrEqual(6);
    const paged: Entry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const r = await send('GET', h.url(`/api/emergency-calls/${c.call.id}/timeline${q}`), h.service);
      expect(r.status).toBe(200);
      expect((r.json.entries as Entry[]).length).toBeLessThanOrEqual(2);
      paged.push(...(r.json.entries as Entry[]));
      cursor = r.json.nextCursor as string | null;
      pages++;
    } while (cursor !== null && pages < 20);
    expect(paged).toEqual(entries);
    expect(pages).toBe(Math.ceil(entries.length / 2));
    for (const bad of ['?limit=0', '?limit=1001', '?limit=x', '?cursor=bm90LWEta2V5', `?cursor=${'a'.repeat(301)}`]) {
      const r = await send('GET', h.url(`/api/emergency-calls/${c.call.id}/timeline${bad}`), h.service);
      expect(r.status, bad).toBe(400);
      expect(r.json.error.code, bad).toBe('validation_failed');
    }
    for (const st of streams) st.close();
  });
});

describe('the list of calls', () => {
  it('pages a tenant\'s calls newest first, filtered by status and time, and never another tenant\'s', async () => {
    const clock = new FakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const other = await hospital(s, 'h2');
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      made.push((await call(h, { title: `Call ${i}` })).call.id as string);
      await clock.advanceAsync(60_000);
    }
    await call(other, { title: 'Elsewhere' });
    const cancelled = await postJson(h.url(`/api/emergency-calls/${made[1]}/cancel`), {}, h.service);
    expect(cancelled.status).toBe(200);
    const list = async (query: string, who = h) => send('GET', who.url(`/api/emergency-calls?${query}`), who.service);

    const all = await list('limit=2');
    expect(all.status).toBe(200);
    expect(all.json.items.map((c: { id: string }) => c.id)).toEqual([made[2], made[1]]);
    const rest = await list(`limit=2&cursor=${all.json.nextCursor as string}`);
    expect(rest.json.items.map((c: { id: string }) => c.id)).toEqual([made[0]]);
    expect(rest.json.nextCursor).toBeNull();
    expect((await list('status=cancelled')).json.items.map((c: { id: string }) => c.id)).toEqual([made[1]]);
    const t0 = Date.parse((await send('GET', h.url(`/api/emergency-calls/${made[1]}`), h.service)).json.call.createdAt as string);
    expect((await list(`from=${encodeURIComponent(new Date(t0).toISOString())}&to=${encodeURIComponent(new Date(t0 + 1).toISOString())}`)).json.items.map((c: { id: string }) => c.id)).toEqual([made[1]]);
    expect((await list('limit=100', other)).json.items.map((c: { title: string }) => c.title)).toEqual(['Elsewhere']);
    for (const bad of ['status=lost', 'limit=0', 'limit=101', 'from=yesterday', 'cursor=not-a-cursor']) {
      const r = await list(bad);
      expect([bad, r.status, r.json.error?.code]).toEqual([bad, 400, 'validation_failed']);
    }
    expect((await send('GET', h.url('/api/emergency-calls'), h.tok('n1'))).status).toBe(403);
  });
});
