import type { Recipients } from '../notifications/index.js';
import { AppError } from '../shared/index.js';
import { lastWave, shorthandPolicy, type EscalationPolicyInput, type FrozenPolicy } from './policy.js';
import type { CallStatus } from './rules.js';
import { iso, type EmergencyCallsTable, type WfExec } from './tables.js';

/** Job kind that escalates an unfilled call at its `escalate_at`. */
export const ESCALATE_JOB = 'emergency.escalate';
/** Job kind (outbox) that turns a filled or cancelled call's notifications to closed. */
export const CLOSED_JOB = 'emergency.closed';
/** Job kind that repeats a call to the reached staff who have neither answered nor read it. */
export const REPEAT_JOB = 'emergency.repeat';
/** Job kind that closes a call still open at its `expires_at`. */
export const EXPIRE_JOB = 'emergency.expire';
/** Every job kind that belongs to one call (cancelled together when it closes). */
export const CALL_JOBS = [ESCALATE_JOB, REPEAT_JOB, EXPIRE_JOB] as const;

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
  /** An ordered escalation policy, inline or a tenant's named one (instead of escalateAfterSeconds/escalateTo). */
  policy?: EscalationPolicyInput | string | undefined;
  /** A tenant's named policy (the same as `policy: '<name>'`). */
  policyName?: string | undefined;
  /** Repeat to the reached staff who have not answered or read it; overrides the policy's. */
  repeatEverySeconds?: number | undefined;
  maxRepeats?: number | undefined;
  /** Close the call as expired after this long; overrides the policy's. */
  expiresAfterSeconds?: number | undefined;
}

/** A call as the API and the `emergency.*` events show it. */
export interface CallView {
  id: string;
  status: CallStatus;
  needed: number;
  accepted: number;
  /** How many pressed "Can't come". */
  declined: number;
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
  /** The policy frozen at creation (the shorthand as one step). */
  policy: FrozenPolicy;
  /** Steps run so far, loops included (the call's wave). */
  stepsRun: number;
  /** Steps in all, loops included. */
  stepsTotal: number;
  /** When the next step is due; null when none is left or the call is closed. */
  nextStepAt: string | null;
  expiresAt: string | null;
}

/** The policy a stored call runs (a call made before policies: its one-step shorthand). */
export function policyOf(r: EmergencyCallsTable): FrozenPolicy {
  if (r.policy !== null && r.policy !== undefined) return JSON.parse(r.policy) as FrozenPolicy;
  const to = r.escalate_to === null ? null : (JSON.parse(r.escalate_to) as Recipients);
  const after = r.escalate_at === null ? 1 : Math.max(1, Math.round((Number(r.escalate_at) - Number(r.created_at)) / 1000));
  return shorthandPolicy(after, to);
}

/** A stored call as the API and the events show it. */
export function toCallView(r: EmergencyCallsTable): CallView {
  const policy = policyOf(r);
  const open = r.status === 'open' || r.status === 'escalated';
  return {
    id: r.id,
    status: r.status,
    needed: Number(r.needed),
    accepted: Number(r.accepted),
    declined: Number(r.declined ?? 0),
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
    policy,
    stepsRun: Number(r.wave ?? 0),
    stepsTotal: lastWave(policy),
    // A call made before policies has its one step at escalate_at until it ran.
    nextStepAt: open ? iso(r.next_step_at ?? (r.policy === null && Number(r.wave ?? 0) === 0 ? r.escalate_at : null)) : null,
    expiresAt: iso(r.expires_at ?? null),
  };
}

/** One call of the tenant; 404 for unknown and other tenants' ids alike. */
export async function loadCall(db: WfExec, tenantId: string, id: string): Promise<EmergencyCallsTable> {
  const row = await db.selectFrom('emergency_calls').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'No such emergency call in your tenant.');
  return row;
}
