/**
 * Wardbell as composed for production (the same createWardbell as src/main.ts), with the SQLite
 * event log: every broadcast is appended to the durable log, then fanned out by the hub.
 */
import { pathToFileURL } from 'node:url';
import type { Target, TargetOptions } from './target.js';

type ComposeModule = typeof import('../../packages/wardbell/src/compose.js');
type ConfigModule = typeof import('../../packages/wardbell/src/config/index.js');

export const BENCH_TENANT = 'h1';

/**
 * `opts.srcDir` points at another copy of `src/` (an A/B experiment on a modified server without
 * touching the working tree); by default the project's own `src/`.
 */
export async function createTarget(opts: TargetOptions): Promise<Target> {
  const base = opts.srcDir ? pathToFileURL(`${opts.srcDir.replace(/\/$/, '')}/`) : new URL('../../packages/wardbell/src/', import.meta.url);
  const { createWardbell } = (await import(new URL('compose.js', base).href)) as ComposeModule;
  const { loadConfig } = (await import(new URL('config/index.js', base).href)) as ConfigModule;
  const wb = await createWardbell(
    loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      WARDBELL_DATA_DIR: opts.dataDir,
      WARDBELL_JWT_SECRET: opts.secret,
      LOG_LEVEL: 'silent',
      // The schema caps this at 10,000; the load generator spreads connections over many users.
      WARDBELL_MAX_CONNECTIONS_PER_USER: '10000',
      WARDBELL_HEARTBEAT_MS: '30000',
      // The load comes from one address at rates far past the request limits: measure delivery, not the limiter.
      WARDBELL_RATE_LIMITS: 'off',
    }),
  );
  const url = await wb.listen();
  return {
    url,
    connections: () => wb.hub.connectionCount,
    async publish(seq, t) {
      await wb.events.broadcast(BENCH_TENANT, 'schedule.updated', { seq, t });
    },
    stats: () => {
      const s = wb.hub.stats;
      return {
        framesDelivered: s.framesDelivered,
        eventsDelivered: s.eventsDelivered,
        eventsDropped: s.eventsDropped,
        slowClientDisconnects: s.slowClientDisconnects,
        heartbeatsSent: s.heartbeatsSent,
      };
    },
    close: () => wb.close(),
  };
}
