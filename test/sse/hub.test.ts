import { describe, expect, it } from 'vitest';
import { createMemoryEventLog, type EventLog, type NewEvent } from '../../packages/wardbell/src/events/index.js';
import { SseHub, type SseTransport } from '../../packages/wardbell/src/sse/index.js';
import { TopicSets } from '../../packages/wardbell/src/sse/connection.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** A transport that records frames; `stuck` simulates a client whose socket stopped draining. */
class FakeTransport implements SseTransport {
  chunks: string[] = [];
  stuck = false;
  destroyed = false;
  ended = false;
  corks = 0;
  private buffered = 0;
  private onClose: (() => void) | null = null;
  write(chunk: Buffer): boolean {
    this.chunks.push(chunk.toString());
    if (this.stuck) this.buffered += chunk.length;
    return !this.stuck;
  }
  cork() {
    this.corks++;
  }
  uncork() {}
  end(chunk?: Buffer) {
    if (chunk) this.chunks.push(chunk.toString());
    this.ended = true;
    this.onClose?.();
  }
  destroy() {
    this.destroyed = true;
    this.onClose?.();
  }
  get writableLength() {
    return this.buffered;
  }
  on(_e: 'close', l: () => void) {
    this.onClose = l;
    return this;
  }
  get text() {
    return this.chunks.join('');
  }
  events(type: string) {
    return [...this.text.matchAll(new RegExp(`id: (\\S+)\\nevent: ${type.replace('.', '\\.')}\\ndata: (.*)\\n`, 'g'))].map((m) => ({ id: m[1], data: JSON.parse(m[2] ?? 'null') }));
  }
}

const setup = (opts: { queueLimit?: number; log?: EventLog; coalesce?: boolean } = {}) => {
  const clock = new FakeClock();
  const log = opts.log ?? createMemoryEventLog({ retention: { maxEvents: 1000, maxAgeMs: 3_600_000 }, clock });
  const hub = new SseHub({ log, clock, heartbeatMs: 30_000, queueLimit: opts.queueLimit ?? 100, coalesce: opts.coalesce ?? false });
  const publish = async (e: NewEvent) => {
    const s = await log.append(e);
    hub.deliver(s);
    return s;
  };
  return { clock, log, hub, publish };
};
const toTenant = (n: number): NewEvent => ({ tenantId: 'h1', type: 'schedule.updated', data: { n }, audience: { kind: 'tenant' } });

