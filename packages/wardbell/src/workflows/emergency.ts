import { randomUUID } from 'node:crypto';
import type { Identity } from '../auth/index.js';
import type { Publisher } from '../events/index.js';
import { audienceOf, type ActionHandler, type Directory, type NotificationService, type Recipients } from '../notifications/index.js';
import { AppError, type Clock } from '../shared/index.js';
import { CallAnswers, unknownCallAction, type MilestoneObserver } from './emergency-answers.js';
import { recordCallEvent } from './emergency-events.js';
import { callTimeline, listCalls, timelinePage, TIMELINE_MAX_PAGE, type CallListQuery, type DeliveryReader, type TimelineEntry } from './emergency-review.js';
import { closeIn, EmergencyJobs, expireKey, planAfterWave } from './emergency-jobs.js';
import { CallNotices } from './emergency-notices.js';
import { CallRepeats } from './emergency-reach.js';
import type { RepeatDelivery } from './repeat-delivery.js';
import { CLOSED_JOB, ESCALATE_JOB, EXPIRE_JOB, loadCall, REPEAT_JOB, toCallView, type CallView, type EmergencyCallInput } from './emergency-view.js';
import { EscalationPolicies } from './policies.js';
import { freezePolicy, nextWaveAt, shorthandPolicy, usersNamed, type FrozenPolicy } from './policy.js';
import { ACCEPT_ACTION, CALL_ACTIONS, callBody, DECLINE_ACTION } from './rules.js';
import type { JobHandler, Scheduler } from './scheduler.js';
import { iso, workflowTrx, type EmergencyCallsTable, type WfDb } from './tables.js';

export { CLOSED_JOB, ESCALATE_JOB, EXPIRE_JOB, REPEAT_JOB, toCallView, type CallView, type EmergencyCallInput } from './emergency-view.js';

export interface EmergencyOptions {
  db: WfDb;
  clock: Clock;
  events: Publisher;
  notifications: NotificationService;
  directory: Directory;
  scheduler: Scheduler;
  /** How a repeat reaches its recipients again (push and live event; shared with urgent notifications' repeats). */
  delivery: RepeatDelivery;
  /** The tenants' named policies (made here when not given). */
  policies?: EscalationPolicies | undefined;
  /** Default seconds before escalation. */
  escalateAfterSeconds: number;
  /** Default escalation audience. */
  escalateTo: Recipients;
  /** The recipients' deliveries, for the timeline (delivery receipts); without it the timeline has the call's own events only. */
  deliveries?: DeliveryReader | undefined;
  /** Told once per call: time to its first accept and to its fill (the metrics' histograms). */
  onMilestone?: MilestoneObserver | undefined;
}

export interface CallDetail extends CallView {
  acceptedBy: Array<{ userId: string; acceptedAt: string }>;
  declinedBy: Array<{ userId: string; declinedAt: string }>;
  notificationIds: string[];
}

/**
 * Emergency calls (seed 5.3): an `urgent` call with "Accept now" and "Can't come" to a ward or
 * selected staff, stating how many are needed, escalating by its policy (`policy.ts`: steps,
 * repeats, loops, expiry; today's escalateAfterSeconds/escalateTo is its one-step shorthand). An
 * accept is one transaction: a unique (call, user) row plus `UPDATE ... SET accepted = accepted + 1
 * WHERE accepted < needed AND status IN (open, escalated)`; whichever part finds nothing rolls both
 * back, so no number of simultaneous presses, in one process or many on PostgreSQL, can overfill a
 * call. The accept that fills it also commits the "closed" outbox job that turns every notification
 * of the call to "filled". Everything that happens to a call is on its timeline (`emergency-events.ts`).
 */
export class EmergencyCalls {
  private readonly notices: CallNotices;
  private readonly jobs: EmergencyJobs;
  private readonly answers: CallAnswers;
  readonly policies: EscalationPolicies;
  /** The step job's handler (one wave of the policy). */
  readonly escalate: JobHandler;
  /** The closed job's handler. */
  readonly close: JobHandler;

  constructor(private readonly o: EmergencyOptions) {
    const now = () => o.clock.now();
    this.notices = new CallNotices({ db: o.db, events: o.events, notifications: o.notifications, now });
    const repeats = new CallRepeats({ db: o.db, notifications: o.notifications, delivery: o.delivery });
    this.jobs = new EmergencyJobs({ db: o.db, events: o.events, notifications: o.notifications, directory: o.directory, notices: this.notices, repeats, scheduler: o.scheduler, now });
    this.answers = new CallAnswers({ db: o.db, scheduler: o.scheduler, notices: this.notices, now, onMilestone: o.onMilestone });
    this.policies = o.policies ?? new EscalationPolicies({ db: o.db, directory: o.directory, now });
    this.escalate = this.jobs.escalate;
    this.close = this.jobs.close;
  }

  /** The scheduler's handlers of every job kind of a call. */
  handlers(): Record<string, JobHandler> {
    return { [ESCALATE_JOB]: this.jobs.escalate, [REPEAT_JOB]: this.jobs.repeat, [EXPIRE_JOB]: this.jobs.expire, [CLOSED_JOB]: this.jobs.close };
  }

