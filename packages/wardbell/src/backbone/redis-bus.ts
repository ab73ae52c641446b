import type { Bus, BusHandler } from '../bus/index.js';
import { parseEntry } from './redis-log.js';
import type { RedisClient } from './redis-client.js';
import { ShardReader, type BusEntry } from './shard-reader.js';
import type { ShardKeys } from './shards.js';

export interface RedisBusOptions {
  /** The command connection: where a shard's stream ends, and waking a blocked read. */
  redis: RedisClient;
  keys: ShardKeys;
  /** A new connection for blocking reads, named `name` (XREAD BLOCK holds its connection). */
  connect(name: string): RedisClient;
  /**
   * 'one': one connection reads every shard this process follows, in one XREAD (a single Redis).
   * 'per-shard': a connection per shard (a Redis Cluster refuses one command over keys of several
   * slots, and each shard is its own slot).
   */
  readers: 'one' | 'per-shard';
  /** How long one blocking read waits, ms. Default 2000. */
  blockMs?: number;
  /** How long a shard is still read after its last followed tenant left, ms (a reconnect then costs no lookup). Default 10000. */
  lingerMs?: number;
  onError?: (err: unknown) => void;
}

/** What the bus has read, for metrics and the scale benchmark. */
export interface RedisBusStats {
  /** Entries read from shard streams, and of those, entries of a tenant this process follows (parsed and handed on). */
  entriesRead: number;
  entriesDelivered: number;
  /** Times a shard began to be read. */
  shardStarts: number;
  resumes: number;
}

export interface ShardedBus extends Bus {
  readonly stats: RedisBusStats;
  /** The shards read now, in order. */
  shardsRead(): number[];
  /** Blocking connections held now. */
  readerCount(): number;
}

interface ShardState {
  /** Followers of the shard's tenants (a stream counts once per `follow`). */
  count: number;
  /** Resolves once the shard is read from where its stream ended when it was added. */
  started: Promise<void> | null;
  linger: NodeJS.Timeout | null;
}

/**
 * Cross-process fan-out over sharded bus streams (the Redis log's append writes each event to its
 * tenant's shard stream). A process reads only the shards of tenants it follows: the first `follow`
 * of a shard looks up where that stream ends and reads from there, so every event appended after
 * the lookup reaches the handlers, and the replay that follows reads the log for what came before.
 * Entries of tenants nobody here follows are skipped without parsing.
 *
 * `publish` sends nothing: the Redis event log's append already put the event on the shard stream in
 * the same script that logged it. So this bus works only paired with that log, and only
 * `createRedisBackbone` (`src/backbone/redis.ts`) builds it.
 */
export function createRedisBus(opts: RedisBusOptions): ShardedBus {
  const { keys } = opts;
  const onError = opts.onError ?? (() => {});
  const blockMs = opts.blockMs ?? 2000;
  const lingerMs = opts.lingerMs ?? 10_000;
  const handlers = new Set<BusHandler>();
  const resumedHandlers = new Set<(concerns: (tenantId: string) => boolean) => void>();
  const tenants = new Map<string, number>();
  const shards = new Map<number, ShardState>();
  const readers = new Map<number, ShardReader>();
  const stats: RedisBusStats = { entriesRead: 0, entriesDelivered: 0, shardStarts: 0, resumes: 0 };
  let shared: ShardReader | null = null;
  let closed = false;

  const onEntries = (_shard: number, entries: BusEntry[]) => {
    stats.entriesRead += entries.length;
    for (const [, f] of entries) {
      // Fields in the order the append script writes them: t, p, o, e, s.
      const tenantId = f[1] as string;
      if (!tenants.has(tenantId)) continue;
      stats.entriesDelivered++;
      const ev = parseEntry(tenantId, f[3] as string, Number(f[5]), f[7] ?? 'null', f[9]);
      for (const h of handlers) h(ev);
    }
  };
  const onResumed = (read: number[]) => {
    stats.resumes++;
    const set = new Set(read);
    for (const h of resumedHandlers) h((t) => set.has(keys.shardOf(t)));
  };
  const newReader = (name: string, control: RedisClient | null) =>
    new ShardReader({ conn: opts.connect(name), control, streamOf: keys.bus, blockMs, onEntries, onResumed, onError });

  const readerOf = (shard: number): ShardReader => {
    if (opts.readers === 'one') return (shared ??= newReader('bus', opts.redis));
    let r = readers.get(shard);
    if (!r) readers.set(shard, (r = newReader(`bus:${shard}`, null)));
    return r;
  };

  const start = async (shard: number): Promise<void> => {
    const newest = (await opts.redis.xrevrange(keys.bus(shard), '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
    if (closed) return;
    stats.shardStarts++;
    readerOf(shard).add(shard, newest[0]?.[0] ?? '0-0');
  };

  const stop = (shard: number) => {
    shards.delete(shard);
    if (opts.readers === 'one') return shared?.remove(shard);
    const r = readers.get(shard);
    readers.delete(shard);
    void r?.close();
  };

  const release = (shard: number) => {
    const s = shards.get(shard);
    if (!s || --s.count > 0) return;
    if (lingerMs <= 0) return stop(shard);
    s.linger = setTimeout(() => {
      if (s.count === 0 && shards.get(shard) === s) stop(shard);
    }, lingerMs);
    s.linger.unref();
  };

  const unfollow = (tenantId: string) => {
    const n = (tenants.get(tenantId) ?? 0) - 1;
    if (n > 0) tenants.set(tenantId, n);
    else tenants.delete(tenantId);
    release(keys.shardOf(tenantId));
  };

  return {
    stats,
    shardsRead: () => [...shards.entries()].filter(([, s]) => s.started !== null).map(([n]) => n).sort((a, b) => a - b),
    readerCount: () => (shared && shared.shards.length > 0 ? 1 : 0) + readers.size,
    async publish() {},
    subscribe(h) {
      handlers.add(h);
      return () => handlers.delete(h);
    },
    onResumed(h) {
      resumedHandlers.add(h);
      return () => resumedHandlers.delete(h);
    },
    async follow(tenantId) {
      const shard = keys.shardOf(tenantId);
      let s = shards.get(shard);
      if (!s) shards.set(shard, (s = { count: 0, started: null, linger: null }));
      s.count++;
      if (s.linger !== null) (clearTimeout(s.linger), (s.linger = null));
      tenants.set(tenantId, (tenants.get(tenantId) ?? 0) + 1);
      const state = s;
      state.started ??= start(shard).catch((err: unknown) => {
        state.started = null;
        throw err;
      });
      try {
        await state.started;
      } catch (err) {
        unfollow(tenantId);
        throw err;
      }
    },
    unfollow,
    async close() {
      closed = true;
      handlers.clear();
      resumedHandlers.clear();
      for (const s of shards.values()) if (s.linger !== null) clearTimeout(s.linger);
      shards.clear();
      await Promise.all([shared?.close(), ...[...readers.values()].map((r) => r.close())]);
      readers.clear();
    },
  };
}
