/**
 * What `npm run bench:capacity` reads its figures from: Redis's own counters (INFO cpu, stats,
 * memory, commandstats), PostgreSQL's processes in /proc (split into the benchmark database's
 * backends, PostgreSQL's background processes, and other databases' backends), a process's CPU from
 * /proc/<pid>/stat, its RSS and PSS, the machine's busy time; and the service process
 * (packages/wardbell/src/main.ts, started as bench/scale.ts starts it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { machineTicks, pssKiB } from '../sse/report.js';
import { cpuSeconds as procCpuSeconds, pidsOf, startService as startScaleService } from '../scale/common.js';

export const root = new URL('../..', import.meta.url).pathname;

// Children started here (the service, a private redis-server) end with this process, however it ends.
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
function track(c: ChildProcess): void {
  children.add(c);
  c.once('exit', () => children.delete(c));
}

// CPU seconds of a process and the pids of a program, from /proc: bench:scale's.
export { procCpuSeconds, pidsOf };

export function rssKiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export { pssKiB };

/** Busy cores of the whole machine between two calls of `start()`'s result. */
export function machineBusy(): () => number {
  const a = machineTicks();
  const t0 = performance.now();
  return () => {
    const b = machineTicks();
    const s = (performance.now() - t0) / 1000;
    if (!a || !b || s <= 0) return Number.NaN;
    return (b.busy - a.busy) / 100 / s;
  };
}

// ---------------------------------------------------------------------------------------------
// Redis

export interface RedisCounters {
  cpu: number;
  commands: number;
  usedMemory: number;
  /** Calls per command (`cmdstat_<name>`). */
  calls: Record<string, number>;
  pid: number;
}

function field(info: string, name: string): number {
  return Number(new RegExp(`^${name}:([^\\r\\n]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
}

export async function redisCounters(c: Redis): Promise<RedisCounters> {
  const info = String(await c.call('INFO', 'all'));
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1] as string] = Number(m[2]);
  return { cpu: field(info, 'used_cpu_sys') + field(info, 'used_cpu_user'), commands: field(info, 'total_commands_processed'), usedMemory: field(info, 'used_memory'), calls, pid: field(info, 'process_id') };
}

export interface RedisDelta {
  cpuSeconds: number;
  commands: number;
  memoryBytes: number;
  calls: Record<string, number>;
}

export function redisDelta(a: RedisCounters, b: RedisCounters): RedisDelta {
  const calls: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.calls)) {
    const d = v - (a.calls[k] ?? 0);
    if (d > 0) calls[k] = d;
  }
  // Counting the INFO that read `b` out (it is counted before its own reply).
  return { cpuSeconds: b.cpu - a.cpu, commands: b.commands - a.commands - 1, memoryBytes: b.usedMemory - a.usedMemory, calls };
}

/** A Redis the benchmark talks to directly (a node of a cluster, or the single Redis). */
export interface RedisNode {
  name: string;
  url: string;
  client: Redis;
}

export function redisNode(name: string, url: string): RedisNode {
  const client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  client.on('error', () => {});
  return { name, url, client };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A redis-server of our own (no persistence, as the machine's), a child of this process. */
export async function startPrivateRedis(): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
  track(child);
  const url = `redis://127.0.0.1:${port}`;
  const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on('error', () => {});
  for (let i = 0; ; i++) {
    try {
      await c.connect();
      await c.ping();
      break;
    } catch {
      if (i > 100) throw new Error(`redis-server on ${port} did not start`);
      c.disconnect();
      await sleep(50);
    }
  }
  c.disconnect();
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/** Deletes every key under `prefix` (SCAN + UNLINK) on one Redis. */
export async function deleteKeys(c: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = (await c.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)) as [string, string[]];
    cursor = next;
    // One key per command: a cluster node refuses a command over keys of several slots.
    if (keys.length) {
      const p = c.pipeline();
      for (const k of keys) p.unlink(k);
      for (const [err, r] of (await p.exec()) ?? []) if (!err) n += Number(r);
    }
  } while (cursor !== '0');
  return n;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

export interface PgCpu {
  /** Backends connected to the benchmark's database (and autovacuum on it), but not the benchmark's own poller. */
  database: number;
  /** The postmaster, checkpointer, background writer, WAL writer, launchers: shared by every database. */
  background: number;
  /** Backends of other databases (other work on the machine). */
  other: number;
}

function pgClassOf(pid: number, database: string): keyof PgCpu {
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ');
  } catch {
    return 'other';
  }
  if (!cmd.includes('postgres:')) return 'background'; // the postmaster
  if (cmd.includes(` ${database} `)) return 'database';
  if (/checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher|stats collector|archiver|walsender|walreceiver/.test(cmd)) return 'background';
  return 'other';
}

/**
 * CPU of every `postgres` process over a phase. Backends come and go (the pool's idle timeout, a
 * worker ending): every process is sampled each 100 ms, one that appeared during the phase counts
 * from zero, one that ended counts up to its last sample.
 */
export function pgCpuSampler(database: string, exclude: ReadonlySet<number>): { stop(): PgCpu } {
  const first = new Map<number, { cls: keyof PgCpu; cpu: number }>();
  const last = new Map<number, number>();
  const tick = (initial: boolean) => {
    for (const pid of pidsOf('postgres')) {
      if (exclude.has(pid)) continue;
      const cpu = procCpuSeconds(pid);
      if (!Number.isFinite(cpu)) continue;
      if (!first.has(pid)) first.set(pid, { cls: pgClassOf(pid, database), cpu: initial ? cpu : 0 });
      last.set(pid, cpu);
    }
  };
  tick(true);
  const timer = setInterval(() => tick(false), 100);
  return {
    stop() {
      tick(false);
      clearInterval(timer);
      const out: PgCpu = { database: 0, background: 0, other: 0 };
      for (const [pid, f] of first) out[f.cls] += (last.get(pid) ?? f.cpu) - f.cpu;
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The service process

export interface ServiceProc {
  url: string;
  child: ChildProcess;
  pid: number;
  cpu(): number;
  stop(): Promise<void>;
}

/** packages/wardbell/src/main.ts as deployed (bench/scale.ts's `startService`), plus `env`; stopped with SIGKILL if SIGTERM takes over 10 s. */
export async function startService(env: Record<string, string>): Promise<ServiceProc> {
  const { url, child } = await startScaleService(env);
  track(child);
  child.stdout!.resume();
  const pid = child.pid as number;
  return {
    url,
    child,
    pid,
    cpu: () => procCpuSeconds(pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(t);
    },
  };
}
