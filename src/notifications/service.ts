import { randomUUID } from 'node:crypto';
import type { Identity } from '../auth/index.js';
import type { Audience } from '../events/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { EventManager } from '../sse/index.js';
import type { Db } from '../store/index.js';
import type { Directory } from './directory.js';
import {
  bumpUnread,
  inboxPage,
  inboxRow,
  inboxUsersOf,
  insertInboxRows,
  loadNotification,
  setUnread,
  toItem,
  toSent,
  unreadCount,
  type NotificationRow,
} from './inbox-store.js';
import { audienceOf, type Action, type InboxItem, type NotificationType, type Priority, type Recipients, type SentNotification } from './model.js';
import { DEFAULT_PREFERENCES, planChannels, PreferencesSchema, type Preferences } from './preferences.js';

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
  /** Repeats with the same key within `groupWindowMs` collapse into one inbox entry with a count. */
  groupKey?: string | undefined;
  /** A key already used by this tenant within 24 h returns the first result and sends nothing. */
  idempotencyKey?: string | undefined;
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

export interface ActionContext {
  identity: Identity;
  notification: SentNotification;
  workflowId: string;
  actionId: string;
}

export interface ActionOutcome {
  /** What happened, machine-readable (e.g. `approved`, `accepted`, `filled`, `recorded`). */
  result: string;
  message: string;
  details?: unknown;
}

export type ActionHandler = (ctx: ActionContext) => Promise<ActionOutcome>;

export interface NotificationServiceOptions {
  db: Db;
  clock: Clock;
  events: EventManager;
  directory: Directory;
  /** Window in which notifications with one group key collapse. Default 10 minutes. */
  groupWindowMs?: number;
}

const IDEMPOTENCY_MS = 24 * 3600_000;
const CHUNK = 500;

/**
 * The unified notification service (seed 4.1): per-user inbox with read state, priorities, action
 * buttons, preferences, grouping, idempotency; delivery over SSE at once and through the push
 * outbox by priority and preference. Each send is one transaction: nothing half-written.
 */
