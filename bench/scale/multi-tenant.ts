/**
 * bench:scale's multi-tenant phase: many tenants with a few streams each, spread over N service
 * processes on a Redis Cluster (its own, started here) and a fresh PostgreSQL database, in two
 * placements, each on fresh processes:
 *  - tenant-routed: every stream of a tenant on process `shardOf(tenant, shards) % N` (a load
 *    balancer routing by tenant); each process then holds the tenants of a few shards;
 *  - random: each stream on a uniformly random process; each process holds streams of most tenants.
 * The same broadcasts (`to: { tenant: true }`, each to a tenant drawn uniformly at random, a fixed
 * total rate, published round-robin through the processes) in both. Every stream is its own user,
 * and the load generator knows its tenant and which tenant each seq went to, so lost, duplicated
 * and cross-tenant deliveries are counted per stream (expected = sum over broadcasts of that
 * tenant's stream count).
 *
 * Which shards a process reads: the gauge `wardbell_bus_shards_read` gives the count; the set is
 * read from Redis itself: a few seconds of `MONITOR` on every primary after the load (every bus
 * reader re-issues its `XREAD BLOCK` at least every block timeout, 2 s), each `XREAD` mapped to its
 * shard by its key and to its process by the client's address (the socket's owner in /proc).
 * That set must equal the shards of the tenants the process holds streams for; the bus counters
 * (entries read, entries delivered) must equal what those shards and tenants were sent.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { signDevToken } from '../../packages/wardbell/src/auth/index.js';
import { shardKeys, shardOf } from '../../packages/wardbell/src/backbone/shards.js';
import { seededRandom } from '../../test/client/helpers.js';
import { startRedisCluster } from '../../test/helpers/redis-cluster.js';
import type { LoadgenStats } from '../sse/loadgen.js';
import { fmt, fmtInt, machineTicks, markdownTable, mergeHistograms, summarise, table, type Histogram, type LatencySummary } from '../sse/report.js';
import { RpcChild } from '../sse/rpc.js';
import { cpuByPid, cpuSeconds, heapSampler, pidsOf, redisCounters, root, rssMiB, scrape, SECRET, startService, stopAll, type Proc, publishBroadcast } from './common.js';

export type Placement = 'tenant-routed' | 'random';
export const PLACEMENTS: readonly Placement[] = ['tenant-routed', 'random'];

export interface MultiTenantOptions {
  processes: number;
  tenants: number;
  streamsPerTenant: number;
  /** Broadcasts per second, all tenants together. */
  rate: number;
  seconds: number;
  /** WARDBELL_BUS_SHARDS. */
  shards: number;
  primaries: number;
  replicasPerPrimary: number;
  loadgens: number;
  napMs: number;
  seed: number;
  databaseUrl: string;
  placements: readonly Placement[];
}

const r2 = (n: number) => Math.round(n * 100) / 100;
const setText = (s: Iterable<number>) => `{${[...s].sort((a, b) => a - b).join(',')}}`;

/** Which process owns each loopback TCP connection to `port`: `127.0.0.1:<client port>` -> pid, from /proc/net/tcp and /proc/<pid>/fd. */
function loopbackClientsOf(port: number, pids: readonly number[]): Map<string, number> {
  const ownerOfInode = new Map<string, number>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) ownerOfInode.set(m[1]!, pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  const out = new Map<string, number>();
  const hexPort = (a: string) => parseInt(a.split(':')[1] ?? '', 16);
  for (const line of readFileSync('/proc/net/tcp', 'latin1').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !f[1]!.startsWith('0100007F:') || hexPort(f[2]!) !== port) continue;
    const pid = ownerOfInode.get(f[9]!);
    if (pid !== undefined) out.set(`127.0.0.1:${hexPort(f[1]!)}`, pid);
  }
  return out;
}

