import { randomUUID } from 'node:crypto';
import type { Audience, Publisher } from '../events/index.js';
import { AppError } from '../shared/index.js';
import type { Transaction } from 'kysely';
import type { Database, Db } from '../store/index.js';
import type { Directory } from './directory.js';
import { findGroup, foldIntoGroup, groupable } from './grouping.js';
import type { IdempotencyKeys } from './idempotency.js';
import { bumpUnread, insertInboxRows, loadNotification, toSent, type NotificationRow } from './inbox-store.js';
import { audienceOf, type Action, type NotificationType, type Priority, type Recipients, type SentNotification } from './model.js';
import type { PushQueue } from './ports.js';
import type { PreferenceStore } from './preference-store.js';
import { DEFAULT_PREFERENCES, planChannels } from './preferences.js';
import type { NotificationStats } from './stats.js';

export interface SendInput {
  tenantId: string;
  senderId: string;
  type: NotificationType;
  priority: Priority;
  title: string;
  body: string;
  data?: unknown;
  actions?: Action[] | undefined;
  to: Recipients;
  /** Repeats with the same key within the group window collapse into one inbox entry with a count. */
  groupKey?: string | undefined;
  /** A key already used by this tenant within 24 h returns the first result and sends nothing. */
  idempotencyKey?: string | undefined;
  /** Internal: the ward a generic lock screen may name when `to` names none (a step of a ward's emergency call to named staff). */
  ward?: string | undefined;
  /** Internal: the workflow that answers this notification's action buttons. */
  workflow?: { kind: string; id: string } | undefined;
  state?: unknown;
}

export interface SendResult {
  notification: SentNotification;
  recipients: number;
  grouped: boolean;
  duplicate: boolean;
}

export interface SendOptions {
  /**
   * More writes of the caller's, in the send's own transaction (after the notification and its
   * inbox rows, before the commit): a workflow's record and the send then commit together or not
   * at all. Not called for an idempotent repeat.
   */
  alsoWrite?: (trx: Transaction<Database>, notificationId: string) => Promise<void>;
}

export interface SenderDeps {
  db: Db;
  events: Publisher;
  directory: Directory;
  preferences: PreferenceStore;
  idempotency: IdempotencyKeys;
  pushQueue: PushQueue;
  now: () => number;
  stats: NotificationStats;
  /** Window in which notifications with one group key collapse. */
  groupWindowMs: number;
}

/**
 * A send (seed 4.1): the audience resolved against the directory, each member's channels planned
 * from their preferences, then one transaction for the notification (or its group's update), the
 * inbox rows, the unread counters, the push outbox rows and the idempotency key; after the commit
 * one `notification` event to the audience, with each recipient's own unread count.
 */
export class NotificationSender {
  constructor(private readonly deps: SenderDeps) {}

  async send(request: SendInput, opts: SendOptions = {}): Promise<SendResult> {
    // Urgent and emergency calls are never grouped (nor held: planChannels sends them at once).
    const input = groupable(request);
    const { db, directory, idempotency, stats } = this.deps;
    const now = this.deps.now();
    const audience = audienceOf(input.to);
    if (input.idempotencyKey) {
      const prior = await this.prior(input.tenantId, input.idempotencyKey, now);
      if (prior) return prior;
    }
    if (audience.kind === 'users') await directory.requireKnown(input.tenantId, audience.users);
    const members = await directory.resolve(input.tenantId, audience);
    const prefs = await this.deps.preferences.of(input.tenantId, members);
    const plans = members.map((u) => ({ userId: u, plan: planChannels(prefs.get(u) ?? DEFAULT_PREFERENCES, input.type, input.priority, now) }));
    const inboxUsers = plans.filter((p) => p.plan.inbox).map((p) => p.userId);
    const pushWanted = plans.filter((p) => p.plan.push).map((p) => ({ userId: p.userId, notBefore: p.plan.pushNotBefore }));

    const outcome = await db.transaction().execute(async (trx) => {
      if (input.idempotencyKey && !(await idempotency.reserve(trx, input.tenantId, input.idempotencyKey, now))) return null;
      const group = input.groupKey ? await findGroup(trx, input.tenantId, input.groupKey, audience, now - this.deps.groupWindowMs) : undefined;
      let row: NotificationRow;
      let counts: Map<string, number>;
      if (group) {
        ({ row, counts } = await foldIntoGroup(trx, group, input, now));
      } else {
        row = newRow(input, audience, inboxUsers.length, now);
        await trx.insertInto('notifications').values(row).execute();
        await insertInboxRows(
          trx,
          inboxUsers.map((u) => ({ tenant_id: input.tenantId, user_id: u, notification_id: row.id, sort_at: now, type: input.type, priority: input.priority })),
        );
        counts = await bumpUnread(trx, input.tenantId, inboxUsers, 1);
      }
      await this.deps.pushQueue.enqueue(trx, { tenantId: input.tenantId, notificationId: row.id, priority: input.priority }, pushWanted, now);
      if (input.idempotencyKey) await idempotency.complete(trx, input.tenantId, input.idempotencyKey, row.id);
      await opts.alsoWrite?.(trx, row.id);
      return { row, counts, grouped: Boolean(group) };
    });

    if (!outcome) {
      // Another request with the same key committed first.
      const prior = input.idempotencyKey ? await this.prior(input.tenantId, input.idempotencyKey, now) : null;
      if (prior) return prior;
      throw new AppError('conflict', 'A send with this idempotency key is in progress; retry shortly.');
    }
    const notification = toSent(outcome.row);
    stats.sent++;
    stats.inboxRows += outcome.grouped ? 0 : inboxUsers.length;
    stats.pushQueued += pushWanted.length;
    if (outcome.grouped) stats.grouped++;
    if (inboxUsers.length > 0) {
      // Everyone the audience reached has an inbox row: address the event to the audience itself
      // (one small log entry); otherwise to exactly the users who opted in.
      const sseAudience: Audience = inboxUsers.length === members.length ? audience : { kind: 'users', users: inboxUsers };
      await this.deps.events.publish(input.tenantId, 'notification', { notification }, sseAudience, {
        field: 'unreadCount',
        values: Object.fromEntries(outcome.counts),
      });
    }
    return { notification, recipients: inboxUsers.length, grouped: outcome.grouped, duplicate: false };
  }

  /** The first result of a send with this key, if one committed within 24 h. */
  private async prior(tenantId: string, key: string, now: number): Promise<SendResult | null> {
    const id = await this.deps.idempotency.find(tenantId, key, now);
    const row = id ? await loadNotification(this.deps.db, tenantId, id) : undefined;
    if (!row) return null;
    this.deps.stats.duplicates++;
    return { notification: toSent(row), recipients: Number(row.recipient_count), grouped: false, duplicate: true };
  }
}

function newRow(input: SendInput, audience: Audience, recipients: number, now: number): NotificationRow {
  return {
    id: randomUUID(),
    tenant_id: input.tenantId,
    type: input.type,
    priority: input.priority,
    title: input.title,
    body: input.body,
    data: JSON.stringify(input.data ?? {}),
    actions: JSON.stringify(input.actions ?? []),
    audience: JSON.stringify(audience),
    group_key: input.groupKey ?? null,
    group_count: 1,
    sender_id: input.senderId,
    recipient_count: recipients,
    state: input.state === undefined ? null : JSON.stringify(input.state),
    workflow_kind: input.workflow?.kind ?? null,
    workflow_id: input.workflow?.id ?? null,
    ward: input.ward ?? null,
    created_at: now,
    updated_at: now,
  };
}
