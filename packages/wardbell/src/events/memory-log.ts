import type { Clock } from '../shared/index.js';
import { formatEventId, newEpoch, type EventPosition } from './ids.js';
import type { EventLog, Retention } from './log.js';
import { checkContinuity, checkPosition, type ReadSince, type StreamHead } from './replay.js';
import type { NewEvent, StoredEvent } from './types.js';

interface Stream {
  epoch: string;
  head: number;
  events: StoredEvent[];
}

/** In-memory EventLog: for tests and for a process that needs no durability. */
export function createMemoryEventLog(opts: { retention: Retention; clock: Clock }): EventLog {
  const streams = new Map<string, Stream>();
  const stream = (tenantId: string): Stream => {
    let s = streams.get(tenantId);
    if (!s) streams.set(tenantId, (s = { epoch: newEpoch(), head: 0, events: [] }));
    return s;
  };
  const trimStream = (s: Stream, now: number): number => {
    const cutoff = now - opts.retention.maxAgeMs;
    let drop = Math.max(0, s.events.length - opts.retention.maxEvents);
    while (drop < s.events.length && (s.events[drop] as StoredEvent).createdAt < cutoff) drop++;
    if (drop > 0) s.events.splice(0, drop);
    return drop;
  };
  return {
    async append(e: NewEvent) {
      const s = stream(e.tenantId);
      const offset = ++s.head;
      const stored: StoredEvent = { ...e, id: formatEventId(s.epoch, offset), offset, createdAt: opts.clock.now() };
      s.events.push(stored);
      if (s.events.length > opts.retention.maxEvents) trimStream(s, opts.clock.now());
      return stored;
    },
    async head(tenantId): Promise<StreamHead> {
      const s = stream(tenantId);
      return { epoch: s.epoch, head: s.head };
    },
    async readSince(tenantId, pos: EventPosition, limit): Promise<ReadSince<StoredEvent>> {
      const s = stream(tenantId);
      const head = { epoch: s.epoch, head: s.head };
      const bad = checkPosition(head, pos);
      if (bad) return { continuity: 'gap', reason: bad };
      const firstOffset = s.events[0]?.offset ?? s.head + 1;
      const start = Math.max(0, pos.offset + 1 - firstOffset);
      const rows = s.events.slice(start, start + limit + 1);
      return checkContinuity(head, pos, rows, { limit, notBefore: opts.clock.now() - opts.retention.maxAgeMs });
    },
    async trim() {
      let n = 0;
      const now = opts.clock.now();
      for (const s of streams.values()) n += trimStream(s, now);
      return n;
    },
    async close() {},
  };
}
