/**
 * The capacity model (docs/CAPACITY.md), pure: unit costs measured on this machine
 * (bench/model/calibrate.ts) turned into what a process, a Redis primary and PostgreSQL spend
 * under a load. `predictProcess` is what `npm run bench:model` checks against a simulation;
 * `sizeDeployment` is what the capacity tables are made of.
 */

/** What one service process spends, each measured alone (CPU in seconds of one core). */
export interface ProcessCosts {
  /** CPU per second of an idle process (the scheduler, revocation and outbox polls). */
  baseCpuPerSecond: number;
  rssBaseMiB: number;
  /** Resident memory per open stream (one user each). */
  rssPerStreamKiB: number;
  /** The live JS heap (the least in use over a window) of a process that has worked, and per stream. */
  heapBaseMiB: number;
  heapPerStreamKiB: number;
  /** CPU to accept one stream (auth, quota, follow, replay read, register). */
  cpuPerOpen: number;
  /** CPU per open stream per 30 s (a heartbeat, and the quota renewal of its user). */
  cpuPerStreamPer30s: number;
  /** CPU to take one `POST /api/events` (parse, auth, append round trip, answer). */
  cpuPerPublish: number;
  /** CPU per bus entry of a tenant this process does not follow (read, skipped unparsed). */
  cpuPerSkippedEntry: number;
  /** CPU per bus entry of a followed tenant (parsed, ordered, dispatched), before any write. */
  cpuPerFollowedEntry: number;
  /** CPU per event written to one stream. */
  cpuPerDelivery: number;
}

/**
 * The costs of a deployment beyond one process's own: measured by `npm run bench:capacity`, each
 * alone at load (CPU seconds of one core; Redis's one thread; PostgreSQL's backends).
 */
export interface DeploymentCosts {
  process: ProcessCosts;
  /** A stream opened by a user new to the process, replaying 10 missed events. */
  open: { processCpu: number; redisCpu: number; postgresCpu: number };
  /** `POST /api/notifications`: per send, and per recipient of it. */
  send: { processCpu: number; processCpuPerRecipient: number; redisCpu: number; redisCpuPerRecipient: number; postgresCpu: number; postgresCpuPerRow: number };
  redis: {
    /** Per bus entry a process reads (every process reading a shard reads each of its entries). */
    cpuPerEntryRead: number;
    /** Per open stream, once every 30 s (the quota renewal of its user). */
    cpuPerRenewal: number;
  };
}

/** One process's load over a window, as counted in the simulation (or planned). */
export interface ProcessLoad {
  windowSeconds: number;
  streams: number;
  /** Streams opened during the window. */
  opens: number;
  /** Publishes this process took over HTTP. */
  publishes: number;
  /** Bus entries read, and of those, entries of tenants it follows. */
  entriesRead: number;
  entriesDelivered: number;
  /** Events written to streams. */
  deliveries: number;
}

export interface ProcessPrediction {
  cpuSeconds: number;
  rssMiB: number;
  heapMiB: number;
  /** The CPU by part, in the same seconds. */
  parts: Record<'base' | 'streams' | 'opens' | 'publishes' | 'skipped' | 'followed' | 'deliveries', number>;
}

export function predictProcess(c: ProcessCosts, l: ProcessLoad): ProcessPrediction {
  const parts = {
    base: c.baseCpuPerSecond * l.windowSeconds,
    streams: c.cpuPerStreamPer30s * l.streams * (l.windowSeconds / 30),
    opens: c.cpuPerOpen * l.opens,
    publishes: c.cpuPerPublish * l.publishes,
    skipped: c.cpuPerSkippedEntry * Math.max(0, l.entriesRead - l.entriesDelivered),
    followed: c.cpuPerFollowedEntry * l.entriesDelivered,
    deliveries: c.cpuPerDelivery * l.deliveries,
  };
  const cpuSeconds = Object.values(parts).reduce((a, b) => a + b, 0);
  return { cpuSeconds, rssMiB: c.rssBaseMiB + (l.streams * c.rssPerStreamKiB) / 1024, heapMiB: c.heapBaseMiB + (l.streams * c.heapPerStreamKiB) / 1024, parts };
}

/** Relative error of a prediction against a measurement. */
export const relativeError = (predicted: number, measured: number) => (predicted - measured) / measured;

/** A deployment-wide situation to size for. */
export interface Scenario {
  name: string;
  /** Streams open at once (one per connected staff member with the shared stream). */
  streams: number;
  tenants: number;
  /** Streams opened per second (a shift change: every stream within five minutes). */
  opensPerSecond: number;
  /** Notifications sent per second, and recipients of each (each also one event on the bus). */
  sendsPerSecond: number;
  recipientsPerSend: number;
  /** Load balancer: streams routed by tenant (by shard while processes <= shards), or at random. */
  routing: 'tenant-routed' | 'random';
  shards: number;
}

export interface Budget {
  /** CPU a process may use (one Node.js thread: leave headroom for bursts). */
  processCore: number;
  /** Memory a process may hold. */
  processMiB: number;
  /** Share of a Redis primary's one core to plan for. */
  redisCore: number;
}

