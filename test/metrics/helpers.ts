import { parseMetrics, type Scrape } from '../../packages/wardbell/web/src/lib/metrics.js';

export type { Scrape };

/** Scrapes a /metrics URL; throws unless it answers 200 in the text format. */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
  if (!/^text\/plain; version=0\.0\.4/.test(res.headers.get('content-type') ?? '')) throw new Error(`${url}: content-type ${res.headers.get('content-type')}`);
  return parseMetrics(text);
}

/** The sum of a family's samples whose labels include all of `labels` (0 when there is none). */
export function sample(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const x of s.get(name) ?? []) if (Object.entries(labels).every(([k, v]) => x.labels[k] === v)) sum += x.value;
  return sum;
}

/** A histogram's observation count (`_count`) for the series whose labels include `labels`. */
export const observations = (s: Scrape, histogram: string, labels: Record<string, string> = {}) => sample(s, `${histogram}_count`, labels);