/**
 * The bus shards each process reads, as Redis sees them: `MONITOR` on every primary for `ms`,
 * every `XREAD ... BLOCK ... STREAMS <bus key>...` mapped to a shard by its keys and to a process
 * by the connection it came on. Also the blocking connections seen per process.
 */
async function shardsReadSeenByRedis(primaryPorts: readonly number[], prefix: string, shards: number, procs: readonly Proc[], ms: number) {
  const keys = shardKeys(prefix, shards);
  const shardOfKey = new Map(Array.from({ length: shards }, (_, s) => [keys.bus(s), s] as const));
  const pids = procs.map((p) => p.child.pid!);
  const seen = procs.map(() => new Set<number>());
  const conns = procs.map(() => new Set<string>());
  let unmatched = 0;
  await Promise.all(primaryPorts.map(async (port) => {
    // redis-cli, not ioredis: an ioredis MONITOR connection can throw (from its socket handler,
    // uncaught) on a reply it did not expect ("Command queue state error").
    const calls: Array<{ args: string[]; source: string }> = [];
    const mon = spawn('redis-cli', ['-p', String(port), 'monitor'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let buf = '';
    mon.stdout.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^[\d.]+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
        if (!m) continue;
        const args = [...m[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]!);
        if (String(args[0]).toLowerCase() === 'xread') calls.push({ args, source: m[1]! });
      }
    });
    await sleep(ms);
    mon.kill();
    // The owners are read while the connections are still open (the streams still are).
    const owners = loopbackClientsOf(port, pids);
    for (const { args, source } of calls) {
      const i = args.findIndex((a) => a.toUpperCase() === 'STREAMS');
      const named = args.slice(i + 1, i + 1 + (args.length - i - 1) / 2);
      const pid = owners.get(source);
      const p = pid === undefined ? -1 : pids.indexOf(pid);
      if (p < 0) {
        unmatched++;
        continue;
      }
      conns[p]!.add(`${port}/${source}`);
      for (const k of named) {
        const s = shardOfKey.get(k);
        if (s !== undefined) seen[p]!.add(s);
      }
    }
  }));
  return { seen, readerConnections: conns.map((c) => c.size), unmatched };
}

interface Stream {
  tenant: number;
  user: number;
  token: string;
}

export interface ProcessResult {
  process: number;
  streams: number;
  tenants: number;
  publishesThrough: number;
  /** Shards of the tenants it holds streams for (computed with shardOf). */
  shardsOfItsTenants: number[];
  /** `wardbell_bus_shards_read` at the end of the load. */
  shardsReadGauge: number;
  /** The shards its XREADs named, as Redis saw them (MONITOR after the load). */
  shardsReadSeen: number[];
  /** Both the gauge's count and the set Redis saw equal the shards of its tenants. */
  shardsReadMatch: boolean;
  /** `wardbell_bus_readers`, and the distinct connections its XREADs came on. */
  busReadersGauge: number;
  busReaderConnectionsSeen: number;
  /** Counter diffs over the phase, and what they should be given the broadcasts sent. */
  busEntriesRead: number;
  busEntriesReadExpected: number;
  busEntriesDelivered: number;
  busEntriesDeliveredExpected: number;
  sseEventsDelivered: number;
  sseEventsDeliveredExpected: number;
  cpuSeconds: number;
  rssMiB: number;
  /** The least JS heap in use sampled over the window (about the live heap). */
  heapUsedMinMiB: number;
  deliveriesPerCpuSecond: number;
}

