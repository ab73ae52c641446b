import { describe, expect, it } from 'vitest';
import { AppError } from '../../packages/wardbell/src/shared/index.js';
import {
  checkRunAt,
  closedActions,
  closedBody,
  decideSwap,
  escalationRecipients,
  isAccepting,
  isPermanent,
  planReminder,
  refuseAccept,
  retryDelayMs,
  statusAfterAccept,
  type SwapFacts,
} from '../../packages/wardbell/src/workflows/index.js';

const pending: SwapFacts = { status: 'pending', targetId: 'kim', decidedBy: null, decidedAt: null };
const approved: SwapFacts = { status: 'approved', targetId: 'kim', decidedBy: 'kim', decidedAt: '2026-11-26T06:00:00.000Z' };

describe('swap decisions', () => {
  it.each([
    ['the target approves a pending swap', pending, 'kim', 'approve', { status: 'approved' }],
    ['the target rejects a pending swap', pending, 'kim', 'reject', { status: 'rejected' }],
  ])('%s', (_name, swap, actor, action, expected) => {
    expect(decideSwap(swap, actor, action)).toEqual(expected);
  });

  it.each([
    ['someone else presses', pending, 'lee', 'approve', 'forbidden'],
    ['the target presses again after deciding', approved, 'kim', 'approve', 'conflict'],
    ['the target presses the other button after deciding', approved, 'kim', 'reject', 'conflict'],
    ['an action a swap does not have', pending, 'kim', 'maybe', 'not_found'],
  ])('refuses when %s', (_name, swap, actor, action, code) => {
    const d = decideSwap(swap, actor, action);
    expect('error' in d && d.error.code).toBe(code);
  });

  it('says what was decided, by whom and when', () => {
    const d = decideSwap(approved, 'kim', 'reject');
    expect('error' in d && d.error.message).toBe('This swap was already approved by kim at 2026-11-26T06:00:00.000Z; a decision cannot be changed.');
  });
});

describe('emergency call accepts', () => {
  it.each([
    ['open', true],
    ['escalated', true],
    ['filled', false],
    ['cancelled', false],
  ] as const)('a call that is %s takes accepts: %s', (status, expected) => {
    expect(isAccepting(status)).toBe(expected);
  });

  it.each([
    [1, 3, 'open', 'open'],
    [3, 3, 'open', 'filled'],
    [2, 2, 'escalated', 'filled'],
    [1, 2, 'escalated', 'escalated'],
  ] as const)('after accept %i of %i a %s call is %s', (accepted, needed, before, after) => {
    expect(statusAfterAccept(accepted, needed, before)).toBe(after);
  });

  it('tells a nurse who already accepted so, before saying the call is full', () => {
    expect(refuseAccept({ status: 'filled', accepted: 2, needed: 2 }, true).message).toBe('You have already accepted this call.');
    expect(refuseAccept({ status: 'filled', accepted: 2, needed: 2 }, false).message).toMatch(/already filled \(2 of 2\)/);
    expect(refuseAccept({ status: 'cancelled', accepted: 0, needed: 2 }, false).message).toMatch(/cancelled/);
    expect(refuseAccept({ status: 'filled', accepted: 2, needed: 2 }, false)).toMatchObject({ code: 'conflict', status: 409 });
  });

  it('keeps the accept id on a closed call so a late press reaches the workflow', () => {
    expect(closedActions('filled')).toEqual([{ id: 'accept', label: 'Filled', style: 'secondary' }]);
    expect(closedBody({ status: 'filled', accepted: 2, needed: 2, message: 'ICU' })).toBe('Filled: 2 of 2 accepted. Thank you, nobody else is needed.\nICU');
  });

  it('escalates only to staff the call has not reached, each once', () => {
    expect(escalationRecipients(['a', 'b'], ['c', 'b', 'a', 'd', 'c'])).toEqual(['c', 'd']);
    expect(escalationRecipients(['a'], ['a'])).toEqual([]);
  });
});

describe('reminder times', () => {
  const now = Date.UTC(2026, 10, 26, 6, 0);
  const shift = now + 2 * 3600_000;

  it('is minutesBefore the shift by default, or remindAt when given', () => {
    expect(planReminder({ now, shiftStartsAt: shift, minutesBefore: 60 })).toBe(shift - 3600_000);
    expect(planReminder({ now, shiftStartsAt: shift, minutesBefore: 60, remindAt: now + 60_000 })).toBe(now + 60_000);
  });

  it.each([
    ['remindAt in the past', { remindAt: now - 1 }, /in the past/],
    ['remindAt exactly now', { remindAt: now }, /in the past/],
    ['minutesBefore lands in the past', { minutesBefore: 180 }, /shiftStartsAt minus 180 minutes .* is in the past/],
    ['remindAt at the shift start', { remindAt: shift }, /before the shift starts/],
    ['remindAt after the shift start', { remindAt: shift + 1 }, /before the shift starts/],
  ])('refuses %s', (_name, p, message) => {
    const r = planReminder({ now, shiftStartsAt: shift, minutesBefore: 60, ...p });
    expect(r).toBeInstanceOf(AppError);
    expect((r as AppError).code).toBe('validation_failed');
    expect((r as AppError).message).toMatch(message);
  });

  it('refuses times more than 366 days ahead and invalid times', () => {
    expect(checkRunAt(now + 367 * 86_400_000, now, 'sendAt')).toBeInstanceOf(AppError);
    expect(checkRunAt(Number.NaN, now, 'sendAt')).toBeInstanceOf(AppError);
    expect(checkRunAt(now + 1, now, 'sendAt')).toBe(now + 1);
  });
});

describe('job retries', () => {
  it('doubles the delay per attempt up to the cap', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 1000, 5000))).toEqual([1000, 2000, 4000, 5000]);
    expect(retryDelayMs(30)).toBe(300_000);
  });

  it('does not retry what will fail the same way again', () => {
    expect(isPermanent(new AppError('unknown_recipients', 'x'))).toBe(true);
    expect(isPermanent(new AppError('unavailable', 'x'))).toBe(false);
    expect(isPermanent(new Error('SQLITE_BUSY'))).toBe(false);
  });
});
