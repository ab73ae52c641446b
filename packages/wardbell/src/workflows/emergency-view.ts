import type { Recipients } from '../notifications/index.js';
import { AppError } from '../shared/index.js';
import type { CallStatus } from './rules.js';
import { iso, type EmergencyCallsTable, type WfExec } from './tables.js';

/** Job kind that escalates an unfilled call at its `escalate_at`. */
export const ESCALATE_JOB = 'emergency.escalate';
/** Job kind (outbox) that turns a filled or cancelled call's notifications to closed. */
export const CLOSED_JOB = 'emergency.closed';

export interface EmergencyCallInput {
  /** A ward (`{topic: 'ward:3'}`), selected staff (`{users: [...]}`), a role or the tenant. */
  to: Recipients;
  needed: number;
  title: string;
  message: string;
  details?: Record<string, unknown> | undefined;
  /** Seconds before an unfilled call escalates; default the workflow option. */
  escalateAfterSeconds?: number | undefined;
  /** The wider audience of the escalation; `null`: never escalate. Default the workflow option. */
  escalateTo?: Recipients | null | undefined;
}

/** A call as the API and the `emergency.*` events show it. */
export interface CallView {
  id: string;
  status: CallStatus;
  needed: number;
  accepted: number;
  callerId: string;
  to: Recipients;
  title: string;
  message: string;
  details: Record<string, unknown>;
  escalateTo: Recipients | null;
  escalateAt: string | null;
  escalatedAt: string | null;
  filledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A stored call as the API and the events show it. */
export function toCallView(r: EmergencyCallsTable): CallView {
  return {
    id: r.id,
    status: r.status,
    needed: Number(r.needed),
    accepted: Number(r.accepted),
    callerId: r.caller_id,
    to: JSON.parse(r.audience) as Recipients,
    title: r.title,
    message: r.message,
    details: JSON.parse(r.details) as Record<string, unknown>,
    escalateTo: r.escalate_to === null ? null : (JSON.parse(r.escalate_to) as Recipients),
    escalateAt: iso(r.escalate_at),
    escalatedAt: iso(r.escalated_at),
    filledAt: iso(r.filled_at),
    createdAt: iso(r.created_at) ?? '',
    updatedAt: iso(r.updated_at) ?? '',
  };
}

/** One call of the tenant; 404 for unknown and other tenants' ids alike. */
export async function loadCall(db: WfExec, tenantId: string, id: string): Promise<EmergencyCallsTable> {
  const row = await db.selectFrom('emergency_calls').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'No such emergency call in your tenant.');
  return row;
}
