import type { Clock } from '../../src/shared/clock.js';

/** A clock that moves only when told to; intervals fire on advance. */
export class FakeClock implements Clock {
  private t: number;
  private timers = new Map<number, { fn: () => void; every: number; next: number }>();
  private seq = 1;
  constructor(start = Date.UTC(2026, 10, 26, 6, 0, 0)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  setInterval(fn: () => void, ms: number): number {
    const id = this.seq++;
    this.timers.set(id, { fn, every: ms, next: this.t + ms });
    return id;
  }
  clearInterval(h: unknown): void {
    this.timers.delete(h as number);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let due: { fn: () => void; every: number; next: number } | undefined;
      for (const tm of this.timers.values()) if (tm.next <= end && (!due || tm.next < due.next)) due = tm;
      if (!due) break;
      this.t = due.next;
      due.next += due.every;
      due.fn();
    }
    this.t = end;
  }
}
