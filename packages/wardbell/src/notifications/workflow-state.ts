import type { Audience, Publisher } from '../events/index.js';
import type { Db } from '../store/index.js';
import { notInInbox } from './errors.js';
import { loadNotification, toSent } from './inbox-store.js';
import type { Action, SentNotification } from './model.js';

/**
 * The shared state a workflow keeps on its notification (e.g. `{status: 'filled'}`): set, and told
 * to every recipient's open page at once (`notification.updated` to the notification's audience).
 */
export class WorkflowState {
  constructor(
    private readonly db: Db,
    private readonly events: Publisher,
    private readonly now: () => number,
  ) {}

  async update(tenantId: string, id: string, state: unknown, patch: { actions?: Action[]; body?: string } = {}): Promise<SentNotification> {
    await this.db
      .updateTable('notifications')
      .set({
        state: JSON.stringify(state),
        updated_at: this.now(),
        ...(patch.actions ? { actions: JSON.stringify(patch.actions) } : {}),
        ...(patch.body !== undefined ? { body: patch.body } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
    const row = await loadNotification(this.db, tenantId, id);
    if (!row) throw notInInbox();
    const notification = toSent(row);
    await this.events.publish(tenantId, 'notification.updated', { notification }, JSON.parse(row.audience) as Audience);
    return notification;
  }
}
