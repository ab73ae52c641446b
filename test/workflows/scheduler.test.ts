import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../packages/wardbell/src/shared/index.js';
import type { Db } from '../../packages/wardbell/src/store/index.js';
import { Scheduler, type Job, type WorkflowTables } from '../../packages/wardbell/src/workflows/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { databases, type TestDatabase } from './databases.js';

const logger = pino({ level: 'silent' });
const wf = (d: Db) => d.withTables<WorkflowTables>();

for (const [dbName, open] of Object.entries(databases)) {
  describe(`the durable scheduler on ${dbName}`, () => {
    let tdb: TestDatabase;
    let db: ReturnType<typeof wf>;
    let clock: FakeClock;

    beforeEach(async () => {
      tdb = await open();
      db = wf(tdb.db);
      clock = new FakeClock();
    });
    afterEach(async () => {
      await tdb.close();
    });

    /** A "process": a scheduler with a handler that records its runs. */
    function proc(opts: { fail?: (job: Job) => unknown; leaseMs?: number; maxAttempts?: number; ownConnection?: boolean } = {}) {
      const runs: Job[] = [];
      // A second "process" gets its own connection (its own pool on PostgreSQL).
      const s = new Scheduler({ db: opts.ownConnection ? wf(tdb.connect()) : db, clock, logger, leaseMs: opts.leaseMs ?? 10_000, maxAttempts: opts.maxAttempts ?? 3, retryBaseMs: 1000 });
      s.handle('test', async (job) => {
        runs.push(job);
        const err = opts.fail?.(job);
        if (err) throw err;
        return { ran: job.attempts };
      });
      return { s, runs };
    }

    const add = (s: Scheduler, inMs: number, extra: { dedupeKey?: string } = {}) =>
      s.enqueue({ tenantId: 'h1', kind: 'test', runAt: clock.now() + inMs, payload: { n: 1 }, createdBy: 'svc', ...extra });
    const row = (id: string) => db.selectFrom('scheduled_jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    it('runs a due job once and records done with its result', async () => {
      const { s, runs } = proc();
      const { job } = await add(s, 1000);
      expect(await s.pollOnce()).toBe(0);
      clock.advance(1000);
      expect(await s.pollOnce()).toBe(1);
      expect(await s.pollOnce()).toBe(0);
      expect(runs.map((r) => [r.id, r.payload, r.attempts])).toEqual([[job.id, { n: 1 }, 1]]);
      expect(await row(job.id)).toMatchObject({ status: 'done', result: '{"ran":1}', claimed_by: null });
    });

    it('drains a burst larger than one batch in a single poll', async () => {
      const runs: string[] = [];
      const s = new Scheduler({ db, clock, logger, batchSize: 5 });
      s.handle('test', async (job) => runs.push(job.id));
      for (let i = 0; i < 12; i++) await add(s, 0);
      expect(await s.pollOnce()).toBe(12);
      expect(new Set(runs).size).toBe(12);
    });

    it('runs each job once when two processes poll the same database', async () => {
      const a = proc();
      const b = proc({ ownConnection: true });
      for (let i = 0; i < 30; i++) await add(a.s, i);
      clock.advance(100);
      // Both claim before either runs: the claims must not overlap.
      const [ca, cb] = await Promise.all([a.s.claimDue(), b.s.claimDue()]);
      const ids = [...ca, ...cb].map((j) => j.id);
      expect(new Set(ids).size).toBe(ids.length);
      while ((await a.s.pollOnce()) + (await b.s.pollOnce()) > 0);
      const ran = [...a.runs, ...b.runs].map((j) => j.id);
      expect(new Set(ran).size).toBe(ran.length);
    });

    it('takes over a crashed claim after its lease, and the crashed run cannot overwrite the outcome', async () => {
      const crashed = proc({ leaseMs: 5000 });
      const survivor = proc({ leaseMs: 5000, ownConnection: true });
      const { job } = await add(crashed.s, 0);
      const [claim] = await crashed.s.claimDue(); // ... and the process dies here
      expect(claim?.status).toBe('running');
      clock.advance(4999);
      expect(await survivor.s.pollOnce()).toBe(0);
      clock.advance(2);
      expect(await survivor.s.pollOnce()).toBe(1);
      expect(survivor.runs[0]?.attempts).toBe(2);
      expect(await row(job.id)).toMatchObject({ status: 'done', attempts: 2 });
      // A finish with the dead claim's token changes nothing.
      const stale = await db.updateTable('scheduled_jobs').set({ status: 'failed' }).where('id', '=', job.id).where('claimed_by', '=', claim!.claimed_by).executeTakeFirst();
      expect(Number(stale.numUpdatedRows)).toBe(0);
    });

    it('retries a failing job with growing delays, then marks it failed', async () => {
      const { s, runs } = proc({ fail: () => new Error('database hiccup'), maxAttempts: 3 });
      const { job } = await add(s, 0);
      await s.pollOnce();
      expect(await row(job.id)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'database hiccup', run_at: clock.now() + 1000 });
      clock.advance(999);
      expect(await s.pollOnce()).toBe(0);
      clock.advance(1);
      await s.pollOnce();
      expect((await row(job.id)).run_at).toBe(clock.now() + 2000);
      clock.advance(2000);
      await s.pollOnce();
      expect(runs).toHaveLength(3);
      expect(await row(job.id)).toMatchObject({ status: 'failed', attempts: 3 });
      clock.advance(60_000);
      expect(await s.pollOnce()).toBe(0);
    });

    it('fails at once on an error retrying cannot fix', async () => {
      const { s, runs } = proc({ fail: () => new AppError('unknown_recipients', 'No such staff: ghost.') });
      const { job } = await add(s, 0);
      await s.pollOnce();
      clock.advance(600_000);
      await s.pollOnce();
      expect(runs).toHaveLength(1);
      expect(await row(job.id)).toMatchObject({ status: 'failed', last_error: 'No such staff: ghost.' });
    });

    it('gives up on a job whose claims keep lapsing', async () => {
      const { s, runs } = proc({ leaseMs: 1000, maxAttempts: 2 });
      const { job } = await add(s, 0);
      for (let i = 0; i < 2; i++) {
        await s.claimDue();
        clock.advance(1001);
      }
      await s.pollOnce();
      expect(runs).toEqual([]);
      expect(await row(job.id)).toMatchObject({ status: 'failed', last_error: 'gave up after 2 attempts' });
    });

    it('never runs a cancelled job, and refuses to cancel one that is running or done', async () => {
      const { s, runs } = proc();
      const { job: cancelled } = await add(s, 1000);
      expect((await s.cancel('h1', ['test'], cancelled.id)).status).toBe('cancelled');
      expect((await s.cancel('h1', ['test'], cancelled.id)).status).toBe('cancelled');
      const { job: running } = await add(s, 0);
      await s.claimDue();
      await expect(s.cancel('h1', ['test'], running.id)).rejects.toMatchObject({ code: 'conflict', message: /being sent right now/ });
      clock.advance(20_000);
      await s.pollOnce();
      await expect(s.cancel('h1', ['test'], running.id)).rejects.toMatchObject({ code: 'conflict', message: /already sent/ });
      expect(runs.map((r) => r.id)).toEqual([running.id]);
    });

    it('hides other tenants\' and other kinds\' jobs behind not_found', async () => {
      const { s } = proc();
      const { job } = await add(s, 1000);
      await expect(s.get('h2', ['test'], job.id)).rejects.toMatchObject({ code: 'not_found' });
      await expect(s.cancel('h2', ['test'], job.id)).rejects.toMatchObject({ code: 'not_found' });
      await expect(s.get('h1', ['other'], job.id)).rejects.toMatchObject({ code: 'not_found' });
      expect((await row(job.id)).status).toBe('pending');
    });

    it('keeps one job per dedupe key', async () => {
      const { s } = proc();
      const first = await add(s, 1000, { dedupeKey: 'k' });
      const again = await add(s, 5000, { dedupeKey: 'k' });
      expect(again).toMatchObject({ duplicate: true, job: { id: first.job.id, run_at: first.job.run_at } });
      expect((await add(s, 1000)).duplicate).toBe(false);
    });

    it('leaves no job behind when the transaction that enqueued it rolls back', async () => {
      const { s } = proc();
      await expect(
        db.transaction().execute(async (trx) => {
          await s.enqueue({ tenantId: 'h1', kind: 'test', runAt: 0, payload: null, createdBy: 'svc' }, trx);
          throw new Error('the change that needed it failed');
        }),
      ).rejects.toThrow('the change that needed it failed');
      expect(await db.selectFrom('scheduled_jobs').selectAll().execute()).toEqual([]);
    });

    it('polls on its interval once started, and stop waits for the job in progress', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const s = new Scheduler({ db, clock, logger, pollIntervalMs: 500 });
      const done: string[] = [];
      s.handle('slow', async (job) => {
        await gate;
        done.push(job.id);
      });
      const { job } = await s.enqueue({ tenantId: 'h1', kind: 'slow', runAt: clock.now() + 100, payload: null, createdBy: 'svc' });
      s.start();
      clock.advance(500);
      await expect.poll(async () => (await row(job.id)).status).toBe('running');
      const stopped = s.stop();
      release();
      await stopped;
      expect(done).toEqual([job.id]);
      expect((await row(job.id)).status).toBe('done');
    });

    it('marks a job of an unknown kind failed instead of retrying it forever', async () => {
      const { s } = proc();
      const { job } = await s.enqueue({ tenantId: 'h1', kind: 'nobody-handles-this', runAt: 0, payload: null, createdBy: 'svc' });
      await s.pollOnce();
      expect(await row(job.id)).toMatchObject({ status: 'failed', last_error: 'no handler for job kind nobody-handles-this' });
    });
  });
}
