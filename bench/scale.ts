/**
 * `npm run bench:scale`: the scale-out deployment against the embedded default, in one run.
 *  - single: one embedded process (SQLite log, in-process bus), all connections on it;
 *  - scale-out: two processes on PostgreSQL + Redis, connections split evenly, every broadcast
 *    published over HTTP through the first process (the second learns of it through Redis).
 * Service processes are `packages/wardbell/src/main.ts` as deployed; the receivers are the SSE benchmark's load
 * generator (bench/sse/loadgen.ts: raw sockets, a byte scanner, latency histograms from a wall-clock
 * timestamp in each event). Per deployment, two phases:
 *  1. steady: broadcasts at fixed rates (a ladder): delivered share, deliveries per second and per
 *     server CPU-second, publish-to-receive latency p50/p99/max over every delivery, lost, duplicated;
 *  2. capacity: a few publishers back to back for a while: deliveries per second and per server
 *     CPU-second of each process.
 * On a machine with fewer cores than processes (service processes, load generator, PostgreSQL and
 * Redis), the processes share cores, so a process's delivery rate at saturation is set by the CPU
 * it gets; deliveries per CPU-second of a process is its rate with a core of its own. Both are
 * reported; docs/BENCHMARKS.md says which the target is judged on and why.
 *
 * Then a multi-tenant phase (bench/scale/multi-tenant.ts): 1,000 tenants with a few streams each on
 * N processes over a Redis Cluster of its own, placed by tenant (as a load balancer routing by
 * tenant would) and at random, each on fresh processes: which bus shards each process reads (and
 * that it is exactly the shards of its tenants), what it reads and delivers, CPU and memory per
 * process, per Redis primary and of PostgreSQL, and lost, duplicated and cross-tenant deliveries.
 *
 * Options: --connections 5000  --rates 10,20,40 (steady broadcasts/s)  --seconds 8  --capacity-seconds 8
 *          --publishers 4 (capacity phase)  --loadgens 1  --nap 1 (ms, see loadgen.ts)
 *          --only=single,scale-out,multi-tenant (a comma-separated subset; default all)  --markdown
 *   multi-tenant: --processes 4  --tenants 1000  --streams-per-tenant 5  --mt-rate 200 (broadcasts/s,
 *          all tenants together)  --mt-seconds 10  --bus-shards 16  --primaries 3  --replicas 0
 *          --placements tenant-routed,random  --seed 1
 * Env BENCH_NODE_ARGS: extra node flags for the service processes (e.g. --cpu-prof --cpu-prof-dir=DIR).
 * Needs DATABASE_URL and REDIS_URL (defaults: this machine's servers); the multi-tenant phase needs
 * redis-server and redis-cli on PATH (it starts its own cluster on loopback ports).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { signDevToken } from '../packages/wardbell/src/auth/index.js';
import type { LoadgenStats } from './sse/loadgen.js';
import { fmt, fmtInt, markdownTable, mergeHistograms, summarise, table, type Histogram } from './sse/report.js';
import { RpcChild } from './sse/rpc.js';
import { cpuByPid, cpuSeconds, pidsOf, root, SECRET, startService, stopAll, writeSyscalls, type Proc, publishBroadcast } from './scale/common.js';
import { PLACEMENTS, reportMultiTenant, runMultiTenant, type MultiTenantResult, type Placement } from './scale/multi-tenant.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const num = (k: string, d: number) => Number(args.get(k) ?? d);
const CONNECTIONS = num('connections', 5000);
const RATES = (args.get('rates') ?? '10,20,40').split(',').map(Number);
const SECONDS = num('seconds', 8);
const CAPACITY_SECONDS = num('capacity-seconds', 8);
const PUBLISHERS = num('publishers', 4);
const LOADGENS = num('loadgens', 1);
const NAP_MS = num('nap', 1);
const USERS = 200;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TENANT = 'bench';
const PHASES = ['single', 'scale-out', 'multi-tenant'] as const;
const ONLY = new Set((args.get('only') ?? PHASES.join(',')).split(','));
for (const p of ONLY) if (!(PHASES as readonly string[]).includes(p)) throw new Error(`--only: unknown phase ${p} (phases: ${PHASES.join(', ')})`);
const MT = {
  processes: num('processes', 4),
  tenants: num('tenants', 1000),
  streamsPerTenant: num('streams-per-tenant', 5),
  rate: num('mt-rate', 200),
  seconds: num('mt-seconds', 10),
  shards: num('bus-shards', 16),
  primaries: num('primaries', 3),
  replicasPerPrimary: num('replicas', 0),
  loadgens: LOADGENS,
  napMs: NAP_MS,
  seed: num('seed', 1),
  databaseUrl: DATABASE_URL,
  placements: (args.get('placements') ?? PLACEMENTS.join(',')).split(',') as Placement[],
};
for (const p of MT.placements) if (!PLACEMENTS.includes(p)) throw new Error(`--placements: unknown placement ${p} (${PLACEMENTS.join(', ')})`);

/** POSTs broadcasts to one process over a keep-alive connection pool. */
function publisher(url: string, token: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: PUBLISHERS });
  return (seq: number) => publishBroadcast(agent, url, token, seq);
}

