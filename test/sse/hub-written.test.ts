/**
 * The hub's `onWritten` hook (the publish-to-write histogram): told once per delivery pass with
 * the `createdAt` of the events it wrote and the Clock's time, never once per connection.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryEventLog, type NewEvent } from '../../packages/wardbell/src/events/index.js';
import { SseHub, type SseTransport } from '../../packages/wardbell/src/sse/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

class Sink implements SseTransport {
  chunks: string[] = [];
  destroyed = false;
  writableLength = 0;
  write(chunk: Buffer): boolean {
    this.chunks.push(chunk.toString());
    return true;
  }
  cork() {}
  uncork() {}
  end() {}
  destroy() {
    this.destroyed = true;
  }
  on() {
    return this;
  }
  count(type: string) {
    return this.chunks.join('').split(`event: ${type}\n`).length - 1;
  }
}

const turn = () => new Promise<void>((r) => setImmediate(r));

function setup(coalesce: boolean) {
  const clock = new FakeClock();
  const log = createMemoryEventLog({ retention: { maxEvents: 1000, maxAgeMs: 3_600_000 }, clock });
  const calls: Array<{ created: number[]; now: number }> = [];
  const hub = new SseHub({ log, clock, heartbeatMs: 0, coalesce, onWritten: (created, now) => calls.push({ created: [...created], now }) });
  const publish = async (e: NewEvent) => {
    const s = await log.append(e);
    hub.deliver(s);
    return s;
  };
  const connect = async (userId: string) => {
    const t = new Sink();
    await hub.register({ tenantId: 'h1', userId, topics: ['ward:3'] }, t);
    return t;
  };
  return { clock, hub, calls, publish, connect };
}

describe('SseHub onWritten', () => {
  it('reports a turn\'s tenant-wide events once for the batch, with their createdAt and the time of the write', async () => {
    const { clock, calls, publish, connect } = setup(true);
    const sinks = await Promise.all(['a', 'b', 'c'].map(connect));
    const first = await publish({ tenantId: 'h1', type: 'schedule.updated', data: { n: 1 }, audience: { kind: 'tenant' } });
    clock.advance(3);
    const second = await publish({ tenantId: 'h1', type: 'schedule.updated', data: { n: 2 }, audience: { kind: 'tenant' } });
    clock.advance(4);
    await turn();
    expect(sinks.map((s) => s.count('schedule.updated'))).toEqual([2, 2, 2]);
    expect(calls).toEqual([{ created: [first.createdAt, second.createdAt], now: first.createdAt + 7 }]);
  });

  it('reports an event to a topic or a user once per deliver, however many connections it reached', async () => {
    const { calls, publish, connect } = setup(false);
    const sinks = [await connect('kim'), await connect('kim'), await connect('lee')];
    const toWard = await publish({ tenantId: 'h1', type: 'swap.requested', data: {}, audience: { kind: 'topic', topic: 'ward:3' } });
    const toKim = await publish({ tenantId: 'h1', type: 'swap.approved', data: {}, audience: { kind: 'users', users: ['kim'] } });
    expect(sinks.map((s) => s.count('swap.requested'))).toEqual([1, 1, 1]);
    expect(sinks.map((s) => s.count('swap.approved'))).toEqual([1, 1, 0]);
    expect(calls).toEqual([
      { created: [toWard.createdAt], now: toWard.createdAt },
      { created: [toKim.createdAt], now: toKim.createdAt },
    ]);
  });

  it('reports nothing for an event no connection received', async () => {
    const { calls, publish, connect } = setup(true);
    await connect('kim');
    await publish({ tenantId: 'h1', type: 'swap.approved', data: {}, audience: { kind: 'users', users: ['nobody'] } });
    await publish({ tenantId: 'h2', type: 'schedule.updated', data: {}, audience: { kind: 'tenant' } });
    await turn();
    expect(calls).toEqual([]);
  });
});
