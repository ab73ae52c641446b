import type { Publisher } from '../events/index.js';
import { audienceOf, type Directory, type NotificationService, type Recipients } from '../notifications/index.js';
import type { CallNotices } from './emergency-notices.js';
import { loadCall, toCallView } from './emergency-view.js';
import { ACCEPT_ACTION, callBody, escalationRecipients } from './rules.js';
import type { Job } from './scheduler.js';
import type { WfDb } from './tables.js';

/** The scheduled work of emergency calls: the escalation of an unfilled call, and closing a closed one's notifications. */
export class EmergencyJobs {
  constructor(
    private readonly o: { db: WfDb; events: Publisher; notifications: NotificationService; directory: Directory; notices: CallNotices; now: () => number },
  ) {}

  /** Escalation job: an unfilled call goes to the wider audience (minus whom it reached already). */
  readonly escalate = async (job: Job): Promise<unknown> => {
    const { db, directory, notifications, notices } = this.o;
    const callId = (job.payload as { callId: string }).callId;
    const row = await loadCall(db, job.tenantId, callId);
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
      await notices.linkLate(job.tenantId, callId, notificationId);
    }
    const now = this.o.now();
    await db.updateTable('emergency_calls').set({ status: 'escalated', escalated_at: now, updated_at: now }).where('id', '=', callId).where('status', '=', 'open').execute();
    const after = await loadCall(db, job.tenantId, callId);
    if (users.length) await this.o.events.publish(job.tenantId, 'emergency.called', { call: toCallView(after) }, { kind: 'users', users });
    await notices.progress(after);
    return { notificationId, recipients: users.length };
  };

  /** Closed job: every notification of a filled or cancelled call shows so, with no live button. */
  readonly close = async (job: Job): Promise<unknown> => {
    const callId = (job.payload as { callId: string }).callId;
    return { notifications: await this.o.notices.closeAll(job.tenantId, callId) };
  };
}
