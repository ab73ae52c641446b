import { formatEventId, isVisibleTo, parseEventId, type EventLog, type GapReason, type StoredEvent, type StreamHead } from '../events/index.js';
import type { Connection, HubStats, ReplayOutcome } from './connection.js';
import { encodeFrameBytes } from './encoder.js';
import { encodeEvent, frameFor, personalFrames } from './frames.js';

/** What a replay needs of the hub: the log, its bound, the hub's write (queue bound included). */
export interface ReplayContext {
  log: EventLog;
  replayLimit: number;
  stats: HubStats;
  write(c: Connection, frame: Buffer): void;
  /** Told of each event written (delivery receipts), when someone listens. */
  wrote?: (c: Connection, e: StoredEvent) => void;
}

/**
 * Brings a (re)connecting stream up to the log's head: exactly the events it missed since its
 * Last-Event-ID, or an explicit `reset` when they cannot be had; a fresh stream is positioned at the
 * head. Sets `conn.lastOffset`, so the live events that queued meanwhile are not written twice.
 */
export async function replayInto(ctx: ReplayContext, conn: Connection, lastEventId: string | undefined): Promise<ReplayOutcome> {
  if (lastEventId === undefined || lastEventId === '') {
    const head = await ctx.log.head(conn.tenantId);
    // An id-only frame sets the client's Last-Event-ID without dispatching an event, so a client
    // that hears nothing before it drops still resumes from here instead of missing events.
    conn.lastOffset = head.head;
    ctx.write(conn, encodeFrameBytes({ id: formatEventId(head.epoch, head.head) }));
    return { kind: 'fresh', replayed: 0 };
  }
  const pos = parseEventId(lastEventId);
  const read = pos
    ? await ctx.log.readSince(conn.tenantId, pos, ctx.replayLimit)
    : ({ continuity: 'gap', reason: 'unknown-id' } as const);
  if (conn.state === 'closed') return { kind: 'fresh', replayed: 0 };
  if (read.continuity === 'gap') {
    const head = await ctx.log.head(conn.tenantId);
    sendReset(ctx, conn, head, read.reason);
    return { kind: 'reset', replayed: 0, reason: read.reason };
  }
  let n = 0;
  let written = -1;
  const viewer = { userId: conn.userId, topics: conn.topics };
  for (const e of read.events) {
    if (isVisibleTo(e.audience, viewer)) {
      ctx.write(conn, frameFor(e, conn.userId, () => encodeEvent(e), personalFrames(e)));
      ctx.wrote?.(conn, e);
      written = e.offset;
      n++;
    }
  }
  const last = read.events[read.events.length - 1];
  conn.lastOffset = last ? last.offset : (pos as { offset: number }).offset;
  ctx.stats.replaysServed++;
  ctx.stats.eventsReplayed += n;
  // Move the client's position to the last event read even if it could not see it, so its next
  // reconnect does not scan the same stretch again.
  if (last && written !== last.offset) ctx.write(conn, encodeFrameBytes({ id: last.id }));
  return { kind: 'replayed', replayed: n };
}

/** Tells one stream to start over from `head` (refetch its state). */
export function sendReset(ctx: Pick<ReplayContext, 'stats' | 'write'>, conn: Connection, head: StreamHead, reason: GapReason): void {
  const id = formatEventId(head.epoch, head.head);
  conn.lastOffset = head.head;
  ctx.stats.resetsSent[reason]++;
  ctx.write(conn, encodeFrameBytes({ id, event: 'reset', data: JSON.stringify({ reason, lastEventId: id }) }));
}

/**
 * A tenant's streams cannot continue from where they are: live ones get a `reset` at `head`;
 * those still replaying are closed, so they reconnect and get a proper reset then.
 */
export function resetStreams(ctx: Pick<ReplayContext, 'stats' | 'write'>, streams: Iterable<Connection>, head: StreamHead, reason: GapReason, remove: (c: Connection) => void): void {
  for (const c of [...streams]) {
    if (c.state === 'live') sendReset(ctx, c, head, reason);
    else {
      c.transport.destroy();
      remove(c);
    }
  }
}
