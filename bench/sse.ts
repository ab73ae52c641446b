/**
 * `npm run bench:sse`: SSE fan-out of wardbell beside a bare node:http floor, in one run.
 *
 * Processes: this orchestrator (idle while measuring), one server process at a time
 * (bench/sse/server-child.ts running wardbell or the bare floor, with --expose-gc), and one or more
 * load generators (bench/sse/loadgen.ts, raw sockets). Per size N and per server:
 *   1. warm-up: a few streams, some publishing, closed again; then RSS after GC (the baseline);
 *   2. idle: N streams opened in batches, RSS after GC; (RSS - baseline) / N per idle connection;
 *   3. sustained: publishing for a few seconds, one event per event-loop turn (as fast as the
 *      server can unless --rate caps it), then waiting for the deliveries to drain; deliveries per
 *      second, per server CPU-second, loss, duplicates, CPU of server, load generator and machine;
 *   4. burst: events published back-to-back; publish-to-receive latency over all deliveries.
 * All traffic is on 127.0.0.1. Every child exits with this process.
 *
 * Options (flags, or env BENCH_SSE_<NAME> e.g. BENCH_SSE_SIZES=1000):
 *   --sizes 1000,5000,10000   connection counts
 *   --servers bare,wardbell   targets, in run order
 *   --duration 4000           sustained publishing, ms
 *   --rate 0                  sustained events/s (0: one per event-loop turn, as fast as possible)
 *   --burst 20                events in the burst
 *   --repeat 3                measured sustained and burst phases per scenario (median reported)
 *   --loadgens 1              load generator processes (connections are split between them)
 *   --nap 1                   load generator naps (ms) between polls while publishing (see loadgen.ts)
 *   --batch 500               connections opened at once while ramping up
 *   --users 200               distinct users (tokens) the connections are spread over
 *   --warmup 500              unmeasured publishing before the sustained phase, ms
 *   --out <file>              result JSON (default bench/results/sse-<timestamp>.json)
 *   --quiet-wait 20           before each measured phase, wait up to this many seconds for the
 *                             machine to be idle (other processes < 0.25 cores); 0: do not wait
 *   --quiet-budget 120        seconds of such waiting allowed in the whole run
 *   --redo 6                  per scenario, runs measured again because other processes took
 *                             more than 0.3 cores during them
 *   --max-minutes 15          hard bound of the whole run (children are killed)
 *   --wardbell-src <dir>      benchmark another copy of src/ (A/B experiments; default ./src)
 *   --profile                 before the measured runs, one extra (unmeasured) sustained and burst
 *                             run under the V8 CPU profiler; .cpuprofile files beside the JSON
 *   --markdown                also print the tables as Markdown (for docs/BENCHMARKS.md)
 *   --quick                   smoke run: sizes 1000, duration 1500, burst 10, warmup 200, repeat 1
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { signDevToken } from '../src/auth/index.js';
import type { LoadgenStats } from './sse/loadgen.js';
import { parseOptions, type Options, type ServerKind } from './sse/options.js';
import { fmt, fmtInt, kernelCounters, machineTicks, mergeHistograms, summarise, type Histogram } from './sse/report.js';
import { burstKey, checkTargets, combine, render, sum, sustainedKey, type PhaseResult, type ScenarioResult } from './sse/results.js';
import { RpcChild } from './sse/rpc.js';
import type { CpuReport, MemReport, PublishResult } from './sse/server-child.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const SERVER_ENTRY = join(here, 'sse', 'server-child.ts');
const LOADGEN_ENTRY = join(here, 'sse', 'loadgen.ts');
const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const TENANT = 'h1';

/** A measured run during which other processes used more than this many cores is redone. */
const MAX_OTHER_CORES = 0.3;

// ---------------------------------------------------------------------------------------------
// Child processes: all of them die with this process, whatever way it ends.

