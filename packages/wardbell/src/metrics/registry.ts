import { collectDefaultMetrics, Histogram, Registry, type Metric } from 'prom-client';
import type { MetricFamily, MetricSource } from './exposition.js';

let processMetrics: Registry | null = null;

/**
 * prom-client's standard process and Node.js metrics (`process_cpu_seconds_total`,
 * `process_resident_memory_bytes`, `nodejs_heap_size_used_bytes`, `nodejs_eventloop_lag_seconds`,
 * ...), collected once per process: they describe the process, not one service in it, and their
 * collectors (an event-loop delay monitor, a GC observer) cannot be stopped, so services started
 * one after another in a process share them instead of adding a monitor each.
 */
function defaultMetrics(): Metric[] {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  // They are prom-client's own metric objects; its types call the array's elements MetricObject.
  return processMetrics.getMetricsAsArray() as unknown as Metric[];
}

/**
 * One existing family as a metric of prom-client's registry: prom-client formats it (HELP, TYPE,
 * escaping); its samples are read from the source at scrape time, its type stays the family's.
 */
function familyMetric(f: MetricFamily, read: () => MetricFamily | undefined): Metric {
  const { name, help, type } = f;
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum' as const,
    get: async () => ({
      name,
      help,
      type,
      aggregator: 'sum' as const,
      values: (read()?.samples ?? []).map((s) => ({ labels: s.labels ?? {}, value: Number.isFinite(s.value) ? s.value : 0 })),
    }),
    reset: () => {},
  };
  // The registry reads a metric through get() and resets it through reset(); its types only name
  // prom-client's own classes, whose values are set by observation rather than read from counters.
  return metric as unknown as Metric;
}

/**
 * The metrics of one service: a prom-client `Registry` of its own (never the global one: several
 * services may run in one process), holding the standard process and Node.js metrics, the
 * service's histograms, and the families its modules keep as plain counters, read at scrape time.
 */
export class MetricsRegistry {
  private readonly registry = new Registry();
  /** Counts scrapes, so each source is read once per scrape however many families it has. */
  private scrape = 0;

  constructor() {
    for (const m of defaultMetrics()) this.registry.registerMetric(m);
  }

  /** Adds a source's families; a name registered twice throws (prom-client's check). */
  add(source: MetricSource): void {
    let readAt = -1;
    let current = new Map<string, MetricFamily>();
    const read = (name: string) => {
      if (readAt !== this.scrape) {
        readAt = this.scrape;
        current = new Map(source().map((f) => [f.name, f]));
      }
      return current.get(name);
    };
    for (const f of source()) this.registry.registerMetric(familyMetric(f, () => read(f.name)));
  }

  /** A histogram in this registry (seconds; `buckets` are the upper bounds). */
  histogram<L extends string = never>(name: string, help: string, buckets: number[], labelNames: readonly L[] = []): Histogram<L> {
    return new Histogram<L>({ name, help, buckets, labelNames, registers: [this.registry] });
  }

  /** The `Content-Type` of what `render` returns (the text exposition format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition of every metric, read now. */
  render(): Promise<string> {
    this.scrape++;
    return this.registry.metrics();
  }
}
