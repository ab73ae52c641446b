/**
 * `npm run bench:model`: checks the capacity model of docs/CAPACITY.md on this machine.
 *  1. Calibration (bench/model/calibrate.ts): each unit cost measured alone, on real processes
 *     over a Redis Cluster of their own.
 *  2. Simulation: bench:scale's multi-tenant phase (bench/scale/multi-tenant.ts: 1,000 tenants,
 *     streams spread over 4 processes on a fresh cluster, tenant-routed and random placement).
 *  3. For every process of the simulation, the model's CPU and memory from the unit costs and the
 *     load that process had (its streams, the publishes it took, the bus entries it read and
 *     followed, the events it wrote), against what it measured; the check is 25 %.
 *  4. The capacity tables of docs/CAPACITY.md: these process costs with Redis's, PostgreSQL's and
 *     the costs of opens and sends from `npm run bench:capacity` (its newest full run in
 *     bench/results/, or --capacity=<file>).
 *
 * Options: --window 30 (calibration window, s)  --rate 100 (calibration publishes/s)
 *          --mt-seconds 30  --mt-rate 200  --tenants 1000  --streams-per-tenant 10  --processes 4
 *          --capacity=bench/results/capacity-<date>.json  --markdown
 * Needs DATABASE_URL (default: this machine's PostgreSQL) and redis-server (the clusters).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { calibrate } from './model/calibrate.js';
import { broadcastCost, predictProcess, relativeError, sizeDeployment, type Budget, type DeploymentCosts, type Scenario } from './model/predict.js';
import { runMultiTenant } from './scale/multi-tenant.js';
import { fmt, fmtInt, markdownTable, table } from './sse/report.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const num = (k: string, d: number) => Number(args.get(k) ?? d);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const markdown = args.has('markdown');
const show = (head: string[], rows: string[][]) => console.log(`${table(head, rows)}${markdown ? `\n\n${markdownTable(head, rows)}` : ''}\n`);
const TOLERANCE = 0.25;

/** The deployment's other costs from a full `npm run bench:capacity` run (its result file). */
function capacityCosts(file: string) {
  const r = JSON.parse(readFileSync(file, 'utf8')).results;
  const opens = r.streams.find((x: { round: string }) => x.round.startsWith('users new to the process'));
  const single = r.pgNotify.find((x: { recipients: number }) => x.recipients === 1);
  const bulk = r.pgNotify.filter((x: { recipients: number }) => x.recipients > 1).sort((a: { recipients: number }, b: { recipients: number }) => b.recipients - a.recipients)[0];
  const ward = r.pgNotify.find((x: { recipients: number }) => x.recipients === 1000) ?? bulk;
  const append = r.redisAppend.find((x: { target: string; variant: string; client: string }) => x.target === 'cluster' && x.variant.startsWith('logs at cap') && x.client.startsWith('log.append'));
  const liveRead = r.busRead.find((x: { stream: string }) => x.stream.startsWith('prefilled'));
  const renew = r.quota.find((x: { op: string }) => x.op.startsWith('renew'));
  const us = 1e-6;
  return {
    open: { processCpu: opens.serviceUsPerOpen * us, redisCpu: opens.redisUsPerOpen * us, postgresCpu: opens.pgUsPerOpen * us },
    send: {
      processCpu: single.serviceUsPerNotificationNet * us,
      processCpuPerRecipient: ((bulk.serviceUsPerNotificationNet - single.serviceUsPerNotificationNet) / (bulk.recipients - 1)) * us,
      redisCpu: append.redisUsPerAppend * us,
      redisCpuPerRecipient: (Math.max(0, ward.redisUsPerNotification - append.redisUsPerAppend) / ward.recipients) * us,
      postgresCpu: single.pgUsPerNotificationNet * us,
      postgresCpuPerRow: bulk.pgUsPerInboxRowNet * us,
    },
    redis: { cpuPerEntryRead: liveRead.redisUsPerEntryRead * us, cpuPerRenewal: renew.redisUsPerOp * us },
    source: file,
  };
}
const capacityFile = args.get('capacity') ?? (() => {
  const dir = new URL('./results/', import.meta.url);
  const runs = readdirSync(dir).filter((f) => /^capacity-.*\d\.json$/.test(f)).sort();
  if (runs.length === 0) throw new Error('no full bench:capacity run in bench/results/: run `npm run bench:capacity` first, or pass --capacity=<file>');
  return new URL(runs.at(-1)!, dir).pathname;
})();
const other = capacityCosts(capacityFile);

const calibration = await calibrate({ databaseUrl: DATABASE_URL, windowSeconds: num('window', 30), rate: num('rate', 100), tenantsPerGroup: 500, largeTenantStreams: 5000, largeRate: 4, shards: 16, primaries: 3 });
const costs: DeploymentCosts = { process: calibration.costs, open: other.open, send: other.send, redis: other.redis };

