/**
 * `npm run bench:capacity`: the unit costs a capacity model is built from, each per CPU-second of the
 * process that pays it (robust to other work on the machine; wall-clock rates are printed beside).
 * Sections (`--only=a,b,...`, default all):
 *  - redis-append: `log.append` (the service's one Lua script: tenant log + shard bus stream) from
 *    several client processes with many appends in flight each, on the single Redis and on a
 *    3-primary Redis Cluster (started here, `test/helpers/redis-cluster.ts`): appends per Redis
 *    CPU-second (INFO cpu, used_cpu_sys + used_cpu_user), per primary with the shards each holds;
 *    once through `log.append` (the service's client) and once through a raw RESP pipeline of the
 *    same script call (cheap enough to saturate Redis on a 2-core machine);
 *    with tenant logs growing ("fresh") and at their cap (WARDBELL_REPLAY_MAX_EVENTS, each append
 *    trims one); Redis memory per event; the appending process's CPU per append.
 *  - bus-read: a process reading one shard stream through the service's sharded bus (a child
 *    process, its own process.cpuUsage): entries per CPU-second when they are for tenants it follows
 *    (parsed, handed to a handler that does nothing) and when they are not (skipped), over a
 *    prefilled stream (read from its start in 1,000-entry XREADs) and over one filled meanwhile by
 *    other processes (live: what a process keeping up reads); Redis CPU per entry read.
 *  - replay: `log.readSince` with K missed events (K = 0, 10, 100) and `log.head` (a stream opened
 *    without Last-Event-ID): reads per Redis CPU-second, client CPU per read; and K = 10 missed
 *    notifications to 5,000 (each entry carries every recipient's unread count, as a send's does).
 *  - quota: the Redis stream quota every `GET /api/sse` takes (acquire, the renewal every 30 s of
 *    each held slot, release): operations per Redis CPU-second.
 *  - pg-notify: `POST /api/notifications` through a service process (packages/wardbell/src/main.ts
 *    on PostgreSQL + Redis, a fresh database) to a ward of 1,000, to a tenant of 5,000 and to one
 *    user: inbox rows per PostgreSQL CPU-second (/proc/<pid>/stat of every `postgres` process: the
 *    database's backends plus the shared background processes; the push worker's later expansion
 *    of the outbox counted apart), WAL bytes per row, the service's CPU per row, and the size of the
 *    notification's entry in the Redis log.
 *  - streams: 5,000 SSE streams opened against a service process (bench/sse/loadgen.ts, raw
 *    sockets) with a Last-Event-ID K events back, for users new to the process and again; and again
 *    without Last-Event-ID: opens per service CPU-second, Redis and PostgreSQL CPU per open, PSS and
 *    RSS per open stream (no forced GC).
 *  - receipts: delivery receipts' own writes and reads (bench/capacity/receipts.ts) on a fresh
 *    PostgreSQL database and on a SQLite file: a broadcast's stream marks written and written again,
 *    'displayed' reports, the summary and a page of recipients, claimPublication, one-recipient
 *    notifications' receipts: rows per database CPU-second, wall ms per flush, WAL bytes per row.
 *
 * Options: --only=<sections>  --quick (short smoke run)  --seconds=6 (each measured phase)
 *   --workers=3 --concurrency=64 (client processes x appends in flight each)  --targets=single,cluster
 *   --private-redis (the single Redis is a redis-server started here, not REDIS_URL)
 *   --cluster-replicas=0  --entry-bytes=420  --max-events=10000 --cap-tenants=16
 *   --raw-inflight=128 --raw-count=400000 (the raw client's appends)
 *   --bus-entries=100000  --replay-k=0,10,100  --replay-personal=5000 (0: no big-entry replay)  --quota-users=20000
 *   --pg-ward=1000 --pg-tenant=5000 --pg-repeats=10 --pg-tenant-repeats=4 --pg-single-concurrency=8
 *   --streams=5000 --streams-k=10  --markdown
 *   --receipts-on=postgres,sqlite --receipts-recipients=5000 --receipts-repeats=20 --receipts-reports=3
 *   --receipts-concurrency=8 --receipts-reads=300 --receipts-claims=5000 --receipts-singles=500
 * Env: REDIS_URL (default redis://127.0.0.1:6379), DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 *   BENCH_NODE_ARGS (extra node flags of the service processes).
 * Writes bench/results/capacity-<timestamp>.json (with `-only-<sections>` when not every section ran,
 * so that bench:model, which reads the newest full run, does not take it).
 */
import { execSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { signDevToken } from '../packages/wardbell/src/auth/index.js';
import { shardKeys, shardOf, shardTags, slotOf } from '../packages/wardbell/src/backbone/index.js';
import type { DomainEventType } from '../packages/wardbell/src/events/index.js';
import { startRedisCluster, type RedisCluster } from '../test/helpers/redis-cluster.js';
import {
  deleteKeys,
  machineBusy,
  pgCpuSampler,
  procCpuSeconds,
  pssKiB,
  redisCounters,
  redisDelta,
  redisNode,
  root,
  rssKiB,
  startPrivateRedis,
  startService,
  type PgCpu,
  type RedisDelta,
  type RedisNode,
  type ServiceProc,
} from './capacity/measure.js';
import type { OpenArgs, Timed } from './capacity/worker.js';
import { receiptsBlock, receiptsSummary, sectionReceipts } from './capacity/receipts.js';
import type { LoadgenStats } from './sse/loadgen.js';
import { fmt, fmtInt, markdownTable, table } from './sse/report.js';
import { RpcChild } from './sse/rpc.js';
import { wallNow } from './sse/target.js';

// ---------------------------------------------------------------------------------------------
// Options

const argv = process.argv.slice(2);
const args = new Map(argv.map((a) => {
  const [k, ...v] = a.replace(/^--/, '').split('=');
  return [k as string, v.length ? v.join('=') : 'true'] as const;
}));
const QUICK = args.has('quick');
const num = (k: string, full: number, quick = full) => Number(args.get(k) ?? (QUICK ? quick : full));
const list = (k: string, d: string) => (args.get(k) ?? d).split(',').map((s) => s.trim()).filter(Boolean);

const SECTIONS = ['redis-append', 'bus-read', 'replay', 'quota', 'pg-notify', 'streams', 'receipts'] as const;
type Section = (typeof SECTIONS)[number];
const only = new Set(list('only', SECTIONS.join(',')));
for (const s of only) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`unknown section ${s}; sections: ${SECTIONS.join(', ')}`);
const wants = (s: Section) => only.has(s);

