import type { WfExec } from './tables.js';

/**
 * The scheduler's keyed operations (`Scheduler.cancelPendingOf`, `Scheduler.bringForward`; nothing
 * else calls these): on the jobs of one subject (an emergency call) by their dedupe keys: every key of a
 * subject is the subject's id, or starts with it and a colon (`<callId>:wave:2`,
 * `<callId>:repeat:1:3`). Both run in the caller's transaction, as conditional updates on
 * `pending`: a job already claimed is left to run, and its handler finds the changed state.
 */

/** Cancels the pending jobs of these kinds that belong to `subject`. */
export async function cancelPendingOf(exec: WfExec, tenantId: string, kinds: readonly string[], subject: string, now: number): Promise<number> {
  // LIKE's wildcards would widen the match (a call id is a UUID: it has none).
  if (/[%_\\]/.test(subject)) throw new Error(`a job subject must not contain % _ or \\: ${subject}`);
  const r = await exec
    .updateTable('scheduled_jobs')
    .set({ status: 'cancelled', updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('kind', 'in', [...kinds])
    .where((eb) => eb.or([eb('dedupe_key', '=', subject), eb('dedupe_key', 'like', `${subject}:%`)]))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Brings the pending job of this kind and one of these keys forward to `runAt` (never later than
 * it was); resolves with its id, or null when there is none pending (it ran, or was cancelled).
 */
export async function bringForward(exec: WfExec, tenantId: string, kind: string, dedupeKeys: readonly string[], runAt: number, now: number): Promise<string | null> {
  const job = await exec
    .selectFrom('scheduled_jobs')
    .select(['id', 'run_at'])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('dedupe_key', 'in', [...dedupeKeys])
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (!job) return null;
  if (Number(job.run_at) <= runAt) return job.id;
  const r = await exec.updateTable('scheduled_jobs').set({ run_at: runAt, updated_at: now }).where('id', '=', job.id).where('status', '=', 'pending').executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? job.id : null;
}
