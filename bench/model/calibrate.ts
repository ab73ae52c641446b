/**
 * The capacity model's unit costs, each measured alone on real processes (`src/main.ts` as
 * deployed) over a Redis Cluster of their own and a fresh PostgreSQL database. Two processes:
 * P0 holds the streams, P1 takes the publishes. Each step is one window in which one kind of work
 * is added; the cost of that work is the window's CPU minus what the steps before already account
 * for (all counters are CPU seconds from /proc, Redis's `INFO cpu` and PostgreSQL's backends):
 *  1. idle, no streams: a process's base CPU per second, and its resident memory;
 *  2. publishes through P1 to tenants nobody follows, nobody reading: P1's CPU per publish;
 *  3. P0 opens streams (tenants with one stream each, and one tenant with many; one user each):
 *     P0's CPU per open;
 *  4. idle with the streams: CPU per stream per 30 s (a heartbeat and the user's quota renewal);
 *  5. publishes to tenants P0 does not follow, in the shards it reads: P0's CPU per skipped entry;
 *  6. and 7. publishes to the one-stream tenants and to the large tenant: P0's CPU per followed
 *     entry and per delivery (two equations, two unknowns).
 * Windows are 30 s (`--window`), so each holds one heartbeat and one quota renewal round. Memory:
 * P1 at the end (a process that has worked, with no streams) is the base, and P0's excess over it
 * per stream is the cost of a stream; both as resident memory, and as the live JS heap (the least
 * heap in use sampled over the last window). Redis and PostgreSQL costs come from `npm run bench:capacity`,
 * which measures each alone at load (here they would drown in three idle cluster nodes' own CPU).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { signDevToken } from '../../packages/wardbell/src/auth/index.js';
import { startRedisCluster } from '../../test/helpers/redis-cluster.js';
import { RpcChild } from '../sse/rpc.js';
import { heapSampler, root, rssMiB, SECRET, startService, stopAll, type Proc, publishBroadcast } from '../scale/common.js';
import type { ProcessCosts } from './predict.js';

export interface CalibrationOptions {
  databaseUrl: string;
  windowSeconds: number;
  /** Publishes per second in the publishing steps. */
  rate: number;
  /** Tenants with one stream each, and tenants nobody follows. */
  tenantsPerGroup: number;
  /** Streams of the one large tenant. */
  largeTenantStreams: number;
  /** Publishes per second to the large tenant (each a delivery to every one of its streams). */
  largeRate: number;
  shards: number;
  primaries: number;
}

export interface Calibration {
  costs: ProcessCosts;
  /** Each step's raw counters, for the record. */
  steps: Array<{ step: string; seconds: number; p0Cpu: number; p1Cpu: number; p0HeapMinMiB: number; p1HeapMinMiB: number; work: number }>;
}

const tenantId = (group: string, i: number) => `cal-${group}-${String(i).padStart(4, '0')}`;
const LARGE = 'cal-large';

