import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Identity } from '../auth/index.js';
import { audienceOf, type ActionHandler, type Directory, type NotificationService, type Recipients, type SendResult } from '../notifications/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { EventManager } from '../sse/index.js';
import { ACCEPT_ACTION, callBody, closedActions, closedBody, escalationRecipients, isAccepting, refuseAccept, statusAfterAccept, type CallStatus } from './rules.js';
import type { Job, Scheduler } from './scheduler.js';
import { SERVICE_TOPIC } from './swaps.js';
import { iso, type EmergencyCallsTable, type WfDb, type WorkflowDatabase } from './tables.js';

/** Job kind that escalates an unfilled call at its `escalate_at`. */
export const ESCALATE_JOB = 'emergency.escalate';
/** Job kind (outbox) that turns a filled or cancelled call's notifications to closed. */
export const CLOSED_JOB = 'emergency.closed';

export interface EmergencyCallInput {
  /** A ward (`{topic: 'ward:3'}`), selected staff (`{users: [...]}`), a role or the tenant. */
  to: Recipients;
  needed: number;
  title: string;
  message: string;
  details?: Record<string, unknown> | undefined;
  /** Seconds before an unfilled call escalates; default the workflow option. */
  escalateAfterSeconds?: number | undefined;
  /** The wider audience of the escalation; `null`: never escalate. Default the workflow option. */
  escalateTo?: Recipients | null | undefined;
}

