/** Result shapes of the SSE benchmark, the targets, and the tables printed from them. */
import type { LoadKind, PublishMode, ServerKind } from './options.js';
import { fmt, fmtInt, markdownTable, table, type LatencySummary } from './report.js';
import type { MemReport } from './server-child.js';

export const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const fmtK = (n: number) => (Number.isFinite(n) ? `${Math.round(n / 1000)}k` : '-');

export type PhaseKind = 'sustained' | 'burst';

export interface PhaseResult {
  kind: PhaseKind;
  /** Where the events were published from: the server process, or the publisher through HTTP. */
  mode: PublishMode;
  /** Events the server accepted (in process: every call; HTTP: answered 2xx). */
  published: number;
  /** Publish calls or requests made (HTTP: refused ones included). */
  attempted: number;
  /** HTTP requests not answered 2xx (0 in process). */
  refused: number;
  /** HTTP answers by status (null in process). */
  httpStatuses: Record<string, number> | null;
  /** HTTP request round trips at the publisher, ms (null in process). */
  requestMs: { p50: number; p99: number; max: number } | null;
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
  /** CPU of the HTTP publisher process (about 0 when publishing in process). */
  publisherCpuS: number;
  publisherCores: number;
  machineBusyCores: number | null;
  /** CPU of everything else on the machine during the phase (busy minus server, loadgens, publisher, orchestrator). */
  otherCores: number | null;
  /** Length of the accounting interval of the phase (publish start to drained), s. */
  intervalS: number;
  /** Load of other processes just before the phase (after waiting for a quiet machine). */
  backgroundCores: number | null;
  /** Wardbell heartbeats (one ping to every stream) that fell inside the phase; null for the floors. */
  heartbeats: number | null;
  latencyMs: LatencySummary | null;
  negativeLatency: number;
  /** Machine-wide context switches and cross-CPU interrupts per delivery (null off Linux). */
  contextSwitchesPerDelivery: number | null;
  ipisPerDelivery: number | null;
  serverStats: Record<string, unknown>;
}

/** The measured phases of one publish mode in a scenario (on the same open streams as the other modes). */
export interface ModeResult {
  mode: PublishMode;
  sustained: Repeated;
  burst: Repeated;
}

/** One scenario: a size, a server and a load, every publish mode measured on the same streams. */
export interface ScenarioResult {
  server: ServerKind;
  connections: number;
  load: LoadKind;
  /** Distinct users (tokens) the streams belong to. */
  users: number;
  connect: { opened: number; failed: number; seconds: number; errors: Record<string, number> };
  memory: {
    /** After forced GC (server child's `mem`). */
    baseline: MemReport;
    idle: MemReport;
    rssKiBPerConnection: number;
    heapKiBPerConnection: number;
    externalKiBPerConnection: number;
    /**
     * Proportional set size without forcing GC, each reading taken before the GC'd figures (null
     * off Linux): (idle - baseline) / N. The baseline still holds the warm-up's garbage, which the
     * forced GC of the baseline's `mem` may free before the streams open, so at small N this can
     * come out low or even negative; `baselineAfterGcKiB` (read just after that GC) and the figure
     * from it are kept for reference.
     */
    pss: {
      baselineKiB: number;
      idleKiB: number;
      kiBPerConnection: number;
      baselineAfterGcKiB: number | null;
      kiBPerConnectionFromGcBaseline: number | null;
    } | null;
  };
  publish: ModeResult[];
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
  refused: number;
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
    refused: sum(runs.map((r) => r.refused)),
  };
}
export const sustainedKey = (r: PhaseResult) => r.deliveriesPerServerCpuS;
export const burstKey = (r: PhaseResult) => r.latencyMs?.p99 ?? Number.POSITIVE_INFINITY;

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

const TARGET_RATIO = 0.9;
const TARGET_BURST_P99_MS = 200;
const TARGET_PSS_KIB = 12;

const find = (results: readonly ScenarioResult[], server: ServerKind, n: number, load: LoadKind) =>
  results.find((r) => r.server === server && r.connections === n && r.load === load);
const modeOf = (r: ScenarioResult | undefined, mode: PublishMode) => r?.publish.find((m) => m.mode === mode);

