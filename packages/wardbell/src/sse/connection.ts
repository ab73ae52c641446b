import type { Clock } from '../shared/index.js';
import type { EventLog, GapReason, StoredEvent } from '../events/index.js';

// The state of one connection and the hub's indexes over them; the delivery is in hub.ts.

/**
 * The byte sink of one SSE connection: the connection's socket once the route has sent the head (a
 * node:http ServerResponse satisfies it too), so the hot path writes one shared Buffer straight to
 * each socket: no per-connection stream, framing or encoding.
 */
export interface SseTransport {
  write(chunk: Buffer): boolean;
  cork(): void;
  uncork(): void;
  end(chunk: Buffer): unknown;
  destroy(): void;
  readonly writableLength: number;
  readonly destroyed: boolean;
  on(event: 'close', listener: () => void): unknown;
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
  /**
   * Longest a tenant-wide batch may wait for more events when one pass over its streams is slow
   * (at least 20 ms, measured): a twentieth of the pass, at most this. 0 disables. Default 10 ms.
   */
  holdMaxMs?: number;
  /**
   * Told once per delivery pass, never per connection: the `createdAt` (ms) of the live events the
   * pass wrote to at least one stream of this process, and the Clock's time after the writes.
   */
  onWritten?: (createdAtMs: readonly number[], nowMs: number) => void;
  /**
   * Told each time a `notification` event is written to one of a user's streams, live or in a
   * replay (delivery receipts). Called on the hot path: it must only note the fact.
   */
  onNotificationWritten?: (tenantId: string, notificationId: string, userId: string, nowMs: number) => void;
}

export interface ConnectRequest {
  tenantId: string;
  userId: string;
  /** Topics this connection listens to (already authorised). */
  topics: readonly string[];
  /** The client's Last-Event-ID, if any. */
  lastEventId?: string | undefined;
  /** When the credential that opened it stops being accepted (ms); the stream ends then. */
  validUntilMs?: number | null | undefined;
  /** When that credential was issued (ms): a revocation after it ends the stream. */
  issuedAtMs?: number | null | undefined;
  /** Called once when the hub forgets the connection (its quota slot is given back). */
  onClosed?: (() => void) | undefined;
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
  /** When the opening credential stops being accepted (ms); 0: never. */
  validUntil = 0;
  /** When the opening credential was issued (ms); -1: unknown. */
  issuedAt = -1;
  /** Told when the connection is forgotten. */
  onClosed: (() => void) | null = null;
  constructor(
    readonly id: number,
    readonly tenantId: string,
    readonly userId: string,
    /** Its topics but `user:` ones (a connection only ever has its own user's, always heard). */
    readonly topics: ReadonlySet<string>,
    readonly transport: SseTransport,
  ) {}
}

export interface TenantIndex {
  all: Set<Connection>;
  /** Tenant-wide frames published this event-loop turn, written once per stream at the flush. */
  batch?: { frames: Buffer[]; offsets: number[]; created: number[] } | undefined;
  /** By user: the connection itself while the user has one (most do), a set from the second on. */
  users: Map<string, Connection | Set<Connection>>;
  topics: Map<string, Set<Connection>>;
}

/** Adds a tenant-wide event's frame to the tenant's batch (starting one); the batch's size after it. */
export function addToBatch(t: TenantIndex, frame: Buffer, e: StoredEvent): number {
  const b = (t.batch ??= { frames: [], offsets: [], created: [] });
  b.frames.push(frame);
  b.offsets.push(e.offset);
  return b.created.push(e.createdAt);
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

export function newHubStats(): HubStats {
  return {
    connectionsOpened: 0,
    framesDelivered: 0,
    eventsDelivered: 0,
    eventsDropped: 0,
    slowClientDisconnects: 0,
    replaysServed: 0,
    eventsReplayed: 0,
    resetsSent: { 'unknown-id': 0, 'epoch-mismatch': 0, 'future-offset': 0, trimmed: 0, expired: 0, 'replay-limit': 0 },
    heartbeatsSent: 0,
  };
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

/** The user's connections in a tenant's index (a copy: callers may close them while iterating). */
export function userConnections(t: TenantIndex | undefined, userId: string): Connection[] {
  const u = t?.users.get(userId);
  return u === undefined ? [] : u instanceof Connection ? [u] : [...u];
}

export function userConnectionCount(t: TenantIndex | undefined, userId: string): number {
  const u = t?.users.get(userId);
  return u === undefined ? 0 : u instanceof Connection ? 1 : u.size;
}

/**
 * Topic sets shared by the connections that listen to the same topics (a ward's nurses all do):
 * one Set per distinct combination, counted, dropped with its last connection.
 */
export class TopicSets {
  private readonly sets = new Map<string, { set: ReadonlySet<string>; refs: number }>();
  /** The shared set of `topics` minus `user:` ones; give it back with `release`. */
  take(topics: readonly string[]): ReadonlySet<string> {
    const own = topics.filter((t) => !t.startsWith('user:')).sort();
    const key = own.join(' ');
    let e = this.sets.get(key);
    if (!e) this.sets.set(key, (e = { set: new Set(own), refs: 0 }));
    e.refs++;
    return e.set;
  }
  release(set: ReadonlySet<string>): void {
    const key = [...set].join(' ');
    const e = this.sets.get(key);
    if (e && e.set === set && --e.refs === 0) this.sets.delete(key);
  }
  get size(): number {
    return this.sets.size;
  }
}

/** Adds a connection to the indexes of its tenant: all, by user, by topic. */
export function index(tenants: Map<string, TenantIndex>, c: Connection): void {
  let t = tenants.get(c.tenantId);
  if (!t) tenants.set(c.tenantId, (t = { all: new Set(), users: new Map(), topics: new Map() }));
  t.all.add(c);
  const u = t.users.get(c.userId);
  if (u === undefined) t.users.set(c.userId, c);
  else if (u instanceof Connection) t.users.set(c.userId, new Set([u, c]));
  else u.add(c);
  for (const topic of c.topics) addTo(t.topics, topic, c);
}

/** Takes a connection out of its tenant's indexes (and the tenant out when it was the last). */
export function unindex(tenants: Map<string, TenantIndex>, c: Connection): void {
  const t = tenants.get(c.tenantId);
  if (!t) return;
  t.all.delete(c);
  const u = t.users.get(c.userId);
  if (u === c) t.users.delete(c.userId);
  else if (u instanceof Set && u.delete(c) && u.size === 1) t.users.set(c.userId, u.values().next().value as Connection);
  for (const topic of c.topics) removeFrom(t.topics, topic, c);
  if (t.all.size === 0) tenants.delete(c.tenantId);
}

/** Calls `send` for each of a user's connections in the tenant. */
export function forUser(t: TenantIndex, userId: string, send: (c: Connection) => void): void {
  const u = t.users.get(userId);
  if (u instanceof Connection) send(u);
  else if (u) for (const c of u) send(c);
}

/** The notification a `notification` event carries, or null for any other event (pure). */
export function notificationIdOf(e: StoredEvent): string | null {
  if (e.type !== 'notification') return null;
  const id = (e.data as { notification?: { id?: unknown } } | null)?.notification?.id;
  return typeof id === 'string' ? id : null;
}
