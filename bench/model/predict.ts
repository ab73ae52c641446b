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

/** What a Redis primary spends (CPU seconds of its one thread). */
export interface RedisCosts {
  /** Per stream opened: the quota slot, the log's head, the first follow of a shard. */
  cpuPerOpen: number;
  /** Per append (the script writing the tenant log and the shard stream). */
  cpuPerPublish: number;
  /** Per bus entry a process reads (each process reading a shard reads each of its entries). */
  cpuPerEntryRead: number;
  /** Per stream per 30 s (the quota renewal of its user). */
  cpuPerStreamPer30s: number;
}

export interface PostgresCosts {
  /** Per stream of a user this process has not seen since it started (the directory upsert). */
  cpuPerFirstConnect: number;
  /** Per inbox row written by a notification (its share of the send's transaction). */
  cpuPerInboxRow: number;
}

export interface UnitCosts {
  process: ProcessCosts;
  redis: RedisCosts;
  postgres: PostgresCosts;
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
  return { cpuSeconds, rssMiB: c.rssBaseMiB + (l.streams * c.rssPerStreamKiB) / 1024, parts };
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
  /** Events published per second, deployment-wide, and the streams each reaches on average. */
  eventsPerSecond: number;
  streamsPerEvent: number;
  /** Inbox rows written per second (notifications to many recipients). */
  inboxRowsPerSecond: number;
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

/** One process's load per second in a scenario spread over `n` processes. */
export function perProcessLoad(s: Scenario, n: number): ProcessLoad {
  const share = readShares(s, n);
  return {
    windowSeconds: 1,
    streams: s.streams / n,
    opens: s.opensPerSecond / n,
    publishes: s.eventsPerSecond / n,
    entriesRead: s.eventsPerSecond * share.read,
    entriesDelivered: s.eventsPerSecond * share.followed,
    deliveries: (s.eventsPerSecond * s.streamsPerEvent) / n,
  };
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
 * each stay within the budget's CPU and memory; Redis: what opens, publishes (with every process's
 * reads of them) and renewals cost, over a primary's budget; PostgreSQL: inbox rows and the
 * directory upserts of first connects.
 */
export function sizeDeployment(u: UnitCosts, s: Scenario, b: Budget): Sizing {
  const at = (n: number) => predictProcess(u.process, perProcessLoad(s, n));
  let n = 1;
  while ((at(n).cpuSeconds > b.processCore || at(n).rssMiB > b.processMiB) && n < 100_000) n++;
  const p = at(n);
  const cpuBound = n === 1 || at(n - 1).cpuSeconds > b.processCore;
  const reads = perProcessLoad(s, n).entriesRead * n;
  const redisCpu = u.redis.cpuPerOpen * s.opensPerSecond + u.redis.cpuPerPublish * s.eventsPerSecond + u.redis.cpuPerEntryRead * reads + (u.redis.cpuPerStreamPer30s * s.streams) / 30;
  return {
    processes: n,
    processLimit: cpuBound ? 'cpu' : 'memory',
    processCpu: p.cpuSeconds,
    processMiB: p.rssMiB,
    redisCpu,
    redisPrimaries: Math.max(1, Math.ceil(redisCpu / b.redisCore)),
    postgresCpu: u.postgres.cpuPerInboxRow * s.inboxRowsPerSecond + u.postgres.cpuPerFirstConnect * s.opensPerSecond,
  };
}