const S = {
  seconds: num('seconds', 6, 2),
  workers: num('workers', 3),
  concurrency: num('concurrency', 64),
  rawInflight: num('raw-inflight', 128),
  rawCount: num('raw-count', 400_000, 100_000),
  targets: list('targets', 'single,cluster'),
  privateRedis: args.has('private-redis'),
  clusterReplicas: num('cluster-replicas', 0),
  entryBytes: num('entry-bytes', 420),
  maxEvents: num('max-events', 10_000),
  capTenants: num('cap-tenants', 16),
  busEntries: num('bus-entries', 100_000, 20_000),
  replayK: list('replay-k', '0,10,100').map(Number),
  replayConcurrency: num('replay-concurrency', 32),
  replayPersonal: num('replay-personal', 5000),
  quotaUsers: num('quota-users', 20_000, 3_000),
  pgWard: num('pg-ward', 1000),
  pgTenant: num('pg-tenant', 5000, 2000),
  pgRepeats: num('pg-repeats', 10, 3),
  pgTenantRepeats: num('pg-tenant-repeats', 4, 2),
  pgSingleConcurrency: num('pg-single-concurrency', 8),
  streams: num('streams', 5000, 1000),
  streamsK: num('streams-k', 10),
  receiptsOn: list('receipts-on', 'postgres,sqlite'),
  receiptsRecipients: num('receipts-recipients', 5000, 1000),
  receiptsRepeats: num('receipts-repeats', 20, 3),
  receiptsReports: num('receipts-reports', 3, 1),
  receiptsConcurrency: num('receipts-concurrency', 8),
  receiptsReads: num('receipts-reads', 300, 20),
  receiptsClaims: num('receipts-claims', 5000, 200),
  receiptsSingles: num('receipts-singles', 500, 100),
  markdown: args.has('markdown'),
};
const SHARDS = 16;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECRET = 'bench-capacity-secret-0123456789abcdef0123';
const RUN = `capbench-${randomBytes(3).toString('hex')}`;
const COMMAND = `npm run bench:capacity${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
const startedAt = new Date();

const r2 = (n: number) => Math.round(n * 100) / 100;
const r3 = (n: number) => Math.round(n * 1000) / 1000;
const STATS_FLUSH_MS = 10_500;
const per = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
const us = (seconds: number, ops: number) => per(seconds * 1e6, ops);
const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const log = (msg: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

// ---------------------------------------------------------------------------------------------
// A realistic notification event: what `POST /api/notifications` appends (the entry as the log stores it).

const EVENT_TYPE: DomainEventType = 'notification';
function notificationData(targetEntryBytes: number): { data: unknown; entryBytes: number } {
  const notification = {
    id: randomUUID(),
    type: 'schedule_updated',
    priority: 'high',
    title: 'Night shift 7 West changed',
    body: 'Friday starts at 19:00.',
    data: { ward: 'w7', shiftId: 'sh-88123' },
    actions: [{ id: 'ack', label: 'Confirm' }],
    groupCount: 1,
    senderId: 'scheduler',
    createdAt: 1765000000000,
  };
  const entry = () => JSON.stringify({ type: EVENT_TYPE, data: { notification }, audience: { kind: 'tenant' }, createdAt: Date.now() });
  while (Buffer.byteLength(entry()) < targetEntryBytes) notification.body += ' Thank you.';
  return { data: { notification }, entryBytes: Buffer.byteLength(entry()) };
}
const PAYLOAD = notificationData(S.entryBytes);

/** Tenant ids `<tag><n>` until every shard has `perShard` of them, grouped by shard. */
function tenantsByShard(tag: string, perShard: number): string[][] {
  const by: string[][] = Array.from({ length: SHARDS }, () => []);
  for (let i = 0; by.some((b) => b.length < perShard); i++) {
    const t = `${tag}${i}`;
    const b = by[shardOf(t, SHARDS)] as string[];
    if (b.length < perShard) b.push(t);
  }
  return by;
}

// ---------------------------------------------------------------------------------------------
// Redis targets and client processes

interface Target {
  name: 'single' | 'cluster';
  label: string;
  url: string;
  cluster: boolean;
  /** The single Redis, or the cluster's primaries. */
  nodes: RedisNode[];
  /** Per bus shard of a key prefix, the index of the node that holds it. */
  nodeOfShard(prefix: string): number[];
  stop(): Promise<void>;
}

async function singleTarget(): Promise<Target> {
  let url = REDIS_URL;
  let stop = async () => {};
  let label = `the machine's Redis (${REDIS_URL})`;
  if (S.privateRedis) {
    const p = await startPrivateRedis();
    url = p.url;
    stop = p.stop;
    label = `a redis-server started for the run (${url})`;
  }
  const node = redisNode('redis', url);
  return {
    name: 'single',
    label,
    url,
    cluster: false,
    nodes: [node],
    nodeOfShard: () => Array.from({ length: SHARDS }, () => 0),
    async stop() {
      await deleteKeys(node.client, RUN);
      node.client.disconnect();
      await stop();
    },
  };
}

async function clusterTarget(): Promise<{ target: Target; cluster: RedisCluster }> {
  const cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: S.clusterReplicas });
  const masters = (await cluster.nodes()).filter((n) => n.role === 'master').sort((a, b) => (a.slots[0]?.[0] ?? 0) - (b.slots[0]?.[0] ?? 0));
  const nodes = masters.map((m, i) => redisNode(`primary ${i + 1} (:${m.port})`, `redis://127.0.0.1:${m.port}`));
  const target: Target = {
    name: 'cluster',
    label: `a Redis Cluster of 3 primaries${S.clusterReplicas ? ` with ${S.clusterReplicas} replica(s) each` : ''} started for the run (test/helpers/redis-cluster.ts)`,
    url: cluster.url,
    cluster: true,
    nodes,
    nodeOfShard: (prefix) =>
      shardTags(prefix, SHARDS).map((tag) => {
        const slot = slotOf(tag);
        return masters.findIndex((m) => m.slots.some(([a, b]) => slot >= a && slot <= b));
      }),
    async stop() {
      for (const n of nodes) n.client.disconnect();
      await cluster.stop();
    },
  };
  return { target, cluster };
}

async function startWorkers(n: number, open: OpenArgs): Promise<RpcChild[]> {
  const ws = Array.from({ length: n }, (_, i) => new RpcChild(`worker-${i}`, join(root, 'bench/capacity/worker.ts')));
  await Promise.all(ws.map((w) => w.call('open', open)));
  return ws;
}

async function stopWorkers(ws: RpcChild[]): Promise<void> {
  await Promise.all(ws.map(async (w) => {
    const errs = await w.call<string[]>('errors').catch(() => []);
    if (errs.length) log(`${w.name} reported errors: ${errs.slice(0, 3).join(' | ')}`);
    await w.call('close').catch(() => {});
    await w.stop();
  }));
}

interface OnRedis<T> {
  result: T;
  wallSeconds: number;
  machineCores: number;
  redis: RedisDelta[];
}

/** Runs `fn` between two readings of every node's counters. */
async function onRedis<T>(nodes: RedisNode[], fn: () => Promise<T>): Promise<OnRedis<T>> {
  const a = await Promise.all(nodes.map((n) => redisCounters(n.client)));
  const busy = machineBusy();
  const t0 = performance.now();
  const result = await fn();
  const wallSeconds = (performance.now() - t0) / 1000;
  const machineCores = busy();
  const b = await Promise.all(nodes.map((n) => redisCounters(n.client)));
  return { result, wallSeconds, machineCores, redis: nodes.map((_, i) => redisDelta(a[i]!, b[i]!)) };
}

const redisCpu = (m: OnRedis<unknown>) => sum(m.redis.map((d) => d.cpuSeconds));
const redisCommands = (m: OnRedis<unknown>) => sum(m.redis.map((d) => d.commands));
const calls = (m: OnRedis<unknown>, cmd: string) => sum(m.redis.map((d) => d.calls[cmd] ?? 0));

// ---------------------------------------------------------------------------------------------
// 1. Appends

interface AppendResult extends Timed {
  perTenant: Record<string, number>;
}

