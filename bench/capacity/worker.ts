/**
 * A client process of `npm run bench:capacity` (forked through bench/sse/rpc.ts): it holds one Redis
 * backbone (`createRedisBackbone`, the service's own code, on one Redis or a Redis Cluster) and does
 * what the orchestrator asks, reporting its own CPU time for each request:
 *  - `append`: closed-loop `log.append` from `concurrency` loops (auto-pipelined as in the service);
 *  - `prepare`: appends N events to each tenant, then answers each tenant's head;
 *  - `readSince` / `head`: closed-loop replay reads and head reads;
 *  - `busFollow` / `busWait`: the sharded bus reading shard streams in this process, every entry
 *    handed to a handler that does nothing (`prefilled`: a bus whose shards start at `0-0`, so it
 *    reads what is already in the stream in full 1,000-entry batches; `live`: the backbone's own bus,
 *    which reads from the stream's end at `follow`, entries appended meanwhile by other processes);
 *  - `rawAppend`: the same append script (the service's EVALSHA, keys and arguments) written as
 *    pre-encoded RESP on raw sockets with many commands in flight: a client cheap enough to
 *    saturate a Redis main thread on a machine with few cores;
 *  - `quota*`: the Redis stream quota of `GET /api/sse` (acquire, renew, release).
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedisBackbone, readerClient, type RedisBackbone, type RedisClient } from '../../packages/wardbell/src/backbone/index.js';
import { createRedisBus, type ShardedBus } from '../../packages/wardbell/src/backbone/redis-bus.js';
import type { DomainEventType } from '../../packages/wardbell/src/events/index.js';
import { systemClock } from '../../packages/wardbell/src/shared/index.js';
import { createRedisStreamQuota } from '../../packages/wardbell/src/sse/index.js';
import { serveRpc } from '../sse/rpc.js';

let bb: RedisBackbone | null = null;
let openArgs: OpenArgs | null = null;
const errors: string[] = [];
const onError = (err: unknown) => {
  if (errors.length < 20) errors.push(err instanceof Error ? err.message : String(err));
};

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

const cpuSeconds = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

function backbone(): RedisBackbone {
  if (!bb) throw new Error('open first');
  return bb;
}

export interface OpenArgs {
  url: string;
  cluster: boolean;
  prefix: string;
  shards: number;
  maxEvents: number;
}

export interface Timed {
  ops: number;
  cpuSeconds: number;
  wallSeconds: number;
}

/** `concurrency` loops calling `op(i)` with a shared counter, until `count` ops or `seconds` pass. */
async function closedLoop(concurrency: number, limit: { count?: number; seconds?: number }, op: (i: number) => Promise<unknown>): Promise<Timed> {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const end = limit.seconds !== undefined ? t0 + limit.seconds * 1000 : Number.POSITIVE_INFINITY;
  const count = limit.count ?? Number.POSITIVE_INFINITY;
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && performance.now() < end) {
        await op(next++);
        done++;
      }
    }),
  );
  return { ops: done, cpuSeconds: cpuSeconds() - c0, wallSeconds: (performance.now() - t0) / 1000 };
}

// The bus of `busFollow`, and what it handed on.
let bus: ShardedBus | null = null;
let ownBus = false;
let delivered = 0;
let busCpu0 = 0;
let busT0 = 0;

// The stream quota of `quotaAcquire`, and the slots it holds.
let quota: ReturnType<typeof createRedisStreamQuota> | null = null;
const releases: Array<() => void> = [];