const children = new Set<RpcChild>();
const scratch = new Set<string>();
const spawn = (name: string, entry: string, args: string[], exposeGc: boolean) => {
  const c = new RpcChild(name, entry, args, { exposeGc, cwd: root });
  children.add(c);
  c.child.once('exit', () => children.delete(c));
  return c;
};
const killAll = () => {
  for (const c of children) c.kill();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
  scratch.clear();
};
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping`);
    killAll();
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------
// Measurement

class Bench {
  private nextSeq = 1;
  /** Seconds of quiet-waiting left for the whole run. */
  private quietBudgetS: number;
  constructor(
    private readonly opts: Options,
    private readonly loadgens: RpcChild[],
    private readonly tokens: string[],
  ) {
    this.quietBudgetS = opts.quietBudgetS;
  }

  private async lgStats(): Promise<LoadgenStats[]> {
    return Promise.all(this.loadgens.map((l) => l.call<LoadgenStats>('stats')));
  }

  /** Opens `count` streams split over the load generators. */
  private async connect(url: string, count: number) {
    const u = new URL(url);
    const per = this.loadgens.map((_, i) => Math.floor(count / this.loadgens.length) + (i < count % this.loadgens.length ? 1 : 0));
    let offset = 0;
    const t0 = performance.now();
    const rs = await Promise.all(
      this.loadgens.map((l, i) => {
        const n = per[i] as number;
        // Each load generator starts at a different token so users are spread evenly.
        const tokens = [...this.tokens.slice(offset % this.tokens.length), ...this.tokens.slice(0, offset % this.tokens.length)];
        offset += n;
        const batch = Math.max(1, Math.round(this.opts.batch / this.loadgens.length));
        return l.call<{ opened: number; failed: number; errors: Record<string, number>; ms: number }>(
          'connect',
          { host: u.hostname, port: Number(u.port), path: '/api/sse', tokens, count: n, batch },
          600_000,
        );
      }),
    );
    const errors: Record<string, number> = {};
    for (const r of rs) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
    return { opened: sum(rs.map((r) => r.opened)), failed: sum(rs.map((r) => r.failed)), seconds: (performance.now() - t0) / 1000, errors };
  }

  private async closeAll() {
    await Promise.all(this.loadgens.map((l) => l.call('closeAll')));
  }

  private async waitForServerCount(srv: RpcChild, n: number, timeoutMs = 10_000) {
    const t0 = performance.now();
    for (;;) {
      const c = (await srv.call<CpuReport>('cpu')).connections;
      if (c === n) return;
      if (performance.now() - t0 > timeoutMs) throw new Error(`server holds ${c} streams, expected ${n}`);
      await sleep(50);
    }
  }

  /**
   * The machine is shared (tests may run beside the benchmark): waits until other processes use
   * less than a quarter of a core, for at most --quiet-wait seconds; returns the last load seen.
   */
  private async waitQuiet(): Promise<number | null> {
    const t0 = performance.now();
    const deadline = t0 + Math.min(this.opts.quietWaitS, Math.max(0, this.quietBudgetS)) * 1000;
    try {
      return await this.sampleUntilQuiet(deadline);
    } finally {
      this.quietBudgetS -= (performance.now() - t0) / 1000;
    }
  }

  private async sampleUntilQuiet(deadline: number): Promise<number | null> {
    let warned = false;
    for (;;) {
      const a = machineTicks();
      await sleep(400);
      const b = machineTicks();
      if (!a || !b) return null;
      const cores = ((b.busy - a.busy) / Math.max(1, b.total - a.total)) * cpus().length;
      if (cores < 0.25 || performance.now() > deadline) {
        if (cores >= 0.25) log(`machine still busy (${cores.toFixed(2)} cores used by other processes): measuring anyway`);
        return cores;
      }
      if (!warned) log(`machine busy (${cores.toFixed(2)} cores used by other processes): waiting up to ${((deadline - performance.now()) / 1000).toFixed(0)} s`);
      warned = true;
      await sleep(600);
    }
  }

  /** One measured phase: publish, wait until every delivery arrived (or none for `stallMs`). */
  private async phase(
    srv: RpcChild,
    spec: { kind: 'sustained'; durationMs: number; eventsPerSec: number } | { kind: 'burst'; count: number },
    measured = true,
  ): Promise<PhaseResult> {
    const seqBase = this.nextSeq;
    const backgroundCores = measured && this.opts.quietWaitS > 0 ? await this.waitQuiet() : null;
    const open = sum(await Promise.all(this.loadgens.map((l) => l.call<number>('phase', { seqBase }))));
    if (this.opts.napMs > 0) await Promise.all(this.loadgens.map((l) => l.call('nap', { ms: this.opts.napMs })));
    const s0 = await srv.call<CpuReport>('cpu');
    const l0 = await this.lgStats();
    const m0 = machineTicks();
    const k0 = kernelCounters();
    const self0 = process.cpuUsage();
    const w0 = performance.now();
    const pub =
      spec.kind === 'burst'
        ? await srv.call<PublishResult>('burst', { seqBase, count: spec.count })
        : await srv.call<PublishResult>('sustained', { seqBase, durationMs: spec.durationMs, eventsPerSec: spec.eventsPerSec });
    this.nextSeq = seqBase + pub.published + 1;
    const expected = pub.published * open;
    const stallMs = 3_000;
    let seen = -1;
    let changed = performance.now();
    let st = l0;
    for (;;) {
      st = await this.lgStats();
      const got = sum(st.map((s) => s.received));
      if (got >= expected) break;
      if (got !== seen) {
        seen = got;
        changed = performance.now();
      } else if (performance.now() - changed > stallMs) break;
      await sleep(20);
    }
    const m1 = machineTicks();
    const k1 = kernelCounters();
    const w1 = performance.now();
    const self1 = process.cpuUsage(self0);
    const s1 = await srv.call<CpuReport>('cpu');
    if (this.opts.napMs > 0) await Promise.all(this.loadgens.map((l) => l.call('nap', { ms: 0 })));
    const hist = mergeHistograms(await Promise.all(this.loadgens.map((l) => l.call<Histogram>('hist'))));
    const received = sum(st.map((s) => s.received));
    const lastRecv = Math.max(...st.map((s) => s.lastRecv));
    const windowS = received > 0 ? (lastRecv - pub.startT) / 1000 : Number.NaN;
    const serverUserS = (s1.user - s0.user) / 1e6;
    const serverSysS = (s1.system - s0.system) / 1e6;
    const serverCpuS = serverUserS + serverSysS;
    const loadgenCpuS = sum(st.map((s, i) => (s.user + s.system - (l0[i]?.user ?? 0) - (l0[i]?.system ?? 0)) / 1e6));
    const ncpu = cpus().length;
    const machineBusyCores = m0 && m1 ? ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * ncpu : null;
    const intervalS = (w1 - w0) / 1000;
    const ours = serverCpuS + loadgenCpuS + (self1.user + self1.system) / 1e6;
    return {
      published: pub.published,
      connections: open,
      expected,
      received,
      lost: expected - received,
      duplicates: sum(st.map((s) => s.duplicates)),
      reordered: sum(st.map((s) => s.reordered)),
      idRegressions: sum(st.map((s) => s.idRegressions)),
      stale: sum(st.map((s) => s.stale)),
      closedByPeer: sum(st.map((s) => s.closedByPeer)),
      windowS,
      publishS: (pub.endT - pub.startT) / 1000,
      deliveredPerS: received / windowS,
      serverCpuS,
      serverUserS,
      serverSysS,
      deliveriesPerServerCpuS: received / serverCpuS,
      serverCores: serverCpuS / windowS,
      loadgenCpuS,
      loadgenCores: loadgenCpuS / windowS,
      // Over the whole phase including the drain wait, so a little below the busy peak.
      machineBusyCores,
      otherCores: machineBusyCores === null ? null : Math.max(0, machineBusyCores - ours / intervalS),
      intervalS,
      backgroundCores,
      heartbeats:
        typeof s1.stats.heartbeatsSent === 'number' && typeof s0.stats.heartbeatsSent === 'number' ? s1.stats.heartbeatsSent - s0.stats.heartbeatsSent : null,
      latencyMs: summarise(hist),
      negativeLatency: sum(st.map((s) => s.negativeLatency)),
      contextSwitchesPerDelivery: k0 && k1 && received > 0 ? (k1.ctxt - k0.ctxt) / received : null,
      ipisPerDelivery: k0 && k1 && received > 0 ? (k1.ipi - k0.ipi) / received : null,
      serverStats: s1.stats,
    };
  }

  async scenario(kind: ServerKind, n: number): Promise<ScenarioResult> {
    const dataDir = mkdtempSync(join(tmpdir(), 'wardbell-bench-'));
    scratch.add(dataDir);
    const srv = spawn(`server:${kind}`, SERVER_ENTRY, [kind], true);
    try {
      const { url } = await srv.call<{ url: string }>('start', { dataDir, secret: SECRET, srcDir: this.opts.wardbellSrc });
      log(`${kind} N=${n}: listening on ${url}`);

      // Warm-up: JIT, lazily loaded modules, the tenant's log stream row; then back to no streams.
      const warm = await this.connect(url, Math.min(100, n));
      if (warm.opened === 0) throw new Error(`warm-up: no stream opened: ${JSON.stringify(warm.errors)}`);
      await this.phase(srv, { kind: 'sustained', durationMs: 300, eventsPerSec: 0 }, false);
      await this.phase(srv, { kind: 'burst', count: 5 }, false);
      await this.closeAll();
      await this.waitForServerCount(srv, 0);
      const baseline = await srv.call<MemReport>('mem');

      const connect = await this.connect(url, n);
      log(`${kind} N=${n}: ${connect.opened} streams open in ${connect.seconds.toFixed(1)} s${connect.failed ? `, ${connect.failed} failed ${JSON.stringify(connect.errors)}` : ''}`);
      await this.waitForServerCount(srv, connect.opened);
      const idle = await srv.call<MemReport>('mem');
      const per = (a: number, b: number) => (a - b) / 1024 / Math.max(1, connect.opened);

      if (this.opts.warmupMs > 0) await this.phase(srv, { kind: 'sustained', durationMs: this.opts.warmupMs, eventsPerSec: this.opts.rate }, false);
      if (this.opts.profile) {
        const stem = this.opts.out.replace(/\.json$/, '');
        for (const spec of [
          { kind: 'sustained', durationMs: this.opts.durationMs, eventsPerSec: this.opts.rate },
          { kind: 'burst', count: this.opts.burst },
        ] as const) {
          await srv.call('profileStart');
          await this.phase(srv, spec, false);
          log(`profile: ${await srv.call<string>('profileStop', { file: `${stem}-${kind}-${n}-${spec.kind}.cpuprofile` })}`);
        }
      }
      const sustainedRuns: PhaseResult[] = [];
      const burstRuns: PhaseResult[] = [];
      const discarded: PhaseResult[] = [];
      // A run during which other processes took more than MAX_OTHER_CORES is measured again (its
      // figures are kept under `discarded`), at most --redo times per scenario.
      let redo = this.opts.redo;
      const measure = async (spec: Parameters<Bench['phase']>[1]): Promise<PhaseResult> => {
        for (;;) {
          const r = await this.phase(srv, spec);
          // /proc/stat counts in 10 ms ticks: short runs (bursts) are judged over at least 0.5 s.
          const otherCpuS = (r.otherCores ?? 0) * r.intervalS;
          if (otherCpuS <= MAX_OTHER_CORES * Math.max(r.intervalS, 0.5) || redo <= 0) return r;
          redo--;
          discarded.push(r);
          log(`${kind} N=${n}: other processes took ${fmt(r.otherCores, 2)} cores during the ${spec.kind} run: measuring it again`);
        }
      };
      for (let k = 0; k < this.opts.repeat; k++) {
        const s = await measure({ kind: 'sustained', durationMs: this.opts.durationMs, eventsPerSec: this.opts.rate });
        sustainedRuns.push(s);
        log(`${kind} N=${n}: sustained ${fmtInt(s.deliveredPerS)} deliveries/s, ${fmtInt(s.deliveriesPerServerCpuS)} per server CPU-s, lost ${s.lost}, dup ${s.duplicates}`);
        const b = await measure({ kind: 'burst', count: this.opts.burst });
        burstRuns.push(b);
        log(`${kind} N=${n}: burst of ${b.published}: p50 ${fmt(b.latencyMs?.p50)} ms, p99 ${fmt(b.latencyMs?.p99)} ms, lost ${b.lost}, dup ${b.duplicates}`);
      }
      const sustained = combine(sustainedRuns, sustainedKey);
      const burst = combine(burstRuns, burstKey);

      await srv.call('stop', undefined, 30_000);
      await srv.stop();
      await this.closeAll();
      return {
        server: kind,
        connections: n,
        connect,
        memory: {
          baseline,
          idle,
          rssKiBPerConnection: per(idle.rss, baseline.rss),
          heapKiBPerConnection: per(idle.heapUsed, baseline.heapUsed),
          externalKiBPerConnection: per(idle.external, baseline.external),
        },
        sustained,
        burst,
        discarded,
      };
    } finally {
      srv.kill();
      await this.closeAll().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
      scratch.delete(dataDir);
    }
  }
}

/** Which server code was measured: commit, and whether src/ had uncommitted changes (read-only git). */
function sourceInfo(wardbellSrc: string | undefined) {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const status = git('status', '--porcelain', '--', 'src');
  return { commit: git('rev-parse', 'HEAD'), srcUncommittedChanges: status === null ? null : status !== '', wardbellSrc: wardbellSrc ?? 'src' };
}

const log = (msg: string) => console.error(`[bench:sse] ${msg}`);

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const deadline = setTimeout(() => {
    console.error(`[bench:sse] run exceeded ${opts.maxMinutes} minutes: stopping`);
    killAll();
    process.exit(2);
  }, opts.maxMinutes * 60_000);
  deadline.unref();

  const secret = new TextEncoder().encode(SECRET);
  const tokens = await Promise.all(
    Array.from({ length: opts.users }, (_, i) => signDevToken({ tenantId: TENANT, userId: `u${i}`, roles: [], wards: [] }, secret, 3600)),
  );
  const loadgens = Array.from({ length: opts.loadgens }, (_, i) => spawn(`loadgen${i}`, LOADGEN_ENTRY, [], false));
  const machine = { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, kernel: release(), memGiB: Math.round(totalmem() / 2 ** 30) };
  log(`machine: ${machine.nproc} cores (${machine.cpu}), node ${machine.node}, sizes ${opts.sizes.join(',')}, servers ${opts.servers.join(',')}, ${opts.loadgens} load generator(s)`);

  const bench = new Bench(opts, loadgens, tokens);
  const results: ScenarioResult[] = [];
  const startedAt = new Date();
  for (const n of opts.sizes) for (const kind of opts.servers) results.push(await bench.scenario(kind, n));
  await Promise.all(loadgens.map((l) => l.stop()));

  const biggest = Math.max(...opts.sizes);
  const targets = checkTargets(results, biggest);
  const targetText = targets.map((c) => `${c.met === null ? 'n/a ' : c.met ? 'MET ' : 'MISS'}  ${c.target}: ${c.measured}`).join('\n');
  console.log(
    `\nSSE fan-out: ${machine.nproc} cores, node ${machine.node}, ${opts.loadgens} load generator(s), sustained ${opts.durationMs} ms at ${opts.rate > 0 ? `${opts.rate} events/s` : 'max rate'}, ` +
      `burst ${opts.burst}, ${opts.repeat} run(s) each (median shown; lost/dup summed over runs)\n`,
  );
  console.log(render(results, false));
  console.log(`\nTargets (wardbell at ${fmtInt(biggest)} connections):\n${targetText}`);
  if (opts.markdown) console.log(`\n${render(results, true)}\n`);

  mkdirSync(dirname(opts.out), { recursive: true });
  const { out: _out, ...options } = opts;
  writeFileSync(
    opts.out,
    `${JSON.stringify({ benchmark: 'sse-fanout', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine, source: sourceInfo(opts.wardbellSrc), options, targets, results }, null, 2)}\n`,
  );
  console.log(`\nresults: ${opts.out}`);
  clearTimeout(deadline);
}

main().catch((err: unknown) => {
  console.error(err);
  killAll();
  process.exit(1);
});
