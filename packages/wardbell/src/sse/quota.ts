import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { type Clock, systemClock } from '../shared/index.js';

/**
 * How many event streams one user may hold open at once (port): `WARDBELL_MAX_CONNECTIONS_PER_USER`,
 * a guard against reconnect storms and leaking tabs. The embedded default counts in the process; the
 * scale-out deployment counts in Redis, so the limit holds across every process, not per process.
 */
export interface StreamQuota {
  readonly limit: number;
  /** Streams refused at the limit; streams admitted on the local count because Redis did not answer. */
  readonly stats: { refused: number; admittedWithoutRedis: number };
  /** Takes one of the user's slots; a release function (idempotent), or null when all are taken. */
  acquire(tenantId: string, userId: string): Promise<(() => void) | null>;
  close(): Promise<void>;
}

/** Slots counted in this process. */
export function createLocalStreamQuota(limit: number): StreamQuota {
  const held = new Map<string, number>();
  const stats = { refused: 0, admittedWithoutRedis: 0 };
  return {
    limit,
    stats,
    async acquire(tenantId, userId) {
      const key = `${tenantId}\u0000${userId}`;
      const n = held.get(key) ?? 0;
      if (n >= limit) {
        stats.refused++;
        return null;
      }
      held.set(key, n + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (held.get(key) ?? 1) - 1;
        if (left > 0) held.set(key, left);
        else held.delete(key);
      };
    },
    async close() {
      held.clear();
    },
  };
}

// Slots are members of a sorted set per user, scored by when they lapse (Redis server time, so the
// processes' clocks do not matter). A live slot is renewed by its process; a process that dies
// stops renewing, and its slots lapse after the slot lifetime. Renewal re-adds slots a Redis that
// lost its data forgot, so the count heals at the next renewal.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;

interface QuotaScripts {
  wardbellQuotaAcquire(key: string, limit: string, ttlMs: string, member: string): Promise<number>;
  wardbellQuotaRenew(key: string, ttlMs: string, ...members: string[]): Promise<number>;
}

export interface RedisStreamQuotaOptions {
  /** One Redis or a Redis Cluster (each user's slots are one key, so each script is one slot). */
  redis: Redis | Cluster;
  prefix: string;
  limit: number;
  /** How long a slot lives without renewal (a dead process's slots free up after this). Default 90 s. */
  slotTtlMs?: number;
  /** How often this process renews the slots it holds. Default a third of the lifetime. */
  renewMs?: number;
  /** How long a connect waits for Redis before admitting on the local count. Default 1000 ms. */
  timeoutMs?: number;
  /** Drives the renewal timer. Default the system clock (slot lifetimes are Redis server time either way). */
  clock?: Clock;
  /**
   * Redis failed: the stream is admitted on this process's own count, and this is told (once until
   * Redis answers again, not on every connect of an outage).
   */
  onError?: (err: unknown) => void;
}

/**
 * Slots counted in Redis for the whole deployment. This process's own count is checked first (so one
 * process never exceeds the limit even while Redis is away); if Redis cannot answer, the stream is
 * admitted on that local count alone rather than refused: the limit is a guard, the stream is the
 * service.
 */
export function createRedisStreamQuota(opts: RedisStreamQuotaOptions): StreamQuota & { renew(): Promise<void> } {
  const { redis, limit } = opts;
  let failing = false;
  const failed = (err: unknown) => {
    if (!failing) opts.onError?.(err);
    failing = true;
  };
  const ttl = opts.slotTtlMs ?? 90_000;
  redis.defineCommand('wardbellQuotaAcquire', { numberOfKeys: 1, lua: ACQUIRE });
  redis.defineCommand('wardbellQuotaRenew', { numberOfKeys: 1, lua: RENEW });
  const scripts = redis as unknown as QuotaScripts;
  const local = createLocalStreamQuota(limit);
  const processTag = randomBytes(6).toString('hex');
  let seq = 0;
  /** Redis key -> members this process holds there. */
  const held = new Map<string, Set<string>>();

  // One command per user key, sent together (auto-pipelined, per node on a cluster: a pipeline
  // cannot span a cluster's slots).
  const renew = async () => {
    const asked: Array<Promise<unknown>> = [];
    for (const [key, members] of held) if (members.size > 0) asked.push(scripts.wardbellQuotaRenew(key, String(ttl), ...members));
    const failed = (await Promise.allSettled(asked)).find((r) => r.status === 'rejected');
    if (failed) opts.onError?.(failed.reason);
  };
  const clock = opts.clock ?? systemClock;
  const timer = clock.setInterval(() => {
    renew().catch((err: unknown) => opts.onError?.(err));
  }, opts.renewMs ?? Math.floor(ttl / 3));
  if (typeof timer === 'object') timer.unref?.();

  const stats = local.stats;
  return {
    limit,
    stats,
    renew,
    async acquire(tenantId, userId) {
      const releaseLocal = await local.acquire(tenantId, userId);
      if (!releaseLocal) return null;
      const key = `${opts.prefix}:quota:{${tenantId}}:${userId}`;
      const member = `${processTag}:${++seq}`;
      let ok: number | 'timeout';
      const asked = scripts.wardbellQuotaAcquire(key, String(limit), String(ttl), member);
      let timer: NodeJS.Timeout | undefined;
      try {
        ok = await Promise.race([asked, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), opts.timeoutMs ?? 1000)))]);
      } catch (err) {
        failed(err);
        stats.admittedWithoutRedis++;
        return releaseLocal;
      } finally {
        clearTimeout(timer);
      }
      if (ok === 'timeout') {
        // Commands wait while Redis is away; if this one lands later, give its slot back.
        asked.then((r) => (r === 1 ? redis.zrem(key, member) : 0)).catch(() => {});
        failed(new Error(`stream quota: no answer from Redis in ${opts.timeoutMs ?? 1000} ms; admitted on this process's count`));
        stats.admittedWithoutRedis++;
        return releaseLocal;
      }
      failing = false;
      if (ok !== 1) {
        releaseLocal();
        stats.refused++;
        return null;
      }
      let members = held.get(key);
      if (!members) held.set(key, (members = new Set()));
      members.add(member);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        releaseLocal();
        members.delete(member);
        if (members.size === 0 && held.get(key) === members) held.delete(key);
        redis.zrem(key, member).catch((err: unknown) => opts.onError?.(err));
      };
    },
    async close() {
      clock.clearInterval(timer);
      await local.close();
    },
  };
}
