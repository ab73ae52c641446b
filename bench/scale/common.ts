/**
 * What the phases of `npm run bench:scale` share: service processes (`packages/wardbell/src/main.ts`
 * as deployed, started with this benchmark's JWT secret), stopping them, and CPU and system-call
 * counters of processes from /proc, and the counters of a service's /metrics and of a Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { request, type Agent } from 'node:http';
import type { Redis } from 'ioredis';
import { wallNow } from '../sse/target.js';

export const SECRET = 'bench-scale-secret-0123456789abcdef012345';
export const root = resolve(new URL('../..', import.meta.url).pathname);

/** CPU seconds (user + system) of a process, from /proc (clock ticks at 100 Hz). */
export function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size of a process in MiB (/proc/<pid>/status VmRSS), NaN off Linux. */
export function rssMiB(pid: number): number {
  try {
    const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

/** The pids of a program on this machine by name (PostgreSQL backends, redis-server). */
export function pidsOf(name: string): number[] {
  const out: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out; // not Linux
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
/** CPU seconds per pid of a set of programs (PostgreSQL backends come and go during a phase). */
export const cpuByPid = (pids: readonly number[]) => new Map(pids.map((p) => [p, cpuSeconds(p)] as const).filter(([, c]) => Number.isFinite(c)));

/** Write system calls made by a process so far (/proc/<pid>/io `syscw`), NaN off Linux. */
export function writeSyscalls(pid: number): number {
  try {
    return Number(/^syscw: (\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

export interface Proc {
  url: string;
  child: ChildProcess;
  cpu(): number;
}

export async function startService(env: Record<string, string>): Promise<Proc> {
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', join(root, 'packages/wardbell/src/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: '0',
      WARDBELL_JWT_SECRET: SECRET,
      WARDBELL_MAX_CONNECTIONS_PER_USER: '10000',
      WARDBELL_HEARTBEAT_MS: '30000',
      // The load comes from one address at rates far past the request limits: measure delivery, not the limiter.
      WARDBELL_RATE_LIMITS: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Wardbell is running at (\S+)/.exec(out);
      if (m?.[1]) res(m[1]);
    });
    child.once('exit', (c) => rej(new Error(`service exited ${c}:\n${out}`)));
  });
  return { url, child, cpu: () => cpuSeconds(child.pid!) };
}

export async function stopAll(procs: Proc[]) {
  await Promise.all(procs.map((p) => new Promise<void>((r) => {
    if (p.child.exitCode !== null) return r();
    p.child.once('exit', () => r());
    p.child.kill('SIGTERM');
  })));
}

/** The samples of a Prometheus text exposition without labels, by name. */
export async function scrape(url: string): Promise<Map<string, number>> {
  const headers: Record<string, string> = process.env.WARDBELL_METRICS_TOKEN ? { authorization: `Bearer ${process.env.WARDBELL_METRICS_TOKEN}` } : {};
  const res = await fetch(new URL('/metrics', url), { headers });
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** Redis's own CPU seconds (INFO cpu: used_cpu_sys + used_cpu_user) and commands processed (INFO stats). */
export async function redisCounters(c: Redis): Promise<{ cpu: number; commands: number; calls: Map<string, number> }> {
  const [cpu, stats, commandstats] = (await Promise.all([c.call('INFO', 'cpu'), c.call('INFO', 'stats'), c.call('INFO', 'commandstats')])).map(String) as [string, string, string];
  const field = (text: string, name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  const calls = new Map<string, number>();
  for (const m of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  return { cpu: field(cpu, 'used_cpu_sys') + field(cpu, 'used_cpu_user'), commands: field(stats, 'total_commands_processed'), calls };
}

/**
 * Samples a service's JS heap in use (`nodejs_heap_size_used_bytes` of its /metrics) every
 * `everyMs` until stopped; the least sample is about the live heap (it is taken soon after some
 * collection), where RSS and a single sample hold however much garbage there was at the time.
 */
export function heapSampler(url: string, everyMs = 200): { stop(): Promise<{ minMiB: number; samples: number }> } {
  let min = Number.POSITIVE_INFINITY;
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const used = (await scrape(url).catch(() => null))?.get('nodejs_heap_size_used_bytes');
      if (used !== undefined && Number.isFinite(used)) {
        min = Math.min(min, used);
        samples++;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { minMiB: min / 1048576, samples };
    },
  };
}

/**
 * One tenant broadcast (`POST /api/events`, `to: { tenant: true }`) over a keep-alive `agent`, as the
 * benchmarks publish: `data` carries the load generator's sequence number and a wall-clock stamp
 * (its latency), padded to a realistic size. Rejects unless the service answers 202.
 */
export function publishBroadcast(agent: Agent, url: string, token: string, seq: number): Promise<void> {
  const u = new URL(url);
  const body = JSON.stringify({ type: 'schedule.updated', data: { seq, t: wallNow(), pad: 'x'.repeat(64) }, to: { tenant: true } });
  return new Promise<void>((ok, fail) => {
    const req = request(
      { host: u.hostname, port: Number(u.port), path: '/api/events', method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 202 ? ok() : fail(new Error(`publish answered ${res.statusCode}`))));
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}
