import type { EventPosition } from './ids.js';
import type { ReadSince, StreamHead } from './replay.js';
import type { NewEvent, StoredEvent } from './types.js';

/** Retention of the replay log: both limits apply; whichever trims more wins. */
export interface Retention {
  /** Events kept per tenant. */
  maxEvents: number;
  /** Milliseconds an event stays replayable. */
  maxAgeMs: number;
}

/**
 * The durable, per-tenant ordered log of realtime events (port). Appending assigns the id; reading
 * after a position either continues the stream exactly or reports a gap, never a partial replay.
 */
export interface EventLog {
  append(event: NewEvent): Promise<StoredEvent>;
  /** The tenant's current epoch and head offset (creates the stream if it has none). */
  head(tenantId: string): Promise<StreamHead>;
  /** Events after `pos`, up to the head at call time; `limit` bounds how many may be missed. */
  readSince(tenantId: string, pos: EventPosition, limit: number): Promise<ReadSince<StoredEvent>>;
  /**
   * For a log that can lose acknowledged appends (a Redis primary that failed over before its
   * replica had them): whether the event at `offset` of `epoch` is still the one stamped `stamp`
   * ('kept'), is gone or another ('lost'), or was trimmed away so it cannot be told ('unknown').
   * A log that never loses what it acknowledged leaves it out.
   */
  confirm?(tenantId: string, epoch: string, offset: number, stamp: string): Promise<'kept' | 'lost' | 'unknown'>;
  /**
   * Starts a new epoch at the current head if the tenant is still in `epoch` (after `confirm` said
   * 'lost': ids handed out before may now name other events), and returns the head either way.
   */
  startOver?(tenantId: string, epoch: string): Promise<StreamHead>;
  /** Drops events beyond the retention window; returns how many were dropped. */
  trim(): Promise<number>;
  close(): Promise<void>;
}
