/** Parsing the Prometheus text exposition of /metrics, and the rates the dashboard shows. */

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export type Scrape = Map<string, Sample[]>;

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Scrape {
  const out: Scrape = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m || m[1] === undefined || m[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) if (l[1] !== undefined && l[2] !== undefined) labels[l[1]] = l[2].replace(/\\(.)/g, '$1');
    const value = Number(m[3]);
    if (Number.isNaN(value)) continue;
    const list = out.get(m[1]) ?? [];
    list.push({ labels, value });
    out.set(m[1], list);
  }
  return out;
}

/** Sum of a family, optionally of the samples whose label matches. */
export function total(s: Scrape, name: string, label?: [string, string]): number {
  let sum = 0;
  for (const x of s.get(name) ?? []) if (!label || x.labels[label[0]] === label[1]) sum += x.value;
  return sum;
}

/** A family's values by one label, e.g. resets by reason. */
export function byLabel(s: Scrape, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of s.get(name) ?? []) {
    const k = x.labels[label] ?? '';
    out[k] = (out[k] ?? 0) + x.value;
  }
  return out;
}

/** Per-second rate of a counter between two scrapes (0 when it went backwards: a restart). */
export function rate(prev: number | undefined, next: number, seconds: number): number {
  if (prev === undefined || seconds <= 0 || next < prev) return 0;
  return (next - prev) / seconds;
}

/** Seconds since the service's process started (`process_start_time_seconds`), never negative. */
export function uptimeSeconds(s: Scrape, nowMs: number): number {
  const started = total(s, 'process_start_time_seconds');
  return started > 0 ? Math.max(0, nowMs / 1000 - started) : 0;
}

/** Why the dashboard cannot read /metrics, for the answers a deployment's settings give. */
export function metricsRefusal(status: number): string {
  if (status === 401) return '/metrics needs the metrics token (WARDBELL_METRICS_TOKEN), which the console does not have.';
  if (status === 404) return '/metrics is served on a port of its own (WARDBELL_METRICS_PORT), not here.';
  return `/metrics answered ${status}`;
}