/** The command connection with `xrevrange` answering nothing: the bus then reads each shard from `0-0`. */
function fromStart(redis: RedisClient): RedisClient {
  return new Proxy(redis, {
    get(target, prop) {
      if (prop === 'xrevrange') return async () => [];
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

serveRpc({
  async open(a: OpenArgs) {
    openArgs = a;
    bb = await createRedisBackbone({ url: a.url, cluster: a.cluster, prefix: a.prefix, shards: a.shards, retention: { maxEvents: a.maxEvents, maxAgeMs: 86_400_000 }, clock: systemClock, onError, blockMs: 500 });
    return process.pid;
  },

  async append(a: { tenants: string[]; concurrency: number; seconds?: number; count?: number; type: DomainEventType; data: unknown }) {
    const log = backbone().log;
    const perTenant = new Map<string, number>();
    const n = a.tenants.length;
    const r = await closedLoop(a.concurrency, a, async (i) => {
      const tenantId = a.tenants[i % n] as string;
      await log.append({ tenantId, type: a.type, data: a.data, audience: { kind: 'tenant' } });
      perTenant.set(tenantId, (perTenant.get(tenantId) ?? 0) + 1);
    });
    return { ...r, perTenant: Object.fromEntries(perTenant) };
  },

  /**
   * EVALSHA of the append script, encoded once per tenant (only the stamp differs per append), on one
   * raw socket per node, `inflight` commands outstanding on each (a reply sends the next).
   */
  async rawAppend(a: { nodes: Array<{ host: string; port: number; tenants: string[] }>; inflight: number; seconds: number; count?: number; type: DomainEventType; data: unknown }) {
    const b = backbone();
    const o = openArgs as OpenArgs;
    const sha = (b.redis as unknown as { scriptsSet: Record<string, { sha: string } | undefined> }).scriptsSet.wardbellAppend?.sha;
    if (!sha) throw new Error('append script not defined');
    const bulk = (x: string) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`;
    const entry = JSON.stringify({ type: a.type, data: a.data, audience: { kind: 'tenant' }, createdAt: Date.now() });
    const k = b.keys;
    // ARGV as redis-log.ts passes them: new epoch, max events, entry, tenant, bus max length, stamp.
    const head = (t: string) =>
      `*13\r\n${bulk('EVALSHA')}${bulk(sha)}${bulk('4')}${bulk(k.meta(t))}${bulk(k.log(t))}${bulk(k.bus(k.shardOf(t)))}${bulk(k.tenants(k.shardOf(t)))}${bulk('bench00000')}${bulk(String(o.maxEvents))}${bulk(entry)}${bulk(t)}${bulk('100000')}`;
    const c0 = cpuSeconds();
    const t0 = performance.now();
    const end = t0 + a.seconds * 1000;
    const limit = a.count ?? Number.POSITIVE_INFINITY;
    let stamp = 0;
    let total = 0;
    const one = (n: { host: string; port: number; tenants: string[] }) =>
      new Promise<{ ops: number; error: string | null }>((resolve, reject) => {
        const heads = n.tenants.map(head);
        let i = 0;
        let sent = 0;
        let got = 0;
        let error: string | null = null;
        const next = (m: number) => {
          let out = '';
          for (let j = 0; j < m; j++) out += `${heads[i++ % heads.length]}$8\r\n${(stamp++ % 2_821_109_907_456).toString(36).padStart(8, '0')}\r\n`;
          sent += m;
          total += m;
          sock.write(out);
        };
        const sock = connect({ host: n.host, port: n.port }, () => next(a.inflight));
        sock.setNoDelay(true);
        sock.on('error', reject);
        sock.on('data', (buf: Buffer) => {
          let replies = 0;
          for (let j = 0; j < buf.length; j++) {
            const c = buf[j];
            if (c === 42) replies++; // '*': each reply is an array [epoch, offset]; nothing else in it is a '*'
            else if (c === 45 && error === null) error = buf.subarray(j, Math.min(buf.length, j + 120)).toString(); // '-': an error reply
          }
          got += replies;
          if (error === null && performance.now() < end && total < limit) next(Math.min(replies, Math.max(0, limit - total)));
          if (got >= sent) {
            sock.end();
            resolve({ ops: got, error });
          }
        });
      });
    const r = await Promise.all(a.nodes.map((n) => (n.tenants.length > 0 ? one(n) : { ops: 0, error: null })));
    const err = r.find((x) => x.error)?.error ?? null;
    if (err) throw new Error(`rawAppend: ${err}`);
    return { ops: sum(r.map((x) => x.ops)), cpuSeconds: cpuSeconds() - c0, wallSeconds: (performance.now() - t0) / 1000, perNode: r.map((x) => x.ops) };
  },

  /** With `personalRecipients`, each event carries a per-recipient value for that many users, as a notification's unread counts do. */
  async prepare(a: { tenants: string[]; events: number; concurrency: number; type: DomainEventType; data: unknown; personalRecipients?: number }) {
    const log = backbone().log;
    const personal = a.personalRecipients
      ? { field: 'unreadCount', values: Object.fromEntries(Array.from({ length: a.personalRecipients }, (_, i) => [`nurse-${String(i).padStart(5, '0')}`, 1 + (i % 40)])) }
      : undefined;
    const r = await closedLoop(a.concurrency, { count: a.tenants.length * a.events }, (i) =>
      log.append({ tenantId: a.tenants[i % a.tenants.length] as string, type: a.type, data: a.data, audience: { kind: 'tenant' }, personal }),
    );
    const heads = await Promise.all(a.tenants.map(async (t) => ({ tenantId: t, ...(await log.head(t)) })));
    return { ...r, heads };
  },

  async readSince(a: { from: Array<{ tenantId: string; epoch: string; offset: number }>; concurrency: number; seconds: number; limit: number }) {
    const log = backbone().log;
    let events = 0;
    let gaps = 0;
    const r = await closedLoop(a.concurrency, a, async (i) => {
      const f = a.from[i % a.from.length] as { tenantId: string; epoch: string; offset: number };
      const got = await log.readSince(f.tenantId, { epoch: f.epoch, offset: f.offset }, a.limit);
      if (got.continuity === 'intact') events += got.events.length;
      else gaps++;
    });
    return { ...r, events, gaps };
  },

  async head(a: { tenants: string[]; concurrency: number; seconds: number }) {
    const log = backbone().log;
    return closedLoop(a.concurrency, a, (i) => log.head(a.tenants[i % a.tenants.length] as string));
  },

  async busFollow(a: { mode: 'prefilled' | 'live'; tenants: string[] }) {
    const b = backbone();
    delivered = 0;
    if (a.mode === 'live') {
      bus = b.bus;
      ownBus = false;
    } else {
      const o = openArgs as OpenArgs;
      bus = createRedisBus({ redis: fromStart(b.redis), keys: b.keys, readers: o.cluster ? 'per-shard' : 'one', connect: () => readerClient(b.redis), onError, blockMs: 500 });
      ownBus = true;
    }
    const s = bus.stats;
    s.entriesRead = 0;
    s.entriesDelivered = 0;
    bus.subscribe(() => {
      delivered++;
    });
    busCpu0 = cpuSeconds();
    busT0 = performance.now();
    await Promise.all(a.tenants.map((t) => (bus as ShardedBus).follow(t)));
    return { shards: bus.shardsRead() };
  },

  async busWait(a: { entries: number; timeoutMs: number }) {
    if (!bus) throw new Error('busFollow first');
    const deadline = Date.now() + a.timeoutMs;
    while (bus.stats.entriesRead < a.entries && Date.now() < deadline) await sleep(2);
    const r = { entriesRead: bus.stats.entriesRead, entriesDelivered: bus.stats.entriesDelivered, handed: delivered, cpuSeconds: cpuSeconds() - busCpu0, wallSeconds: (performance.now() - busT0) / 1000 };
    // A `live` bus is the backbone's: it stops with `close` (the orchestrator uses a reader process per phase).
    if (ownBus) await bus.close();
    bus = null;
    return r;
  },

  async quotaAcquire(a: { tenantId: string; users: string[]; concurrency: number; prefix: string }) {
    const b = backbone();
    quota = createRedisStreamQuota({ redis: b.redis, prefix: a.prefix, limit: 10, renewMs: 3_600_000, onError });
    const q = quota;
    const r = await closedLoop(a.concurrency, { count: a.users.length }, async (i) => {
      const release = await q.acquire(a.tenantId, a.users[i] as string);
      if (release) releases.push(release);
    });
    return { ...r, admitted: releases.length };
  },

  /** `times` renewals of every slot held: one script per user key (each user holds one slot here). */
  async quotaRenew(a: { times: number }) {
    if (!quota) throw new Error('quotaAcquire first');
    const c0 = cpuSeconds();
    const t0 = performance.now();
    for (let i = 0; i < a.times; i++) await quota.renew();
    return { ops: a.times * releases.length, cpuSeconds: cpuSeconds() - c0, wallSeconds: (performance.now() - t0) / 1000 };
  },

  async quotaRelease() {
    if (!quota) throw new Error('quotaAcquire first');
    const c0 = cpuSeconds();
    const t0 = performance.now();
    const n = releases.length;
    for (const r of releases.splice(0)) r();
    await backbone().redis.ping(); // after the releases' ZREMs on the same connection
    await quota.close();
    quota = null;
    return { ops: n, cpuSeconds: cpuSeconds() - c0, wallSeconds: (performance.now() - t0) / 1000 };
  },

  errors() {
    return errors;
  },

  async close() {
    await bb?.close();
    bb = null;
    return true;
  },
});
