/** A metric family in the Prometheus text exposition format (version 0.0.4). */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Array<{ labels?: Record<string, string>; value: number }>;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** Renders metric families as Prometheus text (pure). */
export function renderExposition(families: readonly MetricFamily[]): string {
  let out = '';
  for (const f of families) {
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) {
      const labels = s.labels && Object.keys(s.labels).length
        ? `{${Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
        : '';
      out += `${f.name}${labels} ${Number.isFinite(s.value) ? s.value : 0}\n`;
    }
  }
  return out;
}

/** A source of metric families, read at scrape time. */
export type MetricSource = () => MetricFamily[];

export class MetricsRegistry {
  private readonly sources: MetricSource[] = [];
  add(source: MetricSource): void {
    this.sources.push(source);
  }
  render(): string {
    return renderExposition(this.sources.flatMap((s) => s()));
  }
}

/** Process-level families: resident memory, heap, CPU seconds, event-loop-free uptime. */
export function processMetrics(): MetricSource {
  return () => {
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    return [
      { name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.', type: 'gauge', samples: [{ value: mem.rss }] },
      { name: 'nodejs_heap_used_bytes', help: 'V8 heap used in bytes.', type: 'gauge', samples: [{ value: mem.heapUsed }] },
      { name: 'process_cpu_seconds_total', help: 'User and system CPU time spent, seconds.', type: 'counter', samples: [{ value: (cpu.user + cpu.system) / 1e6 }] },
      { name: 'process_uptime_seconds', help: 'Seconds since the process started.', type: 'gauge', samples: [{ value: process.uptime() }] },
    ];
  };
}

/** A family of one sample without labels. */
export function single(name: string, help: string, type: MetricFamily['type'], value: number): MetricFamily {
  return { name, help, type, samples: [{ value }] };
}

/** A family of one sample per entry of `values`, the entry's key as the value of `label`. */
export function byLabel(name: string, help: string, type: MetricFamily['type'], label: string, values: Readonly<Record<string, number>>): MetricFamily {
  return { name, help, type, samples: Object.entries(values).map(([v, value]) => ({ labels: { [label]: v }, value })) };
}
