import type { Bus } from '../bus/index.js';
import type { EventLog, GapReason, StoredEvent, StreamHead } from '../events/index.js';

/**
 * Where the feed delivers, in order (`SseHub` satisfies it): each event once, or a tenant-wide
 * reset when the events in between cannot be had.
 */
export interface FeedSink {
  deliver(event: StoredEvent): void;
  /** Tells every open stream of the tenant to start over from `head` (the log started over or lost events). */
  resetTenant(tenantId: string, head: StreamHead, reason: GapReason): void;
}

const epochOf = (id: string) => id.slice(0, id.lastIndexOf('-'));

/** Per tenant: what was delivered last, and the newest event the bus itself brought. */
interface TenantState {
  epoch: string;
  offset: number;
  stamp: string | undefined;
  /** An epoch this process ended (the log lost events under it): its events are dropped. */
  ended: string | null;
  fromBus: { offset: number; stamp: string } | null;
}

/** Events waiting while the log is asked (a gap filled, a position checked), and the work queued. */
interface Hold {
  queue: StoredEvent[];
  work: Promise<void>;
  pending: number;
}

/**
 * Puts the bus's events in order per tenant before the hub delivers them, and repairs what the bus
 * cannot promise: a skipped offset (a bus read that missed entries, two publishers racing) is filled
 * from the durable log; an offset seen before is dropped; a new epoch (the log was lost and started
 * over) resets the tenant's open streams explicitly. So a connection gets each event once, in order,
 * or a `reset`, never a silent gap.
 *
 * With a sharded bus (`follow` given), the feed also keeps track of which tenants this process
 * follows: state starts fresh at a tenant's first follower and is dropped with its last, and events
 * of tenants nobody follows are ignored. And it catches a log that lost acknowledged appends (a
 * Redis primary failed over before its replica had the newest): the same offset arriving again from
 * the bus with another stamp, or, after a bus read resumed, the last delivered event no longer being
 * the log's, ends that epoch (`startOver`) and resets the tenant's streams.
 */
export class OrderedFeed {
  private readonly last = new Map<string, TenantState>();
  private readonly holds = new Map<string, Hold>();
  private readonly followers = new Map<string, number>();
  readonly stats = { gapsFilled: 0, eventsRefetched: 0, duplicatesDropped: 0, tenantResets: 0, logLosses: 0, positionsChecked: 0 };

  constructor(
    private readonly log: EventLog,
    private readonly sink: FeedSink,
    private readonly opts: { fillLimit?: number; onError?: (err: unknown) => void; bus?: Pick<Bus, 'follow' | 'unfollow' | 'onResumed'> } = {},
  ) {
    opts.bus?.onResumed((concerns) => {
      for (const t of this.followers.keys()) if (concerns(t)) this.check(t);
    });
  }

  /** A stream of the tenant is about to register here (see `Bus.follow`). Pair with `unfollow`. */
  async follow(tenantId: string): Promise<void> {
    const n = this.followers.get(tenantId) ?? 0;
    if (n === 0) this.last.delete(tenantId);
    this.followers.set(tenantId, n + 1);
    try {
      await this.opts.bus?.follow(tenantId);
    } catch (err) {
      this.drop(tenantId);
      throw err;
    }
  }

  unfollow(tenantId: string): void {
    this.drop(tenantId);
    this.opts.bus?.unfollow(tenantId);
  }

  private drop(tenantId: string): void {
    const n = (this.followers.get(tenantId) ?? 0) - 1;
    if (n > 0) return void this.followers.set(tenantId, n);
    this.followers.delete(tenantId);
    this.last.delete(tenantId);
  }

  accept(e: StoredEvent): void {
    const t = e.tenantId;
    if (this.opts.bus && !this.followers.has(t)) return;
    if (e.stamp !== undefined && this.brokeBusOrder(e)) return;
    this.route(e);
  }

  /**
   * A tenant's entries on its shard stream come in offset order, once each: an offset at or below
   * the last one the bus brought, under the same epoch and with another stamp, is another event
   * under an id already handed out. The log lost appends; that epoch cannot be trusted any more.
   */
  private brokeBusOrder(e: StoredEvent): boolean {
    const s = this.last.get(e.tenantId);
    if (!s || s.epoch !== epochOf(e.id)) return false;
    const b = s.fromBus;
    const broke = b !== null && (e.offset < b.offset || (e.offset === b.offset && e.stamp !== b.stamp));
    const epoch = s.epoch; // the state is updated in place: the epoch as of now
    if (broke) this.hold(e.tenantId, () => this.endEpoch(e.tenantId, epoch));
    else if (b) (b.offset = e.offset), (b.stamp = e.stamp as string);
    else s.fromBus = { offset: e.offset, stamp: e.stamp as string };
    return broke;
  }

