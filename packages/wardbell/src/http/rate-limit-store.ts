import type { Cluster, Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** The kinds of request that are rate limited, each with its own limits. */
export const RATE_CLASSES = ['publish', 'send', 'emergency', 'ticket', 'token', 'stream'] as const;
export type RateClass = (typeof RATE_CLASSES)[number];
/** Who a limit counts: one user of a tenant, a whole tenant, or one client address. */
export const RATE_SCOPES = ['user', 'tenant', 'address'] as const;
export type RateScope = (typeof RATE_SCOPES)[number];
export type LimitName = `${RateClass}:${RateScope}`;

/** Requests per window, per class and scope (0: that one is not limited). */
export interface RateLimits {
  windowSeconds: number;
  points: Record<RateClass, Record<RateScope, number>>;
}

/**
 * Where rate limits are counted: a fixed window per key (rate-limiter-flexible). `hit` counts one
 * request of `key` against one limit and resolves null while the key is within it, else the
 * milliseconds until its window ends (refused requests count too, so a client that keeps trying
 * does not get in sooner).
 */
export interface RateLimitStore {
  readonly limits: RateLimits;
  hit(limit: LimitName, key: string): Promise<number | null>;
  /** Gives one counted request of `key` back (best effort: a store that does not answer keeps it). */
  refund(limit: LimitName, key: string): Promise<void>;
  /** Requests refused per limit, and requests counted on this process alone because Redis did not answer. */
  readonly stats: { readonly refused: Readonly<Record<string, number>>; readonly withoutRedis: number };
}

type Limiters = Map<LimitName, RateLimiterAbstract>;

function eachLimit(limits: RateLimits, make: (name: LimitName, points: number) => RateLimiterAbstract): Limiters {
  const out: Limiters = new Map();
  for (const cls of RATE_CLASSES) {
    for (const scope of RATE_SCOPES) {
      const points = limits.points[cls][scope];
      if (points > 0) out.set(`${cls}:${scope}`, make(`${cls}:${scope}`, points));
    }
  }
  return out;
}

/** Resolves null when consumed within the limit, the wait in ms when over it; rethrows store errors. */
async function consume(limiter: RateLimiterAbstract, key: string): Promise<number | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (err) {
    if (err instanceof RateLimiterRes) return Math.max(0, err.msBeforeNext);
    throw err;
  }
}

function counters(limiters: Limiters): Record<string, number> {
  return Object.fromEntries([...limiters.keys()].map((name) => [name, 0]));
}

const memory = (limits: RateLimits) => (name: LimitName, points: number) =>
  new RateLimiterMemory({ points, duration: limits.windowSeconds, keyPrefix: name });

/** The embedded deployment: counts in this process's memory (one process serves everything). */
export function memoryRateLimitStore(limits: RateLimits): RateLimitStore {
  const limiters = eachLimit(limits, memory(limits));
  const refused = counters(limiters);
  return {
    limits,
    stats: { refused, withoutRedis: 0 },
    async hit(name, key) {
      const limiter = limiters.get(name);
      if (!limiter) return null;
      const wait = await consume(limiter, key);
      if (wait !== null) refused[name] = (refused[name] ?? 0) + 1;
      return wait;
    },
    async refund(name, key) {
      await limiters.get(name)?.reward(key);
    },
  };
}

export interface RedisRateLimitStoreOptions {
  /** The backbone's command connection. */
  redis: Redis | Cluster;
  /** `WARDBELL_REDIS_PREFIX`: the keys are `<prefix>:ratelimit:<class>:<scope>:<key>`. */
  prefix: string;
  limits: RateLimits;
  /** How long a count may wait for Redis before this process counts alone. Default 250 ms. */
  timeoutMs?: number;
  /** Told once when Redis stops answering the counts, with the first error. */
  onUnavailable?: (err: unknown) => void;
  /** Told once when it answers again. */
  onRecovered?: () => void;
}

/**
 * Scale-out: every process counts in Redis (one atomic INCR-with-expiry script per count), so N
 * processes admit the limit once, not N times. Limits fail open: while Redis is not connected, or a
 * count is not answered within `timeoutMs`, the request is counted in this process's memory instead
 * (each process then admits up to the limit on its own; never fewer requests than with Redis), and
 * `onUnavailable` is told once per outage. A paging system never refuses a call because its
 * limiter is down.
 */
export function redisRateLimitStore(opts: RedisRateLimitStoreOptions): RateLimitStore {
  const { limits } = opts;
  const timeoutMs = opts.timeoutMs ?? 250;
  const shared = eachLimit(limits, (name, points) =>
    new RateLimiterRedis({
      storeClient: opts.redis,
      points,
      duration: limits.windowSeconds,
      keyPrefix: `${opts.prefix}:ratelimit:${name}`,
      // Not queued while disconnected (the connection would hold every count until Redis is back).
      rejectIfRedisNotReady: true,
    }),
  );
  const local = eachLimit(limits, memory(limits));
  const refused = counters(shared);
  const stats = { refused, withoutRedis: 0 };
  let down = false;

  const deadline = (p: Promise<number | null>) =>
    new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis did not answer a rate-limit count within ${timeoutMs} ms`)), timeoutMs);
      timer.unref?.();
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });

  return {
    limits,
    stats,
    async hit(name, key) {
      const limiter = shared.get(name);
      if (!limiter) return null;
      let wait: number | null;
      try {
        wait = await deadline(consume(limiter, key));
        if (down) {
          down = false;
          opts.onRecovered?.();
        }
      } catch (err) {
        if (!down) {
          down = true;
          opts.onUnavailable?.(err);
        }
        stats.withoutRedis++;
        wait = await consume(local.get(name) as RateLimiterAbstract, key);
      }
      if (wait !== null) refused[name] = (refused[name] ?? 0) + 1;
      return wait;
    },
    async refund(name, key) {
      const limiter = shared.get(name);
      if (!limiter || down) return;
      await deadline(limiter.reward(key).then(() => null)).catch(() => {});
    },
  };
}
