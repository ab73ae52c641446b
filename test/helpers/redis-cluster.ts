/**
 * A real Redis Cluster for tests: `redis-server` processes on loopback ports (children of this
 * process, not daemonized, no persistence, in a temporary directory), joined with
 * `redis-cli --cluster create`. No mocks: failover, MOVED redirections and replication are Redis's own.
 *
 * ```ts
 * const cluster = await startRedisCluster(); // 3 primaries, 1 replica each
 * // REDIS_URL=cluster.url WARDBELL_REDIS_CLUSTER=true
 * await cluster.kill(port); await cluster.waitHealthy({ primaries: 3 });
 * await cluster.stop();
 * ```
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const CLUSTER_SLOTS = 16384;
const HOST = '127.0.0.1';

export interface RedisClusterOptions {
  /** Masters that share the slots. Default 3 (a failover needs a majority of masters, so at least 3). */
  primaries?: number;
  /** Replicas of each master. Default 1. */
  replicasPerPrimary?: number;
  /** `cluster-node-timeout`: how long a node may be unreachable before it is failed over, ms. Default 1000. */
  nodeTimeoutMs?: number;
  /** Give up starting after this long, ms. Default 20000. */
  timeoutMs?: number;
}

export interface RedisClusterNode {
  port: number;
  id: string;
  role: 'master' | 'slave';
  /** A replica's master. */
  masterId?: string;
  /** Inclusive slot ranges a master serves. */
  slots: Array<[number, number]>;
  /** The flags of `CLUSTER NODES` (`myself`, `master`, `slave`, `fail`, `fail?`, ...). */
  flags: string[];
  /** Whether this node's process is still running (false after `kill(port)`). */
  alive: boolean;
}

export interface WaitHealthyOptions {
  /** Default 15000 ms. */
  timeoutMs?: number;
  /** When given, the number of live masters must be this. */
  primaries?: number;
}

export interface RedisCluster {
  /** `redis://127.0.0.1:PORT` for every node, masters and replicas. */
  seeds: string[];
  /** The seeds comma-joined: the service's `REDIS_URL` for a cluster (with `WARDBELL_REDIS_CLUSTER=true`). */
  url: string;
  /** Every port the cluster was started on. */
  ports: number[];
  /** The temporary directory: node configs and logs (`redis-PORT.log`). */
  dir: string;
  /** The cluster as a live node sees it (`CLUSTER NODES`), failed nodes included (flag `fail`, `alive: false`). */
  nodes(): Promise<RedisClusterNode[]>;
  /** SIGKILLs one node (a crash: no goodbye, no save) and waits for its process to end. */
  kill(port: number): Promise<void>;
  /**
   * Polls until every live node says `cluster_state:ok`, sees all 16384 slots served by live
   * masters, every live replica's link to its master is up, and (if given) there are `primaries`
   * live masters. Throws with what was last missing after `timeoutMs`.
   */
  waitHealthy(opts?: WaitHealthyOptions): Promise<void>;
  /** Kills every node and removes the temporary directory. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Children are killed when this process exits, however the test run ends (a normal exit or an
// uncaught error; on Ctrl-C the terminal's SIGINT reaches the whole process group anyway).

const running = new Set<ChildProcess>();
const dirs = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of running) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
}
function track(child: ChildProcess): void {
  installExitHook();
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** Whether `redis-server` and `redis-cli` can be run (from PATH). */
export function redisServerAvailable(): boolean {
  return ['redis-server', 'redis-cli'].every((bin) => {
    const r = spawnSync(bin, ['--version'], { stdio: 'ignore' });
    return !r.error && r.status === 0;
  });
}

// ---------------------------------------------------------------------------------------------
// Ports

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: HOST, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** A random port in 20000–40000 whose cluster bus port (+10000) is free too, not in `taken`. */
async function pickPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    if (taken.has(port) || taken.has(port + 10000) || taken.has(port - 10000)) continue;
    if ((await canBind(port)) && (await canBind(port + 10000))) {
      // Checked again after the awaits: several nodes pick ports at the same time.
      if (taken.has(port) || taken.has(port + 10000) || taken.has(port - 10000)) continue;
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port pair (P, P+10000) found in 20000-40000');
}

// ---------------------------------------------------------------------------------------------
// Polling

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Calls `check` until it returns null (done) or the deadline passes; it returns what is missing otherwise. */
async function until(what: string, timeoutMs: number, check: () => Promise<string | null>, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let missing = 'not checked yet';
  for (;;) {
    try {
      const m = await check();
      if (m === null) return;
      missing = m;
    } catch (e) {
      missing = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() >= deadline) throw new Error(`${what}: not within ${timeoutMs} ms (${missing})`);
    await delay(intervalMs);
  }
}

/** One raw PING on a fresh TCP connection: true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: HOST });
    let got = '';
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('\r\n')) done(got.startsWith('+PONG'));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// CLUSTER NODES

interface ParsedNode {
  id: string;
  port: number;
  flags: string[];
  masterId?: string;
  slots: Array<[number, number]>;
}

/** Parses `CLUSTER NODES`: `<id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slot>...`. */
export function parseClusterNodes(text: string): ParsedNode[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [id, addr, flags, master, , , , , ...slotFields] = line.split(' ');
      const port = Number(/:(\d+)@/.exec(addr ?? '')?.[1] ?? NaN);
      const slots: Array<[number, number]> = [];
      for (const f of slotFields) {
        if (f.startsWith('[')) continue; // a slot being imported or migrated
        const [a, b] = f.split('-').map(Number) as [number, number | undefined];
        slots.push([a, b ?? a]);
      }
      return { id: id as string, port, flags: (flags ?? '').split(','), ...(master && master !== '-' ? { masterId: master } : {}), slots };
    });
}