let seqBase = 0;

async function phase(loadgens: RpcChild[], procs: Proc[], others: () => Map<number, number>, run: (publish: (s: number) => Promise<void>) => Promise<number>, publish: (s: number) => Promise<void>) {
  seqBase += 1_000_000;
  const base = seqBase;
  for (const g of loadgens) await g.call('phase', { seqBase: base });
  for (const g of loadgens) await g.call('nap', { ms: NAP_MS });
  const cpu0 = procs.map((p) => p.cpu());
  const w0 = procs.map((p) => writeSyscalls(p.child.pid!));
  const gen0 = loadgens.map((g) => cpuSeconds(g.pid));
  const other0 = others();
  const t0 = performance.now();
  const sent = await run((s) => publish(base + s));
  const expected = sent * CONNECTIONS;
  const deadline = Date.now() + 20_000;
  let stats: LoadgenStats[] = [];
  for (;;) {
    stats = await Promise.all(loadgens.map((g) => g.call<LoadgenStats>('stats')));
    if (stats.reduce((s, x) => s + x.received, 0) >= expected || Date.now() > deadline) break;
    await sleep(20);
  }
  const elapsed = (performance.now() - t0) / 1000;
  for (const g of loadgens) await g.call('nap', { ms: 0 });
  const received = stats.reduce((s, x) => s + x.received, 0);
  const firstRecv = Math.min(...stats.map((x) => x.firstRecv).filter((x) => x > 0));
  const lastRecv = Math.max(...stats.map((x) => x.lastRecv));
  const hist = mergeHistograms(await Promise.all(loadgens.map((g) => g.call<Histogram>('hist'))));
  const cpu = procs.map((p, i) => p.cpu() - cpu0[i]!);
  const writes = procs.map((p, i) => writeSyscalls(p.child.pid!) - w0[i]!);
  const deliverySeconds = Math.max(0.001, (lastRecv - firstRecv) / 1000);
  return {
    broadcasts: sent,
    expected,
    received,
    lost: expected - received,
    duplicates: stats.reduce((s, x) => s + x.duplicates, 0),
    reordered: stats.reduce((s, x) => s + x.reordered, 0),
    closedByPeer: stats.reduce((s, x) => s + x.closedByPeer, 0),
    seconds: Math.round(elapsed * 100) / 100,
    deliveriesPerSecond: Math.round(received / deliverySeconds),
    latencyMs: summarise(hist),
    serverCpuSeconds: cpu.map((c) => Math.round(c * 100) / 100),
    deliveriesPerCpuSecondByProcess: cpu.map((c) => Math.round(received / procs.length / c)),
    /** Events per write system call, per process: how much the hub's batching and the socket buffers coalesced. */
    deliveriesPerWriteByProcess: writes.map((w) => Math.round((received / procs.length / w) * 100) / 100),
    loadgenCpuSeconds: Math.round(loadgens.reduce((s, g, i) => s + cpuSeconds(g.pid) - gen0[i]!, 0) * 100) / 100,
    // Backends that started during the phase count whole; ones that ended are missed (an undercount).
    databaseAndRedisCpuSeconds: Math.round([...others()].reduce((sum, [pid, c]) => sum + c - (other0.get(pid) ?? 0), 0) * 100) / 100,
  };
}

