import type { EventPosition } from './ids.js';

/** Why a position cannot be continued. Sent to the client in the `reset` event. */
export type GapReason = 'unknown-id' | 'epoch-mismatch' | 'future-offset' | 'trimmed' | 'expired' | 'replay-limit';

export type ReadSince<E> =
  | { continuity: 'intact'; events: E[] }
  | { continuity: 'gap'; reason: GapReason };

export interface StreamHead {
  epoch: string;
  /** Offset of the newest event ever appended (0 when none). */
  head: number;
}

/**
 * Decides whether a client's position continues the stream, before any rows are read.
 * Returns null when the position is plausible (rows must then be checked with `checkContinuity`).
 */
export function checkPosition(stream: StreamHead, pos: EventPosition): GapReason | null {
  if (pos.epoch !== stream.epoch) return 'epoch-mismatch';
  if (pos.offset > stream.head) return 'future-offset';
  return null;
}

/**
 * Given the rows read after a position (in offset order, at most `limit + 1`), decides continuity:
 * the first row must be exactly the next offset and not expired, and the count must fit the limit.
 * A truncated replay is never sent as if it were complete (a gap is reported instead).
 */
export function checkContinuity<E extends { offset: number; createdAt: number }>(
  stream: StreamHead,
  pos: EventPosition,
  rows: readonly E[],
  opts: { limit: number; notBefore: number },
): ReadSince<E> {
  const missed = stream.head - pos.offset;
  if (missed === 0) return { continuity: 'intact', events: [] };
  const first = rows[0];
  if (!first || first.offset !== pos.offset + 1) return { continuity: 'gap', reason: 'trimmed' };
  if (first.createdAt < opts.notBefore) return { continuity: 'gap', reason: 'expired' };
  if (missed > opts.limit) return { continuity: 'gap', reason: 'replay-limit' };
  return { continuity: 'intact', events: rows.filter((r) => r.offset <= stream.head && r.createdAt >= opts.notBefore) };
}