/** The load the targets are judged on: `one` (a stream per user) if it was run, else the first run. */
export const targetLoad = (results: readonly ScenarioResult[]): LoadKind | undefined =>
  results.some((r) => r.load === 'one') ? 'one' : results[0]?.load;

/**
 * The targets, for wardbell at `n` streams under load `one`: (a) at least 0.9 of the raw floor's
 * deliveries per server CPU-second in the same run, for each publish mode; (b) burst p99 under
 * 200 ms (each mode); (c) at most 12 KiB PSS per idle stream; (d) nothing lost or duplicated, no id
 * regressions, no publish refused, every stream opened (measured runs and redone ones alike).
 */
export function checkTargets(results: readonly ScenarioResult[], n: number): TargetCheck[] {
  const load = targetLoad(results);
  if (!load) return [];
  const wb = find(results, 'wardbell', n, load);
  const raw = find(results, 'raw', n, load);
  if (!wb) return [];
  const all = [...wb.publish.flatMap((m) => [...m.sustained.runs, ...m.burst.runs]), ...wb.discarded];
  const lost = sum(all.map((r) => r.lost));
  const dup = sum(all.map((r) => r.duplicates));
  const regress = sum(all.map((r) => r.idRegressions));
  const refused = sum(all.map((r) => r.refused));
  const expected = sum(all.map((r) => r.expected));
  const perMode = wb.publish.map((m) => `${m.mode}: ${fmtInt(sum([...m.sustained.runs, ...m.burst.runs].map((r) => r.lost)))} lost`).join(', ');
  const checks: TargetCheck[] = [
    {
      target: `nothing lost or duplicated, no id regressions (${fmtInt(n)} streams, load ${load}, every publish mode)`,
      measured:
        `${fmtInt(lost)} lost, ${fmtInt(dup)} duplicated, ${fmtInt(regress)} id regressions of ${fmtInt(expected)} expected deliveries (${perMode}); ` +
        `${fmtInt(refused)} publishes refused, ${fmtInt(wb.connect.failed)} streams failed to open`,
      met: lost === 0 && dup === 0 && regress === 0 && refused === 0 && wb.connect.failed === 0,
    },
  ];
  for (const m of wb.publish) {
    const f = modeOf(raw, m.mode);
    const runs = m.sustained.runs.length;
    const ratio = f ? m.sustained.median.deliveriesPerServerCpuS / f.sustained.median.deliveriesPerServerCpuS : Number.NaN;
    checks.push({
      target: `>= ${TARGET_RATIO} of the raw floor's deliveries per server CPU-second (publish ${m.mode})`,
      measured: f
        ? `${fmt(ratio, 2)} (medians of ${runs}: ${fmtInt(m.sustained.median.deliveriesPerServerCpuS)} vs ${fmtInt(f.sustained.median.deliveriesPerServerCpuS)}; ` +
          `worst pairing ${fmt(m.sustained.keyMin / f.sustained.keyMax, 2)})`
        : 'no raw floor run',
      met: f ? ratio >= TARGET_RATIO : null,
    });
  }
  for (const m of wb.publish) {
    const p99 = m.burst.median.latencyMs?.p99 ?? Number.NaN;
    checks.push({
      target: `burst p99 < ${TARGET_BURST_P99_MS} ms (publish ${m.mode}, ${m.burst.median.published} events)`,
      measured: `${fmt(p99)} ms (median of ${m.burst.runs.length}; worst ${fmt(m.burst.keyMax)} ms)`,
      met: Number.isFinite(p99) ? p99 < TARGET_BURST_P99_MS : null,
    });
  }
  const pss = wb.memory.pss;
  checks.push({
    target: `<= ${TARGET_PSS_KIB} KiB PSS per idle stream (no forced GC)`,
    measured: pss
      ? `${fmt(pss.kiBPerConnection)} KiB (${fmtInt(pss.baselineKiB)} -> ${fmtInt(pss.idleKiB)} KiB; from the baseline after its forced GC: ` +
        `${fmt(pss.kiBPerConnectionFromGcBaseline)} KiB; after forced GC both times: RSS ${fmt(wb.memory.rssKiBPerConnection)} KiB per stream)`
      : 'PSS not readable (/proc/<pid>/smaps_rollup)',
    met: pss ? pss.kiBPerConnection <= TARGET_PSS_KIB : null,
  });
  return checks;
}

