import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Identity } from '../../packages/wardbell/src/auth/index.js';
import { createInProcessBus } from '../../packages/wardbell/src/bus/index.js';
import { createMemoryEventLog } from '../../packages/wardbell/src/events/index.js';
import { Directory, NotificationService } from '../../packages/wardbell/src/notifications/index.js';
import { pushDb, pushOutboxQueue } from '../../packages/wardbell/src/push/index.js';
import { EventManager, SseHub } from '../../packages/wardbell/src/sse/index.js';
import type { Db } from '../../packages/wardbell/src/store/index.js';
import { EmergencyCalls } from '../../packages/wardbell/src/workflows/emergency.js';
import { RepeatDelivery } from '../../packages/wardbell/src/workflows/repeat-delivery.js';
import { readCallEvents, Scheduler } from '../../packages/wardbell/src/workflows/index.js';
import { SWAP_DECIDED_JOB, Swaps } from '../../packages/wardbell/src/workflows/swaps.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { databases, type TestDatabase } from './databases.js';

/**
 * The workflows' atomicity on every database: two "processes" (each its own connection, notification
 * service, scheduler) share one database and take presses at the same instant. On PostgreSQL the
 * presses really run in parallel transactions; these are the guarantees that must hold there.
 */
const clock = new FakeClock();
const logger = pino({ level: 'silent' });
const nurses = Array.from({ length: 20 }, (_, i) => `n${i + 1}`);
const nurse = (userId: string, wards = ['3']): Identity => ({ tenantId: 'h1', userId, roles: ['nurse'], wards });
const service: Identity = { tenantId: 'h1', userId: 'scheduler', roles: ['service'], wards: [] };

function stack(raw: Db) {
  const db = raw.withTables<import('../../packages/wardbell/src/workflows/index.js').WorkflowTables>();
  const log = createMemoryEventLog({ retention: { maxEvents: 10_000, maxAgeMs: 3_600_000 }, clock });
  const events = new EventManager({ log, bus: createInProcessBus(), hub: new SseHub({ log, clock, heartbeatMs: 0 }) });
  const directory = new Directory(raw, () => clock.now());
  const notifications = new NotificationService({ db: raw, clock, events, directory, pushQueue: pushOutboxQueue });
  const scheduler = new Scheduler({ db, clock, logger });
  const deps = { db, clock, events, notifications, directory, scheduler };
  const swaps = new Swaps(deps);
  const emergency = new EmergencyCalls({ ...deps, delivery: new RepeatDelivery({ db, events, notifications, pushQueue: pushOutboxQueue }), escalateAfterSeconds: 60, escalateTo: { topic: 'role:nurse' } });
  notifications.onAction('swap', swaps.onAction);
  notifications.onAction('emergency', emergency.onAction);
  scheduler.handle(SWAP_DECIDED_JOB, swaps.applyDecision);
  for (const [kind, handler] of Object.entries(emergency.handlers())) scheduler.handle(kind, handler);
  return { raw, db, notifications, directory, scheduler, swaps, emergency };
}

