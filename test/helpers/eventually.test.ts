import { describe, expect, expectTypeOf, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';

describe('eventually', () => {
  it('resolves once a predicate becomes true', async () => {
    let calls = 0;
    const started = Date.now();
    setTimeout(() => (calls = 100), 30);
    await eventually(() => ++calls > 100);
    expect(calls).toBeGreaterThan(100);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('resolves with the value a lookup found', async () => {
    const rows: Array<{ id: number }> = [];
    setTimeout(() => rows.push({ id: 7 }), 20);
    const row = await eventually(() => rows.find((r) => r.id === 7) ?? null);
    expectTypeOf(row).toEqualTypeOf<{ id: number }>();
    expect(row).toEqual({ id: 7 });
  });

  it('retries an assertion until it stops throwing, also an async one', async () => {
    const got: number[] = [];
    setTimeout(() => got.push(1, 2), 20);
    await eventually(() => expect(got).toEqual([1, 2]));
    await eventually(async () => {
      await Promise.resolve();
      expect(got).toHaveLength(2);
    });
  });

  it('fails after the timeout with the message and the last value', async () => {
    const started = Date.now();
    await expect(eventually(() => false, { timeout: 100, message: 'the marker to arrive' })).rejects.toThrow(
      'the marker to arrive not met within 100 ms (last value: false)',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('fails after the timeout with the last error an assertion threw', async () => {
    let n = 0;
    const failing = eventually(
      () => {
        n++;
        expect(n).toBe(-1);
      },
      { timeout: 80, interval: 5, message: () => `after ${n} tries` },
    );
    await expect(failing).rejects.toThrow(/^after \d+ tries: still failing after 80 ms: expected \d+ to be -1/);
    expect(n).toBeGreaterThan(2);
  });

  it('does not compile for a lookup that would answer "not yet" with undefined', () => {
    const rows: number[] = [];
    // @ts-expect-error undefined counts as passing (a passing assertion returns it): add `?? null`
    void eventually(() => rows.find((r) => r > 1), { timeout: 1 }).catch(() => {});
  });
});
