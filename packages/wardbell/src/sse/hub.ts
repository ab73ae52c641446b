import type { Clock } from '../shared/index.js';
import type { GapReason, StoredEvent, StreamHead } from '../events/index.js';
import { addToBatch, Connection, forUser, index, notificationIdOf, newHubStats, TopicSets, unindex, userConnectionCount, userConnections, type ConnectRequest, type HubOptions, type HubStats, type ReplayOutcome, type SseTransport, type TenantIndex } from './connection.js';
import { accessEndedFrame, endWith, StreamExpiry, type StreamEndReason } from './access.js';
import { encodeFrameBytes } from './encoder.js';
import { encodeEvent, frameFor, personalFrames } from './frames.js';
import { replayInto, resetStreams, type ReplayContext } from './replay.js';

/**
 * The SSE hub of one process: the connections it holds, indexed by tenant, user and topic; live
 * delivery of logged events; replay on reconnect; heartbeat; the per-client queue bound.
 */
export class SseHub {
  readonly stats: HubStats = newHubStats();
  private readonly tenants = new Map<string, TenantIndex>();
  private readonly topicSets = new TopicSets();
  private readonly corkedList: Connection[] = [];
  private readonly batched: TenantIndex[] = [];
  private flushScheduled = false;
  /** Batches wait for this timer (the hold, under a large fan-out) instead of the end of the turn. */
  private holdTimer: unknown = null;
  /** Measured cost of writing one batch to one stream, ms (0 until a pass was slow enough to time). */
  private perStreamMs = 0;
  /** The end-of-turn flush is writing batches: each is the turn's last write, so it is not corked. */
  private flushing = false;
  private nextId = 1;
  private open = 0;
  private heartbeat: unknown = null;
  private readonly clock: Clock;
  private readonly queueLimit: number;
  private readonly retryMs: number;
  private readonly coalesce: boolean;
  private readonly holdMaxMs: number;
  private readonly onWritten: HubOptions['onWritten'];
  private readonly onNotificationWritten: HubOptions['onNotificationWritten'];
  private readonly flushBound = () => this.flush();
  private readonly holdBound = () => this.endHold();
  private readonly expiry: StreamExpiry;
  private readonly replayCtx: ReplayContext;

  constructor(opts: HubOptions) {
    this.clock = opts.clock;
    this.queueLimit = opts.queueLimit ?? 100;
    this.retryMs = opts.retryMs ?? 3000;
    this.coalesce = opts.coalesce ?? true;
    this.holdMaxMs = opts.holdMaxMs ?? 10;
    this.onWritten = opts.onWritten;
    this.onNotificationWritten = opts.onNotificationWritten;
    this.replayCtx = { log: opts.log, replayLimit: opts.replayLimit ?? 1000, stats: this.stats, write: (c, f) => this.write(c, f), wrote: (c, e) => this.noteWritten(c, e) };
    this.expiry = new StreamExpiry(this.clock, (c, reason) => this.endStream(c, reason));
    const hb = opts.heartbeatMs ?? 30_000;
    if (hb > 0) {
      this.heartbeat = this.clock.setInterval(() => this.beat(), hb);
      (this.heartbeat as { unref?: () => unknown }).unref?.();
    }
  }

  /** Open connections in this process. */
  get connectionCount(): number {
    return this.open;
  }

  countForUser(tenantId: string, userId: string): number {
    return userConnectionCount(this.tenants.get(tenantId), userId);
  }

  /**
   * Registers a connection whose response head is already sent: subscribes it first, then replays
   * from the log, then lets buffered live events through, so nothing falls between replay and live.
   */
  async register(req: ConnectRequest, transport: SseTransport): Promise<{ connection: Connection; outcome: ReplayOutcome }> {
    const conn = new Connection(this.nextId++, req.tenantId, req.userId, this.topicSets.take(req.topics), transport);
    conn.validUntil = req.validUntilMs ?? 0;
    conn.issuedAt = req.issuedAtMs ?? -1;
    conn.onClosed = req.onClosed ?? null;
    index(this.tenants, conn);
    this.expiry.track(conn);
    this.open++;
    this.stats.connectionsOpened++;
    transport.on('close', () => this.remove(conn));
    transport.write(encodeFrameBytes({ retry: this.retryMs, comment: 'wardbell' }));
    let outcome: ReplayOutcome;
    try {
      outcome = await replayInto(this.replayCtx, conn, req.lastEventId);
    } catch (err) {
      transport.destroy();
      this.remove(conn);
      throw err;
    }
    if (conn.state === 'closed') return { connection: conn, outcome };
    const pending = conn.pending ?? [];
    conn.pending = null;
    conn.state = 'live';
    for (const e of pending) {
      if (e.offset > conn.lastOffset) {
        this.write(conn, frameFor(e, conn.userId, () => encodeEvent(e), personalFrames(e)));
        this.noteWritten(conn, e);
        conn.lastOffset = e.offset;
      }
    }
    return { connection: conn, outcome };
  }