/** A call as the API and the `emergency.*` events show it. */
export interface CallView {
  id: string;
  status: CallStatus;
  needed: number;
  accepted: number;
  callerId: string;
  to: Recipients;
  title: string;
  message: string;
  details: Record<string, unknown>;
  escalateTo: Recipients | null;
  escalateAt: string | null;
  escalatedAt: string | null;
  filledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EmergencyOptions {
  db: WfDb;
  clock: Clock;
  events: EventManager;
  notifications: NotificationService;
  directory: Directory;
  scheduler: Scheduler;
  /** Default seconds before escalation. */
  escalateAfterSeconds: number;
  /** Default escalation audience. */
  escalateTo: Recipients;
}

/** A stored call as the API and the events show it. */
export function toCallView(r: EmergencyCallsTable): CallView {
  return {
    id: r.id,
    status: r.status,
    needed: Number(r.needed),
    accepted: Number(r.accepted),
    callerId: r.caller_id,
    to: JSON.parse(r.audience) as Recipients,
    title: r.title,
    message: r.message,
    details: JSON.parse(r.details) as Record<string, unknown>,
    escalateTo: r.escalate_to === null ? null : (JSON.parse(r.escalate_to) as Recipients),
    escalateAt: iso(r.escalate_at),
    escalatedAt: iso(r.escalated_at),
    filledAt: iso(r.filled_at),
    createdAt: iso(r.created_at) ?? '',
    updatedAt: iso(r.updated_at) ?? '',
  };
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
  constructor(private readonly o: EmergencyOptions) {}

  async create(caller: Identity, input: EmergencyCallInput): Promise<{ call: CallView; notificationId: string; recipients: number }> {
    const { db, clock, scheduler, notifications } = this.o;
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
    const jobId = randomUUID();
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('emergency_calls').values(row).execute();
      if (escalateAt !== null) {
        await scheduler.enqueue({ id: jobId, tenantId, kind: ESCALATE_JOB, runAt: escalateAt, payload: { callId: row.id }, createdBy: caller.userId, dedupeKey: row.id }, trx);
      }
    });
    const call = toCallView(row);
    let sent: SendResult;
    try {
      sent = await notifications.send({
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
        idempotencyKey: `emergency:${row.id}`,
      });
    } catch (err) {
      // Nothing half-written: no call and no escalation without the notification.
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('scheduled_jobs').where('id', '=', jobId).execute();
        await trx.deleteFrom('emergency_calls').where('id', '=', row.id).execute();
      });
      throw err;
    }
    await this.recordNotice(tenantId, row.id, sent.notification.id);
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
    else await this.progress(await this.load(tenantId, workflowId));
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
    await trx
      .updateTable('scheduled_jobs')
      .set({ status: 'cancelled', updated_at: now })
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', ESCALATE_JOB)
      .where('dedupe_key', '=', callId)
      .where('status', '=', 'pending')
      .execute();
    await this.o.scheduler.enqueue({ id: jobId, tenantId, kind: CLOSED_JOB, runAt: now, payload: { callId }, createdBy: by, dedupeKey: callId }, trx);
  }

  /** Escalation job: an unfilled call goes to the wider audience (minus whom it reached already). */
  readonly escalate = async (job: Job): Promise<unknown> => {
    const { db, clock, directory, notifications } = this.o;
    const callId = (job.payload as { callId: string }).callId;
    const row = await this.load(job.tenantId, callId);
    if (row.status !== 'open' || row.escalate_to === null) return { skipped: row.status };
    const call = toCallView(row);
    const wider = call.escalateTo as Recipients;
    const reached = await directory.resolve(job.tenantId, audienceOf(call.to));
    const users = escalationRecipients(reached, await directory.resolve(job.tenantId, audienceOf(wider)));
    let notificationId: string | null = null;
    if (users.length) {
      // The idempotency key makes a retry after a crash find this send instead of repeating it.
      const sent = await notifications.send({
        tenantId: job.tenantId,
        senderId: call.callerId,
        type: 'emergency_call',
        priority: 'urgent',
        title: `Escalated: ${call.title}`,
        body: callBody(call.needed, call.accepted, call.message),
        data: { callId, needed: call.needed, details: call.details, escalated: true },
        actions: [ACCEPT_ACTION],
        to: { users },
        workflow: { kind: 'emergency', id: callId },
        state: { status: 'escalated', accepted: call.accepted, needed: call.needed },
        idempotencyKey: `job:${job.id}`,
      });
      notificationId = sent.notification.id;
      await this.recordNotice(job.tenantId, callId, notificationId);
    }
    const now = clock.now();
    await db.updateTable('emergency_calls').set({ status: 'escalated', escalated_at: now, updated_at: now }).where('id', '=', callId).where('status', '=', 'open').execute();
    const after = await this.load(job.tenantId, callId);
    if (users.length) await this.o.events.publish(job.tenantId, 'emergency.called', { call: toCallView(after) }, { kind: 'users', users });
    await this.progress(after);
    return { notificationId, recipients: users.length };
  };

  /** Closed job: every notification of a filled or cancelled call shows so, with no live button. */
  readonly close = async (job: Job): Promise<unknown> => {
    const callId = (job.payload as { callId: string }).callId;
    const row = await this.load(job.tenantId, callId);
    const call = toCallView(row);
    const notices = await this.o.db.selectFrom('emergency_notices').select('notification_id').where('tenant_id', '=', job.tenantId).where('call_id', '=', callId).execute();
    for (const n of notices) await this.markClosed(job.tenantId, n.notification_id, call);
    await this.progress(row);
    return { notifications: notices.length };
  };

  private async markClosed(tenantId: string, notificationId: string, call: CallView): Promise<void> {
    if (call.status !== 'filled' && call.status !== 'cancelled') return;
    const closed = { status: call.status, accepted: call.accepted, needed: call.needed, message: call.message };
    await this.o.notifications.updateState(tenantId, notificationId, { status: call.status, accepted: call.accepted, needed: call.needed, filledAt: call.filledAt }, { actions: closedActions(call.status), body: closedBody(closed) });
  }

  /**
   * Links a notification to its call. Written before the call's state is read again, while the
   * closing job reads the links after the call was closed: whichever runs second sees the other,
   * so a notification sent while the call fills still ends up "filled".
   */
  private async recordNotice(tenantId: string, callId: string, notificationId: string): Promise<void> {
    await this.o.db
      .insertInto('emergency_notices')
      .values({ call_id: callId, notification_id: notificationId, tenant_id: tenantId, created_at: this.o.clock.now() })
      .onConflict((oc) => oc.columns(['call_id', 'notification_id']).doNothing())
      .execute();
    const call = toCallView(await this.load(tenantId, callId));
    if (!isAccepting(call.status)) await this.markClosed(tenantId, notificationId, call);
  }

  /** `emergency.updated` to role:service and to the caller (unless the caller already hears it there). */
  private async progress(row: EmergencyCallsTable): Promise<void> {
    const data = { call: toCallView(row) };
    await this.o.events.sendToTopic(row.tenant_id, SERVICE_TOPIC, 'emergency.updated', data);
    if (!Number(row.caller_is_service)) await this.o.events.sendToUser(row.tenant_id, row.caller_id, 'emergency.updated', data);
  }

  private async load(tenantId: string, id: string): Promise<EmergencyCallsTable> {
    const row = await this.o.db.selectFrom('emergency_calls').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('not_found', 'No such emergency call in your tenant.');
    return row;
  }
}
