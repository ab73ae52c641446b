import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../packages/client/src/index.js';
import { classify, DEFAULT_RETRY_POLICY } from '../../packages/wardbell/src/push/outcome.js';

const NOW = Date.UTC(2026, 0, 15, 8, 0, 0);
const half = () => 0.5;

describe('what a push service answer means', () => {
  it.each([
    [201, 'done', 'delivered'],
    [200, 'done', 'delivered'],
    [202, 'done', 'delivered'],
    [404, 'prune', 'gone'],
    [410, 'prune', 'gone'],
    [413, 'fail', 'too_large'],
    [400, 'fail', 'rejected'],
    [401, 'fail', 'rejected'],
    [403, 'fail', 'rejected'],
    [301, 'fail', 'rejected'],
    [302, 'fail', 'rejected'],
    [429, 'retry', 'rate_limited'],
    [500, 'retry', 'server_error'],
    [502, 'retry', 'server_error'],
    [503, 'retry', 'server_error'],
    [null, 'retry', 'network_error'],
  ] as const)('%s -> %s (%s)', (status, kind, result) => {
    const o = classify({ status, attempt: 1, now: NOW }, DEFAULT_RETRY_POLICY, half);
    expect(o.kind).toBe(kind);
    expect(o.result).toBe(result);
  });

  it('honours Retry-After in seconds on 429', () => {
    expect(classify({ status: 429, retryAfter: '7', attempt: 1, now: NOW })).toEqual({ kind: 'retry', result: 'rate_limited', at: NOW + 7000 });
  });

  it('honours Retry-After as an HTTP-date on 429', () => {
    const at = new Date(NOW + 90_000).toUTCString();
    expect(classify({ status: 429, retryAfter: at, attempt: 1, now: NOW })).toEqual({ kind: 'retry', result: 'rate_limited', at: NOW + 90_000 });
  });

  it('caps a Retry-After of a day at one hour', () => {
    expect(classify({ status: 429, retryAfter: '86400', attempt: 1, now: NOW })).toMatchObject({ at: NOW + 3600_000 });
  });

  it('backs off on 429 without a usable Retry-After', () => {
    expect(classify({ status: 429, retryAfter: 'soon', attempt: 3, now: NOW }, DEFAULT_RETRY_POLICY, half)).toEqual({ kind: 'retry', result: 'rate_limited', at: NOW + 2000 });
  });

  it('honours Retry-After on 503 and backs off on other 5xx', () => {
    expect(classify({ status: 503, retryAfter: '3', attempt: 1, now: NOW })).toMatchObject({ at: NOW + 3000 });
    expect(classify({ status: 500, retryAfter: '3', attempt: 2, now: NOW }, DEFAULT_RETRY_POLICY, half)).toMatchObject({ at: NOW + 1000 });
  });

  it('gives up on 5xx, 429 and network errors after the last attempt, with the reason recorded', () => {
    for (const status of [500, 429, null]) {
      const o = classify({ status, attempt: DEFAULT_RETRY_POLICY.maxAttempts, now: NOW, detail: 'upstream sad' });
      expect(o.kind).toBe('fail');
      expect(o.kind === 'fail' && o.reason).toMatch(/gave up after 8 attempts.*upstream sad/);
    }
  });

  it('records the status and the body excerpt of a permanent failure', () => {
    expect(classify({ status: 400, attempt: 1, now: NOW, detail: 'UnauthorizedRegistration' })).toEqual({ kind: 'fail', result: 'rejected', reason: '400 from the push service: UnauthorizedRegistration' });
  });
});

describe('Retry-After parsing (RFC 9110 Section 10.2.3)', () => {
  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5000],
    [new Date(NOW + 30_000).toUTCString(), 30_000],
    [new Date(NOW - 30_000).toUTCString(), 0],
    ['-1', null],
    ['1.5', null],
    ['', null],
    ['tomorrow', null],
    [undefined, null],
  ])('%j -> %j ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('full-jitter backoff of a 5xx', () => {
  const p = { ...DEFAULT_RETRY_POLICY, baseMs: 1000, capMs: 300_000, maxAttempts: 100 };
  const delay = (attempt: number, random: () => number) => {
    const o = classify({ status: 500, attempt, now: NOW }, p, random);
    if (o.kind !== 'retry') throw new Error(`expected a retry, got ${o.kind}`);
    return o.at - NOW;
  };

  it('doubles the ceiling per attempt from the base, up to the cap', () => {
    expect([1, 2, 3, 4, 10, 30].map((a) => delay(a, () => 0.999999))).toEqual([999, 1999, 3999, 7999, 299_999, 299_999]);
  });

  it('spreads retries over the whole window', () => {
    expect(delay(5, () => 0)).toBe(0);
    expect(delay(5, () => 0.5)).toBe(8000);
  });
});
