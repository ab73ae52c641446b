/**
 * `npm run bench:sse`: SSE fan-out of wardbell beside two node:http floors, in one run.
 *
 * Servers (--servers): `raw` (node:http parses the request; the response head and every frame are
 * written straight to the socket, a close-delimited body with no chunk framing: the cheapest an
 * SSE fan-out on node:http can be), `bare` (node:http, one pre-encoded frame written with
 * `res.write`, so through chunked transfer coding) and `wardbell` (createWardbell as in
 * src/main.ts, SQLite event log). Frames have the same shape and size on all three.
 *
 * Processes: this orchestrator (idle while measuring), one server process at a time
 * (bench/sse/server-child.ts, with --expose-gc), one or more load generators (bench/sse/loadgen.ts,
 * raw sockets), and the HTTP publisher (bench/sse/publisher.ts, its CPU reported apart). A
 * scenario is (size N, server, load); per scenario:
 *   1. warm-up: a few streams, a little publishing in every publish mode, closed again; then the
 *      baseline: the server's PSS (/proc/<pid>/smaps_rollup, no forced GC) first, then RSS and
 *      heap after forced GC (and PSS once more, kept in the JSON for reference);
 *   2. idle: N streams opened in batches, each with its own user's token (--loads); PSS read at
 *      once, then RSS and heap after GC; (idle - baseline) / N per idle stream, both ways;
 *   3. per publish mode (--publish), on the same open streams (--repeat times, modes interleaved):
 *      sustained: publishing for --duration ms, then waiting for the deliveries to drain;
 *      deliveries per second and per server CPU-second, loss, duplicates, id regressions, latency,
 *      CPU of server, publisher, load generators and machine;
 *      burst: --burst events at once; publish-to-receive latency over all deliveries.
 *      `inproc` publishes in the server process (wardbell: wb.events.broadcast), one event per
 *      event-loop turn (a burst: all in one synchronous loop). `http` publishes from the publisher
 *      process with POST /api/events (wardbell: a token with role service, body
 *      {"type":"schedule.updated","to":{"tenant":true},"data":{"seq":..,"t":..}}, answered 202;
 *      the floors take the same request): closed loop, one request at a time on one keep-alive
 *      connection; a burst is --burst requests at once on as many keep-alive connections.
 *      Loss is counted against the events the server accepted (HTTP: answered 2xx).
 * Latency is from the publisher's wall clock (in process or in the publisher child) to the load
 * generator's. Targets (wardbell at the biggest size, load `one`): >= 0.9 of the raw floor's
 * deliveries per server CPU-second (each publish mode), burst p99 < 200 ms, <= 12 KiB PSS per idle
 * stream, nothing lost or duplicated and no id regressions. All traffic is on 127.0.0.1. Every
 * child exits with this process. Each process holds up to N sockets: `ulimit -n` must exceed the
 * biggest size (checked at start).
 *
 * Options (flags, or env BENCH_SSE_<NAME>, dashes as underscores, e.g. BENCH_SSE_SIZES=1000):
 *   --sizes 1000,10000        stream counts
 *   --servers raw,bare,wardbell   targets, in run order
 *   --loads one,mixed         how streams belong to users: one (every stream its own user and
 *                             token), mixed (user i has 1 + i % 3 streams, until N), shared (N
 *                             streams spread round-robin over --users users)
 *   --publish inproc,http     publish modes, each measured on the same streams of a scenario
 *   --duration 4000           sustained publishing, ms
 *   --rate 0                  sustained events/s (0: as fast as possible: in process one per
 *                             event-loop turn, over HTTP the next request when the last answered)
 *   --burst 20                events in the burst (HTTP: concurrent requests)
 *   --repeat 3                measured sustained and burst phases per mode and scenario (median reported)
 *   --loadgens 1              load generator processes (streams are split between them)
 *   --nap 1                   load generator naps (ms) between polls while publishing (see loadgen.ts)
 *   --batch 500               streams opened at once while ramping up
 *   --users 200               distinct users of the `shared` load
 *   --warmup 500              unmeasured publishing per mode before the measured phases, ms
 *   --out <file>              result JSON (default bench/results/sse-<timestamp>.json)
 *   --quiet-wait 20           before each measured phase, wait up to this many seconds for the
 *                             machine to be idle (other processes < 0.25 cores); 0: do not wait
 *   --quiet-budget 120        seconds of such waiting allowed in the whole run
 *   --redo 6                  per scenario, runs measured again because other processes took
 *                             more than 0.3 cores during them
 *   --max-minutes 25          hard bound of the whole run (children are killed)
 *   --wardbell-src <dir>      benchmark another copy of src/ (A/B experiments; default ./src)
 *   --profile                 before the measured runs, one extra (unmeasured) sustained and burst
 *                             run per mode under the V8 CPU profiler; .cpuprofile files beside the JSON
 *   --markdown                also print the tables as Markdown (for docs/BENCHMARKS.md)
 *   --quick                   smoke run: sizes 1000, loads one, duration 1500, burst 10,
 *                             warmup 200, repeat 1 (servers and publish modes as given)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { signDevToken } from '../packages/wardbell/src/auth/index.js';
import type { LoadgenStats } from './sse/loadgen.js';
import { parseOptions, type LoadKind, type Options, type PublishMode, type ServerKind } from './sse/options.js';
import type { HttpPublishResult } from './sse/publisher.js';
import { fmt, fmtInt, kernelCounters, machineTicks, mergeHistograms, openFileLimit, pssKiB, summarise, type Histogram } from './sse/report.js';
import {
  burstKey,
  checkTargets,
  combine,
  render,
  sum,
  sustainedKey,
  targetLoad,
  type ModeResult,
  type PhaseKind,
  type PhaseResult,
  type ScenarioResult,
} from './sse/results.js';
import { RpcChild } from './sse/rpc.js';
import type { CpuReport, MemReport, PublishResult } from './sse/server-child.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const SERVER_ENTRY = join(here, 'sse', 'server-child.ts');
const LOADGEN_ENTRY = join(here, 'sse', 'loadgen.ts');
const PUBLISHER_ENTRY = join(here, 'sse', 'publisher.ts');
const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const TENANT = 'h1';

/** A measured run during which other processes used more than this many cores is redone. */
const MAX_OTHER_CORES = 0.3;
/** File descriptors a process needs beyond its streams (listening socket, IPC, SQLite, publisher sockets). */
const FD_MARGIN = 200;

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
// Users and tokens

