import type { Kysely, Transaction } from 'kysely';
import type { Database, Db } from '../store/index.js';

/** Tables of the workflows (created by `migrations.ts`). Times are epoch milliseconds. */
export type WorkflowTables = {
  scheduled_jobs: ScheduledJobsTable;
  swaps: SwapsTable;
  emergency_calls: EmergencyCallsTable;
  emergency_accepts: EmergencyAcceptsTable;
  emergency_notices: EmergencyNoticesTable;
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
  status: 'open' | 'escalated' | 'filled' | 'cancelled';
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
