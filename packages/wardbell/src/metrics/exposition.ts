/** A metric family read from plain counters at scrape time (a counter or a gauge, with its samples). */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Array<{ labels?: Record<string, string>; value: number }>;
}

/**
 * A source of metric families, read at scrape time. It names the same families on every call
 * (their samples, and the label values, change).
 */
export type MetricSource = () => MetricFamily[];

/** A family of one sample without labels. */
export function single(name: string, help: string, type: MetricFamily['type'], value: number): MetricFamily {
  return { name, help, type, samples: [{ value }] };
}

/** A family of one sample per entry of `values`, the entry's key as the value of `label`. */
export function byLabel(name: string, help: string, type: MetricFamily['type'], label: string, values: Readonly<Record<string, number>>): MetricFamily {
  return { name, help, type, samples: Object.entries(values).map(([v, value]) => ({ labels: { [label]: v }, value })) };
}