for (const [name, open] of Object.entries(databases)) {
  describe(`workflow contract: ${name}`, () => {
    let tdb: TestDatabase | null = null;
    afterEach(async () => {
      await tdb?.close();
      tdb = null;
    });

    async function twoProcesses() {
      tdb = await open();
      const a = stack(tdb.db);
      const b = stack(tdb.connect());
      await a.directory.upsert('h1', [...nurses.map((u) => ({ userId: u, roles: ['nurse'], wards: ['3'] })), { userId: 'w5', roles: ['nurse'], wards: ['5'] }]);
      return { a, b };
    }

    it('never overfills a call when accepts reach two processes at the same instant', async () => {
      const { a, b } = await twoProcesses();
      const { call, notificationId } = await a.emergency.create(service, { to: { topic: 'ward:3' }, needed: 5, title: 'ICU', message: '' });
      const presses = await Promise.allSettled(nurses.map((u, i) => (i % 2 ? a : b).notifications.pressAction(nurse(u), notificationId, 'accept')));
      const ok = presses.filter((p) => p.status === 'fulfilled');
      expect(ok).toHaveLength(5);
      for (const p of presses) if (p.status === 'rejected') expect(p.reason).toMatchObject({ code: 'conflict' });
      const row = await a.db.selectFrom('emergency_calls').selectAll().where('id', '=', call.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'filled', accepted: 5, needed: 5 });
      expect(await a.db.selectFrom('emergency_accepts').select('user_id').where('call_id', '=', call.id).execute()).toHaveLength(5);
      const late = nurses.find((u, i) => presses[i]!.status === 'rejected')!;
      expect((await b.notifications.get('h1', late, notificationId)).state).toMatchObject({ status: 'filled', accepted: 5 });
    });

    it('counts one accept per nurse when the same nurse presses on both processes at once', async () => {
      const { a, b } = await twoProcesses();
      const { call, notificationId } = await a.emergency.create(service, { to: { topic: 'ward:3' }, needed: 3, title: 'ICU', message: '' });
      const presses = await Promise.allSettled([a, b, a, b].map((p) => p.notifications.pressAction(nurse('n1'), notificationId, 'accept')));
      expect(presses.filter((p) => p.status === 'fulfilled')).toHaveLength(1);
      expect((await b.emergency.get('h1', call.id)).accepted).toBe(1);
    });

    it('decides a swap once when both buttons reach two processes at the same instant', async () => {
      const { a, b } = await twoProcesses();
      const swap = await a.swaps.request(service, { requesterId: 'n1', targetId: 'n2', shift: { id: 's', startsAt: '2026-12-04T07:00:00+09:00' } });
      const presses = await Promise.allSettled(['approve', 'reject', 'approve', 'reject'].map((act, i) => (i % 2 ? a : b).notifications.pressAction(nurse('n2'), swap.notificationId!, act)));
      expect(presses.filter((p) => p.status === 'fulfilled')).toHaveLength(1);
      const decided = await a.swaps.get('h1', swap.id);
      expect(decided.status).not.toBe('pending');
      const told = (await a.notifications.list('h1', 'n1', { limit: 10 })).items;
      expect(told.map((i) => i.type)).toEqual([decided.status === 'approved' ? 'swap_approved' : 'swap_rejected']);
    });

    it('counts one answer when the same nurse accepts and declines on both processes at once', async () => {
      const { a, b } = await twoProcesses();
      const { call, notificationId } = await a.emergency.create(service, { to: { topic: 'ward:3' }, needed: 3, title: 'ICU', message: '', escalateTo: null });
      const presses = await Promise.allSettled(['accept', 'decline', 'accept', 'decline'].map((act, i) => (i % 2 ? a : b).notifications.pressAction(nurse('n1'), notificationId, act)));
      expect(presses.filter((p) => p.status === 'fulfilled')).toHaveLength(1);
      for (const p of presses) if (p.status === 'rejected') expect(p.reason).toMatchObject({ code: 'conflict' });
      const got = await b.emergency.get('h1', call.id);
      expect(got.accepted + got.declined).toBe(1);
      expect(got.acceptedBy.length + got.declinedBy.length).toBe(1);
      const kinds = (await readCallEvents(a.db, 'h1', call.id)).map((e) => e.kind);
      expect(kinds.filter((k) => k === 'accepted' || k === 'declined')).toHaveLength(1);
    });

    it('brings the next step forward once when the last two decline on both processes at once', async () => {
      const { a, b } = await twoProcesses();
      const { call, notificationId } = await a.emergency.create(service, { to: { users: ['n1', 'n2'] }, needed: 1, title: 'ICU', message: '', escalateAfterSeconds: 600, escalateTo: { topic: 'ward:5' } });
      const presses = await Promise.allSettled([a.notifications.pressAction(nurse('n1'), notificationId, 'decline'), b.notifications.pressAction(nurse('n2'), notificationId, 'decline')]);
      expect(presses.map((p) => p.status)).toEqual(['fulfilled', 'fulfilled']);
      expect((await a.notifications.list('h1', 'w5', { limit: 10 })).items.map((i) => i.title)).toEqual(['Escalated: ICU']);
      const events = await readCallEvents(b.db, 'h1', call.id);
      expect(events.filter((e) => e.kind === 'escalated')).toHaveLength(1);
      expect(events.filter((e) => e.kind === 'declined' && e.data.everyoneDeclined)).toHaveLength(1);
      expect(await b.emergency.get('h1', call.id)).toMatchObject({ status: 'escalated', declined: 2, stepsRun: 1 });
    });

    it('runs each step of a three-step policy once, in order, though both processes poll for each', async () => {
      const { a, b } = await twoProcesses();
      const policy = { steps: [{ afterSeconds: 1, to: { users: ['n2'] } }, { afterSeconds: 1, to: { users: ['n3'] } }, { afterSeconds: 1, to: { ward: '5' } }] };
      const { call } = await a.emergency.create(service, { to: { users: ['n1'] }, needed: 1, title: 'ICU', message: '', policy });
      for (let i = 0; i < 3; i++) {
        clock.advance(1000);
        await Promise.all([a.scheduler.pollOnce(), b.scheduler.pollOnce(), a.scheduler.pollOnce(), b.scheduler.pollOnce()]);
      }
      const steps = (await readCallEvents(a.db, 'h1', call.id)).filter((e) => e.kind === 'escalated').map((e) => [e.data.step, e.data.added]);
      expect(steps).toEqual([[1, 1], [2, 1], [3, 1]]);
      for (const u of ['n2', 'n3', 'w5']) expect((await b.notifications.list('h1', u, { limit: 10 })).items).toHaveLength(1);
      expect(await a.emergency.get('h1', call.id)).toMatchObject({ stepsRun: 3, stepsTotal: 3, nextStepAt: null });
    });

    it('sends a repeat once though both processes poll for it', async () => {
      const { a, b } = await twoProcesses();
      const { call, notificationId } = await a.emergency.create(service, { to: { users: ['n1', 'n2', 'n3'] }, needed: 2, title: 'ICU', message: '', escalateTo: null, repeatEverySeconds: 30, maxRepeats: 1 });
      await a.notifications.pressAction(nurse('n1'), notificationId, 'decline');
      clock.advance(30_000);
      await Promise.all([a.scheduler.pollOnce(), b.scheduler.pollOnce(), a.scheduler.pollOnce(), b.scheduler.pollOnce()]);
      const outbox = await pushDb(a.raw).selectFrom('push_outbox').select('user_id').where('notification_id', '=', notificationId).execute();
      const perUser = (u: string) => outbox.filter((r) => r.user_id === u).length;
      // The first push each, and one repeat to the two who have not answered.
      expect([perUser('n1'), perUser('n2'), perUser('n3')]).toEqual([1, 2, 2]);
      const repeated = (await readCallEvents(b.db, 'h1', call.id)).filter((e) => e.kind === 'repeated');
      expect(repeated.map((e) => [e.data.repeat, e.data.users])).toEqual([[1, ['n2', 'n3']]]);
    });

    it('sends nothing for a step whose call closes while the step is being prepared', async () => {
      const { a, b } = await twoProcesses();
      const { call } = await a.emergency.create(service, { to: { users: ['n1'] }, needed: 1, title: 'ICU', message: '', escalateAfterSeconds: 1, escalateTo: { topic: 'ward:5' } });
      // The step has read the call (open) and is resolving its audience when another process cancels it.
      const resolve = a.directory.resolve.bind(a.directory);
      a.directory.resolve = async (...args: Parameters<typeof resolve>) => {
        a.directory.resolve = resolve;
        await b.emergency.cancel(service, call.id);
        return resolve(...args);
      };
      clock.advance(1000);
      await a.scheduler.pollOnce();
      expect((await a.notifications.list('h1', 'w5', { limit: 10 })).items).toEqual([]);
      const kinds = (await readCallEvents(a.db, 'h1', call.id)).map((e) => e.kind);
      expect(kinds).toEqual(['created', 'notified', 'cancelled']);
      const job = await a.db.selectFrom('scheduled_jobs').select(['status', 'result']).where('kind', '=', 'emergency.escalate').executeTakeFirstOrThrow();
      expect(job.status).toBe('done');
      expect(JSON.parse(job.result ?? '{}')).toMatchObject({ skipped: 'moved' });
    });

    it('runs a call made before policies as its one-step shorthand: its escalation job, and declines bringing it forward', async () => {
      const { a, b } = await twoProcesses();
      const make = async () => {
        const { call, notificationId } = await a.emergency.create(service, { to: { users: ['n1'] }, needed: 1, title: 'ICU', message: '', escalateAfterSeconds: 60, escalateTo: { topic: 'ward:5' } });
        // As the code before policies left it: no policy, its escalation job keyed by the call's id alone.
        await a.db.updateTable('emergency_calls').set({ policy: null, next_step_at: null }).where('id', '=', call.id).execute();
        await a.db.updateTable('scheduled_jobs').set({ dedupe_key: call.id, payload: JSON.stringify({ callId: call.id }) }).where('kind', '=', 'emergency.escalate').where('dedupe_key', 'like', `${call.id}:%`).execute();
        return { call, notificationId };
      };
      const timed = await make();
      expect(await b.emergency.get('h1', timed.call.id)).toMatchObject({ policy: { name: null, steps: [{ afterSeconds: 60, to: { topic: 'ward:5' } }] }, nextStepAt: timed.call.escalateAt, stepsTotal: 1 });
      const declined = await make();
      await b.notifications.pressAction(nurse('n1'), declined.notificationId, 'decline');
      expect((await a.emergency.get('h1', declined.call.id)).stepsRun).toBe(1);
      clock.advance(60_000);
      await Promise.all([a.scheduler.pollOnce(), b.scheduler.pollOnce()]);
      expect(await a.emergency.get('h1', timed.call.id)).toMatchObject({ status: 'escalated', stepsRun: 1, nextStepAt: null });
      expect((await a.notifications.list('h1', 'w5', { limit: 10 })).items).toHaveLength(2);
    });

    it('escalates once when both processes poll at the same instant', async () => {
      const { a, b } = await twoProcesses();
      const { call } = await a.emergency.create(service, { to: { topic: 'ward:3' }, needed: 2, title: 'ICU', message: '', escalateAfterSeconds: 1 });
      clock.advance(1000);
      await Promise.all([a.scheduler.pollOnce(), b.scheduler.pollOnce(), a.scheduler.pollOnce(), b.scheduler.pollOnce()]);
      const inbox = (await a.notifications.list('h1', 'w5', { limit: 10 })).items;
      expect(inbox.map((i) => i.title)).toEqual(['Escalated: ICU']);
      expect((await b.emergency.get('h1', call.id)).status).toBe('escalated');
    });
  });
}
