/** Small pure helpers of the SSE benchmark: histograms, machine CPU counters, table rendering. */
import { readFileSync } from 'node:fs';

export interface Histogram {
  binMs: number;
  /** Sparse [bin, count] pairs. */
  bins: Array<[number, number]>;
}

/** Merges sparse histograms with the same bin width. */
export function mergeHistograms(hs: readonly Histogram[]): Histogram {
  const m = new Map<number, number>();
  for (const h of hs) for (const [b, n] of h.bins) m.set(b, (m.get(b) ?? 0) + n);
  return { binMs: hs[0]?.binMs ?? 0.1, bins: [...m.entries()].sort((a, b) => a[0] - b[0]) };
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Percentiles (upper edge of the bin holding the q-th value, in ms) of a sparse histogram. */
export function summarise(h: Histogram): LatencySummary | null {
  const total = h.bins.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const at = (q: number) => {
    const rank = Math.max(1, Math.ceil(q * total));
    let cum = 0;
    for (const [b, n] of h.bins) {
      cum += n;
      if (cum >= rank) return (b + 1) * h.binMs;
    }
    return Number.NaN;
  };
  const last = h.bins[h.bins.length - 1] as [number, number];
  return { count: total, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: (last[0] + 1) * h.binMs };
}

/** Whole-machine CPU counters from /proc/stat (clock ticks), or null off Linux. */
export function machineTicks(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = f.reduce((s, x) => s + x, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * Kernel counters that explain fan-out cost on a VM: context switches (/proc/stat `ctxt`) and
 * cross-CPU interrupts (/proc/interrupts RES + CAL: wake-ups of a task on the other core), or null.
 */
export function kernelCounters(): { ctxt: number; ipi: number } | null {
  try {
    const stat = readFileSync('/proc/stat', 'latin1');
    const ctxt = Number(/^ctxt (\d+)/m.exec(stat)?.[1] ?? Number.NaN);
    let ipi = 0;
    for (const line of readFileSync('/proc/interrupts', 'latin1').split('\n')) {
      const m = /^\s*(RES|CAL):((?:\s+\d+)+)/.exec(line);
      if (m) for (const n of (m[2] ?? '').trim().split(/\s+/)) ipi += Number(n);
    }
    return { ctxt, ipi };
  } catch {
    return null;
  }
}

/** Renders rows as an aligned text table (the first `left` columns left-aligned, the rest right-aligned). */
export function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>, left = 2): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i < left ? c.padEnd(w[i] ?? 0) : c.padStart(w[i] ?? 0))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

/** Markdown version of the same table. */
export function markdownTable(head: readonly string[], rows: ReadonlyArray<readonly string[]>, left = 2): string {
  const sep = head.map((_, i) => (i < left ? '---' : '---:'));
  return [head, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export const fmtInt = (n: number | null | undefined): string => (n === null || n === undefined || !Number.isFinite(n) ? '-' : Math.round(n).toLocaleString('en-US'));
export const fmt = (n: number | null | undefined, digits = 1): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);

/**
 * Proportional set size of a process in KiB (`Pss:` of /proc/<pid>/smaps_rollup, or the sum over
 * /proc/<pid>/smaps on kernels without the rollup), read from outside without touching its heap;
 * null off Linux or when it cannot be read.
 */
export function pssKiB(pid: number): number | null {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
    if (m) return Number(m[1]);
  } catch {
    // fall through to smaps
  }
  try {
    let kib = 0;
    for (const m of readFileSync(`/proc/${pid}/smaps`, 'latin1').matchAll(/^Pss:\s+(\d+) kB/gm)) kib += Number(m[1]);
    return kib;
  } catch {
    return null;
  }
}

/** Soft limit on open files of this process (children inherit it), or null when unknown. */
export function openFileLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'latin1'));
    if (!m) return null;
    return m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1]);
  } catch {
    return null;
  }
}
