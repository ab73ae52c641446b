import { describe, expect, it } from 'vitest';
import { backoffDelay, RECONNECT_DEFAULTS } from '../../packages/client/src/backoff.js';
import { classifyResponse, encodeHeaderValueUtf8, mimeEssence, parseRetryAfter } from '../../packages/client/src/http.js';

describe('backoffDelay', () => {
  it('doubles from 3000 ms and caps at 60000 ms without jitter', () => {
    const delays = Array.from({ length: 10 }, (_, n) => backoffDelay(n, { jitter: 'none' }));
    expect(delays).toEqual([3000, 6000, 12000, 24000, 48000, 60000, 60000, 60000, 60000, 60000]);
  });

  it('gives up (null) at the tenth attempt by default', () => {
    expect(RECONNECT_DEFAULTS.maxAttempts).toBe(10);
    expect(backoffDelay(9)).not.toBeNull();
    expect(backoffDelay(10)).toBeNull();
  });

  it('keeps equal jitter between half the delay and the whole delay', () => {
    expect(backoffDelay(1, { random: () => 0 })).toBe(3000);
    expect(backoffDelay(1, { random: () => 0.5 })).toBe(4500);
    expect(backoffDelay(1, { random: () => 0.999999 })).toBe(5999);
  });

  it('spreads full jitter from zero to the whole delay', () => {
    expect(backoffDelay(2, { jitter: 'full', random: () => 0 })).toBe(0);
    expect(backoffDelay(2, { jitter: 'full', random: () => 0.25 })).toBe(3000);
  });

  it('uses every option: base, cap and attempts', () => {
    const opts = { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 4, jitter: 'none' } as const;
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, opts))).toEqual([10, 20, 40, 50, null]);
  });

  it('never returns less than Retry-After', () => {
    expect(backoffDelay(0, { jitter: 'none', retryAfterMs: 120_000 })).toBe(120_000);
    expect(backoffDelay(5, { jitter: 'none', retryAfterMs: 1000 })).toBe(60_000);
  });

  it('stays finite and clamped for huge attempts and huge delays', () => {
    const forever = { maxAttempts: Infinity, jitter: 'none' } as const;
    expect(backoffDelay(5000, forever)).toBe(60_000);
    expect(backoffDelay(5000, { ...forever, baseDelayMs: 0 })).toBe(0);
    expect(backoffDelay(0, { jitter: 'none', retryAfterMs: 1e15 })).toBe(2_147_483_647);
  });
});

describe('response classification', () => {
  it.each([
    [200, 'text/event-stream', 'open'],
    [200, 'text/event-stream; charset=utf-8', 'open'],
    [200, 'Text/Event-Stream;', 'open'],
    [200, 'text/event-stream;charset=windows-1252', 'open'],
    [204, null, 'stop'],
    [200, 'text/plain', 'fail'],
    [200, null, 'fail'],
    [201, 'text/event-stream', 'fail'],
    [205, 'text/event-stream', 'fail'],
    [301, 'text/event-stream', 'fail'],
    [400, 'text/event-stream', 'fail'],
    [401, 'application/json', 'fail'],
    [403, 'application/json', 'fail'],
    [404, 'text/html', 'fail'],
    [410, 'text/event-stream', 'fail'],
    [408, null, 'retry'],
    [429, null, 'retry'],
    [500, null, 'retry'],
    [502, null, 'retry'],
    [503, null, 'retry'],
    [504, null, 'retry'],
  ] as const)('status %i with content type %s → %s', (status, type, kind) => {
    expect(classifyResponse(status, type).kind).toBe(kind);
  });

  it('reads Retry-After seconds on 429 and 503 only', () => {
    expect(classifyResponse(429, null, '7')).toMatchObject({ kind: 'retry', retryAfterMs: 7000 });
    expect(classifyResponse(503, null, ' 2 ')).toMatchObject({ kind: 'retry', retryAfterMs: 2000 });
    expect(classifyResponse(500, null, '7')).toMatchObject({ kind: 'retry', retryAfterMs: null });
  });

  it('ignores a Retry-After that is not delta-seconds', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBeNull();
    expect(parseRetryAfter('-1')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });

  it('takes the MIME essence without parameters', () => {
    expect(mimeEssence(' TEXT/event-stream ; x=y')).toBe('text/event-stream');
    expect(mimeEssence('nonsense')).toBeNull();
  });

  it('spells a non-ASCII Last-Event-ID as its UTF-8 bytes', () => {
    expect(encodeHeaderValueUtf8('k3x9a0b1c2-000000000042')).toBe('k3x9a0b1c2-000000000042');
    expect(encodeHeaderValueUtf8('…')).toBe('\xe2\x80\xa6');
  });
});