  /** The policy a new call runs, frozen: inline, a tenant's named one, or the shorthand (the request's or the defaults). */
  private async freeze(tenantId: string, input: EmergencyCallInput): Promise<FrozenPolicy> {
    const named = typeof input.policy === 'string' ? input.policy : input.policyName;
    const given = [input.policy !== undefined, input.policyName !== undefined].filter(Boolean).length;
    if (given > 1) throw new AppError('validation_failed', 'Give the policy once: policy (inline or a name) or policyName.');
    if (given && (input.escalateAfterSeconds !== undefined || input.escalateTo !== undefined)) {
      throw new AppError('validation_failed', 'Give either a policy or escalateAfterSeconds/escalateTo (its one-step shorthand), not both.');
    }
    const overrides = { repeatEverySeconds: input.repeatEverySeconds, maxRepeats: input.maxRepeats, expiresAfterSeconds: input.expiresAfterSeconds };
    let policy: FrozenPolicy;
    if (typeof input.policy === 'object') policy = freezePolicy(input.policy, null, overrides);
    else if (named !== undefined) policy = freezePolicy(await this.policies.resolve(tenantId, named), named, overrides);
    else policy = shorthandPolicy(input.escalateAfterSeconds ?? this.o.escalateAfterSeconds, input.escalateTo === undefined ? this.o.escalateTo : input.escalateTo, overrides);
    if (input.maxRepeats !== undefined && policy.repeatEverySeconds === null) throw new AppError('validation_failed', 'maxRepeats needs repeatEverySeconds (in the request or the policy).');
    return policy;
  }

  /**
   * Calls the audience. With a request's idempotency key the send carries it, so a retry that runs
   * again after a process died between the commit and the answer finds the first call.
   */
  async create(caller: Identity, input: EmergencyCallInput, opts: { idempotencyKey?: string | undefined } = {}): Promise<{ call: CallView; notificationId: string; recipients: number }> {
    const { clock, scheduler, notifications } = this.o;
    const tenantId = caller.tenantId;
    const policy = await this.freeze(tenantId, input);
    await this.o.directory.requireKnown(tenantId, [...('users' in input.to ? input.to.users : []), ...usersNamed(policy)]);
    const now = clock.now();
    const firstStep = nextWaveAt(policy, 0, now);
    const row: EmergencyCallsTable = {
      id: randomUUID(),
      tenant_id: tenantId,
      caller_id: caller.userId,
      caller_is_service: caller.roles.includes('service') ? 1 : 0,
      audience: JSON.stringify(input.to),
      needed: input.needed,
      accepted: 0,
      declined: 0,
      status: 'open',
      title: input.title,
      message: input.message,
      details: JSON.stringify(input.details ?? {}),
      escalate_to: policy.steps[0] ? JSON.stringify(policy.steps[0].to) : null,
      escalate_at: firstStep,
      escalated_at: null,
      filled_at: null,
      created_at: now,
      updated_at: now,
      policy: JSON.stringify(policy),
      wave: 0,
      next_step_at: firstStep,
      expires_at: policy.expiresAfterSeconds === null ? null : now + policy.expiresAfterSeconds * 1000,
      event_seq: 0,
    };
    const call = toCallView(row);
    // One transaction: the call, its first step, repeat and expiry jobs, its notification with the
    // inbox rows and pushes, the link between them and the timeline's first entries. A crash
    // leaves all of it or none.
    const sent = await notifications.send(
      {
        tenantId,
        senderId: caller.userId,
        type: 'emergency_call',
        priority: 'urgent',
        title: input.title,
        body: callBody(input.needed, 0, input.message),
        data: { callId: row.id, needed: input.needed, details: call.details },
        actions: CALL_ACTIONS,
        to: input.to,
        workflow: { kind: 'emergency', id: row.id },
        state: { status: 'open', accepted: 0, needed: input.needed },
        idempotencyKey: opts.idempotencyKey === undefined ? `emergency:${row.id}` : `emergency-request:${opts.idempotencyKey}`,
      },
      {
        alsoWrite: async (core, notificationId) => {
          const trx = workflowTrx(core);
          await trx.insertInto('emergency_calls').values(row).execute();
          await planAfterWave(trx, { scheduler, tenantId, callId: row.id, createdBy: caller.userId }, policy, 0, now);
          if (row.expires_at !== null) await scheduler.enqueue({ tenantId, kind: EXPIRE_JOB, runAt: row.expires_at, payload: { callId: row.id }, createdBy: caller.userId, dedupeKey: expireKey(row.id) }, trx);
          await this.notices.link(trx, tenantId, row.id, notificationId);
          const recipients = await trx.selectFrom('inbox').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('notification_id', '=', notificationId).executeTakeFirstOrThrow();
          const ev = { tenantId, callId: row.id, at: now };
          await recordCallEvent(trx, { ...ev, actor: caller.userId, kind: 'created', data: { needed: input.needed, to: input.to, policy } });
          await recordCallEvent(trx, { ...ev, kind: 'notified', data: { notificationId, to: input.to, recipients: Number(recipients.n), wave: 0 } });
        },
      },
    );
    if (sent.duplicate) {
      const link = await this.o.db.selectFrom('emergency_notices').select('call_id').where('tenant_id', '=', tenantId).where('notification_id', '=', sent.notification.id).executeTakeFirst();
      if (link) return { call: toCallView(await loadCall(this.o.db, tenantId, link.call_id)), notificationId: sent.notification.id, recipients: sent.recipients };
    }
    await this.o.events.publish(tenantId, 'emergency.called', { call }, audienceOf(input.to));
    return { call, notificationId: sent.notification.id, recipients: sent.recipients };
  }

