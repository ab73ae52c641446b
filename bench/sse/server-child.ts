/**
 * The server process of the benchmark: runs one target (`wardbell`, `bare` or `raw`, argv[2]) and
 * does what the orchestrator asks over IPC: start, report memory after GC and CPU time, publish in
 * process. (Publishing through HTTP is done by bench/sse/publisher.ts, never in this process; the
 * orchestrator reads this process's PSS from /proc/<pid>/smaps_rollup, without forcing GC.)
 * Run with --expose-gc so memory is measured after a full collection.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { serveRpc } from './rpc.js';
import { wallNow, type Target, type TargetOptions } from './target.js';

export interface PublishResult {
  published: number;
  /** Wall time (ms since the epoch) of the first publish call and after the last resolved. */
  startT: number;
  endT: number;
}

export interface CpuReport {
  user: number;
  system: number;
  connections: number;
  stats: Record<string, unknown>;
}

export interface MemReport {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  connections: number;
}

const kind = process.argv[2];
if (kind !== 'wardbell' && kind !== 'bare' && kind !== 'raw') throw new Error(`usage: server-child.ts wardbell|bare|raw (got ${kind})`);

let target: Target | null = null;
let profiler: Session | null = null;
const need = (): Target => {
  if (!target) throw new Error('not started');
  return target;
};
const gc = (globalThis as { gc?: () => void }).gc;

serveRpc({
  async start(opts: TargetOptions) {
    target =
      kind === 'wardbell'
        ? await (await import('./wardbell-target.js')).createTarget(opts)
        : kind === 'bare'
          ? await (await import('./bare-target.js')).createTarget()
          : await (await import('./raw-target.js')).createTarget();
    return { url: target.url, pid: process.pid };
  },

  async mem(): Promise<MemReport> {
    if (!gc) throw new Error('run with --expose-gc');
    for (let i = 0; i < 3; i++) {
      gc();
      await sleep(100);
    }
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, connections: need().connections() };
  },

  cpu(): CpuReport {
    const c = process.cpuUsage();
    const t = need();
    return { user: c.user, system: c.system, connections: t.connections(), stats: t.stats() };
  },

  /**
   * Publishes for `durationMs`, one event per event-loop turn, so every event is fanned out (and a
   * coalescing server flushes) before the next: at `eventsPerSec` 0 as fast as the server can.
   */
  async sustained(a: { seqBase: number; durationMs: number; eventsPerSec: number }): Promise<PublishResult> {
    const t = need();
    const startT = wallNow();
    const gap = a.eventsPerSec > 0 ? 1000 / a.eventsPerSec : 0;
    let n = 0;
    for (;;) {
      const now = wallNow();
      if (now - startT >= a.durationMs) break;
      if (gap > 0) {
        const due = startT + n * gap;
        if (due > now) await sleep(due - now);
      }
      await t.publish(a.seqBase + n, wallNow());
      n++;
      await nextTurn();
    }
    return { published: n, startT, endT: wallNow() };
  },

  /** Publishes `count` events back-to-back: all publish calls in one synchronous loop. */
  async burst(a: { seqBase: number; count: number }): Promise<PublishResult> {
    const t = need();
    const startT = wallNow();
    const pending: Array<Promise<void> | void> = [];
    for (let k = 0; k < a.count; k++) pending.push(t.publish(a.seqBase + k, wallNow()));
    await Promise.all(pending);
    return { published: a.count, startT, endT: wallNow() };
  },

  /** Starts the V8 CPU profiler (sampling every 200 µs). */
  async profileStart() {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
    await profiler.post('Profiler.start');
    return true;
  },

  /** Stops the profiler and writes a .cpuprofile (open it in Chrome DevTools or speedscope). */
  async profileStop(a: { file: string }) {
    if (!profiler) throw new Error('profiler not started');
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    profiler = null;
    writeFileSync(a.file, JSON.stringify(profile));
    return a.file;
  },

  async stop() {
    if (target) await target.close();
    target = null;
    setTimeout(() => process.exit(0), 10).unref();
    return true;
  },
});

process.on('unhandledRejection', (err) => {
  console.error(`[server ${kind}] unhandled rejection`, err);
  process.exit(1);
});