async function deployment(name: string, procs: Proc[], others: () => Map<number, number>) {
  const enc = new TextEncoder().encode(SECRET);
  const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => signDevToken({ tenantId: TENANT, userId: `u${i}`, roles: [], wards: [] }, enc, 3600)));
  const loadgens = Array.from({ length: LOADGENS }, (_, i) => new RpcChild(`loadgen-${i}`, join(root, 'bench/sse/loadgen.ts')));
  try {
    // Connections split evenly over processes, and over load generators.
    const per = Math.ceil(CONNECTIONS / (procs.length * loadgens.length));
    let opened = 0;
    for (const p of procs) {
      const u = new URL(p.url);
      for (const g of loadgens) {
        const r = await g.call<{ opened: number; failed: number; errors: Record<string, number> }>('connect', { host: u.hostname, port: Number(u.port), path: '/api/sse', tokens, count: per, batch: 500 });
        if (r.failed) throw new Error(`${r.failed} streams failed to open: ${JSON.stringify(r.errors)}`);
        opened += r.opened;
      }
    }
    if (opened !== CONNECTIONS) throw new Error(`opened ${opened} of ${CONNECTIONS}`);
    const pubToken = await signDevToken({ tenantId: TENANT, userId: 'publisher', roles: ['service'], wards: [] }, enc, 3600);
    const publish = publisher(procs[0]!.url, pubToken);
    for (let s = 0; s < 5; s++) await publish(s); // warm-up
    await sleep(1000);

    const steady = [];
    for (const rate of RATES) {
      steady.push({ rate, ...(await phase(loadgens, procs, others, async (pub) => {
        const t0 = performance.now();
        const inflight: Promise<void>[] = [];
        for (let s = 0; s < rate * SECONDS; s++) {
          const wait = t0 + (s * 1000) / rate - performance.now();
          if (wait > 0) await sleep(wait);
          inflight.push(pub(s));
        }
        await Promise.all(inflight);
        return inflight.length;
      }, publish)) });
      await sleep(1000);
    }
    await sleep(1000);
    const capacity = await phase(loadgens, procs, others, async (pub) => {
      const end = performance.now() + CAPACITY_SECONDS * 1000;
      let next = 0;
      await Promise.all(Array.from({ length: PUBLISHERS }, async () => {
        while (performance.now() < end) await pub(next++);
      }));
      return next;
    }, publish);
    for (const g of loadgens) await g.call('closeAll');
    return { name, processes: procs.length, connections: CONNECTIONS, steady, capacity };
  } finally {
    for (const g of loadgens) await g.stop();
  }
}

