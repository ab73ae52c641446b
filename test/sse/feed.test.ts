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
