import { randomUUID } from 'node:crypto';
import type { Identity } from '../auth/index.js';
import type { ActionHandler, Directory, NotificationService } from '../notifications/index.js';
import { AppError, type Clock } from '../shared/index.js';
import { toTopic, toUser, type Publisher } from '../events/index.js';
import { alreadyDecided, decideSwap, SWAP_ACTIONS, type SwapFacts } from './rules.js';
import type { Job, Scheduler } from './scheduler.js';
import { iso, workflowTrx, type SwapsTable, type WfDb } from './tables.js';

/** A shift as the scheduling application names it. */
export interface ShiftRef {
  id: string;
  startsAt: string;
  endsAt?: string | undefined;
  ward?: string | undefined;
  label?: string | undefined;
}

export interface SwapRequestInput {
  requesterId: string;
  targetId: string;
  /** The requester's shift the target is asked to take. */
  shift: ShiftRef;
  /** The target's shift the requester takes in return; absent: a give-away. */
  inReturn?: ShiftRef | undefined;
  note?: string | undefined;
}

/** A swap as the API and the SSE events show it. */
export interface SwapView {
  id: string;
  status: SwapsTable['status'];
  requesterId: string;
  targetId: string;
  shift: ShiftRef;
  inReturn: ShiftRef | null;
  note: string | null;
  notificationId: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface Details {
  shift: ShiftRef;
  inReturn: ShiftRef | null;
  note: string | null;
}

/** Job kind of a decision's effects (the outbox of a swap decision). */
export const SWAP_DECIDED_JOB = 'swap.decided';
/** Where the scheduling application hears decisions. */
export const SERVICE_TOPIC = 'role:service';

/** A stored swap as the API shows it. */
export function toSwapView(r: SwapsTable): SwapView {
  const d = JSON.parse(r.details) as Details;
  return {
    id: r.id,
    status: r.status,
    requesterId: r.requester_id,
    targetId: r.target_id,
    shift: d.shift,
    inReturn: d.inReturn,
    note: d.note,
    notificationId: r.notification_id,
    decidedBy: r.decided_by,
    decidedAt: iso(r.decided_at),
    createdAt: iso(r.created_at) ?? '',
    updatedAt: iso(r.updated_at) ?? '',
  };
}

const facts = (v: SwapView): SwapFacts => ({ status: v.status, targetId: v.targetId, decidedBy: v.decidedBy, decidedAt: v.decidedAt });
const shiftText = (s: ShiftRef) => `${s.label ?? s.id} (${s.startsAt}${s.ward ? `, ward ${s.ward}` : ''})`;

function requestBody(v: Pick<SwapView, 'requesterId' | 'shift' | 'inReturn' | 'note'>): string {
  const give = `${v.requesterId} asks you to take their shift ${shiftText(v.shift)}`;
  const take = v.inReturn ? ` in exchange for your shift ${shiftText(v.inReturn)}` : '';
  return `${give}${take}.${v.note ? `\n"${v.note}"` : ''}`;
}

/**
 * Shift swaps (seed 5.2): the target gets `swap_requested` with Approve and Reject; the first press
 * by the target decides (a conditional update on `status = 'pending'`), and the decision's effects
 * (the requester's `swap_approved`/`swap_rejected`, `swap.*` events to the requester and to
 * `role:service`, the request's new state) run as an outbox job committed with the decision, so a
 * crash between deciding and telling never loses the telling.
 */
export class Swaps {
  constructor(
    private readonly deps: { db: WfDb; clock: Clock; events: Publisher; notifications: NotificationService; directory: Directory; scheduler: Scheduler },
  ) {}

