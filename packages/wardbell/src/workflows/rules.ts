import { backoffDelay } from '@wardbell/client';
/**
 * The workflows' decision rules, pure: no database, no clock, no sockets. The services apply them
 * and make them atomic with conditional updates; the tests read them as the specification.
 */
import type { Action } from '../notifications/index.js';
import { AppError } from '../shared/index.js';

// ---------------------------------------------------------------------------------------------
// Swaps

export type SwapStatus = 'pending' | 'approved' | 'rejected';

/** The two buttons of a swap request, and what pressing each decides. */
export const SWAP_ACTIONS: Action[] = [
  { id: 'approve', label: 'Approve', style: 'primary' },
  { id: 'reject', label: 'Reject', style: 'danger' },
];
const SWAP_OUTCOME: Record<string, 'approved' | 'rejected'> = { approve: 'approved', reject: 'rejected' };

export interface SwapFacts {
  status: SwapStatus;
  targetId: string;
  decidedBy: string | null;
  decidedAt: string | null;
}

/**
 * What a press on a swap request decides. Only the target decides, and only once: a second press
 * (the same or the other button, from the inbox or a stale push) is a conflict that says what was
 * decided and when.
 */
export function decideSwap(swap: SwapFacts, actorId: string, actionId: string): { status: 'approved' | 'rejected' } | { error: AppError } {
  const status = SWAP_OUTCOME[actionId];
  if (!status) return { error: new AppError('not_found', `A swap request has the actions approve and reject, not "${actionId}".`) };
  if (actorId !== swap.targetId) return { error: new AppError('forbidden', 'Only the staff member asked to swap can approve or reject it.') };
  if (swap.status !== 'pending') return { error: alreadyDecided(swap) };
  return { status };
}

/** The 409 for a press on a decided swap: what, by whom, when. */
export function alreadyDecided(swap: SwapFacts): AppError {
  return new AppError('conflict', `This swap was already ${swap.status}${swap.decidedBy ? ` by ${swap.decidedBy}` : ''}${swap.decidedAt ? ` at ${swap.decidedAt}` : ''}; a decision cannot be changed.`, {
    status: swap.status,
    decidedBy: swap.decidedBy,
    decidedAt: swap.decidedAt,
  });
}

// ---------------------------------------------------------------------------------------------
// Emergency calls

export type CallStatus = 'open' | 'escalated' | 'filled' | 'cancelled' | 'expired';
/** The statuses of a call that is over: no accepts, declines, steps or repeats any more. */
export type ClosedStatus = 'filled' | 'cancelled' | 'expired';

export const ACCEPT_ACTION: Action = { id: 'accept', label: 'Accept now', style: 'primary' };
export const DECLINE_ACTION: Action = { id: 'decline', label: 'Can\'t come', style: 'secondary' };
/** The buttons of an open call's notifications (and of its pushes, on the lock screen). */
export const CALL_ACTIONS: Action[] = [ACCEPT_ACTION, DECLINE_ACTION];

/** Whether a call still takes accepts. */
export const isAccepting = (s: CallStatus): boolean => s === 'open' || s === 'escalated';

/** The status after one more accept (the count includes it). */
export function statusAfterAccept(accepted: number, needed: number, before: CallStatus): CallStatus {
  return accepted >= needed ? 'filled' : before;
}

type Progress = { status: CallStatus; accepted: number; needed: number };

/** Why a closed call takes no more answers (accept or decline alike). */
function refuseClosed(call: Progress): AppError {
  const progress = { status: call.status, accepted: call.accepted, needed: call.needed };
  if (call.status === 'cancelled') return new AppError('conflict', 'This call was cancelled; nobody else is needed.', progress);
  if (call.status === 'expired') return new AppError('conflict', 'This call has expired; it takes no more answers.', progress);
  return new AppError('conflict', `This call is already filled (${call.accepted} of ${call.needed}); thank you, nobody else is needed.`, progress);
}

/**
 * Why an accept was refused, once the conditional update found nothing to change: the caller's
 * own earlier answer first (the most useful thing to tell them), then the call's state.
 */
export function refuseAccept(call: Progress, alreadyAccepted: boolean, alreadyDeclined = false): AppError {
  const progress = { status: call.status, accepted: call.accepted, needed: call.needed };
  if (alreadyAccepted) return new AppError('conflict', 'You have already accepted this call.', progress);
  if (alreadyDeclined) return new AppError('conflict', 'You declined this call ("Can\'t come"); an answer cannot be changed. Call the ward if you can come after all.', { ...progress, answer: 'declined' });
  return refuseClosed(call);
}

