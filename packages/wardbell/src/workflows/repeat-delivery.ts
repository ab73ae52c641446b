import type { Transaction } from 'kysely';
import { toUsers, type Publisher } from '../events/index.js';
import type { NotificationService, PushQueue, PushWanted } from '../notifications/index.js';
import type { Database } from '../store/index.js';
import type { WfDb, WorkflowDatabase } from './tables.js';

/**
 * Sending a notification again to some of its recipients, without a new inbox row: a new push
 * (urgent: `Urgency: high`, and the service worker alerts again for the same tag) queued in the
 * caller's transaction, the item moved to the top of their inboxes, and after the commit the
 * `notification` event again to exactly them (with their unread counts), so their open pages move
 * the one item to the top, unread. Shared by an emergency call's repeats and an urgent
 * notification's own (`urgent-repeats.ts`).
 */
export class RepeatDelivery {
  constructor(private readonly o: { db: WfDb; events: Publisher; notifications: NotificationService; pushQueue: PushQueue | null }) {}

  /** In the repeat's transaction: these users' pushes queued (those with a plan) and the item resurfaced. */
  async queueIn(trx: Transaction<WorkflowDatabase>, tenantId: string, notificationId: string, users: readonly string[], wanted: readonly PushWanted[], now: number): Promise<void> {
    // The outbox takes the send's transaction type; the workflow view is the same connection.
    if (wanted.length && this.o.pushQueue) await this.o.pushQueue.enqueue(trx as unknown as Transaction<Database>, { tenantId, notificationId, priority: 'urgent' }, [...wanted], now);
    // A reloaded inbox lists it first too, as the live page does on the repeated event.
    await this.o.notifications.resurface(trx as unknown as Transaction<Database>, tenantId, notificationId, users);
  }

  /** After the commit: the notification event again to those users, with their unread counts. */
  async announce(tenantId: string, byNotification: ReadonlyMap<string, readonly string[]>): Promise<void> {
    for (const [notificationId, users] of byNotification) {
      const first = users[0];
      if (first === undefined) continue;
      let notification: Record<string, unknown>;
      try {
        const { readAt: _r, actedAction: _a, ...shared } = await this.o.notifications.get(tenantId, first, notificationId);
        notification = shared;
      } catch {
        continue; // removed from that inbox meanwhile
      }
      const values: Record<string, number> = {};
      for (let i = 0; i < users.length; i += 500) {
        const counts = await this.o.db.selectFrom('inbox_counters').select(['user_id', 'unread']).where('tenant_id', '=', tenantId).where('user_id', 'in', users.slice(i, i + 500)).execute();
        for (const c of counts) values[c.user_id] = Math.max(0, Number(c.unread));
      }
      await this.o.events.publish(tenantId, 'notification', { notification }, toUsers([...users]), { field: 'unreadCount', values });
    }
  }
}
