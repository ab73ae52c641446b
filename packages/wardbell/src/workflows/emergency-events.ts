import type { Transaction } from 'kysely';
import { iso, type WfExec, type WorkflowDatabase } from './tables.js';

/**
 * The timeline of an emergency call (`emergency_call_events`): one row per thing that happened to
 * it, numbered from 1 per call, each written in the transaction that made it happen, so the
 * timeline never says something the call does not show, nor misses something it does.
 *
 * Kinds, and what `data` holds:
 * - `created` (actor: the caller): `{needed, to, policy}` (the frozen policy's name, steps, repeats);
 * - `notified`: a notification of the call was sent: `{notificationId, recipients, wave}` (wave 0:
 *   the call itself; else the step that sent it);
 * - `accepted` / `declined` (actor: the nurse): `{accepted, declined, needed}`; a decline also
 *   `{reached, everyoneDeclined}` (when true, the next step was brought forward to now);
 * - `repeated`: `{wave, repeat, reached, users}` (repeat 0: a step of a loop re-notifying);
 * - `escalated`: a step ran: `{wave, step, loop, added, notificationId}` (step from 1);
 * - `filled` (actor: who filled it), `cancelled` (actor: who cancelled), `expired`: `{accepted, needed}`.
 */
export const CALL_EVENT_KINDS = ['created', 'notified', 'accepted', 'declined', 'repeated', 'escalated', 'filled', 'cancelled', 'expired'] as const;
export type CallEventKind = (typeof CALL_EVENT_KINDS)[number];

/** One entry of a call's timeline. */
export interface CallEvent {
  seq: number;
  at: string;
  kind: CallEventKind;
  actor: string | null;
  data: Record<string, unknown>;
}

export interface NewCallEvent {
  tenantId: string;
  callId: string;
  at: number;
  kind: CallEventKind;
  actor?: string | null | undefined;
  data?: Record<string, unknown> | undefined;
  /** Scheduled work's events carry one (`wave:2`, `repeat:1:3`): recorded once per call. */
  dedupeKey?: string | undefined;
}

/** Whether the call has an event with this key already (read in the transaction that would add it). */
export async function hasCallEvent(trx: WfExec, callId: string, dedupeKey: string): Promise<boolean> {
  const row = await trx.selectFrom('emergency_call_events').select('seq').where('call_id', '=', callId).where('dedupe_key', '=', dedupeKey).executeTakeFirst();
  return row !== undefined;
}

/**
 * Appends an event in the caller's transaction. Its `seq` is the call row's counter, bumped here:
 * that locks the call row until the commit, so concurrent events of one call (two accepts on two
 * processes) are numbered one after the other, never alike. Returns false, writing nothing, when
 * the key was recorded already.
 */
export async function recordCallEvent(trx: Transaction<WorkflowDatabase>, e: NewCallEvent): Promise<boolean> {
  if (e.dedupeKey !== undefined && (await hasCallEvent(trx, e.callId, e.dedupeKey))) return false;
  const bumped = await trx
    .updateTable('emergency_calls')
    .set((eb) => ({ event_seq: eb('event_seq', '+', 1) }))
    .where('tenant_id', '=', e.tenantId)
    .where('id', '=', e.callId)
    .returning('event_seq')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('emergency_call_events')
    .values({
      call_id: e.callId,
      seq: Number(bumped.event_seq),
      tenant_id: e.tenantId,
      at: e.at,
      kind: e.kind,
      actor: e.actor ?? null,
      data: JSON.stringify(e.data ?? {}),
      dedupe_key: e.dedupeKey ?? null,
    })
    .execute();
  return true;
}

/**
 * A call's timeline, oldest first: what `GET /api/emergency-calls/{id}/timeline` is built from.
 * Another tenant's call has no events (the caller checks the call exists in the tenant first).
 */
export async function readCallEvents(db: WfExec, tenantId: string, callId: string): Promise<CallEvent[]> {
  const rows = await db.selectFrom('emergency_call_events').selectAll().where('tenant_id', '=', tenantId).where('call_id', '=', callId).orderBy('seq').execute();
  return rows.map((r) => ({ seq: Number(r.seq), at: iso(r.at) ?? '', kind: r.kind as CallEventKind, actor: r.actor, data: JSON.parse(r.data) as Record<string, unknown> }));
}
