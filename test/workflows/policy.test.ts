import { describe, expect, it } from 'vitest';
import {
  closedActions,
  closedBody,
  everyoneDeclined,
  EscalationPolicySchema,
  freezePolicy,
  lastWave,
  nextWaveAt,
  refuseAccept,
  refuseDecline,
  repeatAt,
  shorthandPolicy,
  stepOfWave,
  toRecipients,
  type FrozenPolicy,
} from '../../packages/wardbell/src/workflows/index.js';

const T = Date.UTC(2026, 10, 26, 6, 0, 0);
const s = (n: number) => n * 1000;

const three: FrozenPolicy = freezePolicy(
  {
    steps: [
      { afterSeconds: 60, to: { ward: '5' } },
      { afterSeconds: 120, to: { role: 'nurse' } },
      { afterSeconds: 300, to: { users: ['lee'] } },
    ],
    repeatEverySeconds: 30,
    maxRepeats: 3,
    loops: 1,
  },
  'night-shift',
);

describe('escalation policies: the frozen form', () => {
  it('normalises every way of naming a step\'s audience to Recipients', () => {
    expect(toRecipients({ ward: '3' })).toEqual({ topic: 'ward:3' });
    expect(toRecipients('ward:3')).toEqual({ topic: 'ward:3' });
    expect(toRecipients({ role: 'nurse' })).toEqual({ topic: 'role:nurse' });
    expect(toRecipients({ topic: 'role:nurse' })).toEqual({ topic: 'role:nurse' });
    expect(toRecipients({ users: ['a', 'b'] })).toEqual({ users: ['a', 'b'] });
    expect(toRecipients({ tenant: true })).toEqual({ tenant: true });
  });

  it('keeps the name, steps and repeats; a call\'s own repeat and expiry fields win', () => {
    expect(three).toEqual({
      name: 'night-shift',
      steps: [
        { afterSeconds: 60, to: { topic: 'ward:5' } },
        { afterSeconds: 120, to: { topic: 'role:nurse' } },
        { afterSeconds: 300, to: { users: ['lee'] } },
      ],
      repeatEverySeconds: 30,
      maxRepeats: 3,
      loops: 1,
      expiresAfterSeconds: null,
    });
    expect(freezePolicy({ steps: [], repeatEverySeconds: 30 }, null, { repeatEverySeconds: 60, expiresAfterSeconds: 600 })).toMatchObject({ repeatEverySeconds: 60, maxRepeats: 3, expiresAfterSeconds: 600 });
    expect(freezePolicy({ steps: [] }, null)).toMatchObject({ repeatEverySeconds: null, maxRepeats: 0 });
  });

  it('reads escalateAfterSeconds/escalateTo as one step, and escalateTo null as none', () => {
    expect(shorthandPolicy(600, { topic: 'role:nurse' })).toEqual({ name: null, steps: [{ afterSeconds: 600, to: { topic: 'role:nurse' } }], repeatEverySeconds: null, maxRepeats: 0, loops: 0, expiresAfterSeconds: null });
    expect(shorthandPolicy(600, null).steps).toEqual([]);
  });
});

describe('escalation policies: waves and repeats', () => {
  it('runs the steps, then the steps again per loop', () => {
    expect(lastWave(three)).toBe(6);
    expect([1, 2, 3, 4, 5, 6].map((w) => stepOfWave(three, w)).map((x) => [x?.index, x?.loop])).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    expect(stepOfWave(three, 0)).toBeNull();
    expect(stepOfWave(three, 7)).toBeNull();
    expect(stepOfWave(shorthandPolicy(60, null), 1)).toBeNull();
  });

  it('starts each wave its step\'s afterSeconds after the previous wave began', () => {
    expect(nextWaveAt(three, 0, T)).toBe(T + s(60));
    expect(nextWaveAt(three, 1, T)).toBe(T + s(120));
    expect(nextWaveAt(three, 3, T)).toBe(T + s(60)); // loop 1 starts again with step 1
    expect(nextWaveAt(three, 6, T)).toBeNull();
  });

  it('repeats every repeatEverySeconds, at most maxRepeats times, and never at or after the next wave', () => {
    // Wave 0: the first step comes 60 s after the call, so only the repeat at 30 s fits.
    expect([1, 2, 3].map((n) => repeatAt(three, 0, T, n))).toEqual([T + s(30), null, null]);
    // Wave 1: 120 s until step 2: repeats at 30, 60, 90 s (maxRepeats 3).
    expect([1, 2, 3, 4].map((n) => repeatAt(three, 1, T, n))).toEqual([T + s(30), T + s(60), T + s(90), null]);
    // The last wave: nothing after it, maxRepeats still holds.
    expect([1, 3, 4].map((n) => repeatAt(three, 6, T, n))).toEqual([T + s(30), T + s(90), null]);
    expect(repeatAt(shorthandPolicy(600, null), 0, T, 1)).toBeNull();
  });
});

