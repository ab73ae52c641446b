/**
 * The reconnect delay, as a pure function (seed section 2: base 3 s, delay * 2^attempt, capped at
 * 60 s, at most 10 attempts, jitter against a thundering herd).
 */

/** How randomness spreads the delay. */
export type JitterStrategy =
  /** Uniform in [0, d): the widest spread, but a retry may come almost at once. */
  | 'full'
  /** Uniform in [d/2, d): keeps at least half the delay. */
  | 'equal'
  /** Exactly d (tests, or a single client that cannot stampede). */
  | 'none';

/** Reconnect options; every field is optional and documents its default. */
export interface ReconnectOptions {
  /**
   * Delay before the first reconnection attempt, in ms. Default 3000. A valid `retry:` field from
   * the server replaces it (WHATWG "reconnection time"), so the server can slow clients down.
   */
  baseDelayMs?: number;
  /** Upper bound of the exponential delay (before jitter), in ms. Default 60000. */
  maxDelayMs?: number;
  /**
   * Consecutive failed reconnection attempts after which the client gives up (state `closed`,
   * error `max_attempts`). Default 10. `Infinity` never gives up.
   */
  maxAttempts?: number;
  /**
   * Default `'equal'`. Why not full jitter: the server sends `retry:` (3000 on connect, a longer
   * one when it shuts down for a deploy) to say "not before about then"; full jitter would turn
   * that into "anywhere from now", so a restarting server would meet reconnects at once. Equal
   * jitter still spreads a whole ward of clients over half the window, which breaks the herd,
   * while keeping every client at least half the asked delay away.
   */
  jitter?: JitterStrategy;
}

/** Input of `backoffDelay` besides the attempt number. */
export interface BackoffOptions extends ReconnectOptions {
  /** Source of randomness in [0, 1). Default `Math.random`; inject a fixed one in tests. */
  random?: () => number;
  /**
   * A floor from the server's `Retry-After` (429/503), in ms. Default none. Applied after jitter,
   * so the client never comes back earlier than the server asked.
   */
  retryAfterMs?: number | null;
}

/** Defaults of `ReconnectOptions`, exported so documentation and tests use the same numbers. */
export const RECONNECT_DEFAULTS = {
  baseDelayMs: 3000,
  maxDelayMs: 60_000,
  maxAttempts: 10,
  jitter: 'equal',
} as const satisfies Required<ReconnectOptions>;

/** setTimeout fires at once for delays above 2^31 - 1 ms, so every delay is clamped to it. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The delay before reconnection attempt number `attempt` (0 for the first retry after a healthy
 * connection was lost, 1 for the next, ...), or `null` when `attempt >= maxAttempts` (give up).
 *
 * `d = min(maxDelayMs, baseDelayMs * 2^attempt)`, then jitter, then the `Retry-After` floor.
 * The result is a whole number of milliseconds.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number | null {
  const base = Math.max(0, options.baseDelayMs ?? RECONNECT_DEFAULTS.baseDelayMs);
  const cap = Math.max(0, options.maxDelayMs ?? RECONNECT_DEFAULTS.maxDelayMs);
  const maxAttempts = options.maxAttempts ?? RECONNECT_DEFAULTS.maxAttempts;
  const jitter = options.jitter ?? RECONNECT_DEFAULTS.jitter;
  const random = options.random ?? Math.random;
  if (!(attempt >= 0) || attempt >= maxAttempts) return null;

  // 2 ** attempt is exact up to 2^1023 and Infinity beyond, which min() then caps (0 * Infinity
  // would be NaN, hence the base check).
  const exponential = base === 0 ? 0 : Math.min(cap, base * 2 ** attempt);
  const r = Math.min(Math.max(random(), 0), 1);
  let delay: number;
  switch (jitter) {
    case 'full':
      delay = exponential * r;
      break;
    case 'equal':
      delay = exponential / 2 + (exponential / 2) * r;
      break;
    case 'none':
      delay = exponential;
      break;
  }
  if (options.retryAfterMs != null) delay = Math.max(delay, options.retryAfterMs);
  return Math.min(Math.floor(delay), MAX_TIMER_MS);
}
