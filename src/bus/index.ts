import type { StoredEvent } from '../events/index.js';

/** Cross-process fan-out of logged events (port). Every process's hub subscribes. */
export interface Bus {
  publish(event: StoredEvent): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(handler: (event: StoredEvent) => void): () => void;
  close(): Promise<void>;
}

/** The embedded default: one process, so fan-out is a function call. */
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

export { createRedisBus, type RedisBusOptions } from './redis-bus.js';