export interface PlacementResult {
  placement: Placement;
  processes: ProcessResult[];
  broadcasts: number;
  publishErrors: number;
  publishSeconds: number;
  /** The window the processes' CPU was counted over (publishing, the last deliveries, 0.2 s). */
  windowSeconds: number;
  expected: number;
  delivered: number;
  lost: number;
  /** Streams that missed at least one event of their tenant. */
  streamsMissing: number;
  duplicates: number;
  misdelivered: number;
  reordered: number;
  idRegressions: number;
  closedByPeer: number;
  latencyMs: LatencySummary | null;
  serviceCpuSeconds: number;
  /** Commands by name over all primaries (INFO commandstats; the benchmark's own INFO calls included). */
  redisCommandsByName: Record<string, number>;
  /**
   * Per primary: INFO cpu and total_commands_processed diffs (commands inside scripts count), the
   * stream quota's renewal scripts run, and the commands without those renewals (they come every
   * 30 s per process whatever the load, so whether one falls in the window is chance).
   */
  redisPrimaries: Array<{ port: number; cpuSeconds: number; commands: number; quotaRenewals: number; commandsWithoutQuotaRenewals: number }>;
  /** Every postgres process on the machine (others' included), and this database's backends. */
  postgresCpuSeconds: number;
  postgresCpuSecondsThisDatabase: number;
  /** Transactions of this database (pg_stat_database) from the start of the load to 3 s after its end. */
  postgresTransactions: number;
  loadgenCpuSeconds: number;
  /** This benchmark process (it publishes, over HTTP). */
  publisherCpuSeconds: number;
  /** Average cores busy on the whole machine over the phase (anything else running included). */
  machineBusyCores: number;
  /** A check that found something wrong, in words (empty: all as expected). */
  problems: string[];
}

export interface MultiTenantResult {
  settings: Omit<MultiTenantOptions, 'databaseUrl'> & { redis: string };
  startedAt: string;
  placements: PlacementResult[];
}

