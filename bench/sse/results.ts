/** Result shapes of the SSE benchmark, the targets, and the tables printed from them. */
import type { ServerKind } from './options.js';
import { fmt, fmtInt, markdownTable, table, type LatencySummary } from './report.js';
import type { MemReport } from './server-child.js';

export const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const fmtK = (n: number) => (Number.isFinite(n) ? `${Math.round(n / 1000)}k` : '-');

export interface PhaseResult {
  published: number;
  connections: number;
  expected: number;
  received: number;
  lost: number;
  duplicates: number;
  reordered: number;
  idRegressions: number;
  stale: number;
  closedByPeer: number;
  /** First publish call to the last delivery received, s. */
  windowS: number;
  /** Publish loop duration, s. */
  publishS: number;
  deliveredPerS: number;
  serverCpuS: number;
  serverUserS: number;
  serverSysS: number;
  deliveriesPerServerCpuS: number;
  /** Average cores used over the window. */
  serverCores: number;
  loadgenCpuS: number;
  loadgenCores: number;
  machineBusyCores: number | null;
  /** CPU of everything else on the machine during the phase (busy minus server, loadgens, orchestrator). */
  otherCores: number | null;
  /** Length of the accounting interval of the phase (publish start to drained), s. */
  intervalS: number;
  /** Load of other processes just before the phase (after waiting for a quiet machine). */
  backgroundCores: number | null;
  /** Wardbell heartbeats (one ping to every stream) that fell inside the phase; null for the floor. */
  heartbeats: number | null;
  latencyMs: LatencySummary | null;
  negativeLatency: number;
  /** Machine-wide context switches and cross-CPU interrupts per delivery (null off Linux). */
  contextSwitchesPerDelivery: number | null;
  ipisPerDelivery: number | null;
  serverStats: Record<string, unknown>;
}

export interface ScenarioResult {
  server: ServerKind;
  connections: number;
  connect: { opened: number; failed: number; seconds: number; errors: Record<string, number> };
  memory: {
    baseline: MemReport;
    idle: MemReport;
    rssKiBPerConnection: number;
    heapKiBPerConnection: number;
    externalKiBPerConnection: number;
  };
  sustained: Repeated;
  burst: Repeated;
  /** Runs measured again because other processes were busy during them (never counted above). */
  discarded: PhaseResult[];
}

/** Repeats of one measured phase: the median run by its key figure, loss and duplicates summed. */
export interface Repeated {
  median: PhaseResult;
  runs: PhaseResult[];
  /** Key figure (sustained: deliveries per server CPU-second; burst: p99 ms), lowest and highest run. */
  keyMin: number;
  keyMax: number;
  expected: number;
  lost: number;
  duplicates: number;
  idRegressions: number;
  closedByPeer: number;
}

export function combine(runs: PhaseResult[], key: (r: PhaseResult) => number): Repeated {
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  const keys = sorted.map(key);
  return {
    median: sorted[Math.floor((sorted.length - 1) / 2)] as PhaseResult,
    runs,
    keyMin: keys[0] ?? Number.NaN,
    keyMax: keys[keys.length - 1] ?? Number.NaN,
    expected: sum(runs.map((r) => r.expected)),
    lost: sum(runs.map((r) => r.lost)),
    duplicates: sum(runs.map((r) => r.duplicates)),
    idRegressions: sum(runs.map((r) => r.idRegressions)),
    closedByPeer: sum(runs.map((r) => r.closedByPeer)),
  };
}
export const sustainedKey = (r: PhaseResult) => r.deliveriesPerServerCpuS;
export const burstKey = (r: PhaseResult) => r.latencyMs?.p99 ?? Number.POSITIVE_INFINITY;


export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

