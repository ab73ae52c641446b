import { describe, expect, it } from 'vitest';
import { createMemoryEventLog, formatEventId, type GapReason, type StoredEvent, type StreamHead } from '../../packages/wardbell/src/events/index.js';
import { OrderedFeed, type FeedSink } from '../../packages/wardbell/src/sse/index.js';
import { eventually } from '../helpers/eventually.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** A sink that records what the feed hands it: delivered offsets and tenant resets. */
class RecordingSink implements FeedSink {
  readonly delivered: number[] = [];
  readonly resets: Array<{ head: StreamHead; reason: GapReason }> = [];
  deliver(e: StoredEvent): void {
    this.delivered.push(e.offset);
  }
  resetTenant(_tenantId: string, head: StreamHead, reason: GapReason): void {
    this.resets.push({ head, reason });
  }
}

async function setup() {
  const log = createMemoryEventLog({ retention: { maxEvents: 100, maxAgeMs: 3_600_000 }, clock: new FakeClock() });
  const events: StoredEvent[] = [];
  for (let i = 0; i < 6; i++) events.push(await log.append({ tenantId: 't', type: 'schedule.updated', data: { i }, audience: { kind: 'tenant' } }));
  return { log, events };
}

describe('OrderedFeed', () => {
  it('passes events in order straight through', async () => {
    const { log, events } = await setup();
    const h = new RecordingSink();
    const feed = new OrderedFeed(log, h);
    for (const e of events) feed.accept(e);
    expect(h.delivered).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('drops an event it already delivered', async () => {
    const { log, events } = await setup();
    const h = new RecordingSink();
    const feed = new OrderedFeed(log, h);
    for (const e of [events[0]!, events[1]!, events[1]!, events[0]!, events[2]!]) feed.accept(e);
    expect(h.delivered).toEqual([1, 2, 3]);
    expect(feed.stats.duplicatesDropped).toBe(2);
  });

  it('fills a skipped offset from the log, then delivers what waited, once each', async () => {
    const { log, events } = await setup();
    const h = new RecordingSink();
    const feed = new OrderedFeed(log, h);
    feed.accept(events[0]!);
    feed.accept(events[3]!); // 2 and 3 were skipped
    feed.accept(events[4]!); // arrives during the fill
    feed.accept(events[1]!); // late duplicate
    await eventually(() => h.delivered.includes(5)); // the fill is done: what waited during it (5) was delivered
    feed.accept(events[5]!);
    expect(h.delivered).toEqual([1, 2, 3, 4, 5, 6]);
    expect(feed.stats.gapsFilled).toBe(1);
  });

  it('resets the tenant when the epoch changes (the log started over)', async () => {
    const { log, events } = await setup();
    const h = new RecordingSink();
    const feed = new OrderedFeed(log, h);
    feed.accept(events[0]!);
    const reborn: StoredEvent = { ...events[0]!, id: formatEventId('newepoch00', 1), offset: 1 };
    feed.accept(reborn);
    expect(h.resets).toEqual([{ head: { epoch: 'newepoch00', head: 0 }, reason: 'epoch-mismatch' }]);
    expect(h.delivered).toEqual([1, 1]);
  });
});

/**
 * A bus that only counts follows and lets the test say when reading resumed; events are handed to
 * the feed by the test (as the bus's handler would).
 */
class FakeBus {
  readonly follows: string[] = [];
  readonly unfollows: string[] = [];
  private resumed: Array<(concerns: (t: string) => boolean) => void> = [];
  async follow(t: string) {
    this.follows.push(t);
  }
  unfollow(t: string) {
    this.unfollows.push(t);
  }
  onResumed(h: (concerns: (t: string) => boolean) => void) {
    this.resumed.push(h);
    return () => {};
  }
  resume(tenants: string[]) {
    for (const h of this.resumed) h((t) => tenants.includes(t));
  }
}

/**
 * A log that lost its two newest appends, as a Redis replica promoted before it had them: offsets
 * 5 and 6 are handed out again to other events. `confirm` and `startOver` as the Redis log's.
 */
async function lossyLog() {
  const { log, events } = await setup();
  const epoch = events[0]!.id.slice(0, events[0]!.id.lastIndexOf('-'));
  const stamped = events.map((e, i) => ({ ...e, stamp: `s${i + 1}` }));
  const reissued = [5, 6].map((offset) => ({ ...stamped[offset - 1]!, stamp: `other${offset}`, data: { other: offset } }));
  const started: string[] = [];
  const lossy = {
    ...log,
    readSince: log.readSince.bind(log),
    head: log.head.bind(log),
    async confirm(_t: string, e: string, offset: number, stamp: string) {
      if (e !== epoch) return 'unknown' as const;
      return offset <= 4 && stamp === `s${offset}` ? ('kept' as const) : ('lost' as const);
    },
    async startOver(_t: string, e: string) {
      started.push(e);
      return { epoch: 'fresh00000', head: 6 };
    },
  };
  return { log: lossy, events: stamped, reissued, started };
}

describe('OrderedFeed, following tenants of a sharded bus', () => {
  it('follows a tenant once per stream, forgets it with the last, and ignores tenants nobody follows', async () => {
    const { log, events } = await setup();
    const h = new RecordingSink();
    const bus = new FakeBus();
    const feed = new OrderedFeed(log, h, { bus });
    feed.accept(events[0]!); // nobody follows t yet
    await feed.follow('t');
    await feed.follow('t');
    feed.accept(events[1]!);
    feed.unfollow('t');
    feed.accept(events[2]!); // one stream is left
    feed.unfollow('t');
    feed.accept(events[3]!);
    expect(h.delivered).toEqual([2, 3]);
    expect([bus.follows, bus.unfollows]).toEqual([['t', 't'], ['t', 't']]);
    // Followed again: a fresh start (no gap fill from the offset it had before).
    await feed.follow('t');
    feed.accept(events[5]!);
    expect(h.delivered).toEqual([2, 3, 6]);
    expect(feed.stats.gapsFilled).toBe(0);
  });

  it('ends the epoch when the bus brings an offset again with another stamp (the log lost appends)', async () => {
    const { log, events, reissued, started } = await lossyLog();
    const h = new RecordingSink();
    const feed = new OrderedFeed(log, h, { bus: new FakeBus() });
    await feed.follow('t');
    for (const e of events) feed.accept(e);
    feed.accept(reissued[0]!); // offset 5 again, another event
    await eventually(() => h.resets.length === 1);
    expect(started).toEqual([events[0]!.id.slice(0, events[0]!.id.lastIndexOf('-'))]);
    expect(h.resets).toEqual([{ head: { epoch: 'fresh00000', head: 6 }, reason: 'epoch-mismatch' }]);
    // What comes later under the ended epoch is dropped; the new epoch goes on from its head.
    feed.accept(reissued[1]!);
    feed.accept({ ...events[0]!, id: formatEventId('fresh00000', 7), offset: 7, stamp: 'n7' });
    expect(h.delivered).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(feed.stats.logLosses).toBe(1);
  });

  it('does not take the same entry brought twice for a loss', async () => {
    const { log, events, started } = await lossyLog();
    const h = new RecordingSink();
    const feed = new OrderedFeed(log, h, { bus: new FakeBus() });
    await feed.follow('t');
    for (const e of [events[0]!, events[1]!, events[1]!]) feed.accept(e);
    expect(h.delivered).toEqual([1, 2]);
    expect(started).toEqual([]);
    expect(feed.stats.duplicatesDropped).toBe(1);
  });

  it('after a bus read resumed, checks the last event delivered, and ends the epoch if the log lost it', async () => {
    const { log, events, started } = await lossyLog();
    const h = new RecordingSink();
    const bus = new FakeBus();
    const feed = new OrderedFeed(log, h, { bus });
    await feed.follow('t');
    for (const e of events) feed.accept(e); // delivered up to 6; the log kept only 4
    bus.resume(['other-tenant']);
    expect(feed.stats.positionsChecked).toBe(0);
    bus.resume(['t']);
    await eventually(() => h.resets.length === 1);
    expect(feed.stats.positionsChecked).toBe(1);
    expect(started).toHaveLength(1);
    expect(h.resets[0]!.head).toEqual({ epoch: 'fresh00000', head: 6 });
  });

  it('after a bus read resumed, leaves a tenant alone whose last event the log still has', async () => {
    const { log, events, started } = await lossyLog();
    const h = new RecordingSink();
    const bus = new FakeBus();
    const feed = new OrderedFeed(log, h, { bus });
    await feed.follow('t');
    for (const e of events.slice(0, 4)) feed.accept(e);
    bus.resume(['t']);
    await eventually(() => feed.stats.positionsChecked === 1);
    feed.accept(events[4]!); // held during the check, then let through
    await eventually(() => h.delivered.length === 5);
    expect(h.delivered).toEqual([1, 2, 3, 4, 5]);
    expect([h.resets, started]).toEqual([[], []]);
  });
});
