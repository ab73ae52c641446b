import type { Bus, BusHandler } from './bus.js';

/**
 * The embedded default: one process, so fan-out is a function call. Its `publish` does the fan-out,
 * so it is correct with any log in one process (the embedded backbone pairs it with the SQL log;
 * tests with the memory log). Every event reaches every handler, so following is free, and there is
 * no connection to resume.
 */
export function createInProcessBus(): Bus {
  const handlers = new Set<BusHandler>();
  return {
    async publish(e) {
      for (const h of handlers) h(e);
    },
    subscribe(h) {
      handlers.add(h);
      return () => handlers.delete(h);
    },
    async follow() {},
    unfollow() {},
    onResumed: () => () => {},
    async close() {
      handlers.clear();
    },
  };
}
