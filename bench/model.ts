/**
 * `npm run bench:model`: checks the capacity model of docs/CAPACITY.md on this machine.
 *  1. Calibration (bench/model/calibrate.ts): each unit cost measured alone, on real processes
 *     over a Redis Cluster of their own.
 *  2. Simulation: bench:scale's multi-tenant phase (bench/scale/multi-tenant.ts: 1,000 tenants,
 *     streams spread over 4 processes on a fresh cluster, tenant-routed and random placement).
 *  3. For every process of the simulation, the model's CPU and memory from the unit costs and the
 *     load that process had (its streams, the publishes it took, the bus entries it read and
 *     followed, the events it wrote), against what it measured; the check is 25 %.
 *  4. The capacity tables of docs/CAPACITY.md from the same unit costs.
 *
 * Options: --window 30 (calibration window, s)  --rate 100 (calibration publishes/s)
 *          --mt-seconds 30  --mt-rate 200  --tenants 1000  --streams-per-tenant 5  --processes 4
 *          --inbox-row-cpu-us <µs> (PostgreSQL CPU per inbox row, from `npm run bench:capacity`)
 *          --markdown
 * Needs DATABASE_URL (default: this machine's PostgreSQL) and redis-server (the clusters).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { calibrate } from './model/calibrate.js';
import { predictProcess, relativeError, sizeDeployment, type Budget, type Scenario, type UnitCosts } from './model/predict.js';
import { runMultiTenant } from './scale/multi-tenant.js';
import { fmt, fmtInt, markdownTable, table } from './sse/report.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const num = (k: string, d: number) => Number(args.get(k) ?? d);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const markdown = args.has('markdown');
const show = (head: string[], rows: string[][]) => console.log(`${table(head, rows)}${markdown ? `\n\n${markdownTable(head, rows)}` : ''}\n`);
const TOLERANCE = 0.25;

const calibration = await calibrate({ databaseUrl: DATABASE_URL, windowSeconds: num('window', 30), rate: num('rate', 100), tenantsPerGroup: 500, shards: 16, primaries: 3 });
const costs: UnitCosts = calibration.costs;
if (args.has('inbox-row-cpu-us')) costs.postgres.cpuPerInboxRow = num('inbox-row-cpu-us', Number.NaN) / 1e6;

const sim = await runMultiTenant({
  processes: num('processes', 4),
  tenants: num('tenants', 1000),
  streamsPerTenant: num('streams-per-tenant', 5),
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
    const predicted = predictProcess(costs.process, {
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
    return { placement: pl.placement, process: p.process, measured: { cpuSeconds: p.cpuSeconds, rssMiB: p.rssMiB }, predicted, cpuError, rssError, within: Math.abs(cpuError) <= TOLERANCE && Math.abs(rssError) <= TOLERANCE };
  }),
);

// The capacity tables: a shift change (every stream opened within five minutes) and a
// hospital-wide broadcast, at 100,000 and 1,000,000 connected staff over 1,000 hospitals.
const budget: Budget = { processCore: 0.6, processMiB: 2048, redisCore: 0.5 };
const scenarios: Scenario[] = [];
for (const staff of [100_000, 1_000_000]) {
  for (const routing of ['tenant-routed', 'random'] as const) {
    const base = { streams: staff, tenants: 1000, routing, shards: 64 };
    scenarios.push({ ...base, name: `${fmtInt(staff)} staff, shift change, ${routing}`, opensPerSecond: staff / 300, eventsPerSecond: staff / 300 / 10, streamsPerEvent: 1, inboxRowsPerSecond: staff / 300 / 10 });
    // A hospital-wide broadcast: the largest hospital (2 % of the staff) gets one notification.
    scenarios.push({ ...base, name: `${fmtInt(staff)} staff, hospital-wide broadcast to ${fmtInt(staff * 0.02)}, ${routing}`, opensPerSecond: 0, eventsPerSecond: 1, streamsPerEvent: staff * 0.02, inboxRowsPerSecond: staff * 0.02 });
  }
}
const sizing = scenarios.map((s) => ({ scenario: s, sizing: sizeDeployment(costs, s, budget) }));

const summary = {
  benchmark: 'model',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  tolerance: TOLERANCE,
  costs,
  calibration: calibration.steps,
  simulation: sim,
  checks,
  allWithin: checks.every((c) => c.within),
  budget,
  sizing,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/model-${summary.date.replace(/[:.]/g, '-').slice(0, 19)}.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);

const us = (s: number) => fmt(s * 1e6, 1);
console.log('\nUnit costs (calibration, each measured alone)\n');
show(['cost', 'value'], [
  ['process: idle CPU, ms per s', fmt(costs.process.baseCpuPerSecond * 1000, 2)],
  ['process: resident memory, idle MiB', fmt(costs.process.rssBaseMiB, 1)],
  ['process: memory per stream, KiB', fmt(costs.process.rssPerStreamKiB, 2)],
  ['process: CPU per stream opened, µs', us(costs.process.cpuPerOpen)],
  ['process: CPU per stream per 30 s (heartbeat, quota renewal), µs', us(costs.process.cpuPerStreamPer30s)],
  ['process: CPU per publish taken, µs', us(costs.process.cpuPerPublish)],
  ['process: CPU per bus entry skipped, µs', us(costs.process.cpuPerSkippedEntry)],
  ['process: CPU per bus entry followed, µs', us(costs.process.cpuPerFollowedEntry)],
  ['process: CPU per delivery, µs', us(costs.process.cpuPerDelivery)],
  ['Redis: CPU per stream opened, µs', us(costs.redis.cpuPerOpen)],
  ['Redis: CPU per append, µs', us(costs.redis.cpuPerPublish)],
  ['Redis: CPU per entry read by a process, µs', us(costs.redis.cpuPerEntryRead)],
  ['Redis: CPU per stream per 30 s, µs', us(costs.redis.cpuPerStreamPer30s)],
  ['PostgreSQL: CPU per first connect of a user, µs', us(costs.postgres.cpuPerFirstConnect)],
  ['PostgreSQL: CPU per inbox row (--inbox-row-cpu-us), µs', us(costs.postgres.cpuPerInboxRow)],
]);
console.log(`Simulation: ${sim.settings.tenants} tenants, ${sim.settings.streamsPerTenant} streams each, ${sim.settings.processes} processes, ${sim.settings.rate} broadcasts/s for ${sim.settings.seconds} s\n`);
show(['placement', 'proc', 'streams', 'publishes', 'entries read', 'followed', 'deliveries', 'CPU s measured', 'CPU s predicted', 'error', 'RSS MiB measured', 'RSS MiB predicted', 'error', 'within 25 %'],
  checks.map((c) => {
    const p = sim.placements.find((x) => x.placement === c.placement)!.processes[c.process]!;
    return [c.placement, String(c.process), fmtInt(p.streams), fmtInt(p.publishesThrough), fmtInt(p.busEntriesRead), fmtInt(p.busEntriesDelivered), fmtInt(p.sseEventsDelivered), fmt(c.measured.cpuSeconds, 2), fmt(c.predicted.cpuSeconds, 2), `${fmt(c.cpuError * 100, 1)} %`, fmt(c.measured.rssMiB, 0), fmt(c.predicted.rssMiB, 0), `${fmt(c.rssError * 100, 1)} %`, c.within ? 'yes' : 'NO'];
  }));
for (const pl of sim.placements) console.log(`${pl.placement}: delivered ${fmtInt(pl.delivered)} of ${fmtInt(pl.expected)}, lost ${pl.lost}, duplicated ${pl.duplicates}, cross-tenant ${pl.misdelivered}; ${pl.problems.length ? `PROBLEMS: ${pl.problems.join('; ')}` : 'every check passed'}`);
console.log(`\nevery process within ${TOLERANCE * 100} %: ${summary.allWithin ? 'yes' : 'NO'}\n`);
console.log(`Sizing (a process at most ${budget.processCore} of a core and ${budget.processMiB} MiB; a Redis primary at most ${budget.redisCore} of its core; 64 bus shards)\n`);
show(['scenario', 'processes', 'set by', 'CPU per process', 'MiB per process', 'Redis cores', 'Redis primaries', 'PostgreSQL cores'],
  sizing.map(({ scenario, sizing: z }) => [scenario.name, fmtInt(z.processes), z.processLimit, fmt(z.processCpu, 2), fmtInt(z.processMiB), fmt(z.redisCpu, 2), fmtInt(z.redisPrimaries), fmt(z.postgresCpu, 2)]));
console.log(`written ${file.pathname}`);
process.exit(summary.allWithin ? 0 : 1);
