import type { Clock } from '../shared/index.js';
import type { EventLog, GapReason, StoredEvent } from '../events/index.js';

// The state of one connection and the hub's indexes over them; the delivery is in hub.ts.

/**
 * The byte sink of one SSE connection. node:http's ServerResponse satisfies it as it is, so the hot
 * path writes one shared Buffer straight to each response: no per-connection stream or encoding.
 */
export interface SseTransport {
  write(chunk: Buffer): boolean;
  cork(): void;
  uncork(): void;
  end(chunk?: Buffer): void;
  destroy(): void;
  readonly writableLength: number;
  readonly destroyed: boolean;
  once(event: 'close', listener: () => void): unknown;
}

export interface HubOptions {
  log: EventLog;
  clock: Clock;
  /** Heartbeat interval. Default 30000 ms (seed 1.1). */
  heartbeatMs?: number;
  /** Frames that may wait unsent for one client before it is disconnected. Default 100. */
  queueLimit?: number;
  /** Most events one reconnect may replay before a `reset` is sent instead. Default 1000. */
  replayLimit?: number;
  /** `retry:` hint sent on connect, ms. Default 3000. */
  retryMs?: number;
  /** Coalesce the frames a connection gets within one event-loop turn into one write. Default true. */
  coalesce?: boolean;
}

export interface ConnectRequest {
  tenantId: string;
  userId: string;
  /** Topics this connection listens to (already authorised). */
  topics: readonly string[];
  /** The client's Last-Event-ID, if any. */
  lastEventId?: string | undefined;
}

export type ConnState = 'replaying' | 'live' | 'closed';

/** One open SSE connection. Kept small: memory per idle connection is a benchmark target. */
export class Connection {
  state: ConnState = 'replaying';
  /** Live events that arrived while the replay was being read. */
  pending: StoredEvent[] | null = [];
  /** Highest offset written to this connection (replay/live overlap is dropped by it). */
  lastOffset = 0;
  /** Frames written since the transport's buffer was last empty. */
  backlog = 0;
  corked = false;
  constructor(
    readonly id: number,
    readonly tenantId: string,
    readonly userId: string,
    readonly topics: ReadonlySet<string>,
    readonly transport: SseTransport,
  ) {}
}

export interface TenantIndex {
  all: Set<Connection>;
  /** Tenant-wide frames published this event-loop turn, written once per stream at the flush. */
  batch?: { frames: Buffer[]; offsets: number[] } | undefined;
  users: Map<string, Set<Connection>>;
  topics: Map<string, Set<Connection>>;
}

/** Plain counters, read by the metrics collector; plain numbers keep the hot path cheap. */
export interface HubStats {
  connectionsOpened: number;
  framesDelivered: number;
  eventsDelivered: number;
  eventsDropped: number;
  slowClientDisconnects: number;
  replaysServed: number;
  eventsReplayed: number;
  resetsSent: Record<GapReason, number>;
  heartbeatsSent: number;
}

export interface ReplayOutcome {
  kind: 'fresh' | 'replayed' | 'reset';
  replayed: number;
  reason?: GapReason;
}



export const addTo = <K>(m: Map<K, Set<Connection>>, k: K, c: Connection) => {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(c);
};
export const removeFrom = <K>(m: Map<K, Set<Connection>>, k: K, c: Connection) => {
  const s = m.get(k);
  if (s && s.delete(c) && s.size === 0) m.delete(k);
};