export async function runMultiTenant(o: MultiTenantOptions, log: (s: string) => void = (s) => console.error(s)): Promise<MultiTenantResult> {
  const startedAt = new Date().toISOString();
  const enc = new TextEncoder().encode(SECRET);
  const tenantIds = Array.from({ length: o.tenants }, (_, t) => `mt${String(t).padStart(5, '0')}`);
  log(`multi-tenant: signing ${o.tenants * o.streamsPerTenant} stream tokens and ${o.tenants} service tokens`);
  const streamsOf: Stream[][] = await Promise.all(tenantIds.map(async (tenantId, tenant) =>
    Promise.all(Array.from({ length: o.streamsPerTenant }, async (_, user) => ({ tenant, user, token: await signDevToken({ tenantId, userId: `u${user}`, roles: [], wards: [] }, enc, 3600) })))));
  const serviceTokens = await Promise.all(tenantIds.map((tenantId) => signDevToken({ tenantId, userId: 'publisher', roles: ['service'], wards: [] }, enc, 3600)));
  const random = seededRandom(o.seed);
  /** The tenant of every broadcast, the same in both placements. */
  const plan = Array.from({ length: Math.round(o.rate * o.seconds) }, () => Math.floor(random() * o.tenants));

  log(`multi-tenant: starting a Redis Cluster (${o.primaries} primaries, ${o.replicasPerPrimary} replicas each)`);
  // A long node timeout: on a loaded 2-core machine a node may be slow to answer pings, and with no
  // replica a node marked failed takes its slots down.
  const cluster = await startRedisCluster({ primaries: o.primaries, replicasPerPrimary: o.replicasPerPrimary, nodeTimeoutMs: 15_000 });
  const dbName = `wardbell_bench_mt_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: o.databaseUrl });
  const clients: Redis[] = [];
  const placements: PlacementResult[] = [];
  try {
    const primaryPorts = (await cluster.nodes()).filter((n) => n.role === 'master').map((n) => n.port).sort((a, b) => a - b);
    for (const port of primaryPorts) {
      const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
      c.on('error', () => {});
      await c.connect();
      clients.push(c);
    }
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    const dbUrl = new URL(o.databaseUrl);
    dbUrl.pathname = `/${dbName}`;
    const transactionsOfDb = async () => Number((await admin.query<{ n: string }>('select xact_commit + xact_rollback as n from pg_stat_database where datname = $1', [dbName])).rows[0]?.n ?? Number.NaN);
    const backendsOfDb = async () => (await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [dbName])).rows.map((r) => r.pid);

    for (const placement of o.placements) {
      const prefix = `bench-mt-${randomBytes(3).toString('hex')}-${placement}`;
      const env = {
        DATABASE_URL: dbUrl.toString(),
        REDIS_URL: cluster.url,
        WARDBELL_REDIS_CLUSTER: 'true',
        WARDBELL_REDIS_PREFIX: prefix,
        WARDBELL_BUS_SHARDS: String(o.shards),
        WARDBELL_DATA_DIR: mkdtempSync(join(tmpdir(), 'wardbell-bench-mt-')),
      };
      log(`multi-tenant ${placement}: starting ${o.processes} processes`);
      const procs: Proc[] = [];
      const loadgens: RpcChild[] = [];
      try {
        // One after the other: the first runs the migrations.
        for (let i = 0; i < o.processes; i++) procs.push(await startService(env));
        for (let i = 0; i < o.loadgens; i++) loadgens.push(new RpcChild(`loadgen-${i}`, join(root, 'bench/sse/loadgen.ts')));
        placements.push(await runPlacement(o, placement, prefix, procs, loadgens, streamsOf, serviceTokens, plan, primaryPorts, clients, { backendsOfDb, transactionsOfDb }, random, log));
      } finally {
        for (const g of loadgens) await g.call('closeAll').catch(() => 0);
        for (const g of loadgens) await g.stop();
        await stopAll(procs);
      }
    }
  } finally {
    for (const c of clients) c.disconnect();
    await cluster.stop();
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
  const { databaseUrl: _db, ...settings } = o;
  return { settings: { ...settings, redis: `Redis Cluster, ${o.primaries} primaries, ${o.replicasPerPrimary} replicas each (started by the benchmark)` }, startedAt, placements };
}

async function runPlacement(
  o: MultiTenantOptions,
  placement: Placement,
  prefix: string,
  procs: Proc[],
  loadgens: RpcChild[],
  streamsOf: Stream[][],
  serviceTokens: string[],
  plan: number[],
  primaryPorts: number[],
  redis: Redis[],
  db: { backendsOfDb: () => Promise<number[]>; transactionsOfDb: () => Promise<number> },
  random: () => number,
  log: (s: string) => void,
): Promise<PlacementResult> {
  const N = procs.length;
  const tenantId = (t: number) => `mt${String(t).padStart(5, '0')}`;
  const shardOfTenant = Array.from({ length: o.tenants }, (_, t) => shardOf(tenantId(t), o.shards));
  // Placement: the process of each stream.
  const onProc: Stream[][] = procs.map(() => []);
  for (const streams of streamsOf) {
    for (const s of streams) {
      const p = placement === 'tenant-routed' ? shardOfTenant[s.tenant]! % N : Math.floor(random() * N);
      onProc[p]!.push(s);
    }
  }
  /** Streams of each tenant on each process. */
  const perTenantOn = onProc.map((list) => {
    const m = new Map<number, number>();
    for (const s of list) m.set(s.tenant, (m.get(s.tenant) ?? 0) + 1);
    return m;
  });

  log(`multi-tenant ${placement}: opening ${onProc.reduce((n, l) => n + l.length, 0)} streams (${onProc.map((l) => l.length).join(' / ')})`);
  for (let p = 0; p < N; p++) {
    const u = new URL(procs[p]!.url);
    for (let g = 0; g < loadgens.length; g++) {
      const mine = onProc[p]!.filter((_, i) => i % loadgens.length === g);
      if (mine.length === 0) continue;
      const r = await loadgens[g]!.call<{ opened: number; failed: number; errors: Record<string, number> }>('connect', {
        host: u.hostname, port: Number(u.port), path: '/api/sse', tokens: mine.map((s) => s.token), groups: mine.map((s) => s.tenant), count: mine.length, batch: 500,
      });
      if (r.failed) throw new Error(`${r.failed} streams failed to open: ${JSON.stringify(r.errors)}`);
    }
  }

  // Publishing: round-robin through the processes, each over its own keep-alive pool.
  const agents = procs.map(() => new Agent({ keepAlive: true, maxSockets: 64 }));
  const publish = (through: number, tenant: number, seq: number) => publishBroadcast(agents[through]!, procs[through]!.url, serviceTokens[tenant]!, seq);

  try {
    // Warm-up: one broadcast to every tenant (its log exists, as in steady state), 16 at a time.
    log(`multi-tenant ${placement}: warm-up, one broadcast per tenant`);
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < o.tenants) {
        const t = next++;
        await publish(t % N, t, t);
      }
    }));
    await sleep(1500);

    const seqBase = 10_000_000;
    for (const g of loadgens) await g.call('phase', { seqBase, plan });
    for (const g of loadgens) await g.call('nap', { ms: o.napMs });
    const m0 = await Promise.all(procs.map((p) => scrape(p.url)));
    const cpu0 = procs.map((p) => p.cpu());
    const window0 = performance.now();
    const heaps = procs.map((p) => heapSampler(p.url));
    const gen0 = loadgens.map((g) => cpuSeconds(g.pid));
    const redis0 = await Promise.all(redis.map(redisCounters));
    const pgAll0 = cpuByPid(pidsOf('postgres'));
    const tx0 = await db.transactionsOfDb();
    const self0 = process.cpuUsage();
    const ticks0 = machineTicks();

    log(`multi-tenant ${placement}: ${plan.length} broadcasts at ${o.rate}/s`);
    const failed: number[] = [];
    const t0 = performance.now();
    const inflight: Promise<void>[] = [];
    for (let s = 0; s < plan.length; s++) {
      const wait = t0 + (s * 1000) / o.rate - performance.now();
      if (wait > 0) await sleep(wait);
      inflight.push(publish(s % N, plan[s]!, seqBase + s).catch(() => void failed.push(s)));
    }
    await Promise.all(inflight);
    const publishSeconds = (performance.now() - t0) / 1000;
    const failedSet = new Set(failed);
    const sentIdx = plan.map((_, i) => i).filter((i) => !failedSet.has(i));
    const expected = sentIdx.reduce((n, i) => n + streamsOf[plan[i]!]!.length, 0);

    const deadline = Date.now() + 20_000;
    let stats: LoadgenStats[] = [];
    for (;;) {
      stats = await Promise.all(loadgens.map((g) => g.call<LoadgenStats>('stats')));
      if (stats.reduce((n, x) => n + x.received, 0) >= expected || Date.now() > deadline) break;
      await sleep(20);
    }
    for (const g of loadgens) await g.call('nap', { ms: 0 });
    // Counters after the last delivery (a moment for the bus counters of the last reads).
    await sleep(200);
    const cpu = procs.map((p, i) => p.cpu() - cpu0[i]!);
    const windowSeconds = (performance.now() - window0) / 1000;
    const heapMin = await Promise.all(heaps.map((h) => h.stop()));
    const loadgenCpu = loadgens.reduce((n, g, i) => n + cpuSeconds(g.pid) - gen0[i]!, 0);
    const self = process.cpuUsage(self0);
    const ticks1 = machineTicks();
    const redis1 = await Promise.all(redis.map(redisCounters));
    const dbPids = new Set(await db.backendsOfDb());
    const pgAll1 = cpuByPid(pidsOf('postgres'));
    const m1 = await Promise.all(procs.map((p) => scrape(p.url)));
    const rss = procs.map((p) => rssMiB(p.child.pid!));
    const hist = mergeHistograms(await Promise.all(loadgens.map((g) => g.call<Histogram>('hist'))));
    const missing = await Promise.all(loadgens.map((g) => g.call<{ expected: number; missing: number; streamsMissing: number }>('missing', { sent: plan.length, exclude: failed })));

    // Which shards each process reads, as Redis sees them: 1.5 block timeouts of MONITOR.
    log(`multi-tenant ${placement}: reading the bus shards of each process from Redis (MONITOR, 3 s)`);
    const seen = await shardsReadSeenByRedis(primaryPorts, prefix, o.shards, procs, 3000);
    // PostgreSQL's statistics are flushed about once a second: read after the MONITOR's 3 s (no publishes in them).
    const transactions = (await db.transactionsOfDb()) - tx0;

    const problems: string[] = [];
    const expectedByLoadgens = missing.reduce((n, x) => n + x.expected, 0);
    if (expectedByLoadgens !== expected) problems.push(`the load generators expected ${expectedByLoadgens} deliveries, the plan ${expected}`);
    if (failed.length) problems.push(`${failed.length} publishes failed`);
    if (seen.unmatched) problems.push(`${seen.unmatched} XREADs came on connections of no service process`);

    const processes: ProcessResult[] = procs.map((_, p) => {
      const tenantsHere = perTenantOn[p]!;
      const shardsHere = new Set([...tenantsHere.keys()].map((t) => shardOfTenant[t]!));
      const d = (name: string) => (m1[p]!.get(name) ?? Number.NaN) - (m0[p]!.get(name) ?? Number.NaN);
      const readExpected = sentIdx.filter((i) => shardsHere.has(shardOfTenant[plan[i]!]!)).length;
      const deliveredExpected = sentIdx.filter((i) => tenantsHere.has(plan[i]!)).length;
      const sseExpected = sentIdx.reduce((n, i) => n + (tenantsHere.get(plan[i]!) ?? 0), 0);
      const gauge = m1[p]!.get('wardbell_bus_shards_read') ?? Number.NaN;
      const seenSet = seen.seen[p]!;
      const match = gauge === shardsHere.size && seenSet.size === shardsHere.size && [...shardsHere].every((s) => seenSet.has(s));
      const sse = d('wardbell_sse_events_delivered_total');
      const r: ProcessResult = {
        process: p,
        streams: onProc[p]!.length,
        tenants: tenantsHere.size,
        publishesThrough: sentIdx.filter((i) => i % N === p).length,
        shardsOfItsTenants: [...shardsHere].sort((a, b) => a - b),
        shardsReadGauge: gauge,
        shardsReadSeen: [...seenSet].sort((a, b) => a - b),
        shardsReadMatch: match,
        busReadersGauge: m1[p]!.get('wardbell_bus_readers') ?? Number.NaN,
        busReaderConnectionsSeen: seen.readerConnections[p]!,
        busEntriesRead: d('wardbell_bus_entries_read_total'),
        busEntriesReadExpected: readExpected,
        busEntriesDelivered: d('wardbell_bus_entries_delivered_total'),
        busEntriesDeliveredExpected: deliveredExpected,
        sseEventsDelivered: sse,
        sseEventsDeliveredExpected: sseExpected,
        cpuSeconds: r2(cpu[p]!),
        heapUsedMinMiB: r2(heapMin[p]!.minMiB),
        rssMiB: Math.round(rss[p]!),
        deliveriesPerCpuSecond: Math.round(sse / cpu[p]!),
      };
      if (!match) problems.push(`process ${p}: shards read ${gauge} (Redis saw ${setText(seenSet)}), shards of its tenants ${setText(shardsHere)}`);
      if (r.busEntriesRead !== readExpected) problems.push(`process ${p}: read ${r.busEntriesRead} bus entries, its shards were sent ${readExpected}`);
      if (r.busEntriesDelivered !== deliveredExpected) problems.push(`process ${p}: delivered ${r.busEntriesDelivered} bus entries, its tenants were sent ${deliveredExpected}`);
      if (sse !== sseExpected) problems.push(`process ${p}: wrote ${sse} events to streams, expected ${sseExpected}`);
      return r;
    });

    const sum = (k: keyof LoadgenStats) => stats.reduce((n, x) => n + (x[k] as number), 0);
    const delivered = sum('received');
    const lost = missing.reduce((n, x) => n + x.missing, 0);
    if (delivered + lost !== expected) problems.push(`delivered ${delivered} + lost ${lost} is not the ${expected} expected`);
    const pgDiff = (only?: Set<number>) => [...pgAll1].filter(([pid]) => !only || only.has(pid)).reduce((n, [pid, c]) => n + c - (pgAll0.get(pid) ?? 0), 0);
    return {
      placement,
      processes,
      broadcasts: sentIdx.length,
      publishErrors: failed.length,
      publishSeconds: r2(publishSeconds),
      windowSeconds: r2(windowSeconds),
      expected,
      delivered,
      lost,
      streamsMissing: missing.reduce((n, x) => n + x.streamsMissing, 0),
      duplicates: sum('duplicates'),
      misdelivered: sum('misdelivered'),
      reordered: sum('reordered'),
      idRegressions: sum('idRegressions'),
      closedByPeer: sum('closedByPeer'),
      latencyMs: summarise(hist),
      serviceCpuSeconds: r2(cpu.reduce((a, b) => a + b, 0)),
      redisCommandsByName: Object.fromEntries([...new Set(redis1.flatMap((x) => [...x.calls.keys()]))]
        .map((name) => [name, redis1.reduce((n, x, i) => n + (x.calls.get(name) ?? 0) - (redis0[i]!.calls.get(name) ?? 0), 0)] as const)
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1])),
      redisPrimaries: primaryPorts.map((port, i) => {
        const calls = (name: string) => (redis1[i]!.calls.get(name) ?? 0) - (redis0[i]!.calls.get(name) ?? 0);
        // The stream quota's renewal script (every 30 s per process, one per user key it holds):
        // EVALSHA, TIME, a ZADD per slot, PEXPIRE. Nothing else in the window calls TIME.
        const renewals = calls('time');
        const commands = redis1[i]!.commands - redis0[i]!.commands;
        return { port, cpuSeconds: r2(redis1[i]!.cpu - redis0[i]!.cpu), commands, quotaRenewals: renewals, commandsWithoutQuotaRenewals: commands - 3 * renewals - calls('zadd') };
      }),
      postgresCpuSeconds: r2(pgDiff()),
      postgresCpuSecondsThisDatabase: r2(pgDiff(dbPids)),
      postgresTransactions: transactions,
      loadgenCpuSeconds: r2(loadgenCpu),
      publisherCpuSeconds: r2((self.user + self.system) / 1e6),
      machineBusyCores: ticks0 && ticks1 ? r2(((ticks1.busy - ticks0.busy) / (ticks1.total - ticks0.total)) * cpus().length) : Number.NaN,
      problems,
    };
  } finally {
    for (const a of agents) a.destroy();
  }
}

/** The phase's tables and checks, as text (and Markdown when asked). */
export function reportMultiTenant(r: MultiTenantResult, markdown: boolean): string {
  const s = r.settings;
  const out: string[] = [];
  out.push(`\nmulti-tenant (started ${r.startedAt}): ${s.tenants} tenants x ${s.streamsPerTenant} streams (one user each) on ${s.processes} processes, ${s.shards} bus shards, ${s.redis}; ${s.rate} broadcasts/s to random tenants for ${s.seconds} s, published round-robin through the processes; seed ${s.seed}\n`);
  const pHead = ['placement', 'proc', 'streams', 'tenants', 'shards read', 'shards of its tenants', 'equal', 'bus readers', 'bus entries read (exp.)', 'bus entries delivered (exp.)', 'events delivered (exp.)', 'CPU s', 'RSS MiB', 'deliveries/CPU-s'];
  const pRows = r.placements.flatMap((pl) => pl.processes.map((p) => [
    pl.placement, String(p.process), fmtInt(p.streams), fmtInt(p.tenants), String(p.shardsReadGauge), String(p.shardsOfItsTenants.length), p.shardsReadMatch ? 'yes' : 'NO', `${p.busReadersGauge}`,
    `${fmtInt(p.busEntriesRead)} (${fmtInt(p.busEntriesReadExpected)})`, `${fmtInt(p.busEntriesDelivered)} (${fmtInt(p.busEntriesDeliveredExpected)})`, `${fmtInt(p.sseEventsDelivered)} (${fmtInt(p.sseEventsDeliveredExpected)})`,
    fmt(p.cpuSeconds, 2), fmtInt(p.rssMiB), fmtInt(p.deliveriesPerCpuSecond),
  ]));
  const wHead = ['placement', 'broadcasts', 'expected', 'delivered', 'lost', 'dup', 'cross-tenant', 'p50 ms', 'p99 ms', 'max ms', 'service CPU s', 'Redis CPU s per primary', 'Redis commands per primary (w/o quota renewals)', 'quota renewals', 'PostgreSQL CPU s', 'PostgreSQL transactions', 'loadgen CPU s', 'publisher CPU s', `machine busy (of ${cpus().length} cores)`];
  const wRows = r.placements.map((pl) => [
    pl.placement, fmtInt(pl.broadcasts), fmtInt(pl.expected), fmtInt(pl.delivered), fmtInt(pl.lost), fmtInt(pl.duplicates), fmtInt(pl.misdelivered), fmt(pl.latencyMs?.p50), fmt(pl.latencyMs?.p99), fmt(pl.latencyMs?.max),
    fmt(pl.serviceCpuSeconds, 2), pl.redisPrimaries.map((x) => fmt(x.cpuSeconds, 2)).join(' / '), pl.redisPrimaries.map((x) => fmtInt(x.commandsWithoutQuotaRenewals)).join(' / '), fmtInt(pl.redisPrimaries.reduce((n, x) => n + x.quotaRenewals, 0)), `${fmt(pl.postgresCpuSeconds, 2)} (db ${fmt(pl.postgresCpuSecondsThisDatabase, 2)})`, fmtInt(pl.postgresTransactions), fmt(pl.loadgenCpuSeconds, 2), fmt(pl.publisherCpuSeconds, 2), fmt(pl.machineBusyCores, 2),
  ]);
  out.push(table(pHead, pRows));
  out.push('');
  out.push(table(wHead, wRows, 1));
  if (markdown) out.push('', markdownTable(pHead, pRows, 2), '', markdownTable(wHead, wRows, 1));
  out.push('');
  for (const pl of r.placements) {
    for (const p of pl.processes) {
      out.push(`${pl.placement} process ${p.process}: ${p.streams} streams of ${p.tenants} tenants; shards read ${p.shardsReadGauge} (gauge), Redis saw XREADs of ${setText(p.shardsReadSeen)} on ${p.busReaderConnectionsSeen} connections (gauge ${p.busReadersGauge}); shards of its tenants ${setText(p.shardsOfItsTenants)}: shards read = shards of its tenants: ${p.shardsReadMatch ? 'yes' : 'NO'}`);
    }
    out.push(`${pl.placement}: Redis commands over all primaries: ${Object.entries(pl.redisCommandsByName).map(([k, n]) => `${k} ${fmtInt(n)}`).join(', ')}`);
    out.push(`${pl.placement}: ${pl.publishErrors} publish errors, ${pl.streamsMissing} streams missed events, ${pl.reordered} reordered, ${pl.idRegressions} id regressions, ${pl.closedByPeer} closed by the server; publishing took ${pl.publishSeconds} s; ${pl.problems.length ? `PROBLEMS: ${pl.problems.join('; ')}` : 'every check passed'}`);
  }
  return out.join('\n');
}
