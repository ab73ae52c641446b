import { z } from 'zod';
import { TOPIC_PATTERN } from '../auth/index.js';
import { idString, RecipientsSchema, type Recipients } from '../notifications/index.js';

/**
 * Escalation policies of emergency calls, pure: the request shape, its frozen form (stored with
 * each call), and the plan of a call's waves and repeats. A call runs in **waves**: wave 0 is the
 * call itself; the steps are waves 1..n; with `loops` the steps run again, so wave n+1 is step 1
 * of loop 1, and so on up to `n × (loops + 1)`. Each wave starts `afterSeconds` (its step's) after
 * the previous wave started (or at once, when everyone reached so far has declined). A step adds
 * the staff its `to` names who were not reached yet; a step of a loop (loop ≥ 1) also re-notifies
 * everyone reached so far who has neither answered nor read the call. After each wave, with
 * `repeatEverySeconds`, the reached staff who have neither answered nor read get the call again
 * every `repeatEverySeconds`, never at or after the next wave's time (the next wave schedules its
 * own), and each person at most `maxRepeats` times over the whole call, whichever wave reached
 * them (a loop's re-notification is the policy running again and is not counted). Everything stops
 * when the call closes.
 */

export const POLICY_LIMITS = {
  maxSteps: 10,
  maxAfterSeconds: 86_400,
  minRepeatEverySeconds: 30,
  maxRepeatEverySeconds: 3_600,
  maxRepeats: 10,
  maxLoops: 5,
  minExpiresAfterSeconds: 60,
  maxExpiresAfterSeconds: 7 * 86_400,
} as const;

/** Default `maxRepeats` when only `repeatEverySeconds` is given. */
export const DEFAULT_MAX_REPEATS = 3;

/** A policy's name: lowercase letters, digits, `-` and `_`, 1 to 64 characters. */
export const POLICY_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const PolicyNameSchema = z.string().regex(POLICY_NAME, 'must be 1 to 64 lowercase letters, digits, - or _, e.g. night-shift').meta({ example: 'night-shift' });

const L = POLICY_LIMITS;

/** Who a step reaches: a ward, a role, named staff, a topic or the tenant (the notifications' Recipients, plus two short forms). */
export const StepTargetSchema = z
  .union([
    RecipientsSchema,
    z.object({ ward: idString }).strict(),
    z.object({ role: idString }).strict(),
    z.string().regex(TOPIC_PATTERN, 'must be ward:<id>, role:<name> or user:<id>'),
  ])
  .meta({ description: 'A ward (`{ward: "3"}`, `{topic: "ward:3"}` or `"ward:3"`), a role (`{role: "nurse"}`), named staff (`{users: [...]}`) or the tenant (`{tenant: true}`).', example: { ward: '5' } });
export type StepTarget = z.infer<typeof StepTargetSchema>;

export const repeatFields = {
  repeatEverySeconds: z
    .number()
    .int()
    .min(L.minRepeatEverySeconds)
    .max(L.maxRepeatEverySeconds)
    .optional()
    .meta({ description: `Repeat the call to reached staff who have neither answered nor read it, every this many seconds (${L.minRepeatEverySeconds} to ${L.maxRepeatEverySeconds}).` }),
  maxRepeats: z.number().int().min(1).max(L.maxRepeats).optional().meta({ description: `Each recipient gets at most this many repeats over the whole call, whichever step reached them (1 to ${L.maxRepeats}; default ${DEFAULT_MAX_REPEATS}). Needs repeatEverySeconds.` }),
  expiresAfterSeconds: z
    .number()
    .int()
    .min(L.minExpiresAfterSeconds)
    .max(L.maxExpiresAfterSeconds)
    .optional()
    .meta({ description: 'Seconds after which a call still open closes as expired (no more accepts, steps or repeats). Default: never.' }),
};

export const EscalationStepSchema = z
  .object({
    afterSeconds: z.number().int().min(1).max(L.maxAfterSeconds).meta({ description: 'Seconds after the previous step (the first: after the call was made).' }),
    to: StepTargetSchema,
  })
  .strict()
  .meta({ id: 'EscalationStep' });

export const EscalationPolicySchema = z
  .object({
    steps: z
      .array(EscalationStepSchema)
      .max(L.maxSteps, `at most ${L.maxSteps} steps`)
      .meta({ description: 'In order; each adds the staff it names who were not reached yet.' }),
    ...repeatFields,
    loops: z.number().int().min(0).max(L.maxLoops).default(0).meta({ description: `After the last step, run the steps again this many times (0 to ${L.maxLoops}), each re-notifying the reached staff who have not answered or read the call.` }),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.maxRepeats !== undefined && p.repeatEverySeconds === undefined) ctx.addIssue({ code: 'custom', path: ['maxRepeats'], message: 'needs repeatEverySeconds' });
    if (p.loops > 0 && p.steps.length === 0) ctx.addIssue({ code: 'custom', path: ['loops'], message: 'needs at least one step' });
  })
  .meta({ id: 'EscalationPolicy' });