/** Why a decline was refused: the caller's own earlier answer first, then the call's state. */
export function refuseDecline(call: Progress, answered: 'accepted' | 'declined' | null): AppError {
  const progress = { status: call.status, accepted: call.accepted, needed: call.needed };
  if (answered === 'declined') return new AppError('conflict', 'You have already declined this call.', { ...progress, answer: 'declined' });
  if (answered === 'accepted') return new AppError('conflict', 'You accepted this call; an answer cannot be changed. Tell the ward if you cannot come after all.', { ...progress, answer: 'accepted' });
  return refuseClosed(call);
}

/**
 * Whether a decline leaves nobody to wait for: every recipient reached so far has declined (the
 * count includes this decline), so the next step need not wait for its time.
 */
export function everyoneDeclined(declined: number, reached: number): boolean {
  return reached > 0 && declined >= reached;
}

/**
 * The actions a closed call's notifications carry: the `accept` button relabelled (not
 * pressable-looking), "Can't come" dropped. A push's buttons cannot be withdrawn from a phone; a
 * late press of either still reaches the workflow (it owns the notification) and gets its 409.
 */
export function closedActions(status: ClosedStatus): Action[] {
  return [{ id: 'accept', label: status === 'filled' ? 'Filled' : status === 'cancelled' ? 'Cancelled' : 'Expired', style: 'secondary' }];
}

/** The body a closed call's notifications show. */
export function closedBody(call: { status: ClosedStatus; accepted: number; needed: number; message: string }): string {
  const head =
    call.status === 'filled'
      ? `Filled: ${call.accepted} of ${call.needed} accepted. Thank you, nobody else is needed.`
      : call.status === 'cancelled'
        ? 'Cancelled: nobody else is needed.'
        : `Expired: this call is over (${call.accepted} of ${call.needed} accepted).`;
  return call.message ? `${head}\n${call.message}` : head;
}

/** The body of an open call: how many are still needed, then the caller's message. */
export function callBody(needed: number, accepted: number, message: string): string {
  const head = `${needed - accepted} of ${needed} ${needed === 1 ? 'person' : 'people'} needed now.`;
  return message ? `${head}\n${message}` : head;
}

/**
 * Who an escalation reaches: the wider audience minus everyone the call already reached, so
 * nobody gets the same call twice.
 */
export function escalationRecipients(alreadyReached: readonly string[], wider: readonly string[]): string[] {
  const reached = new Set(alreadyReached);
  return [...new Set(wider)].filter((u) => !reached.has(u)).sort();
}

// ---------------------------------------------------------------------------------------------
// Scheduling

/** How far ahead a job may be scheduled. */
export const MAX_AHEAD_MS = 366 * 24 * 3600_000;

/**
 * When a shift reminder runs: `remindAt` if given, else `minutesBefore` the shift. Refused when it
 * is not in the future, not before the shift, or more than a year ahead.
 */
export function planReminder(p: { now: number; shiftStartsAt: number; minutesBefore: number; remindAt?: number | undefined }): number | AppError {
  const runAt = p.remindAt ?? p.shiftStartsAt - p.minutesBefore * 60_000;
  const how = p.remindAt === undefined ? `shiftStartsAt minus ${p.minutesBefore} minutes` : 'remindAt';
  if (runAt >= p.shiftStartsAt) return new AppError('validation_failed', `The reminder time (${how}) must be before the shift starts.`);
  return checkRunAt(runAt, p.now, how);
}

/** A time for a job: in the future and within a year. */
export function checkRunAt(runAt: number, now: number, what: string): number | AppError {
  if (!Number.isFinite(runAt)) return new AppError('validation_failed', `${what} is not a valid time.`);
  if (runAt <= now) {
    return new AppError('validation_failed', `${what} (${new Date(runAt).toISOString()}) is in the past; choose a later time, or send the notification now.`, { runAt: new Date(runAt).toISOString(), now: new Date(now).toISOString() });
  }
  if (runAt - now > MAX_AHEAD_MS) return new AppError('validation_failed', `${what} is more than 366 days ahead; schedule it later.`);
  return runAt;
}

/**
 * Delay before retry `attempts` + 1 of a failed job: exponential from `baseMs`, capped at `maxMs`.
 * No jitter needed: jobs are independent rows and a retry is one row update.
 */
export function retryDelayMs(attempts: number, baseMs = 1000, maxMs = 300_000): number {
  return backoffDelay(Math.max(0, attempts - 1), { baseDelayMs: baseMs, maxDelayMs: maxMs, maxAttempts: Infinity, jitter: 'none' }) ?? maxMs;
}

/**
 * Whether a failure is worth retrying. A 4xx AppError (unknown recipients, a conflict) will fail
 * the same way again; anything else (a 5xx, a database error, a crash) may pass next time.
 */
export function isPermanent(err: unknown): boolean {
  return err instanceof AppError && err.status < 500;
}