describe('SseHub', () => {
  it('writes each event once as the same bytes to every recipient', async () => {
    const { hub, publish } = setup();
    const a = new FakeTransport();
    const b = new FakeTransport();
    await hub.register({ tenantId: 'h1', userId: 'a', topics: [] }, a);
    await hub.register({ tenantId: 'h1', userId: 'b', topics: [] }, b);
    await publish(toTenant(1));
    expect(a.chunks.at(-1)).toBe(b.chunks.at(-1));
    expect(a.events('schedule.updated')).toEqual([{ id: expect.stringMatching(/-000000000001$/), data: { n: 1 } }]);
  });

  it('sends a heartbeat to every live connection on the interval', async () => {
    const { hub, clock } = setup();
    const a = new FakeTransport();
    await hub.register({ tenantId: 'h1', userId: 'a', topics: [] }, a);
    clock.advance(30_000);
    clock.advance(30_000);
    expect(a.text.match(/event: ping\n/g)).toHaveLength(2);
    expect(hub.stats.heartbeatsSent).toBe(2);
  });

  it('disconnects a client whose queue passes the limit and counts what it lost', async () => {
    const { hub, publish } = setup({ queueLimit: 5 });
    const slow = new FakeTransport();
    const fast = new FakeTransport();
    await hub.register({ tenantId: 'h1', userId: 'slow', topics: [] }, slow);
    await hub.register({ tenantId: 'h1', userId: 'fast', topics: [] }, fast);
    slow.stuck = true;
    for (let i = 1; i <= 10; i++) await publish(toTenant(i));
    expect(slow.destroyed).toBe(true);
    expect(hub.stats.slowClientDisconnects).toBe(1);
    expect(hub.stats.eventsDropped).toBe(6);
    expect(hub.connectionCount).toBe(1);
    expect(fast.events('schedule.updated')).toHaveLength(10);
  });

  it('does not write again an event that the replay wrote before the bus brought it', async () => {
    const { hub, log } = setup();
    const first = await log.append({ tenantId: 'h1', type: 'schedule.updated', data: { n: 0 }, audience: { kind: 'users', users: ['a'] } });
    const late = [
      await log.append({ tenantId: 'h1', type: 'schedule.updated', data: { n: 1 }, audience: { kind: 'users', users: ['a'] } }),
      await log.append({ tenantId: 'h1', type: 'schedule.updated', data: { n: 2 }, audience: { kind: 'topic', topic: 'ward:3' } }),
      await log.append(toTenant(3)),
    ];
    const a = new FakeTransport();
    await hub.register({ tenantId: 'h1', userId: 'a', topics: ['ward:3'], lastEventId: first.id }, a);
    expect(a.events('schedule.updated').map((e) => e.data.n)).toEqual([1, 2, 3]);
    for (const e of late) hub.deliver(e); // the bus, late
    expect(a.events('schedule.updated').map((e) => e.data.n)).toEqual([1, 2, 3]);
  });

  it('forgets a connection the moment it closes', async () => {
    const { hub, publish } = setup();
    const a = new FakeTransport();
    await hub.register({ tenantId: 'h1', userId: 'a', topics: ['ward:3'] }, a);
    expect(hub.countForUser('h1', 'a')).toBe(1);
    a.destroy();
    expect(hub.connectionCount).toBe(0);
    expect(hub.countForUser('h1', 'a')).toBe(0);
    const before = a.chunks.length;
    await publish(toTenant(1));
    expect(a.chunks.length).toBe(before);
  });

  it('subscribes before replaying: an event published during the replay read arrives once, after the replay', async () => {
    const clock = new FakeClock();
    const inner = createMemoryEventLog({ retention: { maxEvents: 1000, maxAgeMs: 3_600_000 }, clock });
    let duringRead: (() => Promise<void>) | null = null;
    const log: EventLog = {
      ...inner,
      async readSince(t, pos, limit) {
        const r = await inner.readSince(t, pos, limit);
        if (duringRead) await duringRead();
        return r;
      },
    };
    const { hub, publish } = setup({ log });
    const first = await publish(toTenant(1));
    await publish(toTenant(2));
    duringRead = async () => {
      await publish(toTenant(3));
    };
    const t = new FakeTransport();
    await hub.register({ tenantId: 'h1', userId: 'a', topics: [], lastEventId: first.id }, t);
    expect(t.events('schedule.updated').map((e) => e.data.n)).toEqual([2, 3]);
  });

  it('replays only what the viewer may see and moves its position past the rest', async () => {
    const { hub, publish } = setup();
    const a0 = new FakeTransport();
    await hub.register({ tenantId: 'h1', userId: 'a', topics: ['ward:3'] }, a0);
    const pos = /id: (\S+)/.exec(a0.text)?.[1] as string;
    await publish({ tenantId: 'h1', type: 'swap.requested', data: { to: 'b' }, audience: { kind: 'users', users: ['b'] } });
    await publish({ tenantId: 'h1', type: 'schedule.updated', data: { w: 3 }, audience: { kind: 'topic', topic: 'ward:3' } });
    const last = await publish({ tenantId: 'h1', type: 'schedule.updated', data: { w: 4 }, audience: { kind: 'topic', topic: 'ward:4' } });
    const a1 = new FakeTransport();
    const { outcome } = await hub.register({ tenantId: 'h1', userId: 'a', topics: ['ward:3'], lastEventId: pos }, a1);
    expect(outcome).toEqual({ kind: 'replayed', replayed: 1 });
    expect(a1.text).not.toContain('"to":"b"');
    expect(a1.text).not.toContain('"w":4');
    expect(a1.text.trimEnd().endsWith(`id: ${last.id}`)).toBe(true);
  });

  it('writes a burst of tenant broadcasts to each stream as one buffer when the turn ends', async () => {
    const { hub, publish } = setup({ coalesce: true });
    const a = new FakeTransport();
    const b = new FakeTransport();
    await hub.register({ tenantId: 'h1', userId: 'a', topics: [] }, a);
    await hub.register({ tenantId: 'h1', userId: 'b', topics: [] }, b);
    await new Promise((r) => setImmediate(r));
    const before = a.chunks.length;
    for (let i = 0; i < 5; i++) await publish(toTenant(i));
    expect(a.chunks.length).toBe(before);
    await new Promise((r) => setImmediate(r));
    expect(a.chunks.length).toBe(before + 1);
    expect(a.events('schedule.updated').map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4]);
    expect(a.chunks.at(-1)).toBe(b.chunks.at(-1));
  });

  it('holds a tenant batch for more events once a pass over its streams was slow', async () => {
    const { hub, publish, clock } = setup({ coalesce: true });
    // Each batch write costs 1 ms of (fake) time: a pass over 100 streams takes 100 ms.
    let slow = false;
    const streams = Array.from({ length: 100 }, () => {
      const t = new FakeTransport();
      const write = t.write.bind(t);
      t.write = (chunk: Buffer) => {
        if (slow) clock.advance(1);
        return write(chunk);
      };
      return t;
    });
    for (const [i, t] of streams.entries()) await hub.register({ tenantId: 'h1', userId: `u${i}`, topics: [] }, t);
    await new Promise((r) => setImmediate(r));
    slow = true;
    const a = streams[0] as FakeTransport;
    const before = a.chunks.length;
    await publish(toTenant(1));
    await new Promise((r) => setImmediate(r));
    // No pass measured yet: the first event leaves when the turn ends.
    expect(a.chunks.length).toBe(before + 1);
    slow = false;
    for (let n = 2; n <= 4; n++) {
      await publish(toTenant(n));
      await new Promise((r) => setImmediate(r));
    }
    // Expected pass 100 ms: the batch waits a twentieth of it (5 ms) for more events.
    expect(a.chunks.length).toBe(before + 1);
    clock.advance(4);
    expect(a.chunks.length).toBe(before + 1);
    clock.advance(1);
    expect(a.chunks.length).toBe(before + 2);
    for (const t of streams) expect(t.events('schedule.updated').map((e) => e.data.n)).toEqual([1, 2, 3, 4]);
    // A personal event during a hold goes after the tenant frames held before it.
    await publish(toTenant(5));
    await publish({ tenantId: 'h1', type: 'swap.requested', data: { n: 6 }, audience: { kind: 'users', users: ['u0'] } });
    await new Promise((r) => setImmediate(r));
    expect([...a.text.matchAll(/data: \{"n":(\d)\}/g)].map((m) => Number(m[1]))).toEqual([1, 2, 3, 4, 5, 6]);
    // Shutdown writes what a hold keeps.
    await publish(toTenant(7));
    expect(hub.shutdown(1000)).toBe(100);
    for (const t of streams) expect(t.events('schedule.updated').map((e) => e.data.n)).toEqual([1, 2, 3, 4, 5, 7]);
    expect(clock.pending).toBe(0);
  });

  it('keeps order when a personal event follows batched tenant broadcasts', async () => {
    const { hub, publish } = setup({ coalesce: true });
    const a = new FakeTransport();
    await hub.register({ tenantId: 'h1', userId: 'a', topics: [] }, a);
    await publish(toTenant(1));
    await publish({ tenantId: 'h1', type: 'swap.requested', data: { n: 2 }, audience: { kind: 'users', users: ['a'] } });
    await publish(toTenant(3));
    await new Promise((r) => setImmediate(r));
    const order = [...a.text.matchAll(/data: \{"n":(\d)\}/g)].map((m) => Number(m[1]));
    expect(order).toEqual([1, 2, 3]);
  });

  it('reaches each of a user\'s streams as the user opens a second and closes the first', async () => {
    const { hub, publish } = setup();
    const a = new FakeTransport();
    const b = new FakeTransport();
    const personal = (n: number): NewEvent => ({ tenantId: 'h1', type: 'swap.requested', data: { n }, audience: { kind: 'users', users: ['kim'] } });
    await hub.register({ tenantId: 'h1', userId: 'kim', topics: ['user:kim'] }, a);
    await publish(personal(1));
    await hub.register({ tenantId: 'h1', userId: 'kim', topics: ['user:kim'] }, b);
    expect(hub.countForUser('h1', 'kim')).toBe(2);
    await publish(personal(2));
    a.destroy();
    expect(hub.countForUser('h1', 'kim')).toBe(1);
    await publish({ tenantId: 'h1', type: 'swap.requested', data: { n: 3 }, audience: { kind: 'topic', topic: 'user:kim' } });
    expect(a.events('swap.requested').map((e) => e.data.n)).toEqual([1, 2]);
    expect(b.events('swap.requested').map((e) => e.data.n)).toEqual([2, 3]);
    b.destroy();
    expect(hub.countForUser('h1', 'kim')).toBe(0);
    expect(hub.endUserStreams('h1', 'kim', 'sessions_revoked', Number.MAX_SAFE_INTEGER)).toBe(0);
  });

  it('shares one topic set among the connections that listen to the same topics', () => {
    const sets = new TopicSets();
    const a = sets.take(['user:a', 'ward:3', 'role:nurse']);
    const b = sets.take(['role:nurse', 'user:b', 'ward:3']);
    const c = sets.take(['user:c', 'ward:4']);
    expect(b).toBe(a);
    expect([...a]).toEqual(['role:nurse', 'ward:3']);
    expect(sets.size).toBe(2);
    sets.release(a);
    expect(sets.size).toBe(2);
    sets.release(b);
    sets.release(c);
    expect(sets.size).toBe(0);
    expect(sets.take([]).size).toBe(0);
  });

  it('closes the stream and forgets it when the log fails during replay', async () => {
    const clock = new FakeClock();
    const inner = createMemoryEventLog({ retention: { maxEvents: 10, maxAgeMs: 60_000 }, clock });
    const broken: EventLog = { ...inner, readSince: async () => { throw new Error('storage down'); } };
    const hub = new SseHub({ log: broken, clock, heartbeatMs: 0 });
    const t = new FakeTransport();
    await expect(hub.register({ tenantId: 'h1', userId: 'a', topics: [], lastEventId: 'abcdefghij-000000000001' }, t)).rejects.toThrow('storage down');
    expect(t.destroyed).toBe(true);
    expect(hub.connectionCount).toBe(0);
  });

  it('ends every stream with a retry hint on shutdown', async () => {
    const { hub } = setup();
    const a = new FakeTransport();
    await hub.register({ tenantId: 'h1', userId: 'a', topics: [] }, a);
    expect(hub.shutdown(5000)).toBe(1);
    expect(a.ended).toBe(true);
    expect(a.chunks.at(-1)).toContain('retry: 5000\n');
    expect(hub.connectionCount).toBe(0);
  });
});
