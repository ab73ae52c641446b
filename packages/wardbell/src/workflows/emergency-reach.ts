import { sql, type Transaction } from 'kysely';
import { DEFAULT_PREFERENCES, isCritical, planChannels, type NotificationService, type PushWanted } from '../notifications/index.js';
import type { RepeatDelivery } from './repeat-delivery.js';
import type { WfDb, WfExec, WorkflowDatabase } from './tables.js';

/**
 * Whom a call reached and who still owes it an answer. "Reached" is a recipient's inbox row of one
 * of the call's notifications (`emergency_notices`): read here, never written (the inbox is the
 * notification module's). "Answered" is an accept or decline row; "read" is the inbox row's
 * `read_at` (a press also reads it).
 */

export interface Reach {
  userId: string;
  notificationId: string;
  read: boolean;
}

/** Every recipient of the call's notifications, once each (the earliest notification that reached them). */
export async function reachOf(exec: WfExec, tenantId: string, callId: string): Promise<Reach[]> {
  const rows = await exec
    .selectFrom('inbox')
    .innerJoin('emergency_notices', (j) => j.onRef('emergency_notices.notification_id', '=', 'inbox.notification_id'))
    .select(['inbox.user_id', 'inbox.notification_id', 'inbox.read_at', 'emergency_notices.created_at'])
    .where('emergency_notices.tenant_id', '=', tenantId)
    .where('emergency_notices.call_id', '=', callId)
    .where('inbox.tenant_id', '=', tenantId)
    .orderBy('emergency_notices.created_at')
    .orderBy('inbox.notification_id')
    .execute();
  const seen = new Map<string, Reach>();
  for (const r of rows) if (!seen.has(r.user_id)) seen.set(r.user_id, { userId: r.user_id, notificationId: r.notification_id, read: r.read_at !== null });
  return [...seen.values()];
}

/** Who accepted or declined the call. */
export async function answeredBy(exec: WfExec, callId: string): Promise<Set<string>> {
  // One after the other: in a transaction there is one connection.
  const a = await exec.selectFrom('emergency_accepts').select('user_id').where('call_id', '=', callId).execute();
  const d = await exec.selectFrom('emergency_declines').select('user_id').where('call_id', '=', callId).execute();
  return new Set([...a, ...d].map((r) => r.user_id));
}

/** The reached staff who have neither answered nor read the call, by the notification that reached them. */
export async function pendingOf(exec: WfExec, tenantId: string, callId: string): Promise<Map<string, string[]>> {
  const reach = await reachOf(exec, tenantId, callId);
  const answered = await answeredBy(exec, callId);
  const out = new Map<string, string[]>();
  for (const r of reach) {
    if (r.read || answered.has(r.userId)) continue;
    const list = out.get(r.notificationId) ?? [];
    list.push(r.userId);
    out.set(r.notificationId, list);
  }
  for (const list of out.values()) list.sort();
  return out;
}

/** Repeats each recipient of the call has had so far. */
async function repeatsOf(exec: WfExec, callId: string): Promise<Map<string, number>> {
  const rows = await exec.selectFrom('emergency_repeats').select(['user_id', 'repeats']).where('call_id', '=', callId).execute();
  return new Map(rows.map((r) => [r.user_id, Number(r.repeats)]));
}

/** One more repeat for each of `users` (in the repeat's transaction). */
async function countRepeats(exec: WfExec, tenantId: string, callId: string, users: readonly string[]): Promise<void> {
  for (let i = 0; i < users.length; i += 500) {
    await exec
      .insertInto('emergency_repeats')
      .values(users.slice(i, i + 500).map((u) => ({ call_id: callId, tenant_id: tenantId, user_id: u, repeats: 1 })))
      .onConflict((oc) => oc.columns(['call_id', 'user_id']).doUpdateSet({ repeats: sql`emergency_repeats.repeats + 1` }))
      .execute();
  }
}

/** A repeat's recipients by notification, as queued in its transaction. */
export interface RepeatBatch {
  byNotification: Map<string, string[]>;
  users: string[];
}

export const EMPTY_BATCH: RepeatBatch = { byNotification: new Map(), users: [] };

/**
 * Repeats of a call ({@link RepeatDelivery}) to exactly the reached staff who have neither
 * answered nor read it. No inbox row is added: each keeps the one item, unread. The pushes are
 * written in the transaction that records the repeat, so a repeat happens once, also when its job
 * runs again after a crash.
 */
export class CallRepeats {
  constructor(private readonly o: { db: WfDb; notifications: NotificationService; delivery: RepeatDelivery }) {}

  /**
   * Before the transaction (the preferences are the notification service's, read on its own
   * connection): the push each candidate gets, by user; null for none.
   */
  async plan(tenantId: string, callId: string, now: number): Promise<Map<string, PushWanted | null>> {
    const pending = await pendingOf(this.o.db, tenantId, callId);
    const plans = new Map<string, PushWanted | null>();
    // A critical notification ignores everyone's preferences: no need to read them.
    const critical = isCritical('emergency_call', 'urgent');
    for (const users of pending.values()) {
      for (const userId of users) {
        const prefs = critical ? DEFAULT_PREFERENCES : await this.o.notifications.getPreferences(tenantId, userId);
        const plan = planChannels(prefs, 'emergency_call', 'urgent', now);
        plans.set(userId, plan.push ? { userId, notBefore: plan.pushNotBefore } : null);
      }
    }
    return plans;
  }

  /**
   * In the transaction that records the repeat: who gets it (still pending, planned, and, for a
   * repeat, under `maxRepeats` of their own), their pushes queued and their repeats counted. A
   * loop's re-notification (`maxRepeats` null) is the policy running again, not a repeat: it
   * reaches every pending recipient and counts against nobody's repeats.
   */
  async queueIn(trx: Transaction<WorkflowDatabase>, tenantId: string, callId: string, plans: Map<string, PushWanted | null>, now: number, maxRepeats: number | null): Promise<RepeatBatch> {
    const pending = await pendingOf(trx, tenantId, callId);
    const had = maxRepeats === null ? new Map<string, number>() : await repeatsOf(trx, callId);
    const byNotification = new Map<string, string[]>();
    for (const [notificationId, users] of pending) {
      const mine = users.filter((u) => plans.has(u) && (maxRepeats === null || (had.get(u) ?? 0) < maxRepeats));
      if (!mine.length) continue;
      if (maxRepeats !== null) await countRepeats(trx, tenantId, callId, mine);
      byNotification.set(notificationId, mine);
      const wanted = mine.map((u) => plans.get(u)).filter((w): w is PushWanted => Boolean(w));
      await this.o.delivery.queueIn(trx, tenantId, notificationId, mine, wanted, now);
    }
    return { byNotification, users: [...byNotification.values()].flat().sort() };
  }

  /** After the commit: the notification event again to those users. */
  announce(tenantId: string, batch: RepeatBatch): Promise<void> {
    return this.o.delivery.announce(tenantId, batch.byNotification);
  }
}
