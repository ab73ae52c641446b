/**
 * The one way tests wait for something: call `fn` again and again (every `interval` ms, default 10)
 * until it passes, or fail after `timeout` ms (default 5000).
 *
 * `fn` passes when it does not throw and returns neither `false`, `null`, `0` nor `''`, so both
 * forms work:
 * - a predicate or a lookup: `eventually(() => got.length === 2)`, `eventually(() => rows.find(...) ?? null)`
 *   (resolves with the value, e.g. the row found);
 * - an assertion: `eventually(() => expect(got).toEqual([1, 2]))` (retried while it throws).
 *
 * A lookup must not answer "not yet" with `undefined` (that is what a passing assertion returns):
 * a function whose result may be `undefined` but is not `void` does not compile; add `?? null`.
 *
 * On timeout it throws the last error `fn` threw (its message prefixed with `message` when given),
 * or an error saying what was not met and the last value.
 */
export interface EventuallyOptions {
  /** Give up after this many ms. Default 5000. */
  timeout?: number;
  /** Wait this many ms between calls. Default 10. */
  interval?: number;
  /** What was waited for, in the error on timeout (a function is asked only then). */
  message?: string | (() => string);
}

type Falsy = false | null | 0 | '' | undefined;
type IsAny<T> = 0 extends 1 & T ? true : false;
/** What a passing call resolved with: `void` for an assertion, else the value without its "not yet" forms. */
export type Passed<T> = IsAny<T> extends true ? any : [T] extends [void] ? void : Exclude<T, Falsy>;
/** The options; for a lookup typed `X | undefined` none fit (its undefined would count as passing). */
type Rest<T> = IsAny<T> extends true
  ? [opts?: EventuallyOptions]
  : [T] extends [void]
    ? [opts?: EventuallyOptions]
    : undefined extends T
      ? [opts: EventuallyOptions, lookupMayBeUndefined_returnNullForNotYet: never]
      : [opts?: EventuallyOptions];

export async function eventually<T>(fn: () => T | Promise<T>, ...rest: Rest<T>): Promise<Passed<T>> {
  const o: EventuallyOptions = rest[0] ?? {};
  const timeout = o.timeout ?? 5000;
  const interval = o.interval ?? 10;
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  let lastValue: unknown;
  let threw = false;
  for (;;) {
    try {
      const v = await fn();
      if (v === undefined || v) return v as Passed<T>;
      threw = false;
      lastValue = v;
    } catch (err) {
      threw = true;
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((r) => setTimeout(r, Math.min(interval, left)));
  }
  const what = typeof o.message === 'function' ? o.message() : o.message;
  if (threw) {
    if (lastError instanceof Error) {
      lastError.message = `${what ?? 'eventually'}: still failing after ${timeout} ms: ${lastError.message}`;
      throw lastError;
    }
    throw new Error(`${what ?? 'eventually'}: still failing after ${timeout} ms: ${String(lastError)}`);
  }
  throw new Error(`${what ?? 'condition'} not met within ${timeout} ms (last value: ${JSON.stringify(lastValue)})`);
}