  /**
   * Tells every open stream of a tenant that its position cannot be continued (the log was lost or
   * a gap could not be filled): live streams get a `reset` at `head`; streams still replaying are
   * closed so they reconnect and get a proper reset then.
   */
  resetTenant(tenantId: string, head: StreamHead, reason: GapReason): void {
    const t = this.tenants.get(tenantId);
    if (t) resetStreams(this.replayCtx, t.all, head, reason, (c) => this.remove(c));
  }

  /**
   * Ends a user's streams opened with credentials issued at or before `issuedBefore` (a revocation of
   * their sessions, or their removal from the directory), each with an `access-ended` event.
   */
  endUserStreams(tenantId: string, userId: string, reason: StreamEndReason, issuedBefore: number): number {
    let n = 0;
    for (const c of userConnections(this.tenants.get(tenantId), userId)) if (c.issuedAt <= issuedBefore) (this.endStream(c, reason), n++);
    return n;
  }

  private endStream(c: Connection, reason: StreamEndReason): void {
    endWith(c, accessEndedFrame(reason));
    this.remove(c);
  }

  /** Live delivery of one logged event to the matching connections of this process. */
  deliver(e: StoredEvent): void {
    const t = this.tenants.get(e.tenantId);
    if (!t) return;
    let frame: Buffer | null = null;
    const shared = () => (frame ??= encodeEvent(e));
    const personal = personalFrames(e);
    let wrote = false;
    // A notification's receipts hear of each stream it is written to: its id read once per event.
    const noted = this.onNotificationWritten ? notificationIdOf(e) : null;
    const writtenAt = noted === null ? 0 : this.clock.now();
    const send = (c: Connection) => {
      // Replay may have written it already: the log has an event before the bus brings it.
      if (c.state === 'live' && e.offset > c.lastOffset) {
        this.write(c, frameFor(e, c.userId, shared, personal));
        this.stats.eventsDelivered++;
        wrote = true;
        if (noted !== null) this.onNotificationWritten?.(e.tenantId, noted, c.userId, writtenAt);
      } else if (c.state === 'replaying' && c.pending) {
        c.pending.push(e);
        if (c.pending.length > this.queueLimit) this.drop(c, c.pending.length);
      }
    };
    const a = e.audience;
    if (a.kind === 'tenant' && !personal && this.coalesce && noted === null) {
      // Batched: the frames of one turn leave as one Buffer per stream (one write instead of one per
      // frame). Streams still replaying queue the event as before.
      for (const c of t.all) if (c.state === 'replaying') send(c);
      const size = addToBatch(t, shared(), e);
      if (size === 1) this.batched.push(t);
      // A batch never holds more than a client may queue: the slow-client bound stays synchronous.
      if (size >= this.queueLimit) this.writeBatch(t);
      else if (this.holdTimer === null && size === 1) this.startHold(t.all.size);
      if (this.holdTimer === null) this.scheduleFlush();
      return;
    }
    // Anything else for this tenant goes after the tenant frames batched before it.
    if (t.batch) this.writeBatch(t);
    if (a.kind === 'tenant') {
      for (const c of t.all) send(c);
    } else if (a.kind === 'users') {
      for (const u of new Set(a.users)) forUser(t, u, send);
    } else if (a.topic.startsWith('user:')) {
      forUser(t, a.topic.slice(5), send);
    } else {
      const s = t.topics.get(a.topic);
      if (s) for (const c of s) send(c);
    }
    if (wrote && this.onWritten) this.onWritten([e.createdAt], this.clock.now()); // once per event and pass
  }

  /** A `notification` event reached one of a user's streams in a replay (the receipts' "streamed"). */
  private noteWritten(c: Connection, e: StoredEvent): void {
    const id = this.onNotificationWritten ? notificationIdOf(e) : null;
    if (id !== null && !c.transport.destroyed) this.onNotificationWritten?.(e.tenantId, id, c.userId, this.clock.now());
  }

  /** Writes a tenant's batched frames: one Buffer per live stream. */
  private writeBatch(t: TenantIndex): void {
    const b = t.batch;
    t.batch = undefined;
    if (!b) return;
    const n = b.frames.length;
    const all = n === 1 ? (b.frames[0] as Buffer) : Buffer.concat(b.frames);
    const first = b.offsets[0] as number;
    let wrote = false;
    for (const c of t.all) {
      if (c.state !== 'live') continue;
      wrote = true;
      if (c.lastOffset < first) {
        this.write(c, all, n);
        this.stats.eventsDelivered += n;
      } else {
        // Went live during this turn with some of these events already written from its queue.
        for (let i = 0; i < n; i++) {
          if ((b.offsets[i] as number) > c.lastOffset) {
            this.write(c, b.frames[i] as Buffer);
            this.stats.eventsDelivered++;
          }
        }
      }
    }
    if (wrote && this.onWritten) this.onWritten(b.created, this.clock.now());
  }

