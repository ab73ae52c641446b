/** Time and timers, injected so heartbeats, backoff and schedules are testable without sleeping. */
export interface Clock {
  now(): number;
  setInterval(fn: () => void, ms: number): { unref?(): unknown } | number;
  clearInterval(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};