export async function calibrate(o: CalibrationOptions, log: (s: string) => void = (s) => console.error(s)): Promise<Calibration> {
  const enc = new TextEncoder().encode(SECRET);
  const cluster = await startRedisCluster({ primaries: o.primaries, replicasPerPrimary: 0, nodeTimeoutMs: 15_000 });
  const dbName = `wardbell_bench_model_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: o.databaseUrl });
  const procs: Proc[] = [];
  let loadgen: RpcChild | null = null;
  try {
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    const dbUrl = new URL(o.databaseUrl);
    dbUrl.pathname = `/${dbName}`;
    const env = {
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: cluster.url,
      WARDBELL_REDIS_CLUSTER: 'true',
      WARDBELL_REDIS_PREFIX: `bench-model-${randomBytes(3).toString('hex')}`,
      WARDBELL_BUS_SHARDS: String(o.shards),
      WARDBELL_DATA_DIR: mkdtempSync(join(tmpdir(), 'wardbell-bench-model-')),
    };
    procs.push(await startService(env));
    procs.push(await startService(env));
    const [p0, p1] = procs as [Proc, Proc];
    loadgen = new RpcChild('loadgen', join(root, 'bench/sse/loadgen.ts'));

    const G = o.tenantsPerGroup;
    const groups = { one: 1, none: 0 };
    const service = new Map<string, string>();
    for (const g of Object.keys(groups)) for (let i = 0; i < G; i++) service.set(tenantId(g, i), await signDevToken({ tenantId: tenantId(g, i), userId: 'app', roles: ['service'], wards: [] }, enc, 3600));
    service.set(LARGE, await signDevToken({ tenantId: LARGE, userId: 'app', roles: ['service'], wards: [] }, enc, 3600));
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const publish = (t: string, seq: number) => publishBroadcast(agent, p1.url, service.get(t)!, seq);
    // Every tenant's log exists first (as in steady state): one publish each.
    for (const g of Object.keys(groups)) for (let i = 0; i < G; i++) await publish(tenantId(g, i), i);
    await publish(LARGE, 0);

    const steps: Calibration['steps'] = [];
    /** Runs `work` over a window of at least `windowSeconds`; the counters' differences. */
    const step = async (name: string, work: () => Promise<number>) => {
      log(`model calibration: ${name}`);
      const c0 = { p0: p0.cpu(), p1: p1.cpu(), t: performance.now() };
      const heaps = [heapSampler(p0.url), heapSampler(p1.url)];
      const done = await work();
      const left = o.windowSeconds * 1000 - (performance.now() - c0.t);
      if (left > 0) await sleep(left);
      const seconds = (performance.now() - c0.t) / 1000;
      const [h0, h1] = await Promise.all(heaps.map((h) => h.stop()));
      const r = { step: name, seconds, p0Cpu: p0.cpu() - c0.p0, p1Cpu: p1.cpu() - c0.p1, p0HeapMinMiB: h0!.minMiB, p1HeapMinMiB: h1!.minMiB, work: done };
      steps.push(r);
      return r;
    };
    const publishTo = (group: string, rate = o.rate) => async () => {
      const n = Math.round(rate * o.windowSeconds * 0.9);
      const t0 = performance.now();
      const inflight: Promise<void>[] = [];
      for (let s = 0; s < n; s++) {
        const wait = t0 + (s * 1000) / rate - performance.now();
        if (wait > 0) await sleep(wait);
        inflight.push(publish(group === LARGE ? LARGE : tenantId(group, s % G), s));
      }
      await Promise.all(inflight);
      return n;
    };

    await sleep(3000);
    const idle = await step('idle, no streams', async () => 0);
    const base = (idle.p0Cpu + idle.p1Cpu) / 2 / idle.seconds;

    const unread = await step('publishes nobody reads', publishTo('none'));
    const cpuPerPublish = (unread.p1Cpu - base * unread.seconds) / unread.work;

    const tokens: string[] = [];
    for (let i = 0; i < G; i++) tokens.push(await signDevToken({ tenantId: tenantId('one', i), userId: 'u0', roles: [], wards: [] }, enc, 3600));
    for (let u = 0; u < o.largeTenantStreams; u++) tokens.push(await signDevToken({ tenantId: LARGE, userId: `u${u}`, roles: [], wards: [] }, enc, 3600));
    const opened = await step(`P0 opens ${tokens.length} streams`, async () => {
      const u = new URL(p0.url);
      const r = await loadgen!.call<{ opened: number; failed: number; errors: Record<string, number> }>('connect', { host: u.hostname, port: Number(u.port), path: '/api/sse', tokens, count: tokens.length, batch: 200 });
      if (r.failed) throw new Error(`${r.failed} streams failed to open: ${JSON.stringify(r.errors)}`);
      return r.opened;
    });
    const K = opened.work;
    const withStreams = await step('idle with the streams', async () => 0);
    const perStream30 = ((withStreams.p0Cpu - base * withStreams.seconds) / K) * (30 / withStreams.seconds);
    const p0Idle = (seconds: number) => base * seconds + (perStream30 * K * seconds) / 30;
    const cpuPerOpen = (opened.p0Cpu - p0Idle(opened.seconds)) / K;

    const skipped = await step('publishes to tenants P0 does not follow', publishTo('none'));
    const cpuPerSkippedEntry = (skipped.p0Cpu - p0Idle(skipped.seconds)) / skipped.work;
    const one = await step('publishes to one-stream tenants', publishTo('one'));
    const large = await step(`publishes to the tenant of ${o.largeTenantStreams} streams`, publishTo(LARGE, o.largeRate));
    const perOne = (one.p0Cpu - p0Idle(one.seconds)) / one.work;
    const perLarge = (large.p0Cpu - p0Idle(large.seconds)) / large.work;
    const cpuPerDelivery = (perLarge - perOne) / (o.largeTenantStreams - 1);
    const cpuPerFollowedEntry = perOne - cpuPerDelivery;
    // Memory, both processes having worked: P1 (no streams) the base, P0's excess per stream.
    const rssBaseMiB = rssMiB(p1.child.pid!);
    const rssPerStreamKiB = ((rssMiB(p0.child.pid!) - rssBaseMiB) * 1024) / K;
    // The live heap, both having worked through the last step: P1's the base, P0's excess per stream.
    const heapBaseMiB = large.p1HeapMinMiB;
    const heapPerStreamKiB = ((large.p0HeapMinMiB - heapBaseMiB) * 1024) / K;
    await loadgen.call('closeAll');

    return {
      costs: { baseCpuPerSecond: base, rssBaseMiB, rssPerStreamKiB, heapBaseMiB, heapPerStreamKiB, cpuPerOpen, cpuPerStreamPer30s: perStream30, cpuPerPublish, cpuPerSkippedEntry, cpuPerFollowedEntry, cpuPerDelivery },
      steps,
    };
  } finally {
    await loadgen?.stop();
    await stopAll(procs);
    await cluster.stop();
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}
