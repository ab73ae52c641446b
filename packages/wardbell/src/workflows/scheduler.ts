import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder } from 'kysely';
import type { Logger } from 'pino';
import { AppError, type Clock } from '../shared/index.js';
import { isPermanent, retryDelayMs } from './rules.js';
import { bringForward, cancelPendingOf } from './scheduler-keys.js';
import type { JobStatus, ScheduledJobsTable, WfDb, WfExec, WorkflowDatabase } from './tables.js';

/** A job as a handler sees it. */
export interface Job {
  id: string;
  tenantId: string;
  kind: string;
  payload: unknown;
  runAt: number;
  /** Counting this run (1 on the first). */
  attempts: number;
  createdBy: string;
}

/**
 * Does a job's work; the resolved value is stored as the job's result. It must be idempotent: a
 * crash after the effect but before "done" runs it again (e.g. send with an idempotency key
 * derived from `job.id`). Throw a 4xx `AppError` for a failure that retrying cannot fix.
 */
export type JobHandler = (job: Job) => Promise<unknown>;

export interface NewJob {
  tenantId: string;
  kind: string;
  runAt: number;
  payload: unknown;
  createdBy: string;
  /** One job per (tenant, kind, key): scheduling again returns the first. */
  dedupeKey?: string | undefined;
  id?: string | undefined;
}

export interface SchedulerOptions {
  db: WfDb;
  clock: Clock;
  logger: Logger;
  /** How often due jobs are looked for. Default 500 ms: a reminder is at most this late. */
  pollIntervalMs?: number;
  /** How long a claim holds before another process may take the job over. Default 60 000 ms. */
  leaseMs?: number;
  /** Jobs claimed per poll. Default 20. */
  batchSize?: number;
  /** Runs before a job is marked failed. Default 5. */
  maxAttempts?: number;
  /** First retry delay, doubling per attempt up to 5 minutes. Default 1000 ms. */
  retryBaseMs?: number;
}

type JobRow = ScheduledJobsTable;

/**
 * The durable scheduler: a queue in the `scheduled_jobs` table and a poller. Claiming is one
 * conditional `UPDATE ... RETURNING` (pending and due, or running with a lapsed lease), so two
 * processes on one PostgreSQL never run the same claim, and a process that dies mid-job leaves a
 * claim that lapses and is taken over. Finishing checks the claim token, so a run whose lease
 * lapsed cannot overwrite the outcome of the run that took over.
 */
export class Scheduler {
  private readonly db: WfDb;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private timer: unknown = null;
  private polling: Promise<number> | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;
  readonly stats = { claimed: 0, done: 0, retried: 0, failed: 0, lostClaims: 0 };

  constructor(opts: SchedulerOptions) {
    this.db = opts.db;
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.pollIntervalMs = opts.pollIntervalMs ?? 500;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.batchSize = opts.batchSize ?? 20;
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.retryBaseMs = opts.retryBaseMs ?? 1000;
  }

  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /**
   * Adds a job, inside the caller's transaction when given one, so the job exists exactly when
   * the change that needs it is committed (the outbox pattern).
   */
  async enqueue(job: NewJob, exec: WfExec = this.db): Promise<{ job: JobRow; duplicate: boolean }> {
    const now = this.clock.now();
    const row: JobRow = {
      id: job.id ?? randomUUID(),
      tenant_id: job.tenantId,
      kind: job.kind,
      run_at: job.runAt,
      payload: JSON.stringify(job.payload ?? null),
      status: 'pending',
      attempts: 0,
      claimed_by: null,
      claimed_until: null,
      dedupe_key: job.dedupeKey ?? null,
      result: null,
      last_error: null,
      created_by: job.createdBy,
      created_at: now,
      updated_at: now,
    };
    if (!job.dedupeKey) {
      await exec.insertInto('scheduled_jobs').values(row).execute();
      return { job: row, duplicate: false };
    }
    const r = await exec
      .insertInto('scheduled_jobs')
      .values(row)
      .onConflict((oc) => oc.columns(['tenant_id', 'kind', 'dedupe_key']).doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 1) return { job: row, duplicate: false };
    const prior = await exec
      .selectFrom('scheduled_jobs')
      .selectAll()
      .where('tenant_id', '=', job.tenantId)
      .where('kind', '=', job.kind)
      .where('dedupe_key', '=', job.dedupeKey)
      .executeTakeFirstOrThrow();
    return { job: prior, duplicate: true };
  }

