import type { Clock } from '../../packages/wardbell/src/shared/index.js';

interface Timer {
  fn: () => void;
  /** Repeat period; 0 for a one-shot timer (setTimeout). */
  every: number;
  next: number;
  seq: number;
}

/** Lets the promises and I/O callbacks that are ready run (a few turns of the event loop). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

/**
 * A clock that moves only when told to; timers fire on advance, in time order (ties in the order
 * they were set). `advance` fires them synchronously; `advanceAsync` lets the work each one started
 * (promises, SQLite queries) settle before the next, as real time would.
 */
export class FakeClock implements Clock {
  private t: number;
  private timers = new Map<number, Timer>();
  private seq = 1;
  constructor(start = Date.UTC(2026, 10, 26, 6, 0, 0)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  setInterval(fn: () => void, ms: number): number {
    const id = this.seq++;
    this.timers.set(id, { fn, every: Math.max(1, ms), next: this.t + ms, seq: id });
    return id;
  }
  clearInterval(h: unknown): void {
    this.timers.delete(h as number);
  }
  setTimeout(fn: () => void, ms: number): number {
    const id = this.seq++;
    this.timers.set(id, { fn, every: 0, next: this.t + Math.max(0, ms), seq: id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.size;
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (let due = this.due(end); due; due = this.due(end)) this.fire(due);
    this.t = end;
  }
  /** Like `advance`, but lets the work each timer started settle before the next fires, and at the end. */
  async advanceAsync(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (let due = this.due(end); due; due = this.due(end)) {
      this.fire(due);
      await settle();
    }
    this.t = end;
    await settle();
  }
  private due(end: number): [number, Timer] | undefined {
    let due: [number, Timer] | undefined;
    for (const entry of this.timers) {
      const tm = entry[1];
      if (tm.next <= end && (!due || tm.next < due[1].next || (tm.next === due[1].next && tm.seq < due[1].seq))) due = entry;
    }
    return due;
  }
  private fire([id, tm]: [number, Timer]): void {
    this.t = Math.max(this.t, tm.next);
    if (tm.every > 0) tm.next += tm.every;
    else this.timers.delete(id);
    tm.fn();
  }
}
