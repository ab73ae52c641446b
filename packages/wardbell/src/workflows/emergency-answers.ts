import { randomUUID } from 'node:crypto';
import type { Identity } from '../auth/index.js';
import type { ActionOutcome } from '../notifications/index.js';
import { AppError } from '../shared/index.js';
import type { CallNotices } from './emergency-notices.js';
import { recordCallEvent } from './emergency-events.js';
import { closeIn, waveKey } from './emergency-jobs.js';
import { reachOf } from './emergency-reach.js';
import { ESCALATE_JOB, loadCall } from './emergency-view.js';
import { everyoneDeclined, refuseAccept, refuseDecline, statusAfterAccept } from './rules.js';
import type { Scheduler } from './scheduler.js';
import type { WfDb, WfExec } from './tables.js';

const ACCEPTING = ['open', 'escalated'] as const;

async function answerOf(exec: WfExec, callId: string, userId: string): Promise<'accepted' | 'declined' | null> {
  const a = await exec.selectFrom('emergency_accepts').select('user_id').where('call_id', '=', callId).where('user_id', '=', userId).executeTakeFirst();
  if (a) return 'accepted';
  const d = await exec.selectFrom('emergency_declines').select('user_id').where('call_id', '=', callId).where('user_id', '=', userId).executeTakeFirst();
  return d ? 'declined' : null;
}

/** Told once per call: seconds from its creation to its first accept, and to its fill. */
export type MilestoneObserver = (milestone: 'first_accept' | 'fill', tenantId: string, seconds: number) => void;

/**
 * A recipient's answer to a call: "Accept now" or "Can't come", once, and only one of the two.
 * Both are one transaction that first changes the call row (a conditional update, which locks it),
 * then looks for the person's other answer and writes their own: so an accept and a decline of the
 * same person, even on two processes at once, cannot both count.
 */
export class CallAnswers {
  constructor(private readonly o: { db: WfDb; scheduler: Scheduler; notices: CallNotices; now: () => number; onMilestone?: MilestoneObserver | undefined }) {}