async function sectionAppend(target: Target) {
  const prefix = `${RUN}-ap-${target.name}`;
  const ws = await startWorkers(S.workers, { url: target.url, cluster: target.cluster, prefix, shards: SHARDS, maxEvents: S.maxEvents });
  const nodeOfShard = target.nodeOfShard(prefix);
  const nodeOf = (t: string) => nodeOfShard[shardOf(t, SHARDS)] as number;
  const shardsPerNode = target.nodes.map((_, i) => nodeOfShard.filter((n) => n === i).length);
  const rows = [];
  try {
    const tenants = tenantsByShard('hosp-', 16).flat();
    const viaLog = (ts: string[], seconds: number) =>
      Promise.all(ws.map((w) => w.call<AppendResult>('append', { tenants: ts, concurrency: S.concurrency, seconds, type: EVENT_TYPE, data: PAYLOAD.data })));
    const raw = (ts: string[], seconds: number, count: number) =>
      Promise.all(ws.map((w) => w.call<Timed & { perNode: number[] }>('rawAppend', {
        nodes: target.nodes.map((n, i) => {
          const u = new URL(n.url);
          return { host: u.hostname, port: Number(u.port), tenants: ts.filter((t) => nodeOf(t) === i) };
        }),
        inflight: S.rawInflight,
        seconds,
        count: Math.ceil(count / ws.length),
        type: EVENT_TYPE,
        data: PAYLOAD.data,
      }, 600_000)));
    await viaLog(tenants, 1); // warm-up: connections, the script loaded on every node, JIT
    const measure = async (variant: string, client: string, ts: string[], run: () => Promise<Array<Timed & { perTenant?: Record<string, number>; perNode?: number[] }>>) => {
      const m = await onRedis(target.nodes, run);
      const appends = sum(m.result.map((r) => r.ops));
      const clientCpu = sum(m.result.map((r) => r.cpuSeconds));
      const byNode = target.nodes.map(() => 0);
      for (const r of m.result) {
        if (r.perTenant) for (const [t, n] of Object.entries(r.perTenant)) byNode[nodeOf(t)]! += n;
        if (r.perNode) r.perNode.forEach((n, i) => (byNode[i]! += n));
      }
      const cpu = redisCpu(m);
      return {
        target: target.name,
        variant,
        client,
        tenants: ts.length,
        appends,
        wallSeconds: r2(m.wallSeconds),
        appendsPerSecond: Math.round(appends / m.wallSeconds),
        redisCpuSeconds: r2(cpu),
        /** The busiest node's CPU over wall time: near 1 is a saturated Redis main thread. */
        redisCoreUse: r2(Math.max(...m.redis.map((d) => d.cpuSeconds / m.wallSeconds))),
        appendsPerRedisCpuSecond: Math.round(per(appends, cpu)),
        redisUsPerAppend: r2(us(cpu, appends)),
        clientUsPerAppend: r2(us(clientCpu, appends)),
        redisCommandsPerAppend: r2(per(redisCommands(m), appends)),
        redisMemoryBytesPerAppend: Math.round(per(sum(m.redis.map((d) => d.memoryBytes)), appends)),
        machineCores: r2(m.machineCores),
        perNode: target.nodes.map((n, i) => ({
          node: n.name,
          shards: shardsPerNode[i],
          appends: byNode[i],
          scriptCalls: m.redis[i]?.calls.evalsha ?? 0,
          cpuSeconds: r2(m.redis[i]?.cpuSeconds ?? 0),
          coreUse: r2((m.redis[i]?.cpuSeconds ?? 0) / m.wallSeconds),
          appendsPerCpuSecond: Math.round(per(byNode[i] as number, m.redis[i]?.cpuSeconds ?? 0)),
        })),
      };
    };
    const serviceClient = `log.append, ${S.workers} processes x ${S.concurrency} in flight`;
    const rawClient = `raw RESP, ${S.workers} processes x ${S.rawInflight} in flight per node`;
    log(`redis-append on ${target.name}: tenant logs growing, log.append`);
    rows.push(await measure('logs growing', serviceClient, tenants, () => viaLog(tenants, S.seconds)));
    log(`redis-append on ${target.name}: tenant logs growing, raw client`);
    rows.push(await measure('logs growing', rawClient, tenants, () => raw(tenants, S.seconds, S.rawCount)));
    // What that wrote is dropped (Redis memory), then tenant logs at their cap: every append trims one entry (XADD MAXLEN <cap>, exact).
    for (const n of target.nodes) await deleteKeys(n.client, prefix);
    // Spread over the shards (so over a cluster's primaries): rank by rank, shards in a stride.
    const byShard = tenantsByShard('full-', Math.ceil(S.capTenants / SHARDS));
    const stride = Math.max(1, Math.floor(SHARDS / Math.min(SHARDS, S.capTenants)));
    const order = Array.from({ length: SHARDS }, (_, i) => i).sort((a, b) => (a % stride) - (b % stride) || a - b);
    const capTenants = byShard[0]!.map((_, rank) => order.map((s) => byShard[s]![rank] as string)).flat().slice(0, S.capTenants);
    log(`redis-append on ${target.name}: filling ${capTenants.length} tenant logs to ${S.maxEvents}`);
    await Promise.all(ws.map((w, i) => w.call('prepare', { tenants: capTenants.filter((_, j) => j % ws.length === i), events: S.maxEvents, concurrency: S.concurrency, type: EVENT_TYPE, data: PAYLOAD.data }, 900_000)));
    log(`redis-append on ${target.name}: tenant logs at cap, log.append`);
    rows.push(await measure(`logs at cap (${S.maxEvents})`, serviceClient, capTenants, () => viaLog(capTenants, S.seconds)));
    log(`redis-append on ${target.name}: tenant logs at cap, raw client`);
    rows.push(await measure(`logs at cap (${S.maxEvents})`, rawClient, capTenants, () => raw(capTenants, S.seconds, S.rawCount)));
  } finally {
    await stopWorkers(ws);
    for (const n of target.nodes) await deleteKeys(n.client, prefix).catch(() => 0);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 2. Bus reads

async function sectionBus(target: Target) {
  const prefix = `${RUN}-bus`;
  const open: OpenArgs = { url: target.url, cluster: target.cluster, prefix, shards: SHARDS, maxEvents: S.maxEvents };
  const keys = shardKeys(prefix, SHARDS);
  const inShard0 = tenantsByShard('ward-', 9)[0] as string[];
  const writers = inShard0.slice(0, 8);
  const idle = inShard0.slice(8);
  const ws = await startWorkers(S.workers, open);
  const rows = [];
  try {
    const fill = (count: number) =>
      Promise.all(ws.map((w) => w.call<AppendResult>('append', { tenants: writers, concurrency: S.concurrency, count: Math.ceil(count / ws.length), type: EVENT_TYPE, data: PAYLOAD.data }, 600_000)));
    log(`bus-read: prefilling shard 0 with ${S.busEntries} entries`);
    await fill(S.busEntries);
    const len = Number(await target.nodes[0]!.client.xlen(keys.bus(0)));
    const reader = async (mode: 'prefilled' | 'live', followed: boolean) => {
      const r = new RpcChild('bus-reader', join(root, 'bench/capacity/worker.ts'));
      try {
        await r.call('open', open);
        const expect = mode === 'prefilled' ? len : Math.ceil(S.busEntries / ws.length) * ws.length;
        const m = await onRedis(target.nodes, async () => {
          await r.call('busFollow', { mode, tenants: followed ? writers : idle });
          if (mode === 'live') await fill(S.busEntries);
          return r.call<{ entriesRead: number; entriesDelivered: number; handed: number; cpuSeconds: number; wallSeconds: number }>('busWait', { entries: expect, timeoutMs: 300_000 }, 400_000);
        });
        const x = m.result;
        const xreads = calls(m, 'xread');
        return {
          stream: mode === 'prefilled' ? `prefilled (${fmtInt(len)} entries, read from the start)` : 'filled meanwhile by the appenders (live)',
          entries: followed ? 'for followed tenants: parsed, handed on' : 'for other tenants: skipped',
          entriesRead: x.entriesRead,
          handedOn: x.handed,
          readerCpuSeconds: r2(x.cpuSeconds),
          entriesPerReaderCpuSecond: Math.round(per(x.entriesRead, x.cpuSeconds)),
          readerUsPerEntry: r2(us(x.cpuSeconds, x.entriesRead)),
          xreads,
          entriesPerXread: r2(per(x.entriesRead, xreads)),
          /** Only over a prefilled stream (live, Redis is also taking the appends). */
          redisUsPerEntryRead: mode === 'prefilled' ? r2(us(redisCpu(m), x.entriesRead)) : null,
          readerWallSeconds: r2(x.wallSeconds),
          machineCores: r2(m.machineCores),
        };
      } finally {
        await r.call('close').catch(() => {});
        await r.stop();
      }
    };
    for (const mode of ['prefilled', 'live'] as const) {
      for (const followed of [true, false]) {
        log(`bus-read: ${mode}, ${followed ? 'followed' : 'skipped'}`);
        rows.push(await reader(mode, followed));
      }
    }
  } finally {
    await stopWorkers(ws);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 3. Replay reads

async function sectionReplay(target: Target) {
  const prefix = `${RUN}-rp-${target.name}`;
  const ws = await startWorkers(S.workers, { url: target.url, cluster: target.cluster, prefix, shards: SHARDS, maxEvents: S.maxEvents });
  const rows = [];
  try {
    const tenants = tenantsByShard('clinic-', 1).flat();
    const maxK = Math.max(...S.replayK, 0);
    const prepared = await Promise.all(ws.map((w, i) => w.call<{ heads: Array<{ tenantId: string; epoch: string; head: number }> }>('prepare', { tenants: tenants.filter((_, j) => j % ws.length === i), events: maxK + 20, concurrency: 16, type: EVENT_TYPE, data: PAYLOAD.data })));
    const heads = prepared.flatMap((p) => p.heads);
    const fromK = (k: number) => heads.map((h) => ({ tenantId: h.tenantId, epoch: h.epoch, offset: h.head - k }));
    const read = (k: number, seconds: number) => Promise.all(ws.map((w) => w.call<Timed & { events: number; gaps: number }>('readSince', { from: fromK(k), concurrency: S.replayConcurrency, seconds, limit: 1000 })));
    await read(10, 1); // warm-up
    const row = (what: string, k: number | null, m: OnRedis<Array<Timed & { events?: number; gaps?: number }>>) => {
      const reads = sum(m.result.map((r) => r.ops));
      const cpu = redisCpu(m);
      return {
        target: target.name,
        read: what,
        missed: k,
        reads,
        wallSeconds: r2(m.wallSeconds),
        readsPerSecond: Math.round(reads / m.wallSeconds),
        redisCpuSeconds: r2(cpu),
        redisCoreUse: r2(Math.max(...m.redis.map((d) => d.cpuSeconds / m.wallSeconds))),
        readsPerRedisCpuSecond: Math.round(per(reads, cpu)),
        redisUsPerRead: r2(us(cpu, reads)),
        clientUsPerRead: r2(us(sum(m.result.map((r) => r.cpuSeconds)), reads)),
        eventsPerRead: r2(per(sum(m.result.map((r) => r.events ?? 0)), reads)),
        gaps: sum(m.result.map((r) => r.gaps ?? 0)),
        redisCommandsPerRead: r2(per(redisCommands(m), reads)),
        machineCores: r2(m.machineCores),
      };
    };
    // Notifications to a whole tenant carry every recipient's unread count in the one entry.
    const big = S.replayPersonal > 0 ? tenantsByShard('bcast-', 1).flat() : [];
    let bigHeads: Array<{ tenantId: string; epoch: string; head: number }> = [];
    let bigEntryBytes = 0;
    if (big.length) {
      const kBig = Math.min(10, maxK || 10);
      const p = await Promise.all(ws.map((w, i) => w.call<{ heads: typeof bigHeads }>('prepare', { tenants: big.filter((_, j) => j % ws.length === i), events: kBig + 2, concurrency: 8, type: EVENT_TYPE, data: PAYLOAD.data, personalRecipients: S.replayPersonal })));
      bigHeads = p.flatMap((x) => x.heads);
      const last = (await target.nodes[target.nodeOfShard(prefix)[shardOf(big[0] as string, SHARDS)] as number]!.client.xrevrange(shardKeys(prefix, SHARDS).log(big[0] as string), '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
      bigEntryBytes = Buffer.byteLength(last[0]?.[1][1] ?? '');
    }
    log(`replay on ${target.name}: log.head`);
    rows.push(row('log.head (no Last-Event-ID)', null, await onRedis(target.nodes, () => Promise.all(ws.map((w) => w.call<Timed>('head', { tenants, concurrency: S.replayConcurrency, seconds: S.seconds }))))));
    for (const k of S.replayK) {
      log(`replay on ${target.name}: readSince, ${k} missed`);
      rows.push(row(`log.readSince, ${k} missed`, k, await onRedis(target.nodes, () => read(k, S.seconds))));
    }
    if (bigHeads.length) {
      const kBig = Math.min(10, maxK || 10);
      log(`replay on ${target.name}: readSince, ${kBig} missed notifications to ${S.replayPersonal}`);
      const from = bigHeads.map((h) => ({ tenantId: h.tenantId, epoch: h.epoch, offset: h.head - kBig }));
      rows.push(row(`log.readSince, ${kBig} missed, each a notification to ${fmtInt(S.replayPersonal)} (${fmtInt(bigEntryBytes)}-byte entries)`, kBig, await onRedis(target.nodes, () =>
        Promise.all(ws.map((w) => w.call<Timed & { events: number; gaps: number }>('readSince', { from, concurrency: 8, seconds: S.seconds, limit: 1000 }))))));
    }
  } finally {
    await stopWorkers(ws);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 4. The stream quota

async function sectionQuota(target: Target) {
  const prefix = `${RUN}-q`;
  const ws = await startWorkers(S.workers, { url: target.url, cluster: target.cluster, prefix, shards: SHARDS, maxEvents: S.maxEvents });
  const rows = [];
  try {
    const perWorker = Math.ceil(S.quotaUsers / ws.length);
    const users = (i: number) => Array.from({ length: perWorker }, (_, j) => `staff-${i}-${j}`);
    const row = (op: string, m: OnRedis<Timed[]>) => {
      const ops = sum(m.result.map((r) => r.ops));
      const cpu = redisCpu(m);
      return {
        op,
        ops,
        wallSeconds: r2(m.wallSeconds),
        redisCpuSeconds: r2(cpu),
        opsPerRedisCpuSecond: Math.round(per(ops, cpu)),
        redisUsPerOp: r2(us(cpu, ops)),
        clientUsPerOp: r2(us(sum(m.result.map((r) => r.cpuSeconds)), ops)),
        redisCommandsPerOp: r2(per(redisCommands(m), ops)),
        machineCores: r2(m.machineCores),
      };
    };
    log('quota: acquire');
    rows.push(row('acquire (one per stream opened)', await onRedis(target.nodes, () => Promise.all(ws.map((w, i) => w.call<Timed>('quotaAcquire', { tenantId: 'hosp-q', users: users(i), concurrency: S.concurrency, prefix }))))));
    log('quota: renew');
    rows.push(row('renew (each open stream, every 30 s)', await onRedis(target.nodes, () => Promise.all(ws.map((w) => w.call<Timed>('quotaRenew', { times: 3 }))))));
    log('quota: release');
    rows.push(row('release (one per stream closed)', await onRedis(target.nodes, () => Promise.all(ws.map((w) => w.call<Timed>('quotaRelease'))))));
  } finally {
    await stopWorkers(ws);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// A service process on a database of its own

interface ServiceEnv {
  svc: ServiceProc;
  db: string;
  poller: pg.Client;
  pollerPid: number;
  prefix: string;
  enc: Uint8Array;
  done(): Promise<void>;
}

async function withService(tag: string, target: Target): Promise<ServiceEnv> {
  const db = `wardbell_cap_${tag}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${db}`);
  const u = new URL(DATABASE_URL);
  u.pathname = `/${db}`;
  const prefix = `${RUN}-${tag}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'wardbell-bench-capacity-'));
  let svc: ServiceProc;
  try {
    svc = await startService({
      DATABASE_URL: u.toString(),
      REDIS_URL: target.url,
      ...(target.cluster ? { WARDBELL_REDIS_CLUSTER: 'true' } : {}),
      WARDBELL_REDIS_PREFIX: prefix,
      WARDBELL_JWT_SECRET: SECRET,
      WARDBELL_DATA_DIR: dataDir,
    });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    await admin.query(`drop database if exists ${db} with (force)`);
    await admin.end();
    throw err;
  }
  const poller = new pg.Client({ connectionString: u.toString() });
  await poller.connect();
  const pollerPid = Number((await poller.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid);
  return {
    svc,
    db,
    poller,
    pollerPid,
    prefix,
    enc: new TextEncoder().encode(SECRET),
    async done() {
      await svc.stop();
      rmSync(dataDir, { recursive: true, force: true });
      await poller.end().catch(() => {});
      await admin.query(`drop database if exists ${db} with (force)`);
      await admin.end();
    },
  };
}

async function api(url: string, token: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

const walLsn = async (c: pg.Client) => String((await c.query<{ l: string }>('select pg_current_wal_lsn()::text as l')).rows[0]?.l);
const walDiff = async (c: pg.Client, a: string, b: string) => Number((await c.query<{ d: string }>('select pg_wal_lsn_diff($1, $2)::text as d', [b, a])).rows[0]?.d);
const count = async (c: pg.Client, sql: string) => Number((await c.query<{ n: string }>(sql)).rows[0]?.n);
const pgTotal = (p: PgCpu) => p.database + p.background;

// ---------------------------------------------------------------------------------------------
// 5. PostgreSQL writes behind notifications

let idle = null as { seconds: number; serviceCores: number; pgCores: number; xactsPerSecond: number } | null;

async function sectionPg(target: Target) {
  const env = await withService('pg', target);
  const { svc, poller } = env;
  const rows = [];
  const tenantId = 'hosp-pg';
  const redis = target.nodes[0]!.client;
  const logKey = shardKeys(env.prefix, SHARDS).log(tenantId);
  try {
    const service = await signDevToken({ tenantId, userId: 'scheduler', roles: ['service'], wards: [] }, env.enc, 3600);
    const members = Array.from({ length: Math.max(S.pgTenant, S.pgWard) }, (_, i) => ({ userId: `nurse-${String(i).padStart(5, '0')}`, roles: ['nurse'], wards: [i < S.pgWard ? 'w1' : 'w2'] }));
    for (let i = 0; i < members.length; i += 500) await api(svc.url, service, 'PUT', '/api/directory/members', { members: members.slice(i, i + 500) });
    const send = (to: unknown, i: number) =>
      api(svc.url, service, 'POST', '/api/notifications', {
        type: 'schedule_updated',
        priority: 'high',
        title: `Rota for week ${i}: changes on 7 West`,
        body: 'Two night shifts moved. Open the rota to see yours and confirm by Friday.',
        data: { scheduleId: `s-${i}`, ward: 'w1' },
        to,
      });
    // Every query of the poller is one transaction in the database's statistics: counted, to be taken off.
    let pollerQueries = 0;
    const q = async (sql: string) => {
      pollerQueries++;
      return count(poller, sql);
    };
    const settled = async (timeoutMs: number) => {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end && (await q("select count(*)::text as n from push_outbox where status = 'pending'")) > 0) await sleep(100);
      await sleep(300);
    };
    /**
     * The database's own counters (pg_stat_database). A backend that flushed them less than a second
     * ago keeps the rest until its next transaction or 10 s of idleness: so they are read 10.5 s after the work.
     */
    const dbStats = async () => {
      pollerQueries++;
      const r = (await poller.query<Record<string, string>>('select xact_commit::text as xacts, tup_inserted::text as inserted, tup_updated::text as updated, tup_deleted::text as deleted from pg_stat_database where datname = current_database()')).rows[0] ?? {};
      return { xacts: Number(r.xacts), inserted: Number(r.inserted), updated: Number(r.updated), deleted: Number(r.deleted), pollerQueries };
    };
    type DbStats = Awaited<ReturnType<typeof dbStats>>;
    const statsDelta = (a: DbStats, b: DbStats) => ({ xacts: b.xacts - a.xacts - (b.pollerQueries - a.pollerQueries), inserted: b.inserted - a.inserted, updated: b.updated - a.updated, deleted: b.deleted - a.deleted });
    // Warm-up: connections, statements, JIT.
    await send({ topic: 'ward:w1' }, 0);
    for (let i = 0; i < 20; i++) await send({ users: [members[i]!.userId] }, i);
    await settled(30_000);
    const exclude = new Set([env.pollerPid]);
    // What the service and the database do with nothing sent (pollers of the scheduler, the push
    // worker, session revocations): taken off each phase's figures for its duration ("net").
    log(`pg-notify: idle for ${S.seconds} s`);
    await sleep(STATS_FLUSH_MS);
    const idle0 = await dbStats();
    const idleRead0 = performance.now();
    const idlePg = pgCpuSampler(env.db, exclude);
    const idleSvc0 = svc.cpu();
    const idleT0 = performance.now();
    await sleep(S.seconds * 1000);
    const idleSeconds = (performance.now() - idleT0) / 1000;
    const idlePgCpu = idlePg.stop();
    const idleSvc = svc.cpu() - idleSvc0;
    await sleep(STATS_FLUSH_MS);
    const idleStats = statsDelta(idle0, await dbStats());
    idle = { seconds: r2(idleSeconds), serviceCores: r3(idleSvc / idleSeconds), pgCores: r3(pgTotal(idlePgCpu) / idleSeconds), xactsPerSecond: r2(idleStats.xacts / ((performance.now() - idleRead0) / 1000)) };
    const phase = async (label: string, recipients: number, run: () => Promise<number>) => {
      log(`pg-notify: ${label}`);
      const rows0 = await q('select count(*)::text as n from inbox');
      const stats0 = await dbStats();
      const statsT0 = performance.now();
      const wal0 = await walLsn(poller);
      const busy = machineBusy();
      const sendPg = pgCpuSampler(env.db, exclude);
      const svc0 = svc.cpu();
      const m = await onRedis(target.nodes, async () => {
        const t0 = performance.now();
        const sent = await run();
        return { sent, seconds: (performance.now() - t0) / 1000 };
      });
      const pgSend = sendPg.stop();
      const svcSend = svc.cpu() - svc0;
      const afterPg = pgCpuSampler(env.db, exclude);
      const t1 = performance.now();
      await settled(60_000);
      const pgAfter = afterPg.stop();
      const afterSeconds = (performance.now() - t1) / 1000;
      const svcAll = svc.cpu() - svc0;
      const cores = busy();
      const wal = await walDiff(poller, wal0, await walLsn(poller));
      await sleep(STATS_FLUSH_MS);
      const st = statsDelta(stats0, await dbStats());
      const statsSeconds = (performance.now() - statsT0) / 1000;
      const inboxRows = (await q('select count(*)::text as n from inbox')) - rows0;
      const last = (await redis.xrevrange(logKey, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
      const entry = last[0]?.[1];
      const entryBytes = entry ? Buffer.byteLength(entry[entry.indexOf('e') + 1] ?? '') : Number.NaN;
      const { sent, seconds } = m.result;
      const pgAll = pgTotal(pgSend) + pgTotal(pgAfter);
      const spanSeconds = seconds + afterSeconds;
      const pgNet = Math.max(0, pgAll - (idle?.pgCores ?? 0) * spanSeconds);
      const svcNet = Math.max(0, svcAll - (idle?.serviceCores ?? 0) * spanSeconds);
      const xactsNet = st.xacts - (idle?.xactsPerSecond ?? 0) * statsSeconds;
      return {
        phase: label,
        recipients,
        notifications: sent,
        inboxRows,
        sendWallSeconds: r2(seconds),
        notificationsPerSecond: r2(sent / seconds),
        inboxRowsPerSecond: Math.round(inboxRows / seconds),
        pgCpuSendSeconds: r2(pgTotal(pgSend)),
        pgBackgroundShareOfSend: r2(per(pgSend.background, pgTotal(pgSend))),
        pgCpuAfterSeconds: r2(pgTotal(pgAfter)),
        afterWallSeconds: r2(afterSeconds),
        inboxRowsPerPgCpuSecond: Math.round(per(inboxRows, pgAll)),
        pgUsPerInboxRow: r2(us(pgAll, inboxRows)),
        pgUsPerNotification: r2(us(pgAll, sent)),
        /** Net of what the database does idle over the same time. */
        pgUsPerInboxRowNet: r2(us(pgNet, inboxRows)),
        pgUsPerNotificationNet: r2(us(pgNet, sent)),
        serviceUsPerInboxRow: r2(us(svcAll, inboxRows)),
        serviceUsPerNotificationNet: r2(us(svcNet, sent)),
        transactionsPerNotificationNet: r2(xactsNet / sent),
        rowsInsertedPerNotification: r2(st.inserted / sent),
        rowsUpdatedPerNotification: r2(st.updated / sent),
        rowsDeletedPerNotification: r2(st.deleted / sent),
        serviceCpuSendSeconds: r2(svcSend),
        walBytesPerInboxRow: Math.round(per(wal, inboxRows)),
        redisLogEntryBytes: entryBytes,
        redisUsPerNotification: r2(us(redisCpu(m), sent)),
        otherDatabasesCpuSeconds: r2(pgSend.other + pgAfter.other),
        machineCores: r2(cores),
      };
    };
    rows.push(await phase(`ward of ${S.pgWard}, ${S.pgRepeats} sends one after another`, S.pgWard, async () => {
      for (let i = 0; i < S.pgRepeats; i++) await send({ topic: 'ward:w1' }, i);
      return S.pgRepeats;
    }));
    rows.push(await phase(`tenant of ${S.pgTenant}, ${S.pgTenantRepeats} sends one after another`, S.pgTenant, async () => {
      for (let i = 0; i < S.pgTenantRepeats; i++) await send({ tenant: true }, i);
      return S.pgTenantRepeats;
    }));
    rows.push(await phase(`one user each, ${S.pgSingleConcurrency} in flight for ${S.seconds} s`, 1, async () => {
      const end = performance.now() + S.seconds * 1000;
      let n = 0;
      await Promise.all(Array.from({ length: S.pgSingleConcurrency }, async () => {
        while (performance.now() < end) {
          const i = n++;
          await send({ users: [members[i % members.length]!.userId] }, i);
        }
      }));
      return n;
    }));
  } finally {
    await env.done();
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 6. Stream opens and memory per stream

async function sectionStreams(target: Target) {
  const env = await withService('st', target);
  const { svc } = env;
  const tenantId = 'hosp-st';
  const rows = [];
  const loadgen = new RpcChild('loadgen', join(root, 'bench/sse/loadgen.ts'));
  try {
    const tokens = await Promise.all(Array.from({ length: S.streams }, (_, i) => signDevToken({ tenantId, userId: `staff-${String(i).padStart(6, '0')}`, roles: ['nurse'], wards: [`w${i % 40}`] }, env.enc, 7200)));
    const publisher = await signDevToken({ tenantId, userId: 'scheduler', roles: ['service'], wards: [] }, env.enc, 7200);
    // The Last-Event-ID is the first of K + 1 events: K to replay. Their data is what the load generator counts ({"seq":..,"t":..}).
    const ids: string[] = [];
    for (let seq = 1; seq <= S.streamsK + 1; seq++) {
      const r = await api(svc.url, publisher, 'POST', '/api/events', { type: 'schedule.updated', data: { seq, t: wallNow(), pad: 'x'.repeat(300) }, to: { tenant: true } });
      ids.push(String(r.id));
    }
    const lastEventId = ids[0] as string;
    const u = new URL(svc.url);
    const exclude = new Set([env.pollerPid]);
    // Warm-up: 100 streams of other users, opened and closed.
    const warm = await Promise.all(Array.from({ length: 100 }, (_, i) => signDevToken({ tenantId, userId: `warm-${i}`, roles: ['nurse'], wards: ['w1'] }, env.enc, 7200)));
    await loadgen.call('connect', { host: u.hostname, port: Number(u.port), path: `/api/sse?lastEventId=${lastEventId}`, tokens: warm, count: 100, batch: 100 });
    await loadgen.call('closeAll');
    const round = async (label: string, path: string, replayed: number) => {
      log(`streams: ${label}`);
      await loadgen.call('phase', { seqBase: 0 });
      await sleep(3000); // closed streams released, the collector caught up
      const pss0 = pssKiB(svc.pid);
      const rss0 = rssKiB(svc.pid);
      const gen0 = procCpuSeconds(loadgen.pid);
      const busy = machineBusy();
      const pgs = pgCpuSampler(env.db, exclude);
      const svc0 = svc.cpu();
      const m = await onRedis(target.nodes, async () => {
        const t0 = performance.now();
        const r = await loadgen.call<{ opened: number; failed: number; errors: Record<string, number> }>('connect', { host: u.hostname, port: Number(u.port), path, tokens, count: S.streams, batch: 500 });
        if (r.failed) throw new Error(`${r.failed} streams failed to open: ${JSON.stringify(r.errors)}`);
        const opened = performance.now();
        let stats = await loadgen.call<LoadgenStats>('stats');
        const deadline = Date.now() + 60_000;
        while (stats.received < S.streams * replayed && Date.now() < deadline) {
          await sleep(20);
          stats = await loadgen.call<LoadgenStats>('stats');
        }
        return { opened: r.opened, received: stats.received, openSeconds: (opened - t0) / 1000, seconds: (performance.now() - t0) / 1000 };
      });
      const svcCpu = svc.cpu() - svc0;
      const pgCpu = pgs.stop();
      const cores = busy();
      const genCpu = procCpuSeconds(loadgen.pid) - gen0;
      await sleep(2000);
      const pss1 = pssKiB(svc.pid);
      const rss1 = rssKiB(svc.pid);
      const { opened, received, openSeconds } = m.result;
      return {
        round: label,
        streams: opened,
        replayedEach: replayed,
        replayedReceived: received,
        openWallSeconds: r2(openSeconds),
        opensPerSecond: Math.round(opened / openSeconds),
        serviceCpuSeconds: r2(svcCpu),
        opensPerServiceCpuSecond: Math.round(per(opened, svcCpu)),
        serviceUsPerOpen: r2(us(svcCpu, opened)),
        redisUsPerOpen: r2(us(redisCpu(m), opened)),
        redisCommandsPerOpen: r2(per(redisCommands(m), opened)),
        pgUsPerOpen: r2(us(pgTotal(pgCpu), opened)),
        pgCpuSeconds: r2(pgTotal(pgCpu)),
        pssKiBPerStream: pss0 !== null && pss1 !== null ? r2((pss1 - pss0) / opened) : null,
        rssKiBPerStream: rss0 !== null && rss1 !== null ? r2((rss1 - rss0) / opened) : null,
        pssMiBAfter: pss1 !== null ? r2(pss1 / 1024) : null,
        loadgenCpuSeconds: r2(genCpu),
        otherDatabasesCpuSeconds: r2(pgCpu.other),
        machineCores: r2(cores),
      };
    };
    const resume = `/api/sse?lastEventId=${lastEventId}`;
    rows.push(await round(`users new to the process, Last-Event-ID ${S.streamsK} back`, resume, S.streamsK));
    await loadgen.call('closeAll');
    rows.push(await round(`the same users again, Last-Event-ID ${S.streamsK} back`, resume, S.streamsK));
    await loadgen.call('closeAll');
    rows.push(await round('the same users again, no Last-Event-ID', '/api/sse', 0));
    await loadgen.call('closeAll');
  } finally {
    await loadgen.stop();
    await env.done();
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Run

const git = (cmd: string) => {
  try {
    return execSync(`git ${cmd}`, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};
const machine = { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
const commit = git('rev-parse --short HEAD');
const srcChanges = git('status --porcelain packages/wardbell/src').split('\n').filter(Boolean).length;

const results: {
  redisAppend: Awaited<ReturnType<typeof sectionAppend>>;
  busRead: Awaited<ReturnType<typeof sectionBus>>;
  replay: Awaited<ReturnType<typeof sectionReplay>>;
  quota: Awaited<ReturnType<typeof sectionQuota>>;
  pgNotify: Awaited<ReturnType<typeof sectionPg>>;
  streams: Awaited<ReturnType<typeof sectionStreams>>;
  receipts: Awaited<ReturnType<typeof sectionReceipts>>;
} = { redisAppend: [], busRead: [], replay: [], quota: [], pgNotify: [], streams: [], receipts: [] };
const targets: Target[] = [];
let redisInfo: Record<string, string> = {};
const t0 = performance.now();
try {
  const single = await singleTarget();
  targets.push(single);
  {
    const info = String(await single.nodes[0]!.client.call('INFO', 'server'));
    const cfg = (k: string) => (single.nodes[0]!.client.call('CONFIG', 'GET', k) as Promise<string[]>).then((r) => r[1] ?? '').catch(() => '?');
    redisInfo = { version: /^redis_version:(\S+)/m.exec(info)?.[1] ?? '?', appendonly: await cfg('appendonly'), save: await cfg('save'), ioThreads: await cfg('io-threads') };
  }
  const wantCluster = S.targets.includes('cluster') && (wants('redis-append') || wants('replay'));
  if (wantCluster) {
    log('starting a 3-primary Redis Cluster');
    targets.push((await clusterTarget()).target);
  }
  const redisTargets = targets.filter((t) => S.targets.includes(t.name));
  if (wants('redis-append')) for (const t of redisTargets) results.redisAppend.push(...(await sectionAppend(t)));
  if (wants('bus-read')) results.busRead.push(...(await sectionBus(single)));
  if (wants('replay')) for (const t of redisTargets) results.replay.push(...(await sectionReplay(t)));
  if (wants('quota')) results.quota.push(...(await sectionQuota(single)));
  if (wants('pg-notify')) results.pgNotify.push(...(await sectionPg(single)));
  if (wants('streams')) results.streams.push(...(await sectionStreams(single)));
  if (wants('receipts')) {
    results.receipts.push(...(await sectionReceipts({ databaseUrl: DATABASE_URL, on: S.receiptsOn, recipients: S.receiptsRecipients, repeats: S.receiptsRepeats, reportRepeats: S.receiptsReports, concurrency: S.receiptsConcurrency, reads: S.receiptsReads, claims: S.receiptsClaims, singles: S.receiptsSingles, log })));
  }
} finally {
  for (const t of targets.reverse()) await t.stop().catch((err: unknown) => log(`stopping ${t.name}: ${String(err)}`));
}
const minutes = (performance.now() - t0) / 60_000;

// ---------------------------------------------------------------------------------------------
// Report

const cmdOf = (section: Section) => `npm run bench:capacity -- --only=${section}`;
type SummaryRow = { figure: string; value: number | null; unit: string; command: string };
const summary: SummaryRow[] = [];
const add = (figure: string, value: number | null | undefined, unit: string, section: Section) => summary.push({ figure, value: value ?? null, unit, command: cmdOf(section) });
for (const r of results.redisAppend) {
  const raw = r.client.startsWith('raw');
  add(`append, ${r.target} Redis, ${r.variant}, ${raw ? 'raw client' : 'log.append'}: appends per Redis CPU-second (${r.perNode.length} node(s), busiest at ${fmt(r.redisCoreUse, 2)} core)`, r.appendsPerRedisCpuSecond, 'appends/CPU-s', 'redis-append');
  if (r.perNode.length > 1) for (const n of r.perNode) add(`  ${n.node}, ${n.shards} of ${SHARDS} shards: ${fmtInt(n.appends)} appends`, n.appendsPerCpuSecond, 'appends/CPU-s', 'redis-append');
  if (!raw) {
    add(`  Redis memory per appended event (log + bus copy)`, r.redisMemoryBytesPerAppend, 'bytes', 'redis-append');
    add(`  appending process (service) CPU per append`, r.clientUsPerAppend, 'us', 'redis-append');
  }
}
for (const r of results.busRead) {
  add(`bus read, ${r.stream}, ${r.entries}`, r.entriesPerReaderCpuSecond, 'entries/reader CPU-s', 'bus-read');
  if (r.redisUsPerEntryRead !== null) add(`  Redis CPU per entry read (per reading process)`, r.redisUsPerEntryRead, 'us', 'bus-read');
}
for (const r of results.replay) {
  add(`replay, ${r.target}, ${r.read}`, r.readsPerRedisCpuSecond, 'reads/Redis CPU-s', 'replay');
  add(`  reading process (service) CPU per read`, r.clientUsPerRead, 'us', 'replay');
}
for (const r of results.quota) add(`stream quota, ${r.op}`, r.opsPerRedisCpuSecond, 'ops/Redis CPU-s', 'quota');
for (const r of results.pgNotify) {
  add(`PostgreSQL, ${r.phase}: inbox rows per PostgreSQL CPU-second (net of idle)`, per(1e6, r.pgUsPerInboxRowNet), 'rows/PG CPU-s', 'pg-notify');
  add(`  PostgreSQL CPU per notification (net of idle)`, r.pgUsPerNotificationNet, 'us', 'pg-notify');
  add(`  service CPU per notification (net of idle)`, r.serviceUsPerNotificationNet, 'us', 'pg-notify');
  add(`  transactions per notification (net of idle)`, r.transactionsPerNotificationNet, 'xacts', 'pg-notify');
  add(`  WAL per inbox row (whole PostgreSQL cluster)`, r.walBytesPerInboxRow, 'bytes', 'pg-notify');
  add(`  the notification's entry in the Redis log`, r.redisLogEntryBytes, 'bytes', 'pg-notify');
}
for (const r of results.streams) {
  add(`stream opens, ${r.round}: opens per service CPU-second`, r.opensPerServiceCpuSecond, 'opens/CPU-s', 'streams');
  add(`  Redis CPU per open`, r.redisUsPerOpen, 'us', 'streams');
  add(`  PostgreSQL CPU per open`, r.pgUsPerOpen, 'us', 'streams');
  if (r === results.streams[0]) {
    add(`  PSS per open stream (no forced GC)`, r.pssKiBPerStream, 'KiB', 'streams');
    add(`  RSS per open stream (no forced GC)`, r.rssKiBPerStream, 'KiB', 'streams');
  }
}

for (const s of receiptsSummary(results.receipts)) add(s.figure, s.value, s.unit, 'receipts');

const output = {
  benchmark: 'capacity',
  date: startedAt.toISOString(),
  minutes: r2(minutes),
  command: COMMAND,
  commit,
  uncommittedChangesInSrc: srcChanges,
  machine,
  redis: { single: targets.find((t) => t.name === 'single')?.label, ...redisInfo, cluster: targets.find((t) => t.name === 'cluster')?.label ?? null },
  payload: { type: EVENT_TYPE, entryBytes: PAYLOAD.entryBytes },
  settings: S,
  results,
  pgIdle: idle,
  summary,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const partial = SECTIONS.some((s) => !wants(s)) ? `-only-${SECTIONS.filter(wants).join('+')}` : '';
const file = new URL(`./results/capacity-${output.date.replace(/[:.]/g, '-').slice(0, 19)}${partial}${QUICK ? '-quick' : ''}.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify(output, null, 2)}\n`);

const blocks: Array<{ title: string; head: string[]; rows: string[][]; left?: number }> = [];
if (results.redisAppend.length) {
  blocks.push({
    title: `Appends (the service's append script: tenant log + shard bus stream; event entry ${PAYLOAD.entryBytes} bytes; ${S.seconds} s or ${fmtInt(S.rawCount)} raw appends)`,
    head: ['target', 'tenant logs', 'client', 'appends', 'appends/s', 'Redis CPU s', 'Redis core use', 'appends/Redis CPU-s', 'Redis us/append', 'client us/append', 'Redis cmds/append', 'Redis bytes/append', 'machine cores'],
    rows: results.redisAppend.map((r) => [r.target, r.variant, r.client, fmtInt(r.appends), fmtInt(r.appendsPerSecond), fmt(r.redisCpuSeconds, 2), fmt(r.redisCoreUse, 2), fmtInt(r.appendsPerRedisCpuSecond), fmt(r.redisUsPerAppend, 2), fmt(r.clientUsPerAppend, 1), fmt(r.redisCommandsPerAppend, 2), fmtInt(r.redisMemoryBytesPerAppend), fmt(r.machineCores, 2)]),
  });
  const clusterRows = results.redisAppend.filter((r) => r.perNode.length > 1);
  if (clusterRows.length) {
    blocks.push({
      title: 'Appends per cluster primary (appends counted per tenant and mapped by shard; script calls from the primary\'s commandstats)',
      head: ['tenant logs', 'client', 'primary', 'shards', 'appends', 'script calls', 'CPU s', 'core use', 'appends/CPU-s'],
      rows: clusterRows.flatMap((r) => r.perNode.map((n) => [r.variant, r.client.split(',')[0] as string, n.node, String(n.shards), fmtInt(n.appends), fmtInt(n.scriptCalls), fmt(n.cpuSeconds, 2), fmt(n.coreUse, 2), fmtInt(n.appendsPerCpuSecond)])),
    });
  }
}
if (results.busRead.length) {
  blocks.push({
    title: 'Bus reads in one process (the service\'s sharded bus over one shard stream, a no-op handler; the reader\'s own process.cpuUsage)',
    head: ['stream', 'entries', 'read', 'handed on', 'reader CPU s', 'entries/reader CPU-s', 'reader us/entry', 'XREADs', 'entries/XREAD', 'Redis us/entry read', 'machine cores'],
    rows: results.busRead.map((r) => [r.stream, r.entries, fmtInt(r.entriesRead), fmtInt(r.handedOn), fmt(r.readerCpuSeconds, 2), fmtInt(r.entriesPerReaderCpuSecond), fmt(r.readerUsPerEntry, 2), fmtInt(r.xreads), fmt(r.entriesPerXread, 1), r.redisUsPerEntryRead === null ? '-' : fmt(r.redisUsPerEntryRead, 2), fmt(r.machineCores, 2)]),
  });
}
if (results.replay.length) {
  blocks.push({
    title: `Replay reads (${S.workers} client processes x ${S.replayConcurrency} in flight, ${S.seconds} s, 16 tenants one per shard)`,
    head: ['target', 'read', 'reads', 'reads/s', 'Redis CPU s', 'Redis core use', 'reads/Redis CPU-s', 'Redis us/read', 'client us/read', 'events/read', 'Redis cmds/read', 'machine cores'],
    rows: results.replay.map((r) => [r.target, r.read, fmtInt(r.reads), fmtInt(r.readsPerSecond), fmt(r.redisCpuSeconds, 2), fmt(r.redisCoreUse, 2), fmtInt(r.readsPerRedisCpuSecond), fmt(r.redisUsPerRead, 2), fmt(r.clientUsPerRead, 1), fmt(r.eventsPerRead, 1), fmt(r.redisCommandsPerRead, 2), fmt(r.machineCores, 2)]),
  });
}
if (results.quota.length) {
  blocks.push({
    title: `Stream quota in Redis (${fmtInt(S.quotaUsers)} users of one tenant, one slot each)`,
    head: ['operation', 'ops', 'Redis CPU s', 'ops/Redis CPU-s', 'Redis us/op', 'client us/op', 'Redis cmds/op', 'machine cores'],
    rows: results.quota.map((r) => [r.op, fmtInt(r.ops), fmt(r.redisCpuSeconds, 2), fmtInt(r.opsPerRedisCpuSecond), fmt(r.redisUsPerOp, 2), fmt(r.clientUsPerOp, 1), fmt(r.redisCommandsPerOp, 2), fmt(r.machineCores, 2)]),
    left: 1,
  });
}
if (results.pgNotify.length) {
  blocks.push({
    title: `PostgreSQL writes behind POST /api/notifications (a service process on PostgreSQL + Redis; PG CPU = the database's backends + background processes; "after" = the push worker taking up the outbox; "net" = less what the service (${fmt(idle?.serviceCores, 3)} cores) and PostgreSQL (${fmt(idle?.pgCores, 3)} cores, ${fmt(idle?.xactsPerSecond, 1)} transactions/s) do idle; WAL is the whole PostgreSQL cluster's)`,
    head: ['phase', 'notifications', 'inbox rows', 'send s', 'rows/s', 'PG CPU s (send)', 'PG CPU s (after)', 'rows/PG CPU-s', 'PG us/row', 'PG us/row net', 'PG us/notif. net', 'service us/row', 'service us/notif. net', 'xacts/notif. net', 'ins/upd/del per notif.', 'WAL bytes/row', 'Redis entry bytes', 'other DBs CPU s', 'machine cores'],
    rows: results.pgNotify.map((r) => [r.phase, fmtInt(r.notifications), fmtInt(r.inboxRows), fmt(r.sendWallSeconds, 2), fmtInt(r.inboxRowsPerSecond), fmt(r.pgCpuSendSeconds, 2), fmt(r.pgCpuAfterSeconds, 2), fmtInt(r.inboxRowsPerPgCpuSecond), fmt(r.pgUsPerInboxRow, 1), fmt(r.pgUsPerInboxRowNet, 1), fmtInt(r.pgUsPerNotificationNet), fmt(r.serviceUsPerInboxRow, 1), fmtInt(r.serviceUsPerNotificationNet), fmt(r.transactionsPerNotificationNet, 1), `${fmt(r.rowsInsertedPerNotification, 0)} / ${fmt(r.rowsUpdatedPerNotification, 0)} / ${fmt(r.rowsDeletedPerNotification, 0)}`, fmtInt(r.walBytesPerInboxRow), fmtInt(r.redisLogEntryBytes), fmt(r.otherDatabasesCpuSeconds, 2), fmt(r.machineCores, 2)]),
    left: 1,
  });
}
if (results.streams.length) {
  blocks.push({
    title: `Stream opens against a service process (${fmtInt(S.streams)} streams, one user each, opened 500 at a time by bench/sse/loadgen.ts; memory without forced GC, garbage included: for the heap after GC see docs/BENCHMARKS.md, npx tsx bench/sse/heap-per-stream.ts)`,
    head: ['round', 'streams', 'replayed received', 'open s', 'opens/s', 'service CPU s', 'opens/service CPU-s', 'service us/open', 'Redis us/open', 'Redis cmds/open', 'PG us/open', 'PSS KiB/stream', 'RSS KiB/stream', 'PSS MiB after', 'loadgen CPU s', 'machine cores'],
    rows: results.streams.map((r) => [r.round, fmtInt(r.streams), fmtInt(r.replayedReceived), fmt(r.openWallSeconds, 2), fmtInt(r.opensPerSecond), fmt(r.serviceCpuSeconds, 2), fmtInt(r.opensPerServiceCpuSecond), fmt(r.serviceUsPerOpen, 0), fmt(r.redisUsPerOpen, 1), fmt(r.redisCommandsPerOpen, 1), fmt(r.pgUsPerOpen, 1), fmt(r.pssKiBPerStream, 1), fmt(r.rssKiBPerStream, 1), fmt(r.pssMiBAfter, 1), fmt(r.loadgenCpuSeconds, 2), fmt(r.machineCores, 2)]),
    left: 1,
  });
}
if (results.receipts.length) blocks.push(receiptsBlock(results.receipts));
const summaryBlock = {
  title: 'Unit costs (each re-measured alone by its command)',
  head: ['figure', 'value', 'unit', 'command'],
  rows: summary.map((s) => [s.figure, s.value === null || !Number.isFinite(s.value) ? '-' : s.value >= 100 ? fmtInt(s.value) : fmt(s.value, 2), s.unit, s.command]),
  left: 1,
};

const headline = [
  `capacity run of ${output.date} (${r2(minutes)} min), commit ${commit}${srcChanges ? ` (+${srcChanges} uncommitted changes in packages/wardbell/src)` : ''}: ${COMMAND}`,
  `machine: ${machine.cpus} x ${machine.model}, ${machine.memoryGiB} GiB, Node ${machine.node}; Redis ${redisInfo.version} (appendonly ${redisInfo.appendonly}, save '${redisInfo.save}', io-threads ${redisInfo.ioThreads}): ${output.redis.single}${output.redis.cluster ? `; cluster: ${output.redis.cluster}` : ''}`,
  '"machine cores" is the whole machine\'s busy time over the phase: more than the processes named in the row means other work shared the cores (per-CPU-second figures hold; wall-clock rates do not).',
];
console.log(`\n${headline.join('\n')}\n`);
for (const b of blocks) console.log(`${b.title}\n${table(b.head, b.rows, b.left ?? 2)}\n`);
console.log(`${summaryBlock.title}\n${table(summaryBlock.head, summaryBlock.rows, 1)}\n`);
if (S.markdown) {
  console.log(headline.map((l) => `${l}  `).join('\n'));
  for (const b of [...blocks, summaryBlock]) console.log(`\n**${b.title}**\n\n${markdownTable(b.head, b.rows, b.left ?? 2)}`);
  console.log('');
}
console.log(`written ${file.pathname}`);
process.exit(0);
