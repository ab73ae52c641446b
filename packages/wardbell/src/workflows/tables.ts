import type { Kysely, Transaction } from 'kysely';
import type { Database, Db } from '../store/index.js';

/** Tables of the workflows (created by `migrations.ts`). Times are epoch milliseconds. */
export type WorkflowTables = {
  scheduled_jobs: ScheduledJobsTable;
  swaps: SwapsTable;
  emergency_calls: EmergencyCallsTable;
  emergency_accepts: EmergencyAcceptsTable;
  emergency_notices: EmergencyNoticesTable;
  emergency_declines: EmergencyDeclinesTable;
  emergency_repeats: EmergencyRepeatsTable;
  notification_repeats: NotificationRepeatsTable;
  emergency_call_events: EmergencyCallEventsTable;
  escalation_policies: EscalationPoliciesTable;
};

/** Lifecycle of a job: pending -> running -> done | failed, or pending -> cancelled. */
export type JobStatus = 'pending' | 'running' | 'done' | 'cancelled' | 'failed';

export interface ScheduledJobsTable {
  id: string;
  tenant_id: string;
  kind: string;
  run_at: number;
  /** JSON. */
  payload: string;
  status: JobStatus;
  attempts: number;
  /** The claim token of the run in progress (one per claim, not per process). */
  claimed_by: string | null;
  /** When the claim lapses; a crashed claim is taken over after it. */
  claimed_until: number | null;
  /** Caller-chosen key; one job per (tenant, kind, key). */
  dedupe_key: string | null;
  /** JSON: what the run produced (e.g. the notification id). */
  result: string | null;
  last_error: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface SwapsTable {
  id: string;
  tenant_id: string;
  requester_id: string;
  target_id: string;
  status: 'pending' | 'approved' | 'rejected';
  /** JSON: shift, inReturn, note. */
  details: string;
  notification_id: string | null;
  decided_by: string | null;
  decided_at: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface EmergencyCallsTable {
  id: string;
  tenant_id: string;
  caller_id: string;
  /** 1 when the caller is a service identity: it hears progress on `role:service` already. */
  caller_is_service: number;
  /** JSON Recipients of the first call. */
  audience: string;
  needed: number;
  accepted: number;
  status: 'open' | 'escalated' | 'filled' | 'cancelled' | 'expired';
  title: string;
  message: string;
  /** JSON: free-form details for the receiving page (shift, ward). */
  details: string;
  /** JSON Recipients of the escalation; null: never escalate. */
  escalate_to: string | null;
  escalate_at: number | null;
  escalated_at: number | null;
  filled_at: number | null;
  created_at: number;
  updated_at: number;
  /** How many recipients pressed "Can't come". */
  declined: number;
  /** JSON FrozenPolicy (`policy.ts`), fixed at creation; null on calls made before policies (read as the one-step shorthand). */
  policy: string | null;
  /** The wave the call is in: 0 the call itself, then one per step run (`policy.ts`). */
  wave: number;
  /** When the next step is due; null when none is left. */
  next_step_at: number | null;
  /** When the call expires unanswered; null: never. */
  expires_at: number | null;
  /** The last `seq` of the call's events (`emergency_call_events`); bumping it locks the call row. */
  event_seq: number;
}

export interface EmergencyAcceptsTable {
  call_id: string;
  tenant_id: string;
  user_id: string;
  accepted_at: number;
}

export interface EmergencyNoticesTable {
  call_id: string;
  notification_id: string;
  tenant_id: string;
  created_at: number;
}

/** One repeat of an urgent notification (`urgent-repeats.ts`). */
export interface NotificationRepeatsTable {
  notification_id: string;
  tenant_id: string;
  n: number;
  at: number;
  reached: number;
}

/** Repeats a recipient of a call has had (at most the policy's maxRepeats). */
export interface EmergencyRepeatsTable {
  call_id: string;
  tenant_id: string;
  user_id: string;
  repeats: number;
}

export interface EmergencyDeclinesTable {
  call_id: string;
  tenant_id: string;
  user_id: string;
  declined_at: number;
}

/** One thing that happened to a call, in order (`seq` from 1 per call): its timeline. */
export interface EmergencyCallEventsTable {
  call_id: string;
  seq: number;
  tenant_id: string;
  at: number;
  kind: string;
  /** Who did it (the caller, the nurse who accepted or declined); null for the scheduler's steps. */
  actor: string | null;
  /** JSON object: what the kind records (step index, how many were added or reached). */
  data: string;
  /** One event per (call, key) for scheduled work (`step:3`, `repeat:2:1`): a repeated run adds nothing. */
  dedupe_key: string | null;
}

/** A tenant's named escalation policies (`PUT /api/escalation-policies/{name}`). */
export interface EscalationPoliciesTable {
  tenant_id: string;
  name: string;
  /** JSON: the policy as given (validated), resolved and frozen into each call that names it. */
  policy: string;
  created_by: string;
  updated_by: string;
  created_at: number;
  updated_at: number;
}

export type WorkflowDatabase = Database & WorkflowTables;
/** The store, seen with the workflow tables. */
export type WfDb = Kysely<WorkflowDatabase>;
/** The store or a transaction on it. */
export type WfExec = WfDb | Transaction<WorkflowDatabase>;

/** The store with the workflow tables typed (the same connection; no copy of state). */
export function workflowDb(db: Db): WfDb {
  return db.withTables<WorkflowTables>();
}

/** A transaction on the store, seen with the workflow tables. */
export function workflowTrx(trx: Transaction<Database>): Transaction<WorkflowDatabase> {
  return trx.withTables<WorkflowTables>();
}

/** Epoch milliseconds as ISO 8601, null kept. */
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());
