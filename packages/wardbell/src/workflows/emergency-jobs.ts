import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { toUsers, type Publisher } from '../events/index.js';
import { audienceOf, type Directory, type NotificationService } from '../notifications/index.js';
import type { CallNotices } from './emergency-notices.js';
import { recordCallEvent } from './emergency-events.js';
import { EMPTY_BATCH, reachOf, type CallRepeats, type RepeatBatch } from './emergency-reach.js';
import { CALL_JOBS, CLOSED_JOB, ESCALATE_JOB, loadCall, policyOf, REPEAT_JOB, toCallView } from './emergency-view.js';
import { nextWaveAt, repeatAt, stepOfWave, type FrozenPolicy } from './policy.js';
import { CALL_ACTIONS, callBody, escalationRecipients, isAccepting } from './rules.js';
import type { Job, Scheduler } from './scheduler.js';
import { workflowTrx, type WfDb, type WorkflowDatabase } from './tables.js';

/** The dedupe keys of a call's jobs (all start with the call's id: `Scheduler.cancelPendingOf` finds them). */
export const waveKey = (callId: string, wave: number) => `${callId}:wave:${wave}`;
export const repeatKey = (callId: string, wave: number, n: number) => `${callId}:repeat:${wave}:${n}`;
export const expireKey = (callId: string) => `${callId}:expire`;

/** Thrown inside a transaction to roll it back: the call moved on (closed, or the step ran) meanwhile. */
class Moved extends Error {}

/** Keeps a timeline entry small: at most this many user ids in it. */
const MAX_LISTED = 100;
const listed = (users: readonly string[]) => (users.length > MAX_LISTED ? { users: users.slice(0, MAX_LISTED), more: users.length - MAX_LISTED } : { users: [...users] });

const ACCEPTING = ['open', 'escalated'] as const;

interface WaveDeps {
  scheduler: Scheduler;
  tenantId: string;
  callId: string;
  createdBy: string;
}

/**
 * In the transaction that starts `wave` at `at`: the job of the next wave and this wave's first
 * repeat (both keyed, so a repeated run adds neither twice). Resolves with when the next wave is due.
 */
export async function planAfterWave(trx: Transaction<WorkflowDatabase>, d: WaveDeps, policy: FrozenPolicy, wave: number, at: number): Promise<number | null> {
  const next = nextWaveAt(policy, wave, at);
  const base = { tenantId: d.tenantId, createdBy: d.createdBy };
  if (next !== null) await d.scheduler.enqueue({ ...base, kind: ESCALATE_JOB, runAt: next, payload: { callId: d.callId, wave: wave + 1 }, dedupeKey: waveKey(d.callId, wave + 1) }, trx);
  const first = repeatAt(policy, wave, at, 1);
  if (first !== null) await d.scheduler.enqueue({ ...base, kind: REPEAT_JOB, runAt: first, payload: { callId: d.callId, wave, n: 1, waveAt: at }, dedupeKey: repeatKey(d.callId, wave, 1) }, trx);
  return next;
}

/** In the transaction that closes a call: none of its steps, repeats or expiry will run; its notifications will close. */
export async function closeIn(trx: Transaction<WorkflowDatabase>, scheduler: Scheduler, c: { tenantId: string; callId: string; jobId: string; by: string; now: number }): Promise<void> {
  await scheduler.cancelPendingOf(c.tenantId, CALL_JOBS, c.callId, trx);
  await scheduler.enqueue({ id: c.jobId, tenantId: c.tenantId, kind: CLOSED_JOB, runAt: c.now, payload: { callId: c.callId }, createdBy: c.by, dedupeKey: c.callId }, trx);
}

/**
 * The scheduled work of emergency calls: each step of the policy (a wave), the repeats after each
 * wave, the expiry, and closing a closed call's notifications. Every handler reads the call first
 * and does nothing once it is closed; the step and the repeat then check again inside their
 * transaction (a conditional update of the call row, which also locks it), so neither ever acts on
 * a call that closed meanwhile, and each records its timeline entry once.
 */