  /** "Accept now": a unique (call, user) row plus `accepted + 1 WHERE accepted < needed`; the accept that fills it closes the call. */
  async accept(identity: Identity, callId: string): Promise<ActionOutcome> {
    const { db, scheduler, notices } = this.o;
    const { tenantId, userId } = identity;
    const createdAt = Number((await loadCall(db, tenantId, callId)).created_at);
    const now = this.o.now();
    const closeJob = randomUUID();
    const outcome = await db.transaction().execute(async (trx) => {
      const mine = await trx
        .insertInto('emergency_accepts')
        .values({ call_id: callId, tenant_id: tenantId, user_id: userId, accepted_at: now })
        .onConflict((oc) => oc.columns(['call_id', 'user_id']).doNothing())
        .executeTakeFirst();
      if (Number(mine.numInsertedOrUpdatedRows ?? 0n) === 0) return { already: true } as const;
      const counted = await trx
        .updateTable('emergency_calls')
        .set((eb) => ({ accepted: eb('accepted', '+', 1), updated_at: now }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', callId)
        .where('status', 'in', [...ACCEPTING])
        .where((eb) => eb('accepted', '<', eb.ref('needed')))
        .returning(['accepted', 'needed', 'declined', 'status'])
        .executeTakeFirst();
      const declined = (await trx.selectFrom('emergency_declines').select('user_id').where('call_id', '=', callId).where('user_id', '=', userId).executeTakeFirst()) !== undefined;
      if (!counted || declined) {
        // Throwing rolls back this person's accept row with it.
        const current = await trx.selectFrom('emergency_calls').selectAll().where('id', '=', callId).executeTakeFirstOrThrow();
        throw refuseAccept({ status: current.status, accepted: Number(current.accepted), needed: Number(current.needed) }, false, declined);
      }
      const accepted = Number(counted.accepted);
      const needed = Number(counted.needed);
      const status = statusAfterAccept(accepted, needed, counted.status);
      const ev = { tenantId, callId, at: now, actor: userId };
      await recordCallEvent(trx, { ...ev, kind: 'accepted', data: { accepted, declined: Number(counted.declined), needed } });
      if (status !== 'filled') return { accepted, needed, status, filled: false } as const;
      await trx.updateTable('emergency_calls').set({ status, filled_at: now, next_step_at: null }).where('id', '=', callId).execute();
      await recordCallEvent(trx, { ...ev, kind: 'filled', data: { accepted, needed } });
      await closeIn(trx, scheduler, { tenantId, callId, jobId: closeJob, by: userId, now });
      return { accepted, needed, status, filled: true } as const;
    });
    if ('already' in outcome) {
      const call = await loadCall(db, tenantId, callId);
      throw refuseAccept({ status: call.status, accepted: Number(call.accepted), needed: Number(call.needed) }, true);
    }
    // The conditional update counted this accept: the first and the filling one happen once per call.
    const seconds = Math.max(0, (now - createdAt) / 1000);
    if (outcome.accepted === 1) this.o.onMilestone?.('first_accept', tenantId, seconds);
    if (outcome.filled) this.o.onMilestone?.('fill', tenantId, seconds);
    if (outcome.filled) await scheduler.runNow(closeJob);
    else await notices.progress(await loadCall(db, tenantId, callId));
    const details = { callId, accepted: outcome.accepted, needed: outcome.needed, status: outcome.status };
    return outcome.filled
      ? { result: 'filled', message: `Accepted: you complete this call (${outcome.accepted} of ${outcome.needed}). Thank you.`, details }
      : { result: 'accepted', message: `Accepted (${outcome.accepted} of ${outcome.needed}). Thank you.`, details };
  }

  /**
   * "Can't come": a unique (call, user) decline row plus `declined + 1` on an open call. When
   * every recipient reached so far has now declined, the call's next step is due at once (it runs
   * before this answer returns) instead of at its time.
   */
  async decline(identity: Identity, callId: string): Promise<ActionOutcome> {
    const { db, scheduler, notices } = this.o;
    const { tenantId, userId } = identity;
    await loadCall(db, tenantId, callId);
    const now = this.o.now();
    const outcome = await db.transaction().execute(async (trx) => {
      const counted = await trx
        .updateTable('emergency_calls')
        .set((eb) => ({ declined: eb('declined', '+', 1), updated_at: now }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', callId)
        .where('status', 'in', [...ACCEPTING])
        .returning(['accepted', 'declined', 'needed', 'status', 'wave'])
        .executeTakeFirst();
      const answered = await answerOf(trx, callId, userId);
      if (!counted || answered) {
        // Throwing rolls back the count with it.
        const current = await trx.selectFrom('emergency_calls').selectAll().where('id', '=', callId).executeTakeFirstOrThrow();
        throw refuseDecline({ status: current.status, accepted: Number(current.accepted), needed: Number(current.needed) }, answered);
      }
      await trx.insertInto('emergency_declines').values({ call_id: callId, tenant_id: tenantId, user_id: userId, declined_at: now }).execute();
      const declined = Number(counted.declined);
      const reached = (await reachOf(trx, tenantId, callId)).length;
      const all = everyoneDeclined(declined, reached);
      const wave = Number(counted.wave);
      // The first step of a call made before policies is keyed by the call's id alone.
      const next = all ? await scheduler.bringForward(tenantId, ESCALATE_JOB, [waveKey(callId, wave + 1), ...(wave === 0 ? [callId] : [])], now, trx) : null;
      await recordCallEvent(trx, { tenantId, callId, at: now, actor: userId, kind: 'declined', data: { accepted: Number(counted.accepted), declined, needed: Number(counted.needed), reached, everyoneDeclined: all, stepBroughtForward: next !== null } });
      return { accepted: Number(counted.accepted), declined, needed: Number(counted.needed), next, wave };
    });
    if (outcome.next) await scheduler.runNow(outcome.next);
    const after = await loadCall(db, tenantId, callId);
    await notices.progress(after);
    const escalated = outcome.next !== null && Number(after.wave) > outcome.wave;
    return {
      result: 'declined',
      message: escalated
        ? 'Thank you for answering: you can\'t come. Everyone reached so far has declined, so the call has gone to the next staff now.'
        : 'Thank you for answering: you can\'t come. The caller has been told.',
      details: { callId, accepted: outcome.accepted, declined: outcome.declined, needed: outcome.needed, status: after.status, escalatedNow: escalated },
    };
  }
}

/** The answer a press gets for an action a call does not have. */
export const unknownCallAction = (actionId: string) => new AppError('not_found', `An emergency call has the actions accept and decline, not "${actionId}".`);
