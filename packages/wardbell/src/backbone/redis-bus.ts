import type { Redis } from 'ioredis';
import type { StoredEvent } from '../events/index.js';
import type { Bus } from '../bus/index.js';
import { parseEntry, redisKeys } from './redis-log.js';

export interface RedisBusOptions {
  /** A connection used only for blocking reads (XREAD BLOCK holds it). */
  reader: Redis;
  prefix: string;
  /** How long one blocking read waits, ms. Default 2000. */
  blockMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * Cross-process fan-out over the global bus stream that the Redis event log appends to. Each
 * process reads it with XREAD from the last id it saw, so a dropped connection resumes where it
 * left off instead of missing what was published meanwhile (plain pub/sub would lose it).
 *
 * `publish` sends nothing: the Redis event log's append already put the event on the bus stream in
 * the same script that logged it. So this bus works only paired with that log, and only
 * `createRedisBackbone` (`src/backbone/redis.ts`) builds it.
 */
export function createRedisBus(opts: RedisBusOptions): Bus & { ready: Promise<void> } {
  const { reader } = opts;
  const key = redisKeys(opts.prefix).bus;
  const handlers = new Set<(e: StoredEvent) => void>();
  let running = true;
  let lastId = '0-0';
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((r) => (resolveReady = r));

  const loop = async () => {
    try {
      const newest = (await reader.xrevrange(key, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
      lastId = newest[0]?.[0] ?? '0-0';
    } catch (err) {
      opts.onError?.(err);
    }
    resolveReady();
    while (running) {
      try {
        const res = (await reader.xread('COUNT', 1000, 'BLOCK', opts.blockMs ?? 2000, 'STREAMS', key, lastId)) as Array<[string, Array<[string, string[]]>]> | null;
        if (!res) continue;
        for (const [, entries] of res) {
          for (const [id, f] of entries) {
            lastId = id;
            const fields = new Map<string, string>();
            for (let i = 0; i + 1 < f.length; i += 2) fields.set(f[i] as string, f[i + 1] as string);
            const ev = parseEntry(fields.get('t') ?? '', fields.get('p') ?? '', Number(fields.get('o')), fields.get('e') ?? 'null');
            for (const h of handlers) h(ev);
          }
        }
        // Let this turn's fan-out (the hub flushes in a setImmediate) finish before asking again:
        // entries published meanwhile then come back in one reply and leave as one write per
        // stream. Asking first would return after the first of them, and fan-out under load would
        // make about twice the writes (measured: 2 events per write against 4 in one process).
        await new Promise<void>((r) => setImmediate(r));
      } catch (err) {
        if (!running) break;
        opts.onError?.(err);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  void loop();

  return {
    ready,
    async publish() {},
    subscribe(h) {
      handlers.add(h);
      return () => handlers.delete(h);
    },
    async close() {
      running = false;
      handlers.clear();
      reader.disconnect();
    },
  };
}