const sim = await runMultiTenant({
  processes: num('processes', 4),
  tenants: num('tenants', 1000),
  streamsPerTenant: num('streams-per-tenant', 10),
  rate: num('mt-rate', 200),
  seconds: num('mt-seconds', 30),
  shards: 16,
  primaries: 3,
  replicasPerPrimary: 0,
  loadgens: 1,
  napMs: 1,
  seed: num('seed', 1),
  databaseUrl: DATABASE_URL,
  placements: ['tenant-routed', 'random'],
});

const checks = sim.placements.flatMap((pl) =>
  pl.processes.map((p) => {
    const predicted = predictProcess(calibration.costs, {
      windowSeconds: pl.windowSeconds,
      streams: p.streams,
      opens: 0,
      publishes: p.publishesThrough,
      entriesRead: p.busEntriesRead,
      entriesDelivered: p.busEntriesDelivered,
      deliveries: p.sseEventsDelivered,
    });
    const cpuError = relativeError(predicted.cpuSeconds, p.cpuSeconds);
    const rssError = relativeError(predicted.rssMiB, p.rssMiB);
    const heapError = relativeError(predicted.heapMiB, p.heapUsedMinMiB);
    return {
      placement: pl.placement,
      process: p.process,
      measured: { cpuSeconds: p.cpuSeconds, rssMiB: p.rssMiB, heapMiB: p.heapUsedMinMiB },
      predicted,
      cpuError,
      heapError,
      rssError,
      cpuWithin: Math.abs(cpuError) <= TOLERANCE,
      heapWithin: Math.abs(heapError) <= TOLERANCE,
      rssWithin: Math.abs(rssError) <= TOLERANCE,
    };
  }),
);

// The capacity tables: a shift change (every stream opened within five minutes, each replaying,
// and each connected staff member sent one notification meanwhile: the handover, the reminder),
// at 100,000 and 1,000,000 connected staff over 1,000 hospitals; and a hospital-wide broadcast.
const budget: Budget = { processCore: 0.7, processMiB: 2048, redisCore: 0.5 };
const scenarios: Scenario[] = [];
for (const staff of [100_000, 1_000_000]) {
  for (const routing of ['tenant-routed', 'random'] as const) {
    scenarios.push({ name: `${fmtInt(staff)} staff, shift change, ${routing}`, streams: staff, tenants: 1000, routing, shards: 64, opensPerSecond: staff / 300, sendsPerSecond: staff / 300, recipientsPerSend: 1 });
  }
}
const sizing = scenarios.map((s) => ({ scenario: s, sizing: sizeDeployment(costs, s, budget) }));
const broadcasts = [5_000, 20_000].flatMap((recipients) => (['tenant-routed', 'random'] as const).map((routing) => {
  const n = sizing.find((z) => z.scenario.routing === routing && z.scenario.streams === (recipients === 5_000 ? 100_000 : 1_000_000))!.sizing.processes;
  return { recipients, routing, processes: n, ...broadcastCost(costs, recipients, n, routing) };
}));

const summary = {
  benchmark: 'model',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  tolerance: TOLERANCE,
  costs,
  capacitySource: other.source,
  calibration: calibration.steps,
  simulation: sim,
  checks,
  cpuWithin: checks.every((c) => c.cpuWithin),
  heapWithin: checks.every((c) => c.heapWithin),
  rssWithin: checks.every((c) => c.rssWithin),
  budget,
  sizing,
  broadcasts,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/model-${summary.date.replace(/[:.]/g, '-').slice(0, 19)}.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);