  /**
   * Asks the target. With a request's idempotency key the send carries it, so a retry that runs
   * again after a process died between the commit and the answer finds the first swap.
   */
  async request(caller: Identity, input: SwapRequestInput, opts: { idempotencyKey?: string | undefined } = {}): Promise<SwapView> {
    const { clock, notifications, directory } = this.deps;
    const tenantId = caller.tenantId;
    if (input.requesterId === input.targetId) throw new AppError('validation_failed', 'requesterId and targetId must be two different staff members.');
    await directory.requireKnown(tenantId, [input.requesterId, input.targetId]);

    const now = clock.now();
    const row: SwapsTable = {
      id: randomUUID(),
      tenant_id: tenantId,
      requester_id: input.requesterId,
      target_id: input.targetId,
      status: 'pending',
      details: JSON.stringify({ shift: input.shift, inReturn: input.inReturn ?? null, note: input.note ?? null } satisfies Details),
      notification_id: null,
      decided_by: null,
      decided_at: null,
      created_by: caller.userId,
      created_at: now,
      updated_at: now,
    };
    const view = toSwapView(row);
    // One transaction: the swap (with its notification's id) and the notification, so a press
    // never finds a notification without its swap, and a failed send leaves no swap behind.
    const sent = await notifications.send(
      {
        tenantId,
        senderId: caller.userId,
        type: 'swap_requested',
        priority: 'high',
        title: 'Shift swap request',
        body: requestBody(view),
        data: { swapId: row.id, requesterId: view.requesterId, shift: view.shift, inReturn: view.inReturn, note: view.note },
        actions: SWAP_ACTIONS,
        to: { users: [input.targetId] },
        workflow: { kind: 'swap', id: row.id },
        state: { status: 'pending' },
        idempotencyKey: opts.idempotencyKey === undefined ? `swap:${row.id}` : `swap-request:${opts.idempotencyKey}`,
      },
      { alsoWrite: (trx, notificationId) => workflowTrx(trx).insertInto('swaps').values({ ...row, notification_id: notificationId }).execute().then(() => undefined) },
    );
    const notificationId = sent.notification.id;
    if (sent.duplicate) {
      const first = await this.deps.db.selectFrom('swaps').selectAll().where('tenant_id', '=', tenantId).where('notification_id', '=', notificationId).executeTakeFirst();
      if (first) return toSwapView(first);
    }
    const out = { ...view, notificationId };
    await this.deps.events.publish(tenantId, 'swap.requested', { swap: out }, toUser(input.targetId));
    return out;
  }

  /** One swap of the tenant; 404 for unknown ids and other tenants' ids alike. */
  async get(tenantId: string, id: string): Promise<SwapView> {
    const row = await this.deps.db.selectFrom('swaps').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('not_found', 'No such swap in your tenant.');
    return toSwapView(row);
  }

  /** The Approve/Reject buttons (registered with the notification service for kind `swap`). */
  readonly onAction: ActionHandler = async ({ identity, workflowId, actionId }) => {
    const { db, clock, scheduler } = this.deps;
    const swap = await this.get(identity.tenantId, workflowId);
    const d = decideSwap(facts(swap), identity.userId, actionId);
    if ('error' in d) throw d.error;
    const now = clock.now();
    const jobId = randomUUID();
    const won = await db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('swaps')
        .set({ status: d.status, decided_by: identity.userId, decided_at: now, updated_at: now })
        .where('tenant_id', '=', identity.tenantId)
        .where('id', '=', swap.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await scheduler.enqueue({ id: jobId, tenantId: identity.tenantId, kind: SWAP_DECIDED_JOB, runAt: now, payload: { swapId: swap.id }, createdBy: identity.userId, dedupeKey: swap.id }, trx);
      return true;
    });
    // Two presses at once: the other one decided first.
    if (!won) throw alreadyDecided(facts(await this.get(identity.tenantId, swap.id)));
    await scheduler.runNow(jobId);
    const decided = await this.get(identity.tenantId, swap.id);
    return { result: d.status, message: `Swap ${d.status}; ${decided.requesterId} has been told.`, details: { swap: decided } };
  };

  /** The outbox job of a decision: idempotent, so a retry after a crash repeats nothing visible twice but events. */
  readonly applyDecision = async (job: Job): Promise<unknown> => {
    const { notifications, events } = this.deps;
    const swapId = (job.payload as { swapId: string }).swapId;
    const swap = await this.get(job.tenantId, swapId);
    if (swap.status === 'pending') return { skipped: 'pending' };
    const verb = swap.status === 'approved' ? 'approved' : 'rejected';
    if (swap.notificationId) {
      await notifications.updateState(
        job.tenantId,
        swap.notificationId,
        { status: swap.status, decidedBy: swap.decidedBy, decidedAt: swap.decidedAt },
        { body: `You ${verb} this swap.\n${requestBody(swap)}` },
      );
    }
    let notificationId: string | null = null;
    try {
      const sent = await notifications.send({
        tenantId: job.tenantId,
        senderId: job.createdBy,
        type: swap.status === 'approved' ? 'swap_approved' : 'swap_rejected',
        priority: 'high',
        title: swap.status === 'approved' ? 'Swap approved' : 'Swap rejected',
        body: `${swap.targetId} ${verb} your request to swap ${shiftText(swap.shift)}.`,
        data: { swapId: swap.id, status: swap.status, targetId: swap.targetId, shift: swap.shift, inReturn: swap.inReturn },
        to: { users: [swap.requesterId] },
        idempotencyKey: `job:${job.id}`,
      });
      notificationId = sent.notification.id;
    } catch (err) {
      // The requester left the directory meanwhile: the scheduling application still hears it.
      if (!(err instanceof AppError && err.code === 'unknown_recipients')) throw err;
    }
    const type = swap.status === 'approved' ? 'swap.approved' : 'swap.rejected';
    await events.publish(job.tenantId, type, { swap }, toUser(swap.requesterId));
    await events.publish(job.tenantId, type, { swap }, toTopic(SERVICE_TOPIC));
    return { notificationId };
  };
}