const results: Array<Awaited<ReturnType<typeof deployment>>> = [];
if (ONLY.has('single')) {
  const single = await startService({ WARDBELL_DATA_DIR: mkdtempSync(join(tmpdir(), 'wardbell-bench-single-')) });
  try {
    results.push(await deployment('single embedded process (SQLite)', [single], () => new Map()));
  } finally {
    await stopAll([single]);
  }
}
if (ONLY.has('scale-out')) {
  const name = `wardbell_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const u = new URL(DATABASE_URL);
  u.pathname = `/${name}`;
  const env = { DATABASE_URL: u.toString(), REDIS_URL, WARDBELL_REDIS_PREFIX: `bench-${name}`, WARDBELL_DATA_DIR: mkdtempSync(join(tmpdir(), 'wardbell-bench-scale-')) };
  const procs = [await startService(env), await startService(env)];
  const others = () => cpuByPid([...pidsOf('redis-server'), ...pidsOf('postgres')]);
  try {
    results.push(await deployment('scale-out: 2 processes, PostgreSQL + Redis', procs, others));
  } finally {
    await stopAll(procs);
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

let multiTenant: MultiTenantResult | null = null;
let multiTenantError: string | null = null;
if (ONLY.has('multi-tenant')) {
  try {
    multiTenant = await runMultiTenant(MT);
  } catch (err) {
    // The phases before it are still written.
    multiTenantError = err instanceof Error ? (err.stack ?? err.message) : String(err);
    console.error(`multi-tenant phase failed: ${multiTenantError}`);
  }
}

const single = results.find((r) => r.processes === 1);
const scale = results.find((r) => r.processes > 1);
const r2 = (n: number) => Math.round(n * 100) / 100;
/** Scale-out / single, deliveries per CPU-second of the busier scale-out process (the one publishes go through). */
const perCpuRatio = (a: { deliveriesPerCpuSecondByProcess: number[] }, b: { deliveriesPerCpuSecondByProcess: number[] }) =>
  r2(Math.min(...a.deliveriesPerCpuSecondByProcess) / b.deliveriesPerCpuSecondByProcess[0]!);
const summary = {
  benchmark: 'scale',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  settings: { connections: CONNECTIONS, steadyRatesPerSecond: RATES, seconds: SECONDS, capacitySeconds: CAPACITY_SECONDS, publishers: PUBLISHERS, loadgens: LOADGENS, napMs: NAP_MS, phases: [...ONLY] },
  results,
  /** Both deployments ran: null otherwise. */
  ratios: single && scale ? {
    /** Per steady rate: deliveries per CPU-second, scale-out (busier process) / single. */
    steadyPerCpuSecond: RATES.map((rate, i) => ({ rate, ratio: perCpuRatio(scale.steady[i]!, single.steady[i]!) })),
    /** The same at saturation (the publishers back to back). */
    capacityPerCpuSecond: perCpuRatio(scale.capacity, single.capacity),
    /** Raw delivery rate at saturation per process on this machine, scale-out / single. */
    capacityPerProcessOnThisMachine: r2(scale.capacity.deliveriesPerSecond / scale.processes / single.capacity.deliveriesPerSecond),
  } : null,
  multiTenant,
  ...(multiTenantError ? { multiTenantError } : {}),
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/scale-${summary.date.replace(/[:.]/g, '-').slice(0, 19)}.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);

if (results.length > 0) {
  console.log(`\n${CONNECTIONS} connections; steady: ${RATES.join(', ')} broadcasts/s for ${SECONDS} s each; capacity: ${PUBLISHERS} publishers for ${CAPACITY_SECONDS} s\n`);
  const rows = results.flatMap((r) => [...r.steady.map((p) => [`${p.rate}/s`, p] as const), ['capacity', r.capacity] as const].map(([label, p]) =>
    [r.name, label, fmtInt(p.broadcasts), fmtInt(p.received), fmtInt(p.lost), fmtInt(p.duplicates), fmtInt(p.deliveriesPerSecond), fmt(p.latencyMs?.p50), fmt(p.latencyMs?.p99), fmt(p.latencyMs?.max), p.serverCpuSeconds.join(' + '), p.deliveriesPerCpuSecondByProcess.map(fmtInt).join(' / '), p.deliveriesPerWriteByProcess.map((x) => fmt(x, 2)).join(' / '), fmt(p.loadgenCpuSeconds, 2), fmt(p.databaseAndRedisCpuSeconds, 2)]));
  const head = ['deployment', 'phase', 'broadcasts', 'delivered', 'lost', 'dup', 'deliveries/s', 'p50 ms', 'p99 ms', 'max ms', 'server CPU s', 'deliveries/CPU-s per process', 'deliveries/write', 'loadgen CPU s', 'PG+Redis CPU s'];
  console.log(table(head, rows));
  if (args.has('markdown')) console.log(`\n${markdownTable(head, rows)}`);
  if (summary.ratios) {
    console.log(`\nper process, scale-out / single, deliveries per CPU-second: ${summary.ratios.steadyPerCpuSecond.map((x) => `${x.ratio} at ${x.rate}/s`).join(', ')}, ${summary.ratios.capacityPerCpuSecond} at capacity`);
    console.log(`raw delivery rate per process at capacity on this ${cpus().length}-core machine, scale-out / single: ${summary.ratios.capacityPerProcessOnThisMachine}`);
  }
}
if (multiTenant) console.log(reportMultiTenant(multiTenant, args.has('markdown')));
console.log(`written ${file.pathname}`);
process.exit(multiTenantError || multiTenant?.placements.some((p) => p.problems.length > 0) ? 1 : 0);