export type EscalationPolicy = z.infer<typeof EscalationPolicySchema>;
/** A policy as a caller may write it (`loops` optional). */
export type EscalationPolicyInput = z.input<typeof EscalationPolicySchema>;

/** A step as a call keeps it: the audience normalised to Recipients. */
export interface FrozenStep {
  afterSeconds: number;
  to: Recipients;
}

/** The policy a call was made with, complete and fixed (stored with the call as JSON). */
export interface FrozenPolicy {
  /** The named policy it came from, or null (given inline, or the shorthand). */
  name: string | null;
  steps: FrozenStep[];
  repeatEverySeconds: number | null;
  maxRepeats: number;
  loops: number;
  expiresAfterSeconds: number | null;
}

/** A step's audience as Recipients. */
export function toRecipients(t: StepTarget): Recipients {
  if (typeof t === 'string') return { topic: t };
  if ('ward' in t) return { topic: `ward:${t.ward}` };
  if ('role' in t) return { topic: `role:${t.role}` };
  return t;
}

interface Overrides {
  repeatEverySeconds?: number | undefined;
  maxRepeats?: number | undefined;
  expiresAfterSeconds?: number | undefined;
}

/** The frozen form of a policy; `overrides` (a call's own repeat and expiry fields) win. */
export function freezePolicy(p: Pick<EscalationPolicy, 'steps'> & Overrides & { loops?: number | undefined }, name: string | null, overrides: Overrides = {}): FrozenPolicy {
  const every = overrides.repeatEverySeconds ?? p.repeatEverySeconds ?? null;
  return {
    name,
    steps: p.steps.map((s) => ({ afterSeconds: s.afterSeconds, to: toRecipients(s.to) })),
    repeatEverySeconds: every,
    maxRepeats: every === null ? 0 : (overrides.maxRepeats ?? p.maxRepeats ?? DEFAULT_MAX_REPEATS),
    loops: p.loops ?? 0,
    expiresAfterSeconds: overrides.expiresAfterSeconds ?? p.expiresAfterSeconds ?? null,
  };
}

/** Today's `escalateAfterSeconds`/`escalateTo`: one step (none when `to` is null). */
export function shorthandPolicy(afterSeconds: number, to: Recipients | null, overrides: Overrides = {}): FrozenPolicy {
  return freezePolicy({ steps: to ? [{ afterSeconds, to }] : [] }, null, overrides);
}

/** Every user a policy names by id (they must be in the directory). */
export function usersNamed(p: FrozenPolicy): string[] {
  return p.steps.flatMap((s) => ('users' in s.to ? s.to.users : []));
}

/** The last wave of a policy (0: it has no steps). */
export const lastWave = (p: FrozenPolicy): number => p.steps.length * (p.loops + 1);

/** Which step (0-based) of which loop (0: the first pass) a wave runs; null for wave 0 and past the last. */
export function stepOfWave(p: FrozenPolicy, wave: number): { index: number; loop: number; step: FrozenStep } | null {
  if (!Number.isInteger(wave) || wave < 1 || wave > lastWave(p)) return null;
  const index = (wave - 1) % p.steps.length;
  return { index, loop: Math.floor((wave - 1) / p.steps.length), step: p.steps[index] as FrozenStep };
}

/** When the wave after `wave` is due, given when `wave` began; null after the last. */
export function nextWaveAt(p: FrozenPolicy, wave: number, waveAt: number): number | null {
  const next = stepOfWave(p, wave + 1);
  return next ? waveAt + next.step.afterSeconds * 1000 : null;
}

/** When repeat `n` (from 1) of `wave` is due; null when there is none (no repeats, past maxRepeats, or at or after the next wave). Each person's own count is kept by the call (`emergency_repeats`). */
export function repeatAt(p: FrozenPolicy, wave: number, waveAt: number, n: number): number | null {
  if (p.repeatEverySeconds === null || !Number.isInteger(n) || n < 1 || n > p.maxRepeats) return null;
  const at = waveAt + n * p.repeatEverySeconds * 1000;
  const next = nextWaveAt(p, wave, waveAt);
  return next !== null && at >= next ? null : at;
}
