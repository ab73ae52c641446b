import type { Transaction } from 'kysely';
import { DEFAULT_PREFERENCES, planChannels, type NotificationService } from '../notifications/index.js';
import type { Database } from '../store/index.js';
import type { RepeatDelivery } from './repeat-delivery.js';
import type { Job, Scheduler } from './scheduler.js';
import { workflowTrx, type WfDb, type WorkflowDatabase } from './tables.js';

/** The job of an urgent notification's repeat. */
export const URGENT_REPEAT_JOB = 'notification.repeat';

/** How an urgent notification asked to be repeated (`POST /api/notifications`). */
export interface UrgentRepeatPlan {
  everySeconds: number;
  maxRepeats: number;
}

interface RepeatPayload {
  notificationId: string;
  n: number;
  everySeconds: number;
  maxRepeats: number;
}

const repeatKey = (notificationId: string, n: number) => `${notificationId}:repeat:${n}`;

/** Rolls a repeat back that an earlier run already recorded. */
class AlreadyRepeated extends Error {}

/**
 * Repeat until acknowledged, for an urgent notification sent with `repeatEverySeconds`: every
 * `everySeconds`, at most `maxRepeats` times, each recipient who has neither read nor answered it
 * gets it again (a push with `Urgency: high` that alerts again on the lock screen, and the live
 * event; {@link RepeatDelivery}); a recipient who read or answered it gets nothing more, and once
 * nobody owes an answer the repeats end. Each repeat is a job (`notification.repeat`, keyed
 * `<notificationId>:repeat:<n>`) enqueued in the transaction of the send or of the repeat before
 * it; its pushes and its record (`notification_repeats`, owned here) are one transaction, so a run
 * repeated after a crash finds the record and sends nothing twice.
 */
export class UrgentRepeats {
  constructor(private readonly o: { db: WfDb; scheduler: Scheduler; notifications: NotificationService; delivery: RepeatDelivery; now: () => number }) {}

  /** In the send's transaction: the first repeat, `everySeconds` from now. */
  async scheduleIn(core: Transaction<Database>, s: { tenantId: string; notificationId: string; createdBy: string; plan: UrgentRepeatPlan }): Promise<void> {
    const payload: RepeatPayload = { notificationId: s.notificationId, n: 1, everySeconds: s.plan.everySeconds, maxRepeats: s.plan.maxRepeats };
    await this.o.scheduler.enqueue(
      { tenantId: s.tenantId, kind: URGENT_REPEAT_JOB, runAt: this.o.now() + s.plan.everySeconds * 1000, payload, createdBy: s.createdBy, dedupeKey: repeatKey(s.notificationId, 1) },
      workflowTrx(core),
    );
  }

  /** The repeats recorded for a notification, oldest first. */
  async history(tenantId: string, notificationId: string): Promise<Array<{ n: number; at: number; reached: number }>> {
    const rows = await this.o.db.selectFrom('notification_repeats').select(['n', 'at', 'reached']).where('tenant_id', '=', tenantId).where('notification_id', '=', notificationId).orderBy('n').execute();
    return rows.map((r) => ({ n: Number(r.n), at: Number(r.at), reached: Number(r.reached) }));
  }

  readonly repeat = async (job: Job): Promise<unknown> => {
    const p = job.payload as RepeatPayload;
    const tenantId = job.tenantId;
    const { notifications, delivery, scheduler } = this.o;
    const now = this.o.now();
    let users: string[] = [];
    const done = await this.o.db
      .transaction()
      .execute(async (trx: Transaction<WorkflowDatabase>) => {
        const core = trx as unknown as Transaction<Database>;
        users = await notifications.unanswered(core, tenantId, p.notificationId);
        if (!users.length) return false;
        const first = await trx
          .insertInto('notification_repeats')
          .values({ tenant_id: tenantId, notification_id: p.notificationId, n: p.n, at: now, reached: users.length })
          .onConflict((oc) => oc.columns(['notification_id', 'n']).doNothing())
          .executeTakeFirst();
        if (Number(first.numInsertedOrUpdatedRows ?? 0n) === 0) throw new AlreadyRepeated();
        // Urgent is critical: every channel at once, whatever the recipient's preferences.
        const plan = planChannels(DEFAULT_PREFERENCES, 'general', 'urgent', now);
        await delivery.queueIn(trx, tenantId, p.notificationId, users, plan.push ? users.map((userId) => ({ userId, notBefore: plan.pushNotBefore })) : [], now);
        if (p.n < p.maxRepeats) {
          const next: RepeatPayload = { ...p, n: p.n + 1 };
          await scheduler.enqueue({ tenantId, kind: URGENT_REPEAT_JOB, runAt: now + p.everySeconds * 1000, payload: next, createdBy: job.createdBy, dedupeKey: repeatKey(p.notificationId, next.n) }, trx);
        }
        return true;
      })
      .catch((err: unknown) => {
        if (err instanceof AlreadyRepeated) return false;
        throw err;
      });
    // Nobody owes an answer (nothing recorded, nothing more scheduled), or an earlier run did it.
    if (!done) return { skipped: 'answered or repeated', repeat: p.n };
    await delivery.announce(tenantId, new Map([[p.notificationId, users]]));
    return { repeat: p.n, reached: users.length };
  };
}
