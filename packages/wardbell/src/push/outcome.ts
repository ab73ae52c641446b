/**
 * What a push service's answer means for one delivery (RFC 8030 Sections 5 and 8, RFC 8292
 * Section 2): outcomes are data, decided by pure functions, so the worker only carries them out.
 */
import { backoffDelay, parseRetryAfter } from '@wardbell/client';

/** The closed set of results of one attempt, as counted in `/metrics`. */
export type AttemptResult =
  | 'delivered' // 2xx: the push service accepted the message (RFC 8030 Section 5: 201 Created)
  | 'gone' // 404/410: the subscription no longer exists (RFC 8030 Section 7.3); prune it
  | 'rate_limited' // 429: retry after Retry-After (RFC 6585 Section 4)
  | 'server_error' // 5xx: transient, retry with backoff
  | 'network_error' // connect/TLS/timeout: transient, retry with backoff
  | 'too_large' // 413: the payload exceeds what this push service accepts (RFC 8030 Section 7.2); permanent
  | 'rejected' // any other 4xx or a 3xx (redirects are not followed); permanent
  | 'forbidden_address' // the endpoint resolved to a loopback/private/link-local address; permanent
  | 'invalid'; // the request could not be built (bad keys, endpoint no longer allowed); permanent

export type Outcome =
  | { kind: 'done'; result: 'delivered' }
  | { kind: 'prune'; result: 'gone' }
  | { kind: 'retry'; result: 'rate_limited' | 'server_error' | 'network_error'; at: number }
  | { kind: 'fail'; result: 'too_large' | 'rejected' | 'forbidden_address' | 'invalid' | 'rate_limited' | 'server_error' | 'network_error'; reason: string };

export interface RetryPolicy {
  /** First backoff step. Default 1000 ms. */
  baseMs: number;
  /** Longest backoff step and longest honoured Retry-After. Default 300000 ms (5 min) and 3600000 ms (1 h). */
  capMs: number;
  maxRetryAfterMs: number;
  /** Attempts before a delivery fails for good. Default 8. */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1000, capMs: 300_000, maxRetryAfterMs: 3_600_000, maxAttempts: 8 };

/**
 * Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^(attempt-1))], so many
 * deliveries failing together do not come back together.
 */
function retryDelay(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>, random: () => number): number {
  return backoffDelay(Math.max(0, attempt - 1), { baseDelayMs: policy.baseMs, maxDelayMs: policy.capMs, maxAttempts: Infinity, jitter: 'full', random }) ?? policy.capMs;
}

export interface ClassifyInput {
  /** HTTP status, or null when no response came (network error). */
  status: number | null;
  retryAfter?: string | undefined;
  /** The attempt that just ended, counting from 1. */
  attempt: number;
  now: number;
  /** Short text for the record (response body excerpt or error message). */
  detail?: string | undefined;
}

/** Decides what to do after one attempt. Pure given `random`. */
export function classify(input: ClassifyInput, policy: RetryPolicy = DEFAULT_RETRY_POLICY, random: () => number = Math.random): Outcome {
  const { status, attempt, now } = input;
  const detail = input.detail ? `: ${input.detail.slice(0, 200)}` : '';
  if (status !== null && status >= 200 && status < 300) return { kind: 'done', result: 'delivered' };
  if (status === 404 || status === 410) return { kind: 'prune', result: 'gone' };
  if (status === 413) return { kind: 'fail', result: 'too_large', reason: `413 payload too large${detail}` };

  let result: 'rate_limited' | 'server_error' | 'network_error';
  let delay: number;
  if (status === 429) {
    result = 'rate_limited';
    const asked = parseRetryAfter(input.retryAfter, now);
    // Honour the push service's wish, within reason; without one, back off as for 5xx.
    delay = asked === null ? retryDelay(attempt, policy, random) : Math.min(asked, policy.maxRetryAfterMs);
  } else if (status === null || status >= 500) {
    result = status === null ? 'network_error' : 'server_error';
    const asked = status === 503 ? parseRetryAfter(input.retryAfter, now) : null;
    delay = asked === null ? retryDelay(attempt, policy, random) : Math.min(asked, policy.maxRetryAfterMs);
  } else {
    // 400 (bad request), 401/403 (VAPID refused: RFC 8292 Section 2), other 4xx, and 3xx
    // (redirects are never followed): sending the same thing again cannot help.
    return { kind: 'fail', result: 'rejected', reason: `${status} from the push service${detail}` };
  }
  if (attempt >= policy.maxAttempts) {
    return { kind: 'fail', result, reason: `gave up after ${attempt} attempts; last ${status ?? 'network error'}${detail}` };
  }
  return { kind: 'retry', result, at: now + delay };
}
