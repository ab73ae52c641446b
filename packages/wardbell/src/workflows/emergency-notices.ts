import { toTopic, toUser, type Publisher } from '../events/index.js';
import type { NotificationService } from '../notifications/index.js';
import { closedActions, closedBody, type ClosedStatus } from './rules.js';
import { SERVICE_TOPIC } from './swaps.js';
import { loadCall, toCallView, type CallView } from './emergency-view.js';
import type { EmergencyCallsTable, WfDb, WfExec } from './tables.js';

/**
 * What a call tells the people around it: the links from a call to its notifications
 * (`emergency_notices`, written in the transaction of each send), those notifications turned to
 * closed once the call is filled, cancelled or expired, and `emergency.updated` to the caller and
 * `role:service` on every change.
 */
export class CallNotices {
  constructor(
    private readonly o: { db: WfDb; events: Publisher; notifications: NotificationService; now: () => number },
  ) {}

  /** Links a notification to its call (in the caller's transaction when given one). */
  async link(exec: WfExec, tenantId: string, callId: string, notificationId: string): Promise<void> {
    await exec
      .insertInto('emergency_notices')
      .values({ call_id: callId, notification_id: notificationId, tenant_id: tenantId, created_at: this.o.now() })
      .onConflict((oc) => oc.columns(['call_id', 'notification_id']).doNothing())
      .execute();
  }

  /** Every notification of a closed call shows so, with no live button. */
  async closeAll(tenantId: string, callId: string): Promise<number> {
    const row = await loadCall(this.o.db, tenantId, callId);
    const call = toCallView(row);
    const notices = await this.o.db.selectFrom('emergency_notices').select('notification_id').where('tenant_id', '=', tenantId).where('call_id', '=', callId).execute();
    for (const n of notices) await this.markClosed(tenantId, n.notification_id, call);
    await this.progress(row);
    return notices.length;
  }

  private async markClosed(tenantId: string, notificationId: string, call: CallView): Promise<void> {
    if (call.status === 'open' || call.status === 'escalated') return;
    const status: ClosedStatus = call.status;
    const closed = { status, accepted: call.accepted, needed: call.needed, message: call.message };
    await this.o.notifications.updateState(tenantId, notificationId, { status, accepted: call.accepted, needed: call.needed, filledAt: call.filledAt }, { actions: closedActions(status), body: closedBody(closed) });
  }

  /** `emergency.updated` to role:service and to the caller (unless the caller already hears it there). */
  async progress(row: EmergencyCallsTable): Promise<void> {
    const data = { call: toCallView(row) };
    await this.o.events.publish(row.tenant_id, 'emergency.updated', data, toTopic(SERVICE_TOPIC));
    if (!Number(row.caller_is_service)) await this.o.events.publish(row.tenant_id, 'emergency.updated', data, toUser(row.caller_id));
  }
}
