import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Identity } from '../auth/index.js';
import type { Publisher } from '../events/index.js';
import { audienceOf, type ActionHandler, type Directory, type NotificationService, type Recipients } from '../notifications/index.js';
import { AppError, type Clock } from '../shared/index.js';
import { EmergencyJobs } from './emergency-jobs.js';
import { CallNotices } from './emergency-notices.js';
import { CLOSED_JOB, ESCALATE_JOB, loadCall, toCallView, type CallView, type EmergencyCallInput } from './emergency-view.js';
import { ACCEPT_ACTION, callBody, refuseAccept, statusAfterAccept } from './rules.js';
import type { Job, Scheduler } from './scheduler.js';
import { iso, workflowTrx, type EmergencyCallsTable, type WfDb, type WorkflowDatabase } from './tables.js';

export { CLOSED_JOB, ESCALATE_JOB, toCallView, type CallView, type EmergencyCallInput } from './emergency-view.js';

export interface EmergencyOptions {
  db: WfDb;
  clock: Clock;
  events: Publisher;
  notifications: NotificationService;
  directory: Directory;
  scheduler: Scheduler;
  /** Default seconds before escalation. */
  escalateAfterSeconds: number;
  /** Default escalation audience. */
  escalateTo: Recipients;
}

/**
 * Emergency calls (seed 5.3): an `urgent` call with "Accept now" to a ward or selected staff,
 * stating how many are needed. An accept is one transaction: a unique (call, user) row plus
 * `UPDATE ... SET accepted = accepted + 1 WHERE accepted < needed AND status IN (open, escalated)`;
 * whichever part finds nothing rolls both back, so no number of simultaneous presses, in one
 * process or many on PostgreSQL, can overfill a call. The accept that fills it also commits the
 * "closed" outbox job that turns every notification of the call to "filled".
 */
export class EmergencyCalls {
  private readonly notices: CallNotices;
  private readonly jobs: EmergencyJobs;
  /** The escalation job's handler. */
  readonly escalate: (job: Job) => Promise<unknown>;
  /** The closed job's handler. */
  readonly close: (job: Job) => Promise<unknown>;

  constructor(private readonly o: EmergencyOptions) {
    const now = () => o.clock.now();
    this.notices = new CallNotices({ db: o.db, events: o.events, notifications: o.notifications, now });
    this.jobs = new EmergencyJobs({ db: o.db, events: o.events, notifications: o.notifications, directory: o.directory, notices: this.notices, now });
    this.escalate = this.jobs.escalate;
    this.close = this.jobs.close;
  }

  /**
   * Calls the audience. With a request's idempotency key the send carries it, so a retry that runs
   * again after a process died between the commit and the answer finds the first call.
   */
  async create(caller: Identity, input: EmergencyCallInput, opts: { idempotencyKey?: string | undefined } = {}): Promise<{ call: CallView; notificationId: string; recipients: number }> {
    const { clock, scheduler, notifications } = this.o;
    const tenantId = caller.tenantId;
    const escalateTo = input.escalateTo === undefined ? this.o.escalateTo : input.escalateTo;
    await this.o.directory.requireKnown(tenantId, [input.to, escalateTo].flatMap((a) => (a && 'users' in a ? a.users : [])));
    const now = clock.now();
    const escalateAt = escalateTo ? now + (input.escalateAfterSeconds ?? this.o.escalateAfterSeconds) * 1000 : null;
    const row: EmergencyCallsTable = {
      id: randomUUID(),
      tenant_id: tenantId,
      caller_id: caller.userId,
      caller_is_service: caller.roles.includes('service') ? 1 : 0,
      audience: JSON.stringify(input.to),
      needed: input.needed,
      accepted: 0,
      status: 'open',
      title: input.title,
      message: input.message,
      details: JSON.stringify(input.details ?? {}),
      escalate_to: escalateTo ? JSON.stringify(escalateTo) : null,
      escalate_at: escalateAt,
      escalated_at: null,
      filled_at: null,
      created_at: now,
      updated_at: now,
    };
    const call = toCallView(row);
    // One transaction: the call, its escalation job, its notification with the inbox rows and
    // pushes, and the link between them. A crash leaves all of it or none.
    const sent = await notifications.send(
      {
        tenantId,
        senderId: caller.userId,
        type: 'emergency_call',
        priority: 'urgent',
        title: input.title,
        body: callBody(input.needed, 0, input.message),
        data: { callId: row.id, needed: input.needed, details: call.details },
        actions: [ACCEPT_ACTION],
        to: input.to,
        workflow: { kind: 'emergency', id: row.id },
        state: { status: 'open', accepted: 0, needed: input.needed },
        idempotencyKey: opts.idempotencyKey === undefined ? `emergency:${row.id}` : `emergency-request:${opts.idempotencyKey}`,
      },
      {
        alsoWrite: async (core, notificationId) => {
          const trx = workflowTrx(core);
          await trx.insertInto('emergency_calls').values(row).execute();
          if (escalateAt !== null) {
            await scheduler.enqueue({ tenantId, kind: ESCALATE_JOB, runAt: escalateAt, payload: { callId: row.id }, createdBy: caller.userId, dedupeKey: row.id }, trx);
          }
          await this.notices.link(trx, tenantId, row.id, notificationId);
        },
      },
    );
    if (sent.duplicate) {
      const link = await this.o.db.selectFrom('emergency_notices').select('call_id').where('tenant_id', '=', tenantId).where('notification_id', '=', sent.notification.id).executeTakeFirst();
      if (link) return { call: toCallView(await this.load(tenantId, link.call_id)), notificationId: sent.notification.id, recipients: sent.recipients };
    }
    await this.o.events.publish(tenantId, 'emergency.called', { call }, audienceOf(input.to));
    return { call, notificationId: sent.notification.id, recipients: sent.recipients };
  }