const slotCount = (ranges: Array<[number, number]>) => ranges.reduce((n, [a, b]) => n + b - a + 1, 0);

// ---------------------------------------------------------------------------------------------

interface NodeProcess {
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
  client: Redis;
}

export async function startRedisCluster(opts: RedisClusterOptions = {}): Promise<RedisCluster> {
  const primaries = opts.primaries ?? 3;
  const replicas = opts.replicasPerPrimary ?? 1;
  const nodeTimeoutMs = opts.nodeTimeoutMs ?? 1000;
  const timeoutMs = opts.timeoutMs ?? 20_000;
  if (primaries < 3) throw new Error('redis-cli --cluster create needs at least 3 primaries');
  const dir = mkdtempSync(join(tmpdir(), 'wardbell-redis-cluster-'));
  installExitHook();
  dirs.add(dir);
  const nodes = new Map<number, NodeProcess>();
  const taken = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(0, deadline - Date.now());
  const log = (port: number) => {
    try {
      return readFileSync(join(dir, `redis-${port}.log`), 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  };

  const spawnNode = (port: number): ChildProcess => {
    const args = [
      '--port', String(port), '--bind', HOST, '--daemonize', 'no',
      '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`),
      '--cluster-node-timeout', String(nodeTimeoutMs),
      // A replica may always be promoted, however long ago it last heard from its master.
      '--cluster-replica-validity-factor', '0',
      '--save', '', '--appendonly', 'no', '--dir', dir,
      // The nodes share the directory: a replica's received snapshot must not be another's.
      '--dbfilename', `dump-${port}.rdb`, '--repl-diskless-load', 'on-empty-db',
      // Replicas sync at once (the diskless default waits 5 s for more replicas to join a transfer).
      '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0',
      '--logfile', join(dir, `redis-${port}.log`),
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    track(child);
    return child;
  };

  /** Every child spawned, also those that did not make it into the cluster: `stop()` ends them all. */
  const spawned: Array<{ child: ChildProcess; exited: Promise<void> }> = [];
  const isRunning = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
  const end = async (p: { child: ChildProcess; exited: Promise<void> }) => {
    if (isRunning(p.child) && p.child.pid !== undefined) p.child.kill('SIGKILL');
    await p.exited;
  };

  /** The node's own client, once it answers PING and is this child (not another process that took the port meanwhile). */
  const connectOwn = async (port: number, child: ChildProcess, gone: () => boolean): Promise<Redis | null> => {
    await until(`redis-server on ${port} to answer PING`, left(), async () => (gone() || (await ping(port)) ? null : 'no PONG'));
    if (gone()) return null;
    const client = new Redis({ host: HOST, port, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      const pid = Number(/^process_id:(\d+)/m.exec(String(await client.call('INFO', 'server')))?.[1]);
      if (pid === child.pid) return client;
    } catch {
      // not ours, or gone: another port
    }
    client.disconnect();
    return null;
  };

  /** Starts one node on a free port; on another port if this one was taken meanwhile. */
  const startNode = async (): Promise<NodeProcess> => {
    for (let attempt = 1; ; attempt++) {
      const port = await pickPort(taken);
      const child = spawnNode(port);
      let gone = false;
      const exited = new Promise<void>((r) => {
        child.once('exit', () => r());
        child.once('error', () => r()); // not spawned (no exit event follows)
      });
      void exited.then(() => (gone = true));
      const p = { child, exited };
      spawned.push(p);
      const client = await connectOwn(port, child, () => gone);
      if (client) return { port, child, exited, client };
      await end(p);
      if (attempt >= 5) throw new Error(`redis-server on ${port} did not start:\n${log(port)}`);
    }
  };

  const alive = (n: NodeProcess) => isRunning(n.child);
  const live = () => [...nodes.values()].filter(alive);

  const killNode = async (n: NodeProcess) => {
    n.client.disconnect();
    await end(n);
  };

  const stop = async () => {
    for (const n of nodes.values()) n.client.disconnect();
    await Promise.all(spawned.map(end));
    rmSync(dir, { recursive: true, force: true });
    dirs.delete(dir);
  };

  const clusterNodes = async (n: NodeProcess) => parseClusterNodes(String(await n.client.call('CLUSTER', 'NODES')));

  /**
   * What keeps the cluster from being healthy, or null. Every live node's own word (the `myself`
   * line of its `CLUSTER NODES`) is the truth the other nodes' views must agree with; `listed`
   * also wants every live replica in every node's `CLUSTER SLOTS` (what clients discover replicas
   * by: Redis leaves out a replica whose replication offset is still 0).
   */
  const unhealthy = async (want: number | undefined, listed: boolean): Promise<string | null> => {
    const up = live();
    if (up.length === 0) return 'no live node';
    const seen = await Promise.all(
      up.map(async (n) => {
        const [info, view, slots, repl] = await Promise.all([
          n.client.call('CLUSTER', 'INFO').then(String),
          clusterNodes(n),
          n.client.call('CLUSTER', 'SLOTS') as Promise<Array<[number, number, [string, number], ...Array<[string, number]>]>>,
          n.client.call('INFO', 'replication').then(String),
        ]);
        return { n, info, view, slots, repl, self: view.find((v) => v.flags.includes('myself')) };
      }),
    );
    const truth = new Map<string, ParsedNode>();
    for (const { n, self } of seen) {
      if (!self) return `${n.port}: no myself in CLUSTER NODES`;
      truth.set(self.id, self);
    }
    const roleOf = (v: ParsedNode) => (v.flags.includes('master') ? 'master' : v.flags.includes('slave') ? 'slave' : '?');
    const key = (v: ParsedNode) => `${roleOf(v)} of ${v.masterId ?? '-'} slots ${JSON.stringify([...v.slots].sort((x, y) => x[0] - y[0]))}`;
    const deadPorts = new Set([...nodes.values()].filter((n) => !alive(n)).map((n) => n.port));
    for (const { n, info, view, repl, self } of seen) {
      if (!/^cluster_state:ok\r?$/m.test(info)) return `${n.port}: ${/^cluster_state:\w+/m.exec(info)?.[0] ?? 'no cluster_state'}`;
      for (const t of truth.values()) {
        const v = view.find((x) => x.id === t.id);
        if (!v || v.flags.some((f) => f.startsWith('fail') || f === 'handshake' || f === 'noaddr')) return `${n.port} does not see ${t.port} up`;
        if (key(v) !== key(t)) return `${n.port} sees ${t.port} as ${key(v)}, it is ${key(t)}`;
      }
      for (const v of view) if (deadPorts.has(v.port) && !v.flags.includes('fail')) return `${n.port} has not marked the killed ${v.port} failed`;
      if (self && roleOf(self) === 'slave') {
        if (!truth.has(self.masterId ?? '')) return `${n.port} replicates a node that is not live`;
        if (!/^master_link_status:up\r?$/m.test(repl)) return `${n.port}: replica link to its master not up`;
        if (/^master_sync_in_progress:1\r?$/m.test(repl)) return `${n.port}: replica still syncing`;
      }
    }
    const masters = [...truth.values()].filter((t) => roleOf(t) === 'master');
    const covered = slotCount(masters.flatMap((t) => t.slots));
    if (covered !== CLUSTER_SLOTS) return `live masters serve ${covered} of ${CLUSTER_SLOTS} slots`;
    if (listed) {
      const replicasOf = (port: number) => {
        const id = masters.find((m) => m.port === port)?.id;
        return [...truth.values()].filter((t) => t.masterId === id).map((t) => t.port).sort().join(',');
      };
      for (const { n, slots } of seen) {
        for (const [from, to, master, ...reps] of slots) {
          const got = reps.map((r) => r[1]).sort().join(',');
          if (got !== replicasOf(master[1])) return `${n.port}: CLUSTER SLOTS ${from}-${to} lists replicas [${got}] of ${master[1]}, not [${replicasOf(master[1])}]`;
        }
      }
    }
    if (want !== undefined && masters.length !== want) return `${masters.length} live masters, not ${want}`;
    return null;
  };

  const waitHealthy = (o: WaitHealthyOptions = {}) => until('Redis Cluster healthy', o.timeoutMs ?? 15_000, () => unhealthy(o.primaries, true));

  try {
    const count = primaries * (1 + replicas);
    const started = await Promise.allSettled(Array.from({ length: count }, () => startNode()));
    for (const r of started) if (r.status === 'fulfilled') nodes.set(r.value.port, r.value);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const ports = [...nodes.keys()];
    const created = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const addrs = ports.map((p) => `${HOST}:${p}`);
      const cli = spawn('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', String(replicas), '--cluster-yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
      cli.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => cli.kill('SIGKILL'), left());
      cli.once('error', (e) => (out += String(e)));
      cli.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
    if (created.code !== 0) throw new Error(`redis-cli --cluster create failed (${created.code}):\n${created.out}`);
    await until('Redis Cluster joined, replicas in sync', left(), () => unhealthy(primaries, false));
    // One replicated write per master (on empty databases): a replica whose offset is still 0
    // is left out of CLUSTER SLOTS, so clients would not know it until the master's next PING (10 s).
    const selves = await Promise.all(live().map(async (n) => ({ n, self: (await clusterNodes(n)).find((v) => v.flags.includes('myself')) })));
    await Promise.all(selves.filter((x) => x.self?.flags.includes('master')).map((x) => x.n.client.call('FLUSHALL')));
    await waitHealthy({ timeoutMs: left(), primaries });
  } catch (e) {
    await stop();
    throw e;
  }

  const seeds = [...nodes.keys()].map((p) => `redis://${HOST}:${p}`);
  return {
    seeds,
    url: seeds.join(','),
    ports: [...nodes.keys()],
    dir,
    async nodes() {
      const n = live()[0];
      if (!n) throw new Error('no live node to ask');
      return (await clusterNodes(n)).map((v) => ({
        port: v.port,
        id: v.id,
        role: v.flags.includes('master') ? 'master' : 'slave',
        ...(v.masterId ? { masterId: v.masterId } : {}),
        slots: v.slots,
        flags: v.flags,
        alive: nodes.get(v.port) ? alive(nodes.get(v.port) as NodeProcess) : false,
      }));
    },
    async kill(port) {
      const n = nodes.get(port);
      if (!n) throw new Error(`no node on port ${port}`);
      await killNode(n);
    },
    waitHealthy,
    stop,
  };
}
