/**
 * `npm run bench:scale`: the scale-out deployment against the embedded default, in one run.
 *  - single: one embedded process (SQLite, in-process bus), all connections on it;
 *  - scale-out: two processes on PostgreSQL + Redis, connections split evenly, every broadcast
 *    published through the first process.
 * Each phase publishes broadcasts at a fixed rate over HTTP and measures deliveries per second,
 * publish-to-receive latency (p50/p99/max), lost and duplicated events, and server CPU.
 * Needs DATABASE_URL and REDIS_URL (defaults: this machine's servers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { signDevToken } from '../src/auth/index.js';
import { percentile } from './notify/streams.js';
import { Receivers } from './scale/receivers.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const CONNECTIONS = Number(args.get('connections') ?? 5000);
/** Broadcasts per second, or `max`: as fast as the service accepts them (capacity). */
const RATE_ARG = args.get('rate') ?? 'max';
const RATE = RATE_ARG === 'max' ? Infinity : Number(RATE_ARG);
const SECONDS = Number(args.get('seconds') ?? 10);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'bench-scale-secret-0123456789abcdef012345';

interface Proc { url: string; child: ChildProcess; cpu(): number }

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime in clock ticks (100 Hz)
}

async function start(env: Record<string, string>): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0', WARDBELL_JWT_SECRET: SECRET, WARDBELL_MAX_CONNECTIONS_PER_USER: '10000', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Wardbell is running at (\S+)/.exec(out);
      if (m?.[1]) res(m[1]);
    });
    child.once('exit', (c) => rej(new Error(`exited ${c}`)));
  });
  return { url, child, cpu: () => cpuSeconds(child.pid!) };
}

async function phase(name: string, procs: Proc[]) {
  const enc = new TextEncoder().encode(SECRET);
  const tokens = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => signDevToken({ tenantId: 'bench', userId: `u${i}`, roles: [], wards: [] }, enc, 3600)));
  const rx = new Receivers();
  await rx.open(tokens.map((token, i) => {
    const u = new URL(procs[i % procs.length]!.url);
    return { host: u.hostname, port: Number(u.port), token };
  }));
  const publisher = await signDevToken({ tenantId: 'bench', userId: 'publisher', roles: ['service'], wards: [] }, enc, 3600);
  const publishUrl = `${procs[0]!.url}/api/events`;
  const publish = async (s: number) => {
    rx.publishedAt.set(s, performance.now());
    const res = await fetch(publishUrl, { method: 'POST', headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'schedule.updated', data: { s, pad: 'x'.repeat(64) }, to: { tenant: true } }) });
    if (res.status !== 202) throw new Error(`publish ${res.status}`);
    await res.arrayBuffer();
  };
  for (let s = 0; s < 5; s++) await publish(1_000_000 + s); // warm-up
  await new Promise((r) => setTimeout(r, 1000));
  rx.resetCounters();
  const cpu0 = procs.map((p) => p.cpu());
  const t0 = performance.now();
  let total = 0;
  if (Number.isFinite(RATE)) {
    const inflight: Promise<void>[] = [];
    for (let s = 0; s < RATE * SECONDS; s++) {
      const wait = t0 + (s * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inflight.push(publish(s));
    }
    total = inflight.length;
    await Promise.all(inflight);
  } else {
    // Capacity: a few publishers back to back; the backlog of deliveries is what is measured.
    const end = t0 + SECONDS * 1000;
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (performance.now() < end) await publish(next++);
    }));
    total = next;
  }
  const expected = total * CONNECTIONS;
  const deadline = Date.now() + 15_000;
  while (rx.received < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = procs.map((p, i) => p.cpu() - cpu0[i]!);
  const lat = rx.latencies.sort((a, b) => a - b);
  rx.close();
  const r2 = (n: number) => Math.round(n * 10) / 10;
  return {
    name,
    processes: procs.length,
    connections: CONNECTIONS,
    broadcasts: total,
    expected,
    received: rx.received,
    lost: expected - rx.received,
    duplicates: rx.duplicates,
    deliveriesPerSecond: Math.round(rx.received / elapsed),
    deliveriesPerSecondPerProcess: Math.round(rx.received / elapsed / procs.length),
    latencyMs: { p50: r2(percentile(lat, 50)), p99: r2(percentile(lat, 99)), max: r2(lat[lat.length - 1] ?? NaN) },
    serverCpuSeconds: cpu.map(r2),
    deliveriesPerServerCpuSecond: Math.round(rx.received / cpu.reduce((a, b) => a + b, 0)),
  };
}

const results = [];
{
  const dir = mkdtempSync(join(tmpdir(), 'wardbell-bench-single-'));
  const single = await start({ WARDBELL_DATA_DIR: dir });
  try {
    results.push(await phase('single embedded process', [single]));
  } finally {
    single.child.kill('SIGTERM');
  }
}
{
  const name = `wardbell_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const u = new URL(DATABASE_URL);
  u.pathname = `/${name}`;
  const env = { DATABASE_URL: u.toString(), REDIS_URL, WARDBELL_REDIS_PREFIX: `bench-${name}`, WARDBELL_DATA_DIR: mkdtempSync(join(tmpdir(), 'wardbell-bench-scale-')) };
  const a = await start(env);
  const b = await start(env);
  try {
    results.push(await phase('scale-out: 2 processes, PostgreSQL + Redis', [a, b]));
  } finally {
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
const [single, scale] = results as [Awaited<ReturnType<typeof phase>>, Awaited<ReturnType<typeof phase>>];
const summary = {
  benchmark: 'scale',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  settings: { connections: CONNECTIONS, ratePerSecond: RATE_ARG, seconds: SECONDS },
  results,
  ratioPerProcess: Math.round((scale.deliveriesPerSecondPerProcess / single.deliveriesPerSecond) * 100) / 100,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/scale-${summary.date.slice(0, 10)}.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
console.table(results.map((r) => ({ deployment: r.name, 'deliveries/s': r.deliveriesPerSecond, 'per process': r.deliveriesPerSecondPerProcess, p50: r.latencyMs.p50, p99: r.latencyMs.p99, max: r.latencyMs.max, lost: r.lost, dup: r.duplicates, 'server CPU s': r.serverCpuSeconds.join(' + ') })));
console.log(`per-process rate, scale-out / single: ${summary.ratioPerProcess}`);
console.log(`written ${file.pathname}`);
process.exit(0);