  /** One call of the tenant with who accepted; 404 for unknown and other tenants' ids alike. */
  async get(tenantId: string, id: string): Promise<CallView & { acceptedBy: Array<{ userId: string; acceptedAt: string }>; notificationIds: string[] }> {
    const call = await this.load(tenantId, id);
    const [accepts, notices] = await Promise.all([
      this.o.db.selectFrom('emergency_accepts').select(['user_id', 'accepted_at']).where('tenant_id', '=', tenantId).where('call_id', '=', id).orderBy('accepted_at').orderBy('user_id').execute(),
      this.o.db.selectFrom('emergency_notices').select('notification_id').where('tenant_id', '=', tenantId).where('call_id', '=', id).orderBy('created_at').execute(),
    ]);
    return {
      ...toCallView(call),
      acceptedBy: accepts.map((a) => ({ userId: a.user_id, acceptedAt: iso(a.accepted_at) ?? '' })),
      notificationIds: notices.map((n) => n.notification_id),
    };
  }

  /** The "Accept now" button (registered with the notification service for kind `emergency`). */
  readonly onAction: ActionHandler = async ({ identity, workflowId, actionId }) => {
    const { db, clock, scheduler } = this.o;
    const { tenantId, userId } = identity;
    if (actionId !== ACCEPT_ACTION.id) throw new AppError('not_found', `An emergency call has the action accept, not "${actionId}".`);
    await this.load(tenantId, workflowId);
    const now = clock.now();
    const closeJob = randomUUID();
    const outcome = await db.transaction().execute(async (trx) => {
      const mine = await trx
        .insertInto('emergency_accepts')
        .values({ call_id: workflowId, tenant_id: tenantId, user_id: userId, accepted_at: now })
        .onConflict((oc) => oc.columns(['call_id', 'user_id']).doNothing())
        .executeTakeFirst();
      if (Number(mine.numInsertedOrUpdatedRows ?? 0n) === 0) return { already: true } as const;
      const counted = await trx
        .updateTable('emergency_calls')
        .set((eb) => ({ accepted: eb('accepted', '+', 1), updated_at: now }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', workflowId)
        .where('status', 'in', ['open', 'escalated'])
        .where((eb) => eb('accepted', '<', eb.ref('needed')))
        .returning(['accepted', 'needed', 'status'])
        .executeTakeFirst();
      if (!counted) {
        // Throwing rolls back this person's accept row with it.
        const current = await trx.selectFrom('emergency_calls').selectAll().where('id', '=', workflowId).executeTakeFirstOrThrow();
        throw refuseAccept({ status: current.status, accepted: Number(current.accepted), needed: Number(current.needed) }, false);
      }
      const accepted = Number(counted.accepted);
      const needed = Number(counted.needed);
      const status = statusAfterAccept(accepted, needed, counted.status);
      if (status !== 'filled') return { accepted, needed, status, filled: false } as const;
      await trx.updateTable('emergency_calls').set({ status, filled_at: now }).where('id', '=', workflowId).execute();
      await this.closeIn(trx, tenantId, workflowId, closeJob, userId, now);
      return { accepted, needed, status, filled: true } as const;
    });
    if ('already' in outcome) {
      const call = await this.load(tenantId, workflowId);
      throw refuseAccept({ status: call.status, accepted: Number(call.accepted), needed: Number(call.needed) }, true);
    }
    if (outcome.filled) await scheduler.runNow(closeJob);
    else await this.notices.progress(await this.load(tenantId, workflowId));
    const details = { callId: workflowId, accepted: outcome.accepted, needed: outcome.needed, status: outcome.status };
    return outcome.filled
      ? { result: 'filled', message: `Accepted: you complete this call (${outcome.accepted} of ${outcome.needed}). Thank you.`, details }
      : { result: 'accepted', message: `Accepted (${outcome.accepted} of ${outcome.needed}). Thank you.`, details };
  };

  /**
   * Cancels an open call: nobody else is needed. Cancelling a cancelled call answers with it;
   * a filled call cannot be cancelled (409).
   */
  async cancel(caller: Identity, id: string): Promise<CallView> {
    const { db, clock, scheduler } = this.o;
    const before = await this.load(caller.tenantId, id);
    if (before.status === 'cancelled') return toCallView(before);
    const now = clock.now();
    const closeJob = randomUUID();
    const won = await db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('emergency_calls')
        .set({ status: 'cancelled', updated_at: now })
        .where('tenant_id', '=', caller.tenantId)
        .where('id', '=', id)
        .where('status', 'in', ['open', 'escalated'])
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await this.closeIn(trx, caller.tenantId, id, closeJob, caller.userId, now);
      return true;
    });
    const after = await this.load(caller.tenantId, id);
    if (!won && after.status !== 'cancelled') throw new AppError('conflict', `This call is already filled (${after.accepted} of ${after.needed}); it cannot be cancelled.`, { status: after.status });
    if (won) await scheduler.runNow(closeJob);
    return toCallView(await this.load(caller.tenantId, id));
  }

  /** In the transaction that closes a call: its escalation will not run, its notifications will close. */
  private async closeIn(trx: Transaction<WorkflowDatabase>, tenantId: string, callId: string, jobId: string, by: string, now: number): Promise<void> {
    await this.o.scheduler.cancelPendingByKey(tenantId, ESCALATE_JOB, callId, trx);
    await this.o.scheduler.enqueue({ id: jobId, tenantId, kind: CLOSED_JOB, runAt: now, payload: { callId }, createdBy: by, dedupeKey: callId }, trx);
  }

  private load(tenantId: string, id: string): Promise<EmergencyCallsTable> {
    return loadCall(this.o.db, tenantId, id);
  }
}