export class NotificationService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly events: EventManager;
  readonly directory: Directory;
  private readonly groupWindowMs: number;
  private readonly handlers = new Map<string, ActionHandler>();
  readonly stats = { sent: 0, inboxRows: 0, pushQueued: 0, grouped: 0, duplicates: 0, actions: 0 };

  constructor(opts: NotificationServiceOptions) {
    this.db = opts.db;
    this.clock = opts.clock;
    this.events = opts.events;
    this.directory = opts.directory;
    this.groupWindowMs = opts.groupWindowMs ?? 10 * 60_000;
  }

  /** Workflows register what their action buttons do, by workflow kind. */
  onAction(kind: string, handler: ActionHandler): void {
    this.handlers.set(kind, handler);
  }

  async send(input: SendInput): Promise<SendResult> {
    const now = this.clock.now();
    const audience = audienceOf(input.to);
    if (input.idempotencyKey) {
      const prior = await this.idempotent(input.tenantId, input.idempotencyKey, now);
      if (prior) return prior;
    }
    if (audience.kind === 'users') {
      const known = await this.directory.existing(input.tenantId, audience.users);
      const unknown = audience.users.filter((u) => !known.has(u));
      if (unknown.length) {
        throw new AppError('unknown_recipients', `No such staff in this tenant: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', ...' : ''}.`, { unknownUsers: unknown });
      }
    }
    const members = await this.directory.resolve(input.tenantId, audience);
    const prefs = await this.preferencesOf(input.tenantId, members);
    const plans = members.map((u) => ({ userId: u, plan: planChannels(prefs.get(u) ?? DEFAULT_PREFERENCES, input.type, input.priority, now) }));
    const inboxUsers = plans.filter((p) => p.plan.inbox).map((p) => p.userId);
    const pushUsers = plans.filter((p) => p.plan.push);

    const outcome = await this.db.transaction().execute(async (trx) => {
      if (input.idempotencyKey) {
        const taken = await trx
          .insertInto('idempotency_keys')
          .values({ tenant_id: input.tenantId, key: input.idempotencyKey, notification_id: '', created_at: now })
          .onConflict((oc) => oc.columns(['tenant_id', 'key']).doNothing())
          .executeTakeFirst();
        if (Number(taken.numInsertedOrUpdatedRows ?? 0n) === 0) return null;
      }
      const group = input.groupKey ? await this.findGroup(trx, input.tenantId, input.groupKey, audience, now) : undefined;
      let row: NotificationRow;
      let counts: Map<string, number>;
      if (group) {
        row = {
          ...group,
          title: input.title,
          body: input.body,
          data: JSON.stringify(input.data ?? {}),
          actions: JSON.stringify(input.actions ?? []),
          priority: input.priority,
          group_count: Number(group.group_count) + 1,
          updated_at: now,
        };
        await trx
          .updateTable('notifications')
          .set({ title: row.title, body: row.body, data: row.data, actions: row.actions, priority: row.priority, group_count: row.group_count, updated_at: now })
          .where('id', '=', group.id)
          .execute();
        const recips = await inboxUsersOf(trx, input.tenantId, group.id);
        const wasRead = recips.filter((r) => r.read_at !== null).map((r) => r.user_id);
        await trx
          .updateTable('inbox')
          .set({ sort_at: now, read_at: null, priority: input.priority })
          .where('tenant_id', '=', input.tenantId)
          .where('notification_id', '=', group.id)
          .execute();
        counts = await bumpUnread(trx, input.tenantId, wasRead, 1);
        const unchanged = recips.filter((r) => r.read_at === null).map((r) => r.user_id);
        for (let i = 0; i < unchanged.length; i += CHUNK) {
          const rows = await trx
            .selectFrom('inbox_counters')
            .select(['user_id', 'unread'])
            .where('tenant_id', '=', input.tenantId)
            .where('user_id', 'in', unchanged.slice(i, i + CHUNK))
            .execute();
          for (const r of rows) counts.set(r.user_id, Number(r.unread));
        }
      } else {
        row = {
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
          recipient_count: inboxUsers.length,
          state: input.state === undefined ? null : JSON.stringify(input.state),
          workflow_kind: input.workflow?.kind ?? null,
          workflow_id: input.workflow?.id ?? null,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('notifications').values(row).execute();
        await insertInboxRows(
          trx,
          inboxUsers.map((u) => ({ tenant_id: input.tenantId, user_id: u, notification_id: row.id, sort_at: now, type: input.type, priority: input.priority })),
        );
        counts = await bumpUnread(trx, input.tenantId, inboxUsers, 1);
      }
      for (let i = 0; i < pushUsers.length; i += CHUNK) {
        await trx
          .insertInto('push_outbox')
          .values(
            pushUsers.slice(i, i + CHUNK).map((p) => ({
              id: randomUUID(),
              tenant_id: input.tenantId,
              user_id: p.userId,
              notification_id: row.id,
              priority: input.priority,
              not_before: p.plan.pushNotBefore,
              status: 'pending',
              attempts: 0,
              last_error: null,
              created_at: now,
            })),
          )
          .execute();
      }
      if (input.idempotencyKey) {
        await trx
          .updateTable('idempotency_keys')
          .set({ notification_id: row.id })
          .where('tenant_id', '=', input.tenantId)
          .where('key', '=', input.idempotencyKey)
          .execute();
      }
      return { row, counts, grouped: Boolean(group) };
    });

    if (!outcome) {
      // Another request with the same key committed first.
      const prior = input.idempotencyKey ? await this.idempotent(input.tenantId, input.idempotencyKey, now) : null;
      if (prior) return prior;
      throw new AppError('conflict', 'A send with this idempotency key is in progress; retry shortly.');
    }
    const notification = toSent(outcome.row);
    this.stats.sent++;
    this.stats.inboxRows += outcome.grouped ? 0 : inboxUsers.length;
    this.stats.pushQueued += pushUsers.length;
    if (outcome.grouped) this.stats.grouped++;
    if (inboxUsers.length > 0) {
      // Everyone the audience reached has an inbox row: address the event to the audience itself
      // (one small log entry); otherwise to exactly the users who opted in.
      const sseAudience: Audience = inboxUsers.length === members.length ? audience : { kind: 'users', users: inboxUsers };
      await this.events.publish(input.tenantId, 'notification', { notification }, sseAudience, {
        field: 'unreadCount',
        values: Object.fromEntries(outcome.counts),
      });
    }
    return { notification, recipients: inboxUsers.length, grouped: outcome.grouped, duplicate: false };
  }

  private async idempotent(tenantId: string, key: string, now: number): Promise<SendResult | null> {
    const k = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!k) return null;
    if (Number(k.created_at) < now - IDEMPOTENCY_MS) {
      await this.db.deleteFrom('idempotency_keys').where('tenant_id', '=', tenantId).where('key', '=', key).execute();
      return null;
    }
    if (!k.notification_id) return null;
    const row = await loadNotification(this.db, tenantId, k.notification_id);
    if (!row) return null;
    this.stats.duplicates++;
    return { notification: toSent(row), recipients: Number(row.recipient_count), grouped: false, duplicate: true };
  }

  private async findGroup(trx: Parameters<typeof loadNotification>[0], tenantId: string, groupKey: string, audience: Audience, now: number) {
    return trx
      .selectFrom('notifications')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('group_key', '=', groupKey)
      .where('audience', '=', JSON.stringify(audience))
      .where('created_at', '>=', now - this.groupWindowMs)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async list(tenantId: string, userId: string, q: Parameters<typeof inboxPage>[3]) {
    const [rows, unread] = await Promise.all([inboxPage(this.db, tenantId, userId, q), unreadCount(this.db, tenantId, userId)]);
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map(toItem),
      nextCursor: more && last ? encodeCursor(Number(last.sort_at), last.id) : null,
      unreadCount: unread,
    };
  }

  async get(tenantId: string, userId: string, id: string): Promise<InboxItem> {
    const row = await inboxRow(this.db, tenantId, userId, id);
    const n = row ? await loadNotification(this.db, tenantId, id) : undefined;
    if (!row || !n) throw notFound();
    return toItem({ ...n, read_at: row.read_at, acted_action: row.acted_action });
  }

  /** Marks some (or all) of a user's notifications read; returns how many changed and the new count. */
  async markRead(tenantId: string, userId: string, ids: readonly string[] | 'all') {
    const now = this.clock.now();
    const result = await this.db.transaction().execute(async (trx) => {
      let q = trx.updateTable('inbox').set({ read_at: now }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('read_at', 'is', null);
      if (ids !== 'all') q = q.where('notification_id', 'in', ids.length ? [...ids] : ['']);
      const r = await q.executeTakeFirst();
      const changed = Number(r.numUpdatedRows);
      let unread: number;
      if (ids === 'all') {
        await setUnread(trx, tenantId, userId, 0);
        unread = 0;
      } else unread = changed ? ((await bumpUnread(trx, tenantId, [userId], -changed)).get(userId) ?? 0) : await unreadCount(trx, tenantId, userId);
      return { updated: changed, unreadCount: unread };
    });
    if (result.updated > 0) {
      await this.events.sendToUser(tenantId, userId, 'inbox.updated', { read: ids === 'all' ? 'all' : ids, unreadCount: result.unreadCount });
    }
    return result;
  }

  /** Marks one notification read; 404 when it is not in the caller's inbox. */
  async markOneRead(tenantId: string, userId: string, id: string) {
    if (!(await inboxRow(this.db, tenantId, userId, id))) throw notFound();
    return this.markRead(tenantId, userId, [id]);
  }

  async remove(tenantId: string, userId: string, ids: readonly string[] | 'all') {
    const result = await this.db.transaction().execute(async (trx) => {
      let unreadQ = trx.selectFrom('inbox').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('read_at', 'is', null);
      let del = trx.deleteFrom('inbox').where('tenant_id', '=', tenantId).where('user_id', '=', userId);
      if (ids !== 'all') {
        unreadQ = unreadQ.where('notification_id', 'in', [...ids]);
        del = del.where('notification_id', 'in', [...ids]);
      }
      const unreadRemoved = ids === 'all' ? 0 : Number((await unreadQ.executeTakeFirst())?.n ?? 0);
      const r = await del.executeTakeFirst();
      let unread: number;
      if (ids === 'all') {
        await setUnread(trx, tenantId, userId, 0);
        unread = 0;
      } else unread = unreadRemoved ? ((await bumpUnread(trx, tenantId, [userId], -unreadRemoved)).get(userId) ?? 0) : await unreadCount(trx, tenantId, userId);
      return { deleted: Number(r.numDeletedRows), unreadCount: unread };
    });
    if (result.deleted > 0) {
      await this.events.sendToUser(tenantId, userId, 'inbox.updated', { deleted: ids === 'all' ? 'all' : ids, unreadCount: result.unreadCount });
    }
    return result;
  }

  async removeOne(tenantId: string, userId: string, id: string) {
    if (!(await inboxRow(this.db, tenantId, userId, id))) throw notFound();
    return this.remove(tenantId, userId, [id]);
  }

  /**
   * A press of an action button. Only a recipient may press; the workflow behind the notification
   * decides what happens; without one, the answer is recorded once and the sender is told.
   */
  async pressAction(identity: Identity, id: string, actionId: string): Promise<ActionOutcome & { notificationId: string; actionId: string }> {
    const { tenantId, userId } = identity;
    const row = await inboxRow(this.db, tenantId, userId, id);
    const n = row ? await loadNotification(this.db, tenantId, id) : undefined;
    if (!row || !n) throw notFound();
    const notification = toSent(n);
    // A workflow judges its own buttons (a late press on a filled call is its 409, not a 404);
    // other notifications accept only the buttons they show.
    if (!n.workflow_kind && !notification.actions.some((a) => a.id === actionId)) {
      throw new AppError('not_found', `This notification has no action "${actionId}"; it has: ${notification.actions.map((a) => a.id).join(', ') || 'none'}.`);
    }
    let outcome: ActionOutcome;
    if (n.workflow_kind) {
      const handler = this.handlers.get(n.workflow_kind);
      if (!handler) throw new AppError('unavailable', `Actions of kind ${n.workflow_kind} are not handled by this service.`);
      outcome = await handler({ identity, notification, workflowId: n.workflow_id ?? '', actionId });
      await this.recordAction(tenantId, userId, id, actionId, false);
    } else {
      const recorded = await this.recordAction(tenantId, userId, id, actionId, true);
      if (!recorded) throw new AppError('conflict', `You already answered this notification with "${row.acted_action ?? ''}".`);
      await this.events.sendToUser(tenantId, n.sender_id, 'notification.updated', { id, action: { id: actionId, by: userId } });
      outcome = { result: 'recorded', message: `Answer "${actionId}" recorded and sent to ${n.sender_id}.` };
    }
    this.stats.actions++;
    return { ...outcome, notificationId: id, actionId };
  }

  private async recordAction(tenantId: string, userId: string, id: string, actionId: string, onlyOnce: boolean): Promise<boolean> {
    const now = this.clock.now();
    const r = await this.db.transaction().execute(async (trx) => {
      let q = trx
        .updateTable('inbox')
        .set({ acted_action: actionId, acted_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('notification_id', '=', id);
      if (onlyOnce) q = q.where('acted_action', 'is', null);
      const acted = await q.executeTakeFirst();
      if (Number(acted.numUpdatedRows) === 0) return { done: false, unread: null };
      const read = await trx
        .updateTable('inbox')
        .set({ read_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('notification_id', '=', id)
        .where('read_at', 'is', null)
        .executeTakeFirst();
      if (Number(read.numUpdatedRows) === 0) return { done: true, unread: null };
      return { done: true, unread: (await bumpUnread(trx, tenantId, [userId], -1)).get(userId) ?? 0 };
    });
    // Answering reads the notification: the user's other open pages update their badge.
    if (r.unread !== null) await this.events.sendToUser(tenantId, userId, 'inbox.updated', { read: [id], unreadCount: r.unread });
    return r.done;
  }

  /**
   * Sets a notification's shared state (e.g. `{status: 'filled'}`) and tells every recipient's
   * open page, so a filled emergency call changes for everyone at once.
   */
  async updateState(tenantId: string, id: string, state: unknown, patch: { actions?: Action[]; body?: string } = {}): Promise<SentNotification> {
    const now = this.clock.now();
    await this.db
      .updateTable('notifications')
      .set({
        state: JSON.stringify(state),
        updated_at: now,
        ...(patch.actions ? { actions: JSON.stringify(patch.actions) } : {}),
        ...(patch.body !== undefined ? { body: patch.body } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
    const row = await loadNotification(this.db, tenantId, id);
    if (!row) throw notFound();
    const notification = toSent(row);
    await this.events.publish(tenantId, 'notification.updated', { notification }, JSON.parse(row.audience) as Audience);
    return notification;
  }

  async getPreferences(tenantId: string, userId: string): Promise<Preferences> {
    return (await this.preferencesOf(tenantId, [userId])).get(userId) ?? DEFAULT_PREFERENCES;
  }

  async putPreferences(tenantId: string, userId: string, prefs: Preferences): Promise<Preferences> {
    const now = this.clock.now();
    await this.db
      .insertInto('preferences')
      .values({ tenant_id: tenantId, user_id: userId, prefs: JSON.stringify(prefs), updated_at: now })
      .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet({ prefs: JSON.stringify(prefs), updated_at: now }))
      .execute();
    return prefs;
  }

  private async preferencesOf(tenantId: string, userIds: readonly string[]): Promise<Map<string, Preferences>> {
    const out = new Map<string, Preferences>();
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('preferences')
        .select(['user_id', 'prefs'])
        .where('tenant_id', '=', tenantId)
        .where('user_id', 'in', userIds.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) {
        const parsed = PreferencesSchema.safeParse(JSON.parse(r.prefs));
        if (parsed.success) out.set(r.user_id, parsed.data);
      }
    }
    return out;
  }

  /** Removes idempotency keys older than 24 h. */
  async sweep(): Promise<number> {
    const r = await this.db.deleteFrom('idempotency_keys').where('created_at', '<', this.clock.now() - IDEMPOTENCY_MS).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

function notFound(): AppError {
  // The same answer whether the id does not exist, belongs to another user or another tenant.
  return new AppError('not_found', 'No such notification in your inbox.');
}

export function encodeCursor(sortAt: number, id: string): string {
  return Buffer.from(`${sortAt}:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(raw: string): { sortAt: number; id: string } | null {
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  const m = /^(\d{1,16}):([A-Za-z0-9-]{1,64})$/.exec(text);
  if (!m) return null;
  return { sortAt: Number(m[1]), id: m[2] as string };
}
