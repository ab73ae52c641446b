/**
 * The capacity model's unit costs, each measured alone on real processes (`src/main.ts` as
 * deployed) over a Redis Cluster of their own and a fresh PostgreSQL database. Two processes:
 * P0 holds the streams, P1 takes the publishes. Each step is one window in which one kind of work
 * is added; the cost of that work is the window's CPU minus what the steps before already account
 * for (all counters are CPU seconds from /proc, Redis's `INFO cpu` and PostgreSQL's backends):
 *  1. idle, no streams: a process's base CPU per second, and its resident memory;
 *  2. publishes through P1 to tenants nobody follows, nobody reading: P1's CPU per publish, and
 *     Redis's per append;
 *  3. P0 opens streams (half the tenants with one stream, half with nine; one user each): P0's CPU
 *     per open, Redis's and PostgreSQL's per open, P0's memory per stream;
 *  4. idle with the streams: CPU per stream per 30 s (a heartbeat and the user's quota renewal);
 *  5. publishes to tenants P0 does not follow, in the shards it reads: P0's CPU per skipped entry,
 *     Redis's per entry read;
 *  6. and 7. publishes to the one-stream and the nine-stream tenants: P0's CPU per followed entry
 *     and per delivery (two equations, two unknowns).
 * Windows are 30 s (`--window`), so each holds one heartbeat and one quota renewal round.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { signDevToken } from '../../packages/wardbell/src/auth/index.js';
import { startRedisCluster } from '../../test/helpers/redis-cluster.js';
import { RpcChild } from '../sse/rpc.js';
import { wallNow } from '../sse/target.js';
import { cpuByPid, pidsOf, redisCounters, root, rssMiB, SECRET, startService, stopAll, type Proc } from '../scale/common.js';
import type { UnitCosts } from './predict.js';

export interface CalibrationOptions {
  databaseUrl: string;
  windowSeconds: number;
  /** Publishes per second in the publishing steps. */
  rate: number;
  /** Tenants per group (one-stream, nine-stream, unfollowed). */
  tenantsPerGroup: number;
  shards: number;
  primaries: number;
}

export interface Calibration {
  costs: UnitCosts;
  /** Each step's raw counters, for the record. */
  steps: Array<{ step: string; seconds: number; p0Cpu: number; p1Cpu: number; redisCpu: number; postgresCpu: number; work: number }>;
}

const tenantId = (group: string, i: number) => `cal-${group}-${String(i).padStart(4, '0')}`;