  /** A job of this tenant and one of these kinds; 404 for any other (never a leak across tenants). */
  async get(tenantId: string, kinds: readonly string[], id: string): Promise<JobRow> {
    const row = await this.db
      .selectFrom('scheduled_jobs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('kind', 'in', [...kinds])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', 'No such scheduled item in your tenant.');
    return row;
  }

  /**
   * Cancels a pending job. The same conditional update as a claim decides the race: either the
   * cancel wins and the job never runs, or the claim won and the cancel is refused (409).
   * Cancelling a cancelled job answers with it again (DELETE is idempotent).
   */
  async cancel(tenantId: string, kinds: readonly string[], id: string): Promise<JobRow> {
    const now = this.clock.now();
    const r = await this.db
      .updateTable('scheduled_jobs')
      .set({ status: 'cancelled', updated_at: now })
      .where('tenant_id', '=', tenantId)
      .where('kind', 'in', [...kinds])
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    const row = await this.get(tenantId, kinds, id);
    if (Number(r.numUpdatedRows) === 1 || row.status === 'cancelled') return row;
    const what: Record<Exclude<JobStatus, 'pending' | 'cancelled'>, string> = {
      running: 'is being sent right now',
      done: 'was already sent',
      failed: 'already failed',
    };
    throw new AppError('conflict', `It cannot be cancelled: it ${what[row.status as 'running' | 'done' | 'failed']}.`, { status: row.status });
  }

  /**
   * Cancels the pending jobs of these kinds that belong to `subject` (keyed by its id, or by
   * `<subject>:...`), inside the caller's transaction: a call that closes takes its steps, repeats
   * and expiry with it. A job already claimed is left to run; its handler finds the changed state.
   */
  cancelPendingOf(tenantId: string, kinds: readonly string[], subject: string, exec: WfExec = this.db): Promise<number> {
    return cancelPendingOf(exec, tenantId, kinds, subject, this.clock.now());
  }

  /** Brings the pending job of this kind and one of these keys forward to `runAt`; its id, or null when none is pending. */
  bringForward(tenantId: string, kind: string, dedupeKeys: readonly string[], runAt: number, exec: WfExec = this.db): Promise<string | null> {
    return bringForward(exec, tenantId, kind, dedupeKeys, runAt, this.clock.now());
  }

  /** Starts polling every `pollIntervalMs`. */
  start(): void {
    if (this.timer !== null) return;
    this.stopped = false;
    const h = this.clock.setInterval(() => {
      // One poll at a time per process: a slow poll skips ticks instead of piling up.
      if (!this.polling) void this.pollOnce().catch((err: unknown) => this.logger.error({ err }, 'scheduler poll failed'));
    }, this.pollIntervalMs);
    if (typeof h === 'object' && h.unref) h.unref();
    this.timer = h;
  }

  /** Stops polling; resolves when the jobs in progress have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
    await this.polling;
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Claims the due jobs (and lapsed claims) and runs them; resolves with how many ran. A full
   * batch is followed by another claim at once, so a burst (every 07:00 reminder of a hospital)
   * drains at the speed of the work, not one batch per interval.
   */
  pollOnce(): Promise<number> {
    if (this.polling) return this.polling;
    const p = (async () => {
      let ran = 0;
      for (;;) {
        const jobs = await this.claimDue();
        for (const job of jobs) await this.track(this.run(job));
        ran += jobs.length;
        if (jobs.length < this.batchSize || this.stopped) return ran;
      }
    })().finally(() => {
      this.polling = null;
    });
    this.polling = p;
    return p;
  }