const us = (s: number) => fmt(s * 1e6, 1);
const p = costs.process;
console.log('\nUnit costs of a process (calibration, each measured alone)\n');
show(['cost', 'value'], [
  ['idle CPU, ms per s', fmt(p.baseCpuPerSecond * 1000, 2)],
  ['resident memory of a process that has worked, MiB', fmt(p.rssBaseMiB, 1)],
  ['memory per stream, KiB', fmt(p.rssPerStreamKiB, 2)],
  ['live JS heap of a process that has worked, MiB', fmt(p.heapBaseMiB, 1)],
  ['live JS heap per stream, KiB', fmt(p.heapPerStreamKiB, 2)],
  ['CPU per stream opened (no replay, user new to the process), µs', us(p.cpuPerOpen)],
  ['CPU per stream per 30 s (heartbeat, quota renewal), µs', us(p.cpuPerStreamPer30s)],
  ['CPU per publish taken (POST /api/events), µs', us(p.cpuPerPublish)],
  ['CPU per bus entry skipped, µs', us(p.cpuPerSkippedEntry)],
  ['CPU per bus entry followed, µs', us(p.cpuPerFollowedEntry)],
  ['CPU per delivery (a stream written), µs', us(p.cpuPerDelivery)],
]);
console.log(`From bench:capacity (${other.source.split('/').at(-1)})\n`);
show(['cost', 'value'], [
  ['process CPU per stream opened, user new to the process, 10 events replayed, µs', us(costs.open.processCpu)],
  ['Redis CPU per stream opened, µs', us(costs.open.redisCpu)],
  ['PostgreSQL CPU per stream opened (the directory upsert), µs', us(costs.open.postgresCpu)],
  ['process CPU per notification sent, and per recipient, µs', `${us(costs.send.processCpu)} + ${us(costs.send.processCpuPerRecipient)}`],
  ['Redis CPU per notification (the append), and per recipient, µs', `${us(costs.send.redisCpu)} + ${us(costs.send.redisCpuPerRecipient)}`],
  ['PostgreSQL CPU per notification, and per inbox row, µs', `${us(costs.send.postgresCpu)} + ${us(costs.send.postgresCpuPerRow)}`],
  ['Redis CPU per bus entry read by a process, µs', us(costs.redis.cpuPerEntryRead)],
  ['Redis CPU per quota renewal (each stream, every 30 s), µs', us(costs.redis.cpuPerRenewal)],
]);
console.log(`Simulation: ${sim.settings.tenants} tenants, ${sim.settings.streamsPerTenant} streams each, ${sim.settings.processes} processes, ${sim.settings.rate} broadcasts/s for ${sim.settings.seconds} s\n`);
show(['placement', 'proc', 'streams', 'publishes', 'entries read', 'followed', 'deliveries', 'CPU s measured', 'CPU s predicted', 'error', 'live heap MiB measured', 'predicted', 'error', 'RSS MiB measured', 'predicted', 'error'],
  checks.map((c) => {
    const p = sim.placements.find((x) => x.placement === c.placement)!.processes[c.process]!;
    return [c.placement, String(c.process), fmtInt(p.streams), fmtInt(p.publishesThrough), fmtInt(p.busEntriesRead), fmtInt(p.busEntriesDelivered), fmtInt(p.sseEventsDelivered), fmt(c.measured.cpuSeconds, 2), fmt(c.predicted.cpuSeconds, 2), `${fmt(c.cpuError * 100, 1)} %`, fmt(c.measured.heapMiB, 1), fmt(c.predicted.heapMiB, 1), `${fmt(c.heapError * 100, 1)} %`, fmt(c.measured.rssMiB, 0), fmt(c.predicted.rssMiB, 0), `${fmt(c.rssError * 100, 1)} %`];
  }));
for (const pl of sim.placements) console.log(`${pl.placement}: delivered ${fmtInt(pl.delivered)} of ${fmtInt(pl.expected)}, lost ${pl.lost}, duplicated ${pl.duplicates}, cross-tenant ${pl.misdelivered}; ${pl.problems.length ? `PROBLEMS: ${pl.problems.join('; ')}` : 'every check passed'}`);
console.log(`\nevery process within ${TOLERANCE * 100} % of the model: CPU ${summary.cpuWithin ? 'yes' : 'NO'}; live heap ${summary.heapWithin ? 'yes' : 'NO'}; resident memory ${summary.rssWithin ? 'yes' : 'NO'}\n`);
console.log(`Sizing (a process at most ${budget.processCore} of a core and ${budget.processMiB} MiB; a Redis primary at most ${budget.redisCore} of its core; 64 bus shards)\n`);
show(['scenario', 'processes', 'set by', 'CPU per process', 'MiB per process', 'Redis cores', 'Redis primaries', 'PostgreSQL cores'],
  sizing.map(({ scenario, sizing: z }) => [scenario.name, z.processes > 1000 ? `${fmtInt(z.processes)} (impractical)` : fmtInt(z.processes), z.processLimit, fmt(z.processCpu, 2), fmtInt(z.processMiB), fmt(z.redisCpu, 2), fmtInt(z.redisPrimaries), fmt(z.postgresCpu, 2)]));
console.log('A hospital-wide broadcast (one notification to every connected staff member of one hospital)\n');
show(['recipients', 'routing', 'processes', 'PostgreSQL s (one transaction)', 'sending process CPU s', 'fan-out CPU s, busiest process', 'bus entry KiB'],
  broadcasts.map((b) => [fmtInt(b.recipients), b.routing, fmtInt(b.processes), fmt(b.postgresSeconds, 2), fmt(b.sendProcessSeconds, 2), fmt(b.fanOutSeconds, 3), fmt(b.entryBytes / 1024, 0)]));
console.log(`written ${file.pathname}`);
// The exit code says whether the simulation itself was sound (nothing lost, duplicated or misdelivered).
process.exit(sim.placements.every((pl) => pl.problems.length === 0) ? 0 : 1);