export async function calibrate(o: CalibrationOptions, log: (s: string) => void = (s) => console.error(s)): Promise<Calibration> {
  const enc = new TextEncoder().encode(SECRET);
  const cluster = await startRedisCluster({ primaries: o.primaries, replicasPerPrimary: 0, nodeTimeoutMs: 15_000 });
  const dbName = `wardbell_bench_model_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: o.databaseUrl });
  const primaries: Redis[] = [];
  const procs: Proc[] = [];
  let loadgen: RpcChild | null = null;
  try {
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    const dbUrl = new URL(o.databaseUrl);
    dbUrl.pathname = `/${dbName}`;
    for (const n of (await cluster.nodes()).filter((x) => x.role === 'master')) {
      const c = new Redis({ host: '127.0.0.1', port: n.port, lazyConnect: true, maxRetriesPerRequest: 1 });
      c.on('error', () => {});
      await c.connect();
      primaries.push(c);
    }
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
    const groups = { one: 1, nine: 9, none: 0 };
    const service = new Map<string, string>();
    for (const g of Object.keys(groups)) for (let i = 0; i < G; i++) service.set(tenantId(g, i), await signDevToken({ tenantId: tenantId(g, i), userId: 'app', roles: ['service'], wards: [] }, enc, 3600));
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const publish = (t: string, seq: number) =>
      new Promise<void>((ok, fail) => {
        const u = new URL(p1.url);
        const body = JSON.stringify({ type: 'schedule.updated', data: { seq, t: wallNow(), pad: 'x'.repeat(64) }, to: { tenant: true } });
        const req = request({ host: u.hostname, port: Number(u.port), path: '/api/events', method: 'POST', agent, headers: { authorization: `Bearer ${service.get(t)}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 202 ? ok() : fail(new Error(`publish answered ${res.statusCode}`))));
        });
        req.on('error', fail);
        req.end(body);
      });
    // Every tenant's log exists first (as in steady state): one publish each.
    for (const g of Object.keys(groups)) for (let i = 0; i < G; i++) await publish(tenantId(g, i), i);

    const redisCpu = async () => (await Promise.all(primaries.map(redisCounters))).reduce((n, r) => n + r.cpu, 0);
    const pgCpu = () => [...cpuByPid(pidsOf('postgres')).values()].reduce((a, b) => a + b, 0);
    const steps: Calibration['steps'] = [];
    /** Runs `work` over a window of at least `windowSeconds`; the counters' differences. */
    const step = async (name: string, work: () => Promise<number>) => {
      log(`model calibration: ${name}`);
      const c0 = { p0: p0.cpu(), p1: p1.cpu(), redis: await redisCpu(), pg: pgCpu(), t: performance.now() };
      const done = await work();
      const left = o.windowSeconds * 1000 - (performance.now() - c0.t);
      if (left > 0) await sleep(left);
      const seconds = (performance.now() - c0.t) / 1000;
      const r = { step: name, seconds, p0Cpu: p0.cpu() - c0.p0, p1Cpu: p1.cpu() - c0.p1, redisCpu: (await redisCpu()) - c0.redis, postgresCpu: pgCpu() - c0.pg, work: done };
      steps.push(r);
      return r;
    };
    const publishTo = (group: string) => async () => {
      const n = Math.round(o.rate * o.windowSeconds * 0.9);
      const t0 = performance.now();
      const inflight: Promise<void>[] = [];
      for (let s = 0; s < n; s++) {
        const wait = t0 + (s * 1000) / o.rate - performance.now();
        if (wait > 0) await sleep(wait);
        inflight.push(publish(tenantId(group, s % G), s));
      }
      await Promise.all(inflight);
      return n;
    };

    await sleep(3000);
    const idle = await step('idle, no streams', async () => 0);
    const base = (idle.p0Cpu + idle.p1Cpu) / 2 / idle.seconds;
    const redisBase = idle.redisCpu / idle.seconds;
    const pgBase = idle.postgresCpu / idle.seconds;
    const rssBase = (rssMiB(p0.child.pid!) + rssMiB(p1.child.pid!)) / 2;

    const unread = await step('publishes nobody reads', publishTo('none'));
    const cpuPerPublish = (unread.p1Cpu - base * unread.seconds) / unread.work;
    const redisPerAppend = (unread.redisCpu - redisBase * unread.seconds) / unread.work;

    const tokens: string[] = [];
    for (const [g, k] of Object.entries(groups)) for (let i = 0; i < G; i++) for (let u = 0; u < k; u++) tokens.push(await signDevToken({ tenantId: tenantId(g, i), userId: `u${u}`, roles: [], wards: [] }, enc, 3600));
    const rss0 = rssMiB(p0.child.pid!);
    const opened = await step(`P0 opens ${tokens.length} streams`, async () => {
      const u = new URL(p0.url);
      const r = await loadgen!.call<{ opened: number; failed: number; errors: Record<string, number> }>('connect', { host: u.hostname, port: Number(u.port), path: '/api/sse', tokens, count: tokens.length, batch: 200 });
      if (r.failed) throw new Error(`${r.failed} streams failed to open: ${JSON.stringify(r.errors)}`);
      return r.opened;
    });
    const K = opened.work;
    const withStreams = await step('idle with the streams', async () => 0);
    const perStream30 = ((withStreams.p0Cpu - base * withStreams.seconds) / K) * (30 / withStreams.seconds);
    const redisPerStream30 = ((withStreams.redisCpu - redisBase * withStreams.seconds) / K) * (30 / withStreams.seconds);
    const rssPerStreamKiB = ((rssMiB(p0.child.pid!) - rss0) * 1024) / K;
    const p0Idle = (seconds: number) => base * seconds + (perStream30 * K * seconds) / 30;
    const cpuPerOpen = (opened.p0Cpu - p0Idle(opened.seconds)) / K;
    const redisPerOpen = (opened.redisCpu - redisBase * opened.seconds) / K;
    const pgPerFirstConnect = (opened.postgresCpu - pgBase * opened.seconds) / K;

    const skipped = await step('publishes to tenants P0 does not follow', publishTo('none'));
    const cpuPerSkippedEntry = (skipped.p0Cpu - p0Idle(skipped.seconds)) / skipped.work;
    const redisPerEntryRead = (skipped.redisCpu - redisBase * skipped.seconds - (redisPerStream30 * K * skipped.seconds) / 30) / skipped.work - redisPerAppend;
    const one = await step('publishes to one-stream tenants', publishTo('one'));
    const nine = await step('publishes to nine-stream tenants', publishTo('nine'));
    const perOne = (one.p0Cpu - p0Idle(one.seconds)) / one.work;
    const perNine = (nine.p0Cpu - p0Idle(nine.seconds)) / nine.work;
    const cpuPerDelivery = (perNine - perOne) / 8;
    const cpuPerFollowedEntry = perOne - cpuPerDelivery;
    await loadgen.call('closeAll');

    return {
      costs: {
        process: { baseCpuPerSecond: base, rssBaseMiB: rssBase, rssPerStreamKiB, cpuPerOpen, cpuPerStreamPer30s: perStream30, cpuPerPublish, cpuPerSkippedEntry, cpuPerFollowedEntry, cpuPerDelivery },
        redis: { cpuPerOpen: redisPerOpen, cpuPerPublish: redisPerAppend, cpuPerEntryRead: Math.max(0, redisPerEntryRead), cpuPerStreamPer30s: redisPerStream30 },
        postgres: { cpuPerFirstConnect: pgPerFirstConnect, cpuPerInboxRow: Number.NaN },
      },
      steps,
    };
  } finally {
    await loadgen?.stop();
    await stopAll(procs);
    for (const c of primaries) c.disconnect();
    await cluster.stop();
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}