  /** One call of the tenant with who accepted and who declined; 404 for unknown and other tenants' ids alike. */
  async get(tenantId: string, id: string): Promise<CallDetail> {
    const { db } = this.o;
    const call = await loadCall(db, tenantId, id);
    const accepts = await db.selectFrom('emergency_accepts').select(['user_id', 'accepted_at']).where('tenant_id', '=', tenantId).where('call_id', '=', id).orderBy('accepted_at').orderBy('user_id').execute();
    const declines = await db.selectFrom('emergency_declines').select(['user_id', 'declined_at']).where('tenant_id', '=', tenantId).where('call_id', '=', id).orderBy('declined_at').orderBy('user_id').execute();
    const notices = await db.selectFrom('emergency_notices').select('notification_id').where('tenant_id', '=', tenantId).where('call_id', '=', id).orderBy('created_at').execute();
    return {
      ...toCallView(call),
      acceptedBy: accepts.map((a) => ({ userId: a.user_id, acceptedAt: iso(a.accepted_at) ?? '' })),
      declinedBy: declines.map((d) => ({ userId: d.user_id, declinedAt: iso(d.declined_at) ?? '' })),
      notificationIds: notices.map((n) => n.notification_id),
    };
  }

  /** Who made a call and whether a service did (null: no such call of this tenant). */
  async callerOf(tenantId: string, id: string): Promise<{ userId: string; isService: boolean } | null> {
    const row = await this.o.db.selectFrom('emergency_calls').select(['caller_id', 'caller_is_service']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return row ? { userId: row.caller_id, isService: Boolean(Number(row.caller_is_service)) } : null;
  }

  /** A page of a call's timeline, oldest first, with its recipients' deliveries; 404 for unknown and other tenants' ids alike. */
  async timeline(tenantId: string, id: string, page: { limit: number; cursor?: string | undefined } = { limit: TIMELINE_MAX_PAGE }): Promise<{ entries: TimelineEntry[]; nextCursor: string | null }> {
    return timelinePage(await callTimeline(this.o.db, this.o.deliveries ?? null, tenantId, id), page.limit, page.cursor);
  }

  /** The tenant's calls, newest first, filtered by status and creation time, in cursor pages. */
  list(tenantId: string, q: CallListQuery): Promise<{ items: CallView[]; nextCursor: string | null }> {
    return listCalls(this.o.db, tenantId, q);
  }

  /** "Accept now" and "Can't come" (registered with the notification service for kind `emergency`). */
  readonly onAction: ActionHandler = async ({ identity, workflowId, actionId }) => {
    if (actionId === ACCEPT_ACTION.id) return this.answers.accept(identity, workflowId);
    if (actionId === DECLINE_ACTION.id) return this.answers.decline(identity, workflowId);
    throw unknownCallAction(actionId);
  };

  /**
   * Cancels an open call: nobody else is needed. Cancelling a cancelled call answers with it;
   * a filled or expired call cannot be cancelled (409).
   */
  async cancel(caller: Identity, id: string): Promise<CallView> {
    const { db, clock, scheduler } = this.o;
    const before = await loadCall(db, caller.tenantId, id);
    if (before.status === 'cancelled') return toCallView(before);
    const now = clock.now();
    const closeJob = randomUUID();
    const won = await db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('emergency_calls')
        .set({ status: 'cancelled', next_step_at: null, updated_at: now })
        .where('tenant_id', '=', caller.tenantId)
        .where('id', '=', id)
        .where('status', 'in', ['open', 'escalated'])
        .returning(['accepted', 'declined', 'needed'])
        .executeTakeFirst();
      if (!r) return false;
      await recordCallEvent(trx, { tenantId: caller.tenantId, callId: id, at: now, actor: caller.userId, kind: 'cancelled', data: { accepted: Number(r.accepted), declined: Number(r.declined), needed: Number(r.needed) } });
      await closeIn(trx, scheduler, { tenantId: caller.tenantId, callId: id, jobId: closeJob, by: caller.userId, now });
      return true;
    });
    const after = await loadCall(db, caller.tenantId, id);
    if (!won && after.status === 'expired') throw new AppError('conflict', 'This call has expired already; it cannot be cancelled.', { status: after.status });
    if (!won && after.status !== 'cancelled') throw new AppError('conflict', `This call is already filled (${after.accepted} of ${after.needed}); it cannot be cancelled.`, { status: after.status });
    if (won) await scheduler.runNow(closeJob);
    return toCallView(await loadCall(db, caller.tenantId, id));
  }
}
