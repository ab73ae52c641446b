import type { StoredEvent } from '../events/index.js';
import type { Bus } from './bus.js';

/**
 * The embedded default: one process, so fan-out is a function call. Its `publish` does the fan-out,
 * so it is correct with any log in one process (the embedded backbone pairs it with the SQL log;
 * tests with the memory log).
 */
export function createInProcessBus(): Bus {
  const handlers = new Set<(e: StoredEvent) => void>();
  return {
    async publish(e) {
      for (const h of handlers) h(e);
    },
    subscribe(h) {
      handlers.add(h);
      return () => handlers.delete(h);
    },
    async close() {
      handlers.clear();
    },
  };
}
