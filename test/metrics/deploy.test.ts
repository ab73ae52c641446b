/**
 * deploy/: every metric the Grafana dashboard and the Prometheus alert rules read exists in a real
 * service's /metrics, after traffic that gives each histogram samples; histograms are read through
 * their _bucket, _sum and _count series, never by their bare name.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { postJson, type TestService } from '../helpers/service.js';
import { SseReader } from '../helpers/sse-reader.js';
import { FakePushService } from '../push/helpers/fake-push-service.js';
import { api, startPushService } from '../push/helpers/push-service.js';
import { observations, scrape } from './helpers.js';
import { metricNamesIn } from './promql.js';

const DEPLOY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy');
/** Series Prometheus makes itself for every target. */
const FROM_PROMETHEUS = new Set(['up']);

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}
interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: { summary?: string; description?: string };
}

const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana', 'wardbell-dashboard.json'), 'utf8')) as { uid: string; panels: Panel[]; templating: { list: Array<{ name: string }> } };
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
const rules = (parse(readFileSync(join(DEPLOY, 'prometheus', 'alerts.yml'), 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const expressions = [...panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))), ...rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))];

let fake: FakePushService;
let svc: TestService;
/** Family name -> type, from the scrape's # TYPE lines. */
let families: Map<string, string>;

beforeAll(async () => {
  fake = await FakePushService.start();
  svc = await startPushService(fake);
  const a = api(svc.url);
  const scheduler = await svc.token({ tenantId: 'h1', userId: 'scheduler', roles: ['service'] });
  const kim = await svc.token({ tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] });
  expect((await a.call('PUT', '/api/directory/members', scheduler, { members: [{ userId: 'kim', roles: ['nurse'], wards: ['3'] }] })).status).toBe(200);
  const device = fake.subscription();
  expect((await a.subscribe(kim, device)).status).toBe(201);
  const reader = await SseReader.open(`${svc.url}/api/sse`, { authorization: `Bearer ${kim}` });
  await reader.until((x) => x.lastEventId !== '');
  expect((await a.call('POST', '/api/notifications', scheduler, { type: 'general', priority: 'high', title: 'Rota published', to: { users: ['kim'] } })).status).toBe(201);
  expect((await postJson(`${svc.url}/api/events`, { type: 'schedule.published', to: { tenant: true } }, scheduler)).status).toBe(202);
  await reader.until((x) => x.events.some((e) => e.event === 'schedule.published'));
  expect((await fetch(`${svc.url}/no/such/route`)).status).toBe(404);
  await fake.waitFor(() => fake.for(device.id).length === 1, 10_000);
  reader.close();
  const s = await eventually(async () => {
    const got = await scrape(`${svc.url}/metrics`);
    return observations(got, 'wardbell_push_delivery_seconds') > 0 ? got : null;
  });
  for (const h of ['wardbell_http_request_duration_seconds', 'wardbell_sse_publish_to_write_seconds', 'wardbell_push_delivery_seconds']) expect(observations(s, h), h).toBeGreaterThan(0);
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  families = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
});
afterAll(async () => {
  await svc?.close();
  await fake?.close();
});

/** Why a name read by an expression is not a series of the scrape, or null when it is. */
function problemWith(name: string): string | null {
  if (FROM_PROMETHEUS.has(name)) return null;
  const type = families.get(name);
  if (type === 'histogram') return `${name} is a histogram: read ${name}_bucket, _sum or _count`;
  if (type) return null;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  if (base && families.get(base) === 'histogram') return null;
  return `${name} is not in /metrics`;
}

describe('deploy/', () => {
  it('reads PromQL names as a scrape names them (the parser can fail)', () => {
    expect(metricNamesIn('histogram_quantile(0.99, sum by (route, le) (rate(a_bucket{job=~"$job", status=~"5.."}[$__rate_interval])))').sort()).toEqual(['a_bucket']);
    expect(metricNamesIn('sum by (instance) (rate(b_total[5m])) / on (instance) group_left c > bool 1e3 unless d offset 5m').sort()).toEqual(['b_total', 'c', 'd']);
    expect(metricNamesIn('up{job="wardbell"} == 0')).toEqual(['up']);
    expect(problemWith('wardbell_http_request_duration_seconds')).toMatch(/histogram/);
    expect(problemWith('wardbell_http_request_duration_seconds_bucket')).toBeNull();
    expect(problemWith('wardbell_no_such_metric_total')).toMatch(/not in \/metrics/);
    expect(problemWith('nodejs_heap_used_bytes')).toMatch(/not in \/metrics/);
  });

  it('has a dashboard with the panels an operator looks at, each reading something', () => {
    const titles = panels.map((p) => p.title);
    for (const want of [/open streams/i, /deliveries/i, /publish to write/i, /requests \/ s by route/i, /p99 request duration by route/i, /5xx/i, /push deliveries/i, /push delivery latency/i, /event-loop lag/i, /memory/i, /slow-client/i, /resets/i, /rate-limit/i]) {
      expect(titles.some((t) => want.test(t)), String(want)).toBe(true);
    }
    for (const p of panels) expect(p.targets?.length ?? 0, p.title).toBeGreaterThan(0);
    expect(dashboard.uid).toBe('wardbell');
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'job']);
  });

  it('has alert rules for the failures that page someone, each with a severity and a summary', () => {
    const names = rules.map((r) => r.alert);
    expect(names).toEqual(expect.arrayContaining(['WardbellDown', 'WardbellEventLoopLagHigh', 'WardbellHttp5xxRateHigh', 'WardbellPublishToWriteSlow', 'WardbellPushFailuresHigh', 'WardbellSlowClientDisconnects', 'WardbellRateLimitsWithoutRedis', 'WardbellStreamQuotaWithoutRedis', 'WardbellBusTenantResets']));
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules) {
      expect(['critical', 'warning'], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      if (r.for !== undefined) expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
    }
  });

  it('reads only metrics that a running service exposes', () => {
    expect(expressions.length).toBeGreaterThan(30);
    const wrong: string[] = [];
    const read = new Set<string>();
    for (const { where, expr } of expressions) {
      const names = metricNamesIn(expr);
      if (names.length === 0) wrong.push(`${where}: reads no metric: ${expr}`);
      for (const n of names) {
        read.add(n);
        const problem = problemWith(n);
        if (problem) wrong.push(`${where}: ${problem}`);
      }
    }
    expect(wrong).toEqual([]);
    // The three histograms and the process metrics are among what they read.
    for (const n of ['wardbell_http_request_duration_seconds_bucket', 'wardbell_http_request_duration_seconds_count', 'wardbell_sse_publish_to_write_seconds_bucket', 'wardbell_push_delivery_seconds_bucket', 'nodejs_eventloop_lag_p99_seconds', 'process_resident_memory_bytes']) expect(read, n).toContain(n);
  });
});