/** Signs (once) and hands out the stream tokens of users u0, u1, ... */
class Tokens {
  private readonly cache = new Map<number, Promise<string>>();
  constructor(private readonly secret: Uint8Array) {}

  private user(i: number): Promise<string> {
    let t = this.cache.get(i);
    if (!t) {
      t = signDevToken({ tenantId: TENANT, userId: `u${i}`, roles: [], wards: [] }, this.secret, 3600);
      this.cache.set(i, t);
    }
    return t;
  }

  /** The token of every stream, `n` of them (stream k sends tokens[k]), and how many users they belong to. */
  async forLoad(load: LoadKind, n: number, sharedUsers: number): Promise<{ tokens: string[]; users: number }> {
    const owners: number[] = [];
    if (load === 'one') for (let k = 0; k < n; k++) owners.push(k);
    else if (load === 'shared') for (let k = 0; k < n; k++) owners.push(k % sharedUsers);
    else {
      // mixed: user i has 1 + (i % 3) streams (1, 2, 3, 1, 2, 3, ...) until there are n.
      for (let i = 0; owners.length < n; i++) for (let j = 0; j < 1 + (i % 3) && owners.length < n; j++) owners.push(i);
    }
    const tokens = await Promise.all(owners.map((i) => this.user(i)));
    return { tokens, users: new Set(owners).size };
  }
}

// ---------------------------------------------------------------------------------------------
// Measurement