  /**
   * Writes one frame. Frames for a connection within one event-loop turn are corked and leave in
   * one write when the turn ends. `backlog` counts frames written since the buffer was last empty:
   * past the queue limit the client is too slow and is disconnected (it recovers through replay).
   */
  private write(c: Connection, frame: Buffer, frames = 1): void {
    const tr = c.transport;
    if (tr.destroyed) return;
    if (!c.corked) {
      if (tr.writableLength === 0) c.backlog = 0;
      if (this.coalesce && !this.flushing) {
        tr.cork();
        c.corked = true;
        this.corkedList.push(c);
        this.scheduleFlush();
      }
    }
    tr.write(frame);
    this.stats.framesDelivered += frames;
    c.backlog += frames;
    if (c.backlog > this.queueLimit) {
      if (c.corked) {
        c.corked = false;
        tr.uncork();
      }
      if (tr.writableLength === 0) c.backlog = 0;
      else this.drop(c, c.backlog);
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // The end of this event-loop turn, not a time: the one timer that does not go through Clock.
    setImmediate(this.flushBound);
  }

  /**
   * Under a large fan-out, the first batched event of a turn waits a little for the next ones: one
   * pass over all streams costs (streams x measured cost per stream), and events that arrive while a
   * pass runs wait for it and then take a pass of their own. Holding the batch for a twentieth of
   * the expected pass (at most `holdMaxMs`) lets a burst of publishes leave in one pass.
   */
  private startHold(streams: number): void {
    const passMs = this.perStreamMs * streams;
    if (this.holdMaxMs <= 0 || passMs < 20) return;
    this.holdTimer = this.clock.setInterval(this.holdBound, Math.min(this.holdMaxMs, passMs / 20));
  }

  private endHold(): void {
    if (this.holdTimer !== null) this.clock.clearInterval(this.holdTimer);
    this.holdTimer = null;
    this.flushing = true;
    this.writeBatches();
    this.flushing = false;
  }

  /** Writes every batch, timing the pass to learn the cost per stream. */
  private writeBatches(): void {
    if (this.batched.length === 0) return;
    const started = this.clock.now();
    let streams = 0;
    for (const t of this.batched.splice(0)) {
      streams += t.all.size;
      this.writeBatch(t);
    }
    const took = this.clock.now() - started;
    // Only passes long enough for a millisecond clock to time are measured.
    if (took >= 5 && streams > 0) this.perStreamMs = this.perStreamMs === 0 ? took / streams : 0.7 * this.perStreamMs + (0.3 * took) / streams;
  }

  private flush(): void {
    // A batch leaves in one write straight away (behind what is corked for the stream already).
    this.flushing = true;
    if (this.holdTimer === null) this.writeBatches();
    this.flushing = false;
    this.flushScheduled = false;
    const list = this.corkedList.splice(0);
    for (const c of list) {
      if (!c.corked) continue;
      c.corked = false;
      c.transport.uncork();
    }
  }

  private drop(c: Connection, lost: number): void {
    this.stats.eventsDropped += lost;
    this.stats.slowClientDisconnects++;
    c.transport.destroy();
    this.remove(c);
  }

  private beat(): void {
    const frame = encodeFrameBytes({ event: 'ping', data: JSON.stringify({ t: this.clock.now() }) });
    for (const t of this.tenants.values()) {
      for (const c of t.all) if (c.state === 'live') this.write(c, frame);
    }
    this.stats.heartbeatsSent++;
  }

  /** Forgets a connection; called the moment its transport closes. Idempotent. */
  remove(c: Connection): void {
    if (c.state === 'closed') return;
    c.state = 'closed';
    c.pending = null;
    this.open--;
    this.expiry.untrack(c);
    unindex(this.tenants, c);
    this.topicSets.release(c.topics);
    const closed = c.onClosed;
    c.onClosed = null;
    closed?.();
  }

  /**
   * Graceful shutdown: every client is told when to come back (`retry:`), and its stream is ended so
   * it reconnects (to another process, or to this one once restarted) with its Last-Event-ID.
   */
  shutdown(retryMs: number): number {
    this.stopHeartbeat();
    if (this.holdTimer !== null) this.endHold();
    this.flush();
    const bye = encodeFrameBytes({ retry: retryMs, comment: 'server restarting' });
    let n = 0;
    for (const t of [...this.tenants.values()]) {
      n += t.all.size;
      for (const c of [...t.all]) (endWith(c, bye), this.remove(c));
    }
    return n;
  }

  stopHeartbeat(): void {
    this.expiry.stop();
    if (this.heartbeat !== null) this.clock.clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