  private route(e: StoredEvent): void {
    const held = this.holds.get(e.tenantId);
    if (held) held.queue.push(e);
    else this.process(e);
  }

  private process(e: StoredEvent): void {
    const t = e.tenantId;
    if (this.opts.bus && !this.followers.has(t)) return;
    const epoch = epochOf(e.id);
    const l = this.last.get(t);
    if (l?.ended === epoch) return void this.stats.duplicatesDropped++;
    if (!l || l.epoch !== epoch) {
      if (l) {
        this.stats.tenantResets++;
        this.sink.resetTenant(t, { epoch, head: e.offset - 1 }, 'epoch-mismatch');
      }
      this.deliver(e, epoch);
      return;
    }
    if (e.offset <= l.offset) {
      this.stats.duplicatesDropped++;
      return;
    }
    if (e.offset === l.offset + 1) {
      this.deliver(e, epoch);
      return;
    }
    this.stats.gapsFilled++;
    const from = { epoch, offset: l.offset };
    this.hold(t, () => this.fill(t, from), e);
  }

  /** Hands the event on and moves the tenant's position to it (in place: this runs for every event). */
  private deliver(e: StoredEvent, epoch: string): void {
    const s = this.last.get(e.tenantId);
    if (!s) this.last.set(e.tenantId, { epoch, offset: e.offset, stamp: e.stamp, ended: null, fromBus: null });
    else {
      if (s.epoch !== epoch) (s.epoch = epoch), (s.fromBus = null);
      s.offset = e.offset;
      s.stamp = e.stamp;
    }
    this.sink.deliver(e);
  }

  /** Queues the tenant's events while `work` asks the log; then lets them through in offset order. */
  private hold(t: string, work: () => Promise<void>, first?: StoredEvent): void {
    let h = this.holds.get(t);
    if (!h) this.holds.set(t, (h = { queue: [], work: Promise.resolve(), pending: 0 }));
    if (first) h.queue.push(first);
    const mine = h;
    mine.pending++;
    mine.work = mine.work
      .then(work)
      .catch((err: unknown) => this.opts.onError?.(err))
      .finally(() => {
        if (--mine.pending > 0) return;
        this.holds.delete(t);
        for (const e of mine.queue.sort((a, b) => a.offset - b.offset)) this.route(e);
      });
  }

  private async fill(t: string, from: { epoch: string; offset: number }): Promise<void> {
    const r = await this.log.readSince(t, from, this.opts.fillLimit ?? 10_000);
    const l = this.last.get(t);
    if (l && l.epoch !== from.epoch) return; // the epoch ended meanwhile: the streams were reset
    if (r.continuity === 'intact') {
      for (const e of r.events) {
        const cur = this.last.get(t);
        if (e.offset <= (cur?.offset ?? 0)) continue;
        this.stats.eventsRefetched++;
        this.deliver(e, from.epoch);
      }
    } else {
      const head = await this.log.head(t);
      this.resetTo(t, head, r.reason, this.last.get(t)?.ended ?? null);
    }
  }

  /** After a bus read resumed: is the last event delivered still the log's? If not, end its epoch. */
  private check(t: string): void {
    const l = this.last.get(t);
    const confirm = this.log.confirm?.bind(this.log);
    if (!l || l.stamp === undefined || !confirm) return;
    const { epoch, offset, stamp } = l;
    this.hold(t, async () => {
      this.stats.positionsChecked++;
      if ((await confirm(t, epoch, offset, stamp)) === 'lost') await this.endEpoch(t, epoch);
    });
  }

  private async endEpoch(t: string, epoch: string): Promise<void> {
    const cur = this.last.get(t);
    if (cur && cur.epoch !== epoch) return; // already ended (or the log started over) meanwhile
    this.stats.logLosses++;
    const head = this.log.startOver ? await this.log.startOver(t, epoch) : await this.log.head(t);
    this.resetTo(t, head, 'epoch-mismatch', epoch);
  }

  private resetTo(t: string, head: StreamHead, reason: GapReason, ended: string | null): void {
    this.stats.tenantResets++;
    this.sink.resetTenant(t, head, reason);
    this.last.set(t, { epoch: head.epoch, offset: head.head, stamp: undefined, ended, fromBus: null });
  }
}