type PhaseSpec = { mode: PublishMode } & ({ kind: 'sustained'; durationMs: number; eventsPerSec: number } | { kind: 'burst'; count: number });

class Bench {
  private nextSeq = 1;
  /** Seconds of quiet-waiting left for the whole run. */
  private quietBudgetS: number;
  constructor(
    private readonly opts: Options,
    private readonly loadgens: RpcChild[],
    private readonly publisher: RpcChild,
    private readonly tokens: Tokens,
    private readonly publisherToken: string,
  ) {
    this.quietBudgetS = opts.quietBudgetS;
  }

  private async lgStats(): Promise<LoadgenStats[]> {
    return Promise.all(this.loadgens.map((l) => l.call<LoadgenStats>('stats')));
  }

  /** Opens one stream per token (stream k with tokens[k]), split in contiguous slices over the load generators. */
  private async connect(url: string, tokens: readonly string[]) {
    const u = new URL(url);
    const count = tokens.length;
    const per = this.loadgens.map((_, i) => Math.floor(count / this.loadgens.length) + (i < count % this.loadgens.length ? 1 : 0));
    let offset = 0;
    const t0 = performance.now();
    const rs = await Promise.all(
      this.loadgens.map((l, i) => {
        const n = per[i] as number;
        const mine = tokens.slice(offset, offset + n);
        offset += n;
        const batch = Math.max(1, Math.round(this.opts.batch / this.loadgens.length));
        return l.call<{ opened: number; failed: number; errors: Record<string, number>; ms: number }>(
          'connect',
          { host: u.hostname, port: Number(u.port), path: '/api/sse', tokens: mine, count: n, batch },
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

  /** Publishes one phase's events in process (server child) or over HTTP (publisher child). */
  private async publish(srv: RpcChild, spec: PhaseSpec, seqBase: number): Promise<PublishResult & Partial<HttpPublishResult>> {
    if (spec.mode === 'inproc') {
      return spec.kind === 'burst'
        ? srv.call<PublishResult>('burst', { seqBase, count: spec.count })
        : srv.call<PublishResult>('sustained', { seqBase, durationMs: spec.durationMs, eventsPerSec: spec.eventsPerSec });
    }
    return spec.kind === 'burst'
      ? this.publisher.call<HttpPublishResult>('burst', { seqBase, count: spec.count })
      : this.publisher.call<HttpPublishResult>('sustained', { seqBase, durationMs: spec.durationMs, eventsPerSec: spec.eventsPerSec });
  }

  /** One measured phase: publish, wait until every delivery arrived (or none for `stallMs`). */
  private async phase(srv: RpcChild, spec: PhaseSpec, measured = true): Promise<PhaseResult> {
    const seqBase = this.nextSeq;
    const backgroundCores = measured && this.opts.quietWaitS > 0 ? await this.waitQuiet() : null;
    // Fresh keep-alive connections for the HTTP publisher, opened before anything is counted.
    if (spec.mode === 'http') await this.publisher.call('prepare', { sockets: spec.kind === 'burst' ? spec.count : 1 });
    const open = sum(await Promise.all(this.loadgens.map((l) => l.call<number>('phase', { seqBase }))));
    if (this.opts.napMs > 0) await Promise.all(this.loadgens.map((l) => l.call('nap', { ms: this.opts.napMs })));
    const s0 = await srv.call<CpuReport>('cpu');
    const l0 = await this.lgStats();
    const p0 = await this.publisher.call<{ user: number; system: number }>('cpu');
    const m0 = machineTicks();
    const k0 = kernelCounters();
    const self0 = process.cpuUsage();
    const w0 = performance.now();
    const pub = await this.publish(srv, spec, seqBase);
    const attempted = pub.attempted ?? pub.published;
    if (pub.firstFailure) log(`${spec.mode} ${spec.kind}: ${attempted - pub.published} of ${attempted} publishes refused; first: ${pub.firstFailure}`);
    this.nextSeq = seqBase + attempted + 1;
    // Only events the server accepted are expected on the streams.
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
    const p1 = await this.publisher.call<{ user: number; system: number }>('cpu');
    if (this.opts.napMs > 0) await Promise.all(this.loadgens.map((l) => l.call('nap', { ms: 0 })));
    const hist = mergeHistograms(await Promise.all(this.loadgens.map((l) => l.call<Histogram>('hist'))));
    const received = sum(st.map((s) => s.received));
    const lastRecv = Math.max(...st.map((s) => s.lastRecv));
    const windowS = received > 0 ? (lastRecv - pub.startT) / 1000 : Number.NaN;
    const serverUserS = (s1.user - s0.user) / 1e6;
    const serverSysS = (s1.system - s0.system) / 1e6;
    const serverCpuS = serverUserS + serverSysS;
    const loadgenCpuS = sum(st.map((s, i) => (s.user + s.system - (l0[i]?.user ?? 0) - (l0[i]?.system ?? 0)) / 1e6));
    const publisherCpuS = (p1.user + p1.system - p0.user - p0.system) / 1e6;
    const ncpu = cpus().length;
    const machineBusyCores = m0 && m1 ? ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * ncpu : null;
    const intervalS = (w1 - w0) / 1000;
    const ours = serverCpuS + loadgenCpuS + publisherCpuS + (self1.user + self1.system) / 1e6;
    return {
      kind: spec.kind,
      mode: spec.mode,
      published: pub.published,
      attempted,
      refused: attempted - pub.published,
      httpStatuses: pub.statuses ?? null,
      requestMs: pub.requestMs ?? null,
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
      publisherCpuS,
      publisherCores: publisherCpuS / windowS,
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

  async scenario(kind: ServerKind, n: number, load: LoadKind): Promise<ScenarioResult> {
    const { tokens, users } = await this.tokens.forLoad(load, n, this.opts.users);
    const name = `${kind} N=${n} ${load}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'wardbell-bench-'));
    scratch.add(dataDir);
    const srv = spawn(`server:${kind}`, SERVER_ENTRY, [kind], true);
    try {
      const { url, pid } = await srv.call<{ url: string; pid: number }>('start', { dataDir, secret: SECRET, srcDir: this.opts.wardbellSrc });
      log(`${name}: listening on ${url} (pid ${pid}), ${fmtInt(users)} users`);
      const u = new URL(url);
      await this.publisher.call('configure', { host: u.hostname, port: Number(u.port), path: '/api/events', token: this.publisherToken });
      const modes = this.opts.publish;
      const sustainedSpec = (mode: PublishMode, durationMs: number): PhaseSpec => ({ mode, kind: 'sustained', durationMs, eventsPerSec: this.opts.rate });
      const burstSpec = (mode: PublishMode, count: number): PhaseSpec => ({ mode, kind: 'burst', count });

      // Warm-up: JIT (stream open and every publish path), lazily loaded modules, the tenant's log
      // stream row; then back to no streams.
      const warm = await this.connect(url, tokens.slice(0, Math.min(100, n)));
      if (warm.opened === 0) throw new Error(`warm-up: no stream opened: ${JSON.stringify(warm.errors)}`);
      for (const mode of modes) {
        await this.phase(srv, sustainedSpec(mode, 300), false);
        await this.phase(srv, burstSpec(mode, Math.min(5, this.opts.burst)), false);
      }
      await this.closeAll();
      await this.waitForServerCount(srv, 0);
      // PSS first (no forced GC), then the GC'd figures.
      const pssBase = pssKiB(pid);
      const baseline = await srv.call<MemReport>('mem');
      // Also after that forced GC (the state the streams are opened from), for reference only.
      const pssBaseGc = pssKiB(pid);

      const connect = await this.connect(url, tokens);
      log(`${name}: ${connect.opened} streams open in ${connect.seconds.toFixed(1)} s${connect.failed ? `, ${connect.failed} failed ${JSON.stringify(connect.errors)}` : ''}`);
      await this.waitForServerCount(srv, connect.opened);
      const pssIdle = pssKiB(pid);
      const idle = await srv.call<MemReport>('mem');
      const per = (a: number, b: number) => (a - b) / 1024 / Math.max(1, connect.opened);
      const perStream = (from: number) => (pssIdle === null ? Number.NaN : (pssIdle - from) / Math.max(1, connect.opened));
      const pss =
        pssBase !== null && pssIdle !== null
          ? {
              baselineKiB: pssBase,
              idleKiB: pssIdle,
              kiBPerConnection: perStream(pssBase),
              baselineAfterGcKiB: pssBaseGc,
              kiBPerConnectionFromGcBaseline: pssBaseGc === null ? null : perStream(pssBaseGc),
            }
          : null;
      log(`${name}: idle memory per stream: PSS ${fmt(pss?.kiBPerConnection)} KiB (no GC), RSS ${fmt(per(idle.rss, baseline.rss))} KiB (after GC)`);

      if (this.opts.warmupMs > 0) for (const mode of modes) await this.phase(srv, sustainedSpec(mode, this.opts.warmupMs), false);
      if (this.opts.profile) {
        const stem = this.opts.out.replace(/\.json$/, '');
        for (const mode of modes) {
          for (const spec of [sustainedSpec(mode, this.opts.durationMs), burstSpec(mode, this.opts.burst)]) {
            await srv.call('profileStart');
            await this.phase(srv, spec, false);
            log(`profile: ${await srv.call<string>('profileStop', { file: `${stem}-${kind}-${n}-${load}-${mode}-${spec.kind}.cpuprofile` })}`);
          }
        }
      }
      const runs = new Map<PublishMode, Record<PhaseKind, PhaseResult[]>>(modes.map((m) => [m, { sustained: [], burst: [] }]));
      const discarded: PhaseResult[] = [];
      // A run during which other processes took more than MAX_OTHER_CORES is measured again (its
      // figures are kept under `discarded`), at most --redo times per scenario.
      let redo = this.opts.redo;
      const measure = async (spec: PhaseSpec): Promise<PhaseResult> => {
        for (;;) {
          const r = await this.phase(srv, spec);
          // /proc/stat counts in 10 ms ticks: short runs (bursts) are judged over at least 0.5 s.
          const otherCpuS = (r.otherCores ?? 0) * r.intervalS;
          if (otherCpuS <= MAX_OTHER_CORES * Math.max(r.intervalS, 0.5) || redo <= 0) return r;
          redo--;
          discarded.push(r);
          log(`${name}: other processes took ${fmt(r.otherCores, 2)} cores during the ${spec.mode} ${spec.kind} run: measuring it again`);
        }
      };
      // Modes interleaved within each repeat, so each sees the same conditions of the machine.
      for (let k = 0; k < this.opts.repeat; k++) {
        for (const mode of modes) {
          const bucket = runs.get(mode) as Record<PhaseKind, PhaseResult[]>;
          const s = await measure(sustainedSpec(mode, this.opts.durationMs));
          bucket.sustained.push(s);
          log(
            `${name} ${mode}: sustained ${fmtInt(s.published)} events, ${fmtInt(s.deliveredPerS)} deliveries/s, ${fmtInt(s.deliveriesPerServerCpuS)} per server CPU-s, ` +
              `lost ${s.lost}, dup ${s.duplicates}${s.refused ? `, ${s.refused} refused` : ''}`,
          );
          const b = await measure(burstSpec(mode, this.opts.burst));
          bucket.burst.push(b);
          log(`${name} ${mode}: burst of ${b.published}: p50 ${fmt(b.latencyMs?.p50)} ms, p99 ${fmt(b.latencyMs?.p99)} ms, lost ${b.lost}, dup ${b.duplicates}${b.refused ? `, ${b.refused} refused` : ''}`);
        }
      }
      const publish: ModeResult[] = modes.map((mode) => {
        const r = runs.get(mode) as Record<PhaseKind, PhaseResult[]>;
        return { mode, sustained: combine(r.sustained, sustainedKey), burst: combine(r.burst, burstKey) };
      });

      await this.publisher.call('close');
      await srv.call('stop', undefined, 30_000);
      await srv.stop();
      await this.closeAll();
      return {
        server: kind,
        connections: n,
        load,
        users,
        connect,
        memory: {
          baseline,
          idle,
          rssKiBPerConnection: per(idle.rss, baseline.rss),
          heapKiBPerConnection: per(idle.heapUsed, baseline.heapUsed),
          externalKiBPerConnection: per(idle.external, baseline.external),
          pss,
        },
        publish,
        discarded,
      };
    } finally {
      srv.kill();
      await this.publisher.call('close').catch(() => undefined);
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
  const status = git('status', '--porcelain', '--', 'packages/wardbell/src', 'packages/client/src');
  return { commit: git('rev-parse', 'HEAD'), srcUncommittedChanges: status === null ? null : status !== '', wardbellSrc: wardbellSrc ?? 'packages/wardbell/src' };
}

const log = (msg: string) => console.error(`[bench:sse] ${msg}`);

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const biggest = Math.max(...opts.sizes);
  const fdLimit = openFileLimit();
  if (fdLimit !== null && fdLimit < biggest + FD_MARGIN) {
    throw new Error(`open-file limit ${fdLimit} is too low for ${biggest} streams: raise it (ulimit -n ${Math.max(20_000, biggest + FD_MARGIN)}) or pass smaller --sizes`);
  }
  const deadline = setTimeout(() => {
    console.error(`[bench:sse] run exceeded ${opts.maxMinutes} minutes: stopping`);
    killAll();
    process.exit(2);
  }, opts.maxMinutes * 60_000);
  deadline.unref();

  const secret = new TextEncoder().encode(SECRET);
  const tokens = new Tokens(secret);
  const publisherToken = await signDevToken({ tenantId: TENANT, userId: 'bench-publisher', roles: ['service'], wards: [] }, secret, 3600);
  const loadgens = Array.from({ length: opts.loadgens }, (_, i) => spawn(`loadgen${i}`, LOADGEN_ENTRY, [], false));
  const publisher = spawn('publisher', PUBLISHER_ENTRY, [], false);
  const machine = { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, kernel: release(), memGiB: Math.round(totalmem() / 2 ** 30) };
  log(
    `machine: ${machine.nproc} cores (${machine.cpu}), node ${machine.node}, sizes ${opts.sizes.join(',')}, servers ${opts.servers.join(',')}, ` +
      `loads ${opts.loads.join(',')}, publish ${opts.publish.join(',')}, ${opts.loadgens} load generator(s), open-file limit ${fdLimit ?? 'unknown'}`,
  );

  const bench = new Bench(opts, loadgens, publisher, tokens, publisherToken);
  const results: ScenarioResult[] = [];
  const startedAt = new Date();
  for (const n of opts.sizes) for (const load of opts.loads) for (const kind of opts.servers) results.push(await bench.scenario(kind, n, load));
  await Promise.all([...loadgens, publisher].map((l) => l.stop()));

  const targets = checkTargets(results, biggest);
  const targetText = targets.map((c) => `${c.met === null ? 'n/a ' : c.met ? 'MET ' : 'MISS'}  ${c.target}: ${c.measured}`).join('\n');
  console.log(
    `\nSSE fan-out: ${machine.nproc} cores, node ${machine.node}, ${opts.loadgens} load generator(s), sustained ${opts.durationMs} ms at ${opts.rate > 0 ? `${opts.rate} events/s` : 'max rate'}, ` +
      `burst ${opts.burst}, ${opts.repeat} run(s) each (median shown; lost/dup summed over runs), ${((Date.now() - startedAt.getTime()) / 60_000).toFixed(1)} min\n`,
  );
  console.log(render(results, false));
  console.log(`\nTargets (wardbell at ${fmtInt(biggest)} streams, load ${targetLoad(results) ?? '-'}):\n${targetText || 'n/a  no wardbell run at that size'}`);
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
