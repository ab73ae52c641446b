import type { StoredEvent } from '../events/index.js';

/** Cross-process fan-out of logged events (port). Every process's hub subscribes. */
export interface Bus {
  publish(event: StoredEvent): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(handler: (event: StoredEvent) => void): () => void;
  close(): Promise<void>;
}
