import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import type { TestService } from '../helpers/service.js';
import { callTimeline, closeAll, hospital, newDataDir, postJson, schedulerPassed, send, start, startAt, type Hospital } from './helpers.js';

afterEach(closeAll);

async function call(h: Hospital, body: Record<string, unknown>) {
  const r = await postJson(h.url('/api/emergency-calls'), { title: 'ICU needs help', message: '', needed: 1, ...body }, h.service);
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json as { call: Record<string, any>; notificationId: string; recipients: number };
}

const getCall = async (h: Hospital, id: string) => (await send('GET', h.url(`/api/emergency-calls/${id}`), h.service)).json.call as Record<string, any>;
const emergencyItems = async (h: Hospital, userId: string) => (await h.inbox(userId)).filter((i) => i.type === 'emergency_call');

/** Pushes queued per user, over all notifications (the push outbox, read from the service's file). */
function pushesPerUser(s: TestService): Record<string, number> {
  const db = new Database(join(s.dataDir, 'wardbell.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const out: Record<string, number> = {};
    for (const r of db.prepare('select user_id as u from push_outbox').all() as Array<{ u: string }>) out[r.u] = (out[r.u] ?? 0) + 1;
    return out;
  } finally {
    db.close();
  }
}

const EVERYONE = [...Array.from({ length: 10 }, (_, i) => `n${i + 1}`), 'w5a', 'w5b', 'mgr3'];

describe('emergency calls: escalation policies', () => {
  it('runs a three-step policy once per step, in order, across a restart in the middle, never reaching anyone twice', async () => {
    const dataDir = newDataDir();
    const clockA = new FakeClock();
    const a = await startAt(dataDir, { clock: clockA });
    const ha = await hospital(a);
    const policy = { steps: [{ afterSeconds: 60, to: { users: ['n2'] } }, { afterSeconds: 60, to: { ward: '5' } }, { afterSeconds: 60, to: { tenant: true } }] };
    const c = await call(ha, { to: { users: ['n1'] }, policy });
    expect(c.call).toMatchObject({ stepsRun: 0, stepsTotal: 3, nextStepAt: new Date(clockA.now() + 60_000).toISOString(), policy: { name: null, steps: [{ to: { users: ['n2'] } }, { to: { topic: 'ward:5' } }, { to: { tenant: true } }] } });
    await clockA.advanceAsync(60_000);
    expect((await emergencyItems(ha, 'n2')).map((i) => i.title)).toEqual(['Escalated: ICU needs help']);
    expect(await getCall(ha, c.call.id)).toMatchObject({ status: 'escalated', stepsRun: 1 });
    await a.close();

    // Another process on the same data: it takes over the next steps from the database alone.
    const clockB = new FakeClock(clockA.now());
    const b = await startAt(dataDir, { clock: clockB });
    const hb = await hospital(b);
    await clockB.advanceAsync(60_000);
    expect(await getCall(hb, c.call.id)).toMatchObject({ stepsRun: 2 });
    expect(await emergencyItems(hb, 'w5a')).toHaveLength(1);
    expect(await emergencyItems(hb, 'n3')).toHaveLength(0);
    await clockB.advanceAsync(60_000);
    await schedulerPassed(hb, clockB, clockB.now() + 600_000);

    const events = await callTimeline(b, hb.tenantId, c.call.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.kind === 'escalated').map((e) => [e.data.step, e.data.added])).toEqual([
      [1, 1],
      [2, 2],
      [3, 9],
    ]);
    expect(events.map((e) => e.kind)).toEqual(['created', 'notified', 'notified', 'escalated', 'notified', 'escalated', 'notified', 'escalated']);
    // Everyone in the hospital has the call exactly once.
    for (const u of EVERYONE) expect(await emergencyItems(hb, u), u).toHaveLength(1);
    expect(await getCall(hb, c.call.id)).toMatchObject({ stepsRun: 3, nextStepAt: null, notificationIds: expect.any(Array) });
    expect((await getCall(hb, c.call.id)).notificationIds).toHaveLength(4);
  });

  it('re-notifies who owes an answer on every loop, then stops', async () => {
    const clock = new FakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const c = await call(h, { to: { users: ['n1', 'n3'] }, policy: { steps: [{ afterSeconds: 30, to: { users: ['n2'] } }], loops: 2 } });
    await h.press('n3', c.notificationId, 'decline');
    await clock.advanceAsync(30_000); // step 1 adds n2
    await clock.advanceAsync(30_000); // loop 1: nobody new, n1 and n2 again
    await clock.advanceAsync(30_000); // loop 2: the same
    await schedulerPassed(h, clock, clock.now() + 300_000);
    const events = await callTimeline(s, h.tenantId, c.call.id);
    expect(events.filter((e) => e.kind === 'escalated').map((e) => [e.data.step, e.data.loop, e.data.added])).toEqual([
      [1, 0, 1],
      [1, 1, 0],
      [1, 2, 0],
    ]);
    expect(events.filter((e) => e.kind === 'repeated').map((e) => [e.data.repeat, e.data.users])).toEqual([
      [0, ['n1', 'n2']],
      [0, ['n1', 'n2']],
    ]);
    expect(pushesPerUser(s)).toMatchObject({ n1: 3, n2: 3, n3: 1 });
    expect(await getCall(h, c.call.id)).toMatchObject({ stepsRun: 3, stepsTotal: 3, nextStepAt: null, status: 'escalated' });
  });

  it('holds maxRepeats per person over the whole call, schedules each step\'s own repeats, and never repeats at a step\'s time', async () => {
    const clock = new FakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const c = await call(h, { to: { users: ['n1'] }, policy: { steps: [{ afterSeconds: 60, to: { ward: '5' } }], repeatEverySeconds: 30, maxRepeats: 3 } });
    await schedulerPassed(h, clock, clock.now() + 600_000);
    const events = await callTimeline(s, h.tenantId, c.call.id);
    const wave = (e: { kind: string; data: Record<string, unknown> }) => (e.kind === 'repeated' ? `r${String(e.data.wave)}.${String(e.data.repeat)}` : e.kind === 'escalated' ? `step${String(e.data.step)}` : null);
    expect(events.map(wave).filter(Boolean)).toEqual(['r0.1', 'step1', 'r1.1', 'r1.2', 'r1.3']);
    // n1 (reached by the call): one repeat before the step, two after it, then no more: three in all.
    const reachedBy = (e: { kind: string; data: Record<string, unknown> }) => (e.kind === 'repeated' ? (e.data.users as string[]).join(',') : null);
    expect(events.map(reachedBy).filter((x) => x !== null)).toEqual(['n1', 'n1,w5a,w5b', 'n1,w5a,w5b', 'w5a,w5b']);
    expect(pushesPerUser(s)).toMatchObject({ n1: 4, w5a: 4, w5b: 4 });
  });

  it('stops the policy when the call fills: no step or repeat runs after it', async () => {
    const clock = new FakeClock();
    const s = await start({ clock });
    const h = await hospital(s);
    const c = await call(h, { to: { users: ['n1', 'n2'] }, policy: { steps: [{ afterSeconds: 60, to: { ward: '5' } }, { afterSeconds: 60, to: { tenant: true } }], repeatEverySeconds: 30 } });
    await clock.advanceAsync(60_000);
    const [escalated] = await emergencyItems(h, 'w5b');
    await h.press('w5b', escalated!.id, 'accept');
    await schedulerPassed(h, clock, clock.now() + 600_000);
    expect(await emergencyItems(h, 'n5')).toEqual([]);
    const kinds = (await callTimeline(s, h.tenantId, c.call.id)).map((e) => e.kind);
    expect(kinds.slice(-3)).toEqual(['escalated', 'accepted', 'filled']);
    expect(await getCall(h, c.call.id)).toMatchObject({ status: 'filled', stepsRun: 1, nextStepAt: null });
  });

  it('keeps today\'s shorthand: escalateAfterSeconds/escalateTo is one step, frozen with the call', async () => {
    const s = await start({ clock: new FakeClock() });
    const h = await hospital(s);
    const c = await call(h, { to: { topic: 'ward:3' }, escalateAfterSeconds: 90 });
    expect(c.call.policy).toEqual({ name: null, steps: [{ afterSeconds: 90, to: { topic: 'role:nurse' } }], repeatEverySeconds: null, maxRepeats: 0, loops: 0, expiresAfterSeconds: null });
    const none = await call(h, { to: { topic: 'ward:3' }, escalateTo: null });
    expect(none.call).toMatchObject({ stepsTotal: 0, nextStepAt: null, escalateAt: null });
  });

  it('refuses a policy given twice, or with the shorthand, and named staff missing from the directory', async () => {
    const s = await start();
    const h = await hospital(s);
    const steps = [{ afterSeconds: 60, to: { ward: '5' } }];
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ policy: { steps }, policyName: 'night' }, 400, 'validation_failed'],
      [{ policy: { steps }, escalateAfterSeconds: 60 }, 400, 'validation_failed'],
      [{ policyName: 'night', escalateTo: null }, 400, 'validation_failed'],
      [{ policy: { steps: [{ afterSeconds: 60, to: { users: ['ghost'] } }] } }, 400, 'unknown_recipients'],
      [{ policy: { steps: [{ afterSeconds: -60, to: { ward: '5' } }] } }, 400, 'validation_failed'],
      [{ policy: { steps, extra: true } }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const r = await postJson(h.url('/api/emergency-calls'), { to: { topic: 'ward:3' }, needed: 1, ...body }, h.service);
      expect([r.status, r.json.error?.code], JSON.stringify(body)).toEqual([status, code]);
    }
  });
});