export class EmergencyJobs {
  constructor(
    private readonly o: { db: WfDb; events: Publisher; notifications: NotificationService; directory: Directory; notices: CallNotices; repeats: CallRepeats; scheduler: Scheduler; now: () => number },
  ) {}

  /** A step: the staff it names who were not reached yet get the call; in a loop, the reached who owe an answer get it again. */
  readonly escalate = async (job: Job): Promise<unknown> => {
    const { db, directory, notifications, notices, repeats } = this.o;
    const { callId, wave: w = 1 } = job.payload as { callId: string; wave?: number };
    const tenantId = job.tenantId;
    const row = await loadCall(db, tenantId, callId);
    if (!isAccepting(row.status)) return { skipped: row.status };
    if (Number(row.wave) >= w) return { skipped: 'ran', wave: Number(row.wave) };
    const policy = policyOf(row);
    const at = stepOfWave(policy, w);
    if (!at) return { skipped: 'no such step', wave: w };
    const call = toCallView(row);
    const reached = (await reachOf(db, tenantId, callId)).map((r) => r.userId);
    const users = escalationRecipients(reached, await directory.resolve(tenantId, audienceOf(at.step.to)));
    const now = this.o.now();
    const plans = at.loop > 0 ? await repeats.plan(tenantId, callId, now) : new Map();
    let batch: RepeatBatch = EMPTY_BATCH;
    let notificationId: string | null = null;
    const advance = async (trx: Transaction<WorkflowDatabase>, sent: string | null) => {
      const moved = await trx
        .updateTable('emergency_calls')
        .set({ wave: w, status: 'escalated', escalated_at: sql<number>`coalesce(escalated_at, ${now})`, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', callId)
        .where('wave', '=', w - 1)
        .where('status', 'in', [...ACCEPTING])
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) throw new Moved();
      const ev = { tenantId, callId, at: now };
      if (sent !== null) {
        await notices.link(trx, tenantId, callId, sent);
        await recordCallEvent(trx, { ...ev, kind: 'notified', data: { notificationId: sent, to: at.step.to, recipients: users.length, wave: w } });
      }
      await recordCallEvent(trx, { ...ev, kind: 'escalated', data: { wave: w, step: at.index + 1, loop: at.loop, added: users.length, notificationId: sent }, dedupeKey: `wave:${w}` });
      if (at.loop > 0) {
        batch = await repeats.queueIn(trx, tenantId, callId, plans, now, null);
        if (batch.users.length) await recordCallEvent(trx, { ...ev, kind: 'repeated', data: { wave: w, repeat: 0, reached: batch.users.length, ...listed(batch.users) } });
      }
      const next = await planAfterWave(trx, { scheduler: this.o.scheduler, tenantId, callId, createdBy: job.createdBy }, policy, w, now);
      await trx.updateTable('emergency_calls').set({ next_step_at: next }).where('id', '=', callId).execute();
    };
    try {
      if (users.length) {
        // One transaction: the notification, its inbox rows and pushes, and the step. A call that
        // closed meanwhile rolls it all back: nobody is called for a call that is over.
        const sent = await notifications.send(
          {
            tenantId,
            senderId: call.callerId,
            type: 'emergency_call',
            priority: 'urgent',
            title: `Escalated: ${call.title}`,
            body: callBody(call.needed, call.accepted, call.message),
            data: { callId, needed: call.needed, details: call.details, escalated: true, step: at.index + 1 },
            actions: CALL_ACTIONS,
            to: { users },
            // The step's staff are named one by one: a generic lock screen still says which ward calls.
            ward: 'topic' in call.to && call.to.topic.startsWith('ward:') ? call.to.topic.slice(5) : undefined,
            workflow: { kind: 'emergency', id: callId },
            state: { status: 'escalated', accepted: call.accepted, needed: call.needed },
            idempotencyKey: `job:${job.id}`,
          },
          { alsoWrite: (core, id) => advance(workflowTrx(core), id) },
        );
        notificationId = sent.notification.id;
      } else {
        await db.transaction().execute((trx) => advance(trx, null));
      }
    } catch (err) {
      if (err instanceof Moved) return { skipped: 'moved', wave: w };
      throw err;
    }
    const after = await loadCall(db, tenantId, callId);
    if (users.length) await this.o.events.publish(tenantId, 'emergency.called', { call: toCallView(after) }, toUsers(users));
    await repeats.announce(tenantId, batch);
    await notices.progress(after);
    return { wave: w, step: at.index + 1, loop: at.loop, notificationId, recipients: users.length, repeated: batch.users.length };
  };

  /** A repeat: the reached staff who have neither answered nor read the call get it again. */
  readonly repeat = async (job: Job): Promise<unknown> => {
    const { db, repeats } = this.o;
    const { callId, wave, n, waveAt } = job.payload as { callId: string; wave: number; n: number; waveAt: number };
    const tenantId = job.tenantId;
    const row = await loadCall(db, tenantId, callId);
    if (!isAccepting(row.status)) return { skipped: row.status };
    // A later wave began: its own repeats are scheduled from its start.
    if (Number(row.wave) !== wave) return { skipped: 'later wave', wave: Number(row.wave) };
    const policy = policyOf(row);
    const now = this.o.now();
    const plans = await repeats.plan(tenantId, callId, now);
    let batch: RepeatBatch = EMPTY_BATCH;
    const done = await db.transaction().execute(async (trx) => {
      // Locks the call row, and finds nothing once it closed or moved on.
      const still = await trx.updateTable('emergency_calls').set({ wave }).where('tenant_id', '=', tenantId).where('id', '=', callId).where('wave', '=', wave).where('status', 'in', [...ACCEPTING]).executeTakeFirst();
      if (Number(still.numUpdatedRows) === 0) return false;
      const key = `repeat:${wave}:${n}`;
      batch = await repeats.queueIn(trx, tenantId, callId, plans, now, policy.maxRepeats);
      if (batch.users.length) {
        const first = await recordCallEvent(trx, { tenantId, callId, at: now, kind: 'repeated', data: { wave, repeat: n, reached: batch.users.length, ...listed(batch.users) }, dedupeKey: key });
        // Recorded by an earlier run (it committed, then its process died): roll its pushes back.
        if (!first) throw new Moved();
      }
      const next = repeatAt(policy, wave, waveAt, n + 1);
      if (next !== null) await this.o.scheduler.enqueue({ tenantId, kind: REPEAT_JOB, runAt: next, payload: { callId, wave, n: n + 1, waveAt }, createdBy: job.createdBy, dedupeKey: repeatKey(callId, wave, n + 1) }, trx);
      return true;
    }).catch((err: unknown) => {
      if (err instanceof Moved) return false;
      throw err;
    });
    if (!done) return { skipped: 'closed or repeated', wave, repeat: n };
    await repeats.announce(tenantId, batch);
    return { wave, repeat: n, reached: batch.users.length };
  };

  /** Expiry: a call still open closes as expired; its notifications say so. */
  readonly expire = async (job: Job): Promise<unknown> => {
    const { db, scheduler } = this.o;
    const callId = (job.payload as { callId: string }).callId;
    const tenantId = job.tenantId;
    const row = await loadCall(db, tenantId, callId);
    if (!isAccepting(row.status)) return { skipped: row.status };
    const now = this.o.now();
    const jobId = randomUUID();
    const won = await db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('emergency_calls')
        .set({ status: 'expired', next_step_at: null, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', callId)
        .where('status', 'in', [...ACCEPTING])
        .returning(['accepted', 'declined', 'needed'])
        .executeTakeFirst();
      if (!r) return false;
      await recordCallEvent(trx, { tenantId, callId, at: now, kind: 'expired', data: { accepted: Number(r.accepted), declined: Number(r.declined), needed: Number(r.needed) } });
      await closeIn(trx, scheduler, { tenantId, callId, jobId, by: job.createdBy, now });
      return true;
    });
    if (won) await scheduler.runNow(jobId);
    return { expired: won };
  };

  /** Closed job: every notification of a filled, cancelled or expired call shows so, with no live button. */
  readonly close = async (job: Job): Promise<unknown> => {
    const callId = (job.payload as { callId: string }).callId;
    return { notifications: await this.o.notices.closeAll(job.tenantId, callId) };
  };
}
