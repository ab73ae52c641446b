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

/**
 * Puts the bus's events in order per tenant before the hub delivers them, and repairs what the bus
 * cannot promise: a skipped offset (a bus read that missed entries, two publishers racing) is filled
 * from the durable log; an offset seen before is dropped; a new epoch (the log was lost and started
 * over) resets the tenant's open streams explicitly. So a connection gets each event once, in order,
 * or a `reset`, never a silent gap.
 */
export class OrderedFeed {
  private readonly last = new Map<string, { epoch: string; offset: number }>();
  private readonly filling = new Map<string, StoredEvent[]>();
  readonly stats = { gapsFilled: 0, eventsRefetched: 0, duplicatesDropped: 0, tenantResets: 0 };

  constructor(
    private readonly log: EventLog,
    private readonly sink: FeedSink,
    private readonly opts: { fillLimit?: number; onError?: (err: unknown) => void } = {},
  ) {}

  accept(e: StoredEvent): void {
    const queued = this.filling.get(e.tenantId);
    if (queued) {
      queued.push(e);
      return;
    }
    this.process(e);
  }

  private process(e: StoredEvent): void {
    const t = e.tenantId;
    const epoch = epochOf(e.id);
    const l = this.last.get(t);
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
    this.fill(e, l);
  }

  private deliver(e: StoredEvent, epoch: string): void {
    this.last.set(e.tenantId, { epoch, offset: e.offset });
    this.sink.deliver(e);
  }

  private fill(trigger: StoredEvent, from: { epoch: string; offset: number }): void {
    const t = trigger.tenantId;
    const queue = [trigger];
    this.filling.set(t, queue);
    this.stats.gapsFilled++;
    this.log
      .readSince(t, from, this.opts.fillLimit ?? 10_000)
      .then(async (r) => {
        if (r.continuity === 'intact') {
          for (const e of r.events) {
            if (e.offset <= (this.last.get(t)?.offset ?? 0)) continue;
            this.stats.eventsRefetched++;
            this.deliver(e, from.epoch);
          }
        } else {
          const head = await this.log.head(t);
          this.stats.tenantResets++;
          this.sink.resetTenant(t, head, r.reason);
          this.last.set(t, { epoch: head.epoch, offset: head.head });
        }
      })
      .catch((err: unknown) => this.opts.onError?.(err))
      .finally(() => {
        this.filling.delete(t);
        for (const e of queue.sort((a, b) => a.offset - b.offset)) this.process(e);
      });
  }
}