  /**
   * Runs one job now if it is pending and due, instead of waiting for the next poll: decisions
   * use it to apply their effects before answering; the poller stays the fallback after a crash.
   */
  async runNow(id: string): Promise<void> {
    if (this.stopped) return;
    const now = this.clock.now();
    const token = randomUUID();
    const rows = await this.db
      .updateTable('scheduled_jobs')
      .set((eb) => ({ status: 'running', claimed_by: token, claimed_until: now + this.leaseMs, attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('run_at', '<=', now)
      .returningAll()
      .execute();
    const row = rows[0];
    if (row) await this.track(this.run(row));
  }

  /** The claim, one statement: exposed for tests that play a process which crashes after it. */
  async claimDue(): Promise<JobRow[]> {
    const now = this.clock.now();
    const token = randomUUID();
    const claimable = (eb: ExpressionBuilder<WorkflowDatabase, 'scheduled_jobs'>) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]),
        eb.and([eb('status', '=', 'running'), eb('claimed_until', '<', now)]),
      ]);
    // The condition is repeated outside the subquery: on PostgreSQL a row another process claimed
    // meanwhile is re-checked after its lock is released and no longer matches.
    const rows = await this.db
      .updateTable('scheduled_jobs')
      .set((eb) => ({ status: 'running', claimed_by: token, claimed_until: now + this.leaseMs, attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', 'in', (eb) => eb.selectFrom('scheduled_jobs').select('id').where(claimable).orderBy('run_at').limit(this.batchSize))
      .where(claimable)
      .returningAll()
      .execute();
    this.stats.claimed += rows.length;
    return rows.sort((a, b) => Number(a.run_at) - Number(b.run_at));
  }

  private track(p: Promise<void>): Promise<void> {
    this.inFlight.add(p);
    return p.finally(() => this.inFlight.delete(p));
  }

  private async run(row: JobRow): Promise<void> {
    const token = row.claimed_by ?? '';
    const attempts = Number(row.attempts);
    const job: Job = {
      id: row.id,
      tenantId: row.tenant_id,
      kind: row.kind,
      payload: JSON.parse(row.payload) as unknown,
      runAt: Number(row.run_at),
      attempts,
      createdBy: row.created_by,
    };
    const handler = this.handlers.get(row.kind);
    if (!handler) return this.finish(row, token, 'failed', { error: `no handler for job kind ${row.kind}` });
    if (attempts > this.maxAttempts) {
      // Claims kept lapsing (the process died each time): stop trying rather than loop forever.
      return this.finish(row, token, 'failed', { error: `gave up after ${this.maxAttempts} attempts` });
    }
    try {
      const result = await handler(job);
      await this.finish(row, token, 'done', { result });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (isPermanent(err) || attempts >= this.maxAttempts) {
        this.logger.warn({ err, jobId: row.id, kind: row.kind, attempts }, 'scheduled job failed');
        await this.finish(row, token, 'failed', { error: message });
      } else {
        this.logger.warn({ err, jobId: row.id, kind: row.kind, attempts }, 'scheduled job will be retried');
        await this.finish(row, token, 'pending', { error: message, retryAt: this.clock.now() + retryDelayMs(attempts, this.retryBaseMs) });
      }
    }
  }

  private async finish(row: JobRow, token: string, status: 'done' | 'failed' | 'pending', o: { result?: unknown; error?: string; retryAt?: number }): Promise<void> {
    const now = this.clock.now();
    const r = await this.db
      .updateTable('scheduled_jobs')
      .set({
        status,
        claimed_by: null,
        claimed_until: null,
        updated_at: now,
        ...(o.result !== undefined ? { result: JSON.stringify(o.result) } : {}),
        ...(o.error !== undefined ? { last_error: o.error.slice(0, 1000) } : {}),
        ...(o.retryAt !== undefined ? { run_at: o.retryAt } : {}),
      })
      .where('id', '=', row.id)
      .where('status', '=', 'running')
      .where('claimed_by', '=', token)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) {
      // Our lease lapsed and another run took over (or the job was reset): its outcome stands.
      this.stats.lostClaims++;
      this.logger.warn({ jobId: row.id, kind: row.kind }, 'scheduled job claim was lost before it finished');
      return;
    }
    if (status === 'done') this.stats.done++;
    else if (status === 'failed') this.stats.failed++;
    else this.stats.retried++;
  }
}