/** Of `n` processes, the share of bus entries each reads and the share it follows. */
export function readShares(s: Pick<Scenario, 'streams' | 'tenants' | 'routing' | 'shards'>, n: number): { read: number; followed: number } {
  if (s.routing === 'tenant-routed') {
    // By shard: a process holds whole shards, all of whose tenants it follows.
    if (n <= s.shards) return { read: 1 / n, followed: 1 / n };
    // By tenant: its tenants fall in some shards, and it reads all of their entries.
    return { read: 1 - (1 - 1 / s.shards) ** (s.tenants / n), followed: 1 / n };
  }
  // At random: a tenant with k streams misses a given process with probability (1 - 1/n)^k.
  const followed = 1 - (1 - 1 / n) ** (s.streams / s.tenants);
  return { read: 1 - (1 - 1 / s.shards) ** (s.tenants * followed), followed };
}

/** What one of `n` processes spends per second in a scenario: CPU (cores), and memory. */
export function processAt(u: DeploymentCosts, s: Scenario, n: number): { cpu: number; rssMiB: number; entriesRead: number } {
  const share = readShares(s, n);
  const events = s.sendsPerSecond;
  const c = u.process;
  const cpu =
    c.baseCpuPerSecond +
    (c.cpuPerStreamPer30s * s.streams) / n / 30 +
    (u.open.processCpu * s.opensPerSecond) / n +
    ((u.send.processCpu + u.send.processCpuPerRecipient * s.recipientsPerSend) * s.sendsPerSecond) / n +
    c.cpuPerSkippedEntry * events * Math.max(0, share.read - share.followed) +
    c.cpuPerFollowedEntry * events * share.followed +
    (c.cpuPerDelivery * events * s.recipientsPerSend) / n;
  return { cpu, rssMiB: c.rssBaseMiB + (s.streams / n) * (c.rssPerStreamKiB / 1024), entriesRead: events * share.read };
}

export interface Sizing {
  processes: number;
  /** Which limit set the process count. */
  processLimit: 'cpu' | 'memory';
  /** What each process then uses: CPU (cores) and memory. */
  processCpu: number;
  processMiB: number;
  /** Redis CPU (cores, all primaries together) and primaries at the budget. */
  redisCpu: number;
  redisPrimaries: number;
  /** PostgreSQL CPU (cores). */
  postgresCpu: number;
}

/**
 * The processes, Redis primaries and PostgreSQL CPU a scenario needs: the fewest processes that
 * each stay within the budget's CPU and memory; Redis: what opens, sends (their appends, and every
 * reading process's reads of them) and renewals cost, over a primary's budget; PostgreSQL: the
 * directory upserts of opens and the sends' transactions and inbox rows.
 */
export function sizeDeployment(u: DeploymentCosts, s: Scenario, b: Budget): Sizing {
  const fits = (n: number) => {
    const p = processAt(u, s, n);
    return p.cpu <= b.processCore && p.rssMiB <= b.processMiB;
  };
  let n = 1;
  while (!fits(n) && n < 100_000) n++;
  const p = processAt(u, s, n);
  const cpuBound = n > 1 && processAt(u, s, n - 1).cpu > b.processCore;
  const redisCpu =
    u.open.redisCpu * s.opensPerSecond +
    (u.send.redisCpu + u.send.redisCpuPerRecipient * s.recipientsPerSend) * s.sendsPerSecond +
    u.redis.cpuPerEntryRead * p.entriesRead * n +
    (u.redis.cpuPerRenewal * s.streams) / 30;
  return {
    processes: n,
    processLimit: cpuBound || n === 1 ? 'cpu' : 'memory',
    processCpu: p.cpu,
    processMiB: p.rssMiB,
    redisCpu,
    redisPrimaries: Math.max(1, Math.ceil(redisCpu / b.redisCore)),
    postgresCpu: u.open.postgresCpu * s.opensPerSecond + (u.send.postgresCpu + u.send.postgresCpuPerRow * s.recipientsPerSend) * s.sendsPerSecond,
  };
}

/**
 * One notification to `recipients` connected staff of one hospital, on `n` processes: how long its
 * one transaction keeps a PostgreSQL backend busy, the sending process's CPU, and the fan-out CPU
 * of the busiest process (tenant-routed: the one holding the hospital; random: a 1/n share).
 */
export function broadcastCost(u: DeploymentCosts, recipients: number, n: number, routing: Scenario['routing']) {
  const fanOut = routing === 'tenant-routed' ? recipients : recipients / n;
  return {
    postgresSeconds: u.send.postgresCpu + u.send.postgresCpuPerRow * recipients,
    sendProcessSeconds: u.send.processCpu + u.send.processCpuPerRecipient * recipients,
    fanOutSeconds: u.process.cpuPerFollowedEntry + u.process.cpuPerDelivery * fanOut,
    /** The event's entry carries every recipient's unread count: about 16 bytes each. */
    entryBytes: 500 + 16 * recipients,
  };
}