describe('escalation policies: what a request may say', () => {
  const ok = (body: unknown) => EscalationPolicySchema.safeParse(body).success;
  it('takes steps, repeats and loops within limits', () => {
    expect(ok({ steps: [{ afterSeconds: 60, to: { ward: '5' } }], repeatEverySeconds: 30, maxRepeats: 10, loops: 5, expiresAfterSeconds: 3600 })).toBe(true);
    expect(ok({ steps: [] })).toBe(true);
  });
  it.each([
    ['negative seconds', { steps: [{ afterSeconds: -5, to: { ward: '5' } }] }],
    ['zero seconds', { steps: [{ afterSeconds: 0, to: { ward: '5' } }] }],
    ['fractional seconds', { steps: [{ afterSeconds: 1.5, to: { ward: '5' } }] }],
    ['more than a day between steps', { steps: [{ afterSeconds: 86_401, to: { ward: '5' } }] }],
    ['eleven steps', { steps: Array.from({ length: 11 }, () => ({ afterSeconds: 60, to: { ward: '5' } })) }],
    ['an unknown field', { steps: [], escalateEvery: 5 }],
    ['an unknown field in a step', { steps: [{ afterSeconds: 60, to: { ward: '5' }, then: 'x' }] }],
    ['an audience that is none', { steps: [{ afterSeconds: 60, to: { everyone: true } }] }],
    ['a nested audience', { steps: [{ afterSeconds: 60, to: { users: [['n1']] } }] }],
    ['repeats faster than 30 s', { steps: [], repeatEverySeconds: 10 }],
    ['eleven repeats', { steps: [], repeatEverySeconds: 30, maxRepeats: 11 }],
    ['maxRepeats alone', { steps: [], maxRepeats: 2 }],
    ['loops without steps', { steps: [], loops: 1 }],
    ['six loops', { steps: [{ afterSeconds: 60, to: { ward: '5' } }], loops: 6 }],
    ['no steps field', {}],
  ])('refuses %s', (_name, body) => {
    expect(ok(body)).toBe(false);
  });
});

describe('answers to a call', () => {
  const open = { status: 'open' as const, accepted: 1, needed: 2 };
  it('refuses a decline after an accept, a second decline, and a decline of a closed call, each with its own words', () => {
    expect(refuseDecline(open, 'accepted').message).toMatch(/You accepted this call/);
    expect(refuseDecline(open, 'declined').message).toBe('You have already declined this call.');
    expect(refuseDecline({ ...open, status: 'filled' }, null).message).toMatch(/already filled/);
    expect(refuseDecline({ ...open, status: 'expired' }, null).message).toMatch(/expired/);
    expect(refuseDecline(open, 'accepted')).toMatchObject({ code: 'conflict', status: 409, details: { answer: 'accepted' } });
  });
  it('refuses an accept after a decline', () => {
    expect(refuseAccept(open, false, true)).toMatchObject({ code: 'conflict', details: { answer: 'declined' } });
    expect(refuseAccept(open, false, true).message).toMatch(/You declined this call/);
  });
  it('calls it everyone declined only when every reached recipient declined', () => {
    expect(everyoneDeclined(3, 3)).toBe(true);
    expect(everyoneDeclined(2, 3)).toBe(false);
    expect(everyoneDeclined(0, 0)).toBe(false);
  });
  it('shows an expired call as such', () => {
    expect(closedActions('expired')).toEqual([{ id: 'accept', label: 'Expired', style: 'secondary' }]);
    expect(closedBody({ status: 'expired', accepted: 1, needed: 2, message: '' })).toBe('Expired: this call is over (1 of 2 accepted).');
  });
});
