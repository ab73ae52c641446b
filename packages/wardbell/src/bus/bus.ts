import type { StoredEvent } from '../events/index.js';

/** Told of each event of the tenants this process follows (and, in one process, of every event). */
export type BusHandler = (event: StoredEvent) => void;

/** Cross-process fan-out of logged events (port). Every process's hub subscribes. */
export interface Bus {
  publish(event: StoredEvent): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(handler: BusHandler): () => void;
  /**
   * This process holds (or is about to hold) a stream of the tenant: from when this resolves, every
   * event appended to the tenant's log reaches the handlers. Call it before reading the log for a
   * replay, so nothing falls between the two. Counted: one `unfollow` per `follow` that resolved.
   */
  follow(tenantId: string): Promise<void>;
  unfollow(tenantId: string): void;
  /**
   * Told when reading resumed after the connection failed, with a test for the tenants concerned:
   * what was read before may have been lost by the server (a failover), so their followers check.
   */
  onResumed(handler: (concerns: (tenantId: string) => boolean) => void): () => void;
  close(): Promise<void>;
}
