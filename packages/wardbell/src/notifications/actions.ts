import type { Identity } from '../auth/index.js';
import { toUser, type Publisher } from '../events/index.js';
import { AppError } from '../shared/index.js';
import type { Db } from '../store/index.js';
import { notInInbox } from './errors.js';
import { bumpUnread, inboxRow, loadNotification, toSent } from './inbox-store.js';
import type { SentNotification } from './model.js';
import type { NotificationStats } from './stats.js';

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

/**
 * Action buttons: who may press (only a recipient: else 404, the same answer as for an unknown
 * id), what a press does (the workflow behind the notification decides; without one, the answer
 * is recorded once and the sender is told), and the press recorded on the recipient's inbox row.
 */
export class Actions {
  private readonly handlers = new Map<string, ActionHandler>();

  constructor(
    private readonly db: Db,
    private readonly events: Publisher,
    private readonly now: () => number,
    private readonly stats: NotificationStats,
  ) {}

  /** Workflows register what their action buttons do, by workflow kind. */
  onAction(kind: string, handler: ActionHandler): void {
    this.handlers.set(kind, handler);
  }

  async press(identity: Identity, id: string, actionId: string): Promise<ActionOutcome & { notificationId: string; actionId: string }> {
    const { tenantId, userId } = identity;
    const row = await inboxRow(this.db, tenantId, userId, id);
    const n = row ? await loadNotification(this.db, tenantId, id) : undefined;
    if (!row || !n) throw notInInbox();
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
      await this.record(tenantId, userId, id, actionId, false);
    } else {
      const recorded = await this.record(tenantId, userId, id, actionId, true);
      if (!recorded) throw new AppError('conflict', `You already answered this notification with "${row.acted_action ?? ''}".`);
      await this.events.publish(tenantId, 'notification.updated', { id, action: { id: actionId, by: userId } }, toUser(n.sender_id));
      outcome = { result: 'recorded', message: `Answer "${actionId}" recorded and sent to ${n.sender_id}.` };
    }
    this.stats.actions++;
    return { ...outcome, notificationId: id, actionId };
  }

  /** Records the press on the inbox row (once, if `onlyOnce`); answering also reads the notification. */
  private async record(tenantId: string, userId: string, id: string, actionId: string, onlyOnce: boolean): Promise<boolean> {
    const now = this.now();
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
    // The user's other open pages update their badge.
    if (r.unread !== null) await this.events.publish(tenantId, 'inbox.updated', { read: [id], unreadCount: r.unread }, toUser(userId));
    return r.done;
  }
}