export function render(results: readonly ScenarioResult[], markdown: boolean): string {
  const t = markdown ? markdownTable : table;
  const floorMode = (r: ScenarioResult, server: ServerKind, mode: PublishMode) => modeOf(find(results, server, r.connections, r.load), mode);
  const ratio = (r: ScenarioResult, m: ModeResult, server: ServerKind) => {
    const f = floorMode(r, server, m.mode);
    return f ? fmt(m.sustained.median.deliveriesPerServerCpuS / f.sustained.median.deliveriesPerServerCpuS, 2) : '-';
  };
  const memory = t(
    ['N', 'load', 'server', 'users', 'open', 'connect s', 'PSS KiB/conn', 'RSS KiB/conn (GC)', 'heap KiB/conn (GC)', 'PSS idle MiB', 'RSS idle MiB (GC)'],
    results.map((r) => [
      fmtInt(r.connections),
      r.load,
      r.server,
      fmtInt(r.users),
      fmtInt(r.connect.opened),
      fmt(r.connect.seconds),
      fmt(r.memory.pss?.kiBPerConnection),
      fmt(r.memory.rssKiBPerConnection),
      fmt(r.memory.heapKiBPerConnection),
      fmt(r.memory.pss ? r.memory.pss.idleKiB / 1024 : null),
      fmt(r.memory.idle.rss / 1048576),
    ]),
    3,
  );
  const rows = results.flatMap((r) => r.publish.map((m) => ({ r, m })));
  const sustained = t(
    [
      'N', 'load', 'server', 'publish', 'events', 'deliveries/s', 'server CPU s', 'deliv./server CPU-s', 'range', 'vs raw floor', 'vs bare',
      'server cores', 'publisher cores', 'loadgen cores', 'other cores', 'lost', 'dup', 'p50 ms', 'p99 ms',
    ],
    rows.map(({ r, m }) => {
      const s = m.sustained.median;
      return [
        fmtInt(r.connections),
        r.load,
        r.server,
        m.mode,
        fmtInt(s.published),
        fmtInt(s.deliveredPerS),
        fmt(s.serverCpuS, 2),
        fmtInt(s.deliveriesPerServerCpuS),
        `${fmtK(m.sustained.keyMin)}-${fmtK(m.sustained.keyMax)}`,
        ratio(r, m, 'raw'),
        ratio(r, m, 'bare'),
        fmt(s.serverCores, 2),
        m.mode === 'http' ? fmt(s.publisherCores, 2) : '-',
        fmt(s.loadgenCores, 2),
        fmt(s.otherCores, 2),
        fmtInt(m.sustained.lost),
        fmtInt(m.sustained.duplicates),
        fmt(s.latencyMs?.p50),
        fmt(s.latencyMs?.p99),
      ];
    }),
    4,
  );
  const burst = t(
    [
      'N', 'load', 'server', 'publish', 'events', 'deliveries', 'lost', 'dup', 'id regress.', 'call order', 'p50 ms', 'p99 ms', 'p99 range', 'max ms',
      'server CPU s', 'publisher CPU s', 'loadgen CPU s',
    ],
    rows.map(({ r, m }) => {
      const b = m.burst.median;
      return [
        fmtInt(r.connections),
        r.load,
        r.server,
        m.mode,
        fmtInt(b.published),
        fmtInt(b.received),
        fmtInt(m.burst.lost),
        fmtInt(m.burst.duplicates),
        fmtInt(m.burst.idRegressions),
        fmtInt(b.reordered),
        fmt(b.latencyMs?.p50),
        fmt(b.latencyMs?.p99),
        `${fmt(m.burst.keyMin, 0)}-${fmt(m.burst.keyMax, 0)}`,
        fmt(b.latencyMs?.max),
        fmt(b.serverCpuS, 2),
        m.mode === 'http' ? fmt(b.publisherCpuS, 2) : '-',
        fmt(b.loadgenCpuS, 2),
      ];
    }),
    4,
  );
  const head = (s: string) => (markdown ? `**${s}**` : s);
  return [
    head('Idle streams (server memory: PSS without forced GC; RSS and heap after forced GC)'),
    memory,
    '',
    head('Sustained publishing ("vs raw floor": deliveries per server CPU-second over the raw floor\'s, same size, load and publish mode)'),
    sustained,
    '',
    head('Burst'),
    burst,
  ].join('\n');
}