export function checkTargets(results: readonly ScenarioResult[], n: number): TargetCheck[] {
  const wb = results.find((r) => r.server === 'wardbell' && r.connections === n);
  const bare = results.find((r) => r.server === 'bare' && r.connections === n);
  if (!wb) return [];
  // Runs redone because the machine was busy still count for loss and duplicates.
  const lost = wb.sustained.lost + wb.burst.lost + sum(wb.discarded.map((r) => r.lost));
  const dup = wb.sustained.duplicates + wb.burst.duplicates + sum(wb.discarded.map((r) => r.duplicates));
  const expected = wb.sustained.expected + wb.burst.expected + sum(wb.discarded.map((r) => r.expected));
  const ratio = bare ? wb.sustained.median.deliveriesPerServerCpuS / bare.sustained.median.deliveriesPerServerCpuS : Number.NaN;
  const p99 = wb.burst.median.latencyMs?.p99 ?? Number.NaN;
  const runs = wb.sustained.runs.length;
  const kib = wb.memory.rssKiBPerConnection;
  return [
    {
      target: `nothing lost at ${fmtInt(n)} connections`,
      measured: `${fmtInt(lost)} lost, ${fmtInt(dup)} duplicated of ${fmtInt(expected)} expected deliveries`,
      met: lost === 0 && dup === 0 && wb.connect.failed === 0,
    },
    {
      target: ">= 0.85 of the floor's deliveries per server CPU-second",
      measured: bare
        ? `${fmt(ratio, 2)} (medians of ${runs}: ${fmtInt(wb.sustained.median.deliveriesPerServerCpuS)} vs ${fmtInt(bare.sustained.median.deliveriesPerServerCpuS)}; ` +
          `worst pairing ${fmt(wb.sustained.keyMin / bare.sustained.keyMax, 2)})`
        : 'no floor run',
      met: bare ? ratio >= 0.85 : null,
    },
    {
      target: `burst p99 < 250 ms (${wb.burst.median.published} events)`,
      measured: `${fmt(p99)} ms (median of ${wb.burst.runs.length}; worst ${fmt(wb.burst.keyMax)} ms)`,
      met: Number.isFinite(p99) ? p99 < 250 : null,
    },
    { target: '<= 16 KiB server memory per idle connection', measured: `${fmt(kib)} KiB`, met: kib <= 16 },
  ];
}

export function render(results: readonly ScenarioResult[], markdown: boolean): string {
  const t = markdown ? markdownTable : table;
  const floor = (r: ScenarioResult) => results.find((x) => x.server === 'bare' && x.connections === r.connections);
  const memory = t(
    ['N', 'server', 'open', 'connect s', 'RSS KiB/conn', 'heap KiB/conn', 'RSS idle MiB'],
    results.map((r) => [
      fmtInt(r.connections),
      r.server,
      fmtInt(r.connect.opened),
      fmt(r.connect.seconds),
      fmt(r.memory.rssKiBPerConnection),
      fmt(r.memory.heapKiBPerConnection),
      fmt(r.memory.idle.rss / 1048576),
    ]),
  );
  const sustained = t(
    ['N', 'server', 'events', 'deliveries/s', 'server CPU s', 'deliv./server CPU-s', 'range', 'vs floor', 'server cores', 'loadgen cores', 'other cores', 'lost', 'dup', 'p50 ms', 'p99 ms'],
    results.map((r) => {
      const s = r.sustained.median;
      const f = floor(r);
      return [
        fmtInt(r.connections),
        r.server,
        fmtInt(s.published),
        fmtInt(s.deliveredPerS),
        fmt(s.serverCpuS, 2),
        fmtInt(s.deliveriesPerServerCpuS),
        `${fmtK(r.sustained.keyMin)}-${fmtK(r.sustained.keyMax)}`,
        f ? fmt(s.deliveriesPerServerCpuS / f.sustained.median.deliveriesPerServerCpuS, 2) : '-',
        fmt(s.serverCores, 2),
        fmt(s.loadgenCores, 2),
        fmt(s.otherCores, 2),
        fmtInt(r.sustained.lost),
        fmtInt(r.sustained.duplicates),
        fmt(s.latencyMs?.p50),
        fmt(s.latencyMs?.p99),
      ];
    }),
  );
  const burst = t(
    ['N', 'server', 'events', 'deliveries', 'lost', 'dup', 'id regress.', 'call order', 'p50 ms', 'p99 ms', 'p99 range', 'max ms', 'server CPU s', 'loadgen CPU s'],
    results.map((r) => {
      const b = r.burst.median;
      return [
        fmtInt(r.connections),
        r.server,
        fmtInt(b.published),
        fmtInt(b.received),
        fmtInt(r.burst.lost),
        fmtInt(r.burst.duplicates),
        fmtInt(r.burst.idRegressions),
        fmtInt(b.reordered),
        fmt(b.latencyMs?.p50),
        fmt(b.latencyMs?.p99),
        `${fmt(r.burst.keyMin, 0)}-${fmt(r.burst.keyMax, 0)}`,
        fmt(b.latencyMs?.max),
        fmt(b.serverCpuS, 2),
        fmt(b.loadgenCpuS, 2),
      ];
    }),
  );
  const head = (s: string) => (markdown ? `**${s}**` : s);
  return [head('Idle connections (server memory after GC)'), memory, '', head('Sustained publishing'), sustained, '', head('Burst'), burst].join('\n');
}
