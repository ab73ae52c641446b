/**
 * The histograms of /metrics on a real service: request durations by route pattern, publish to
 * write once per event (not per stream), push delivery latency; the standard process metrics; the
 * existing families keep their types; each service has a registry of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { postJson, startService, type TestService } from '../helpers/service.js';
import { SseReader } from '../helpers/sse-reader.js';
import { FakePushService } from '../push/helpers/fake-push-service.js';
import { api, startPushService } from '../push/helpers/push-service.js';
import { observations, sample, scrape } from './helpers.js';

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const REQUESTS = 'wardbell_http_request_duration_seconds';
const WRITES = 'wardbell_sse_publish_to_write_seconds';

let svc: TestService;
let service: string;
const readers: SseReader[] = [];

beforeAll(async () => {
  svc = await startService();
  service = await svc.token({ tenantId: 'h1', userId: 'scheduler', roles: ['service'] });
});
afterAll(async () => {
  for (const r of readers) r.close();
  await svc.close();
});

async function stream(userId: string): Promise<SseReader> {
  const r = await SseReader.open(`${svc.url}/api/sse`, bearer(await svc.token({ tenantId: 'h1', userId })));
  readers.push(r);
  await r.until((x) => x.lastEventId !== '');
  return r;
}

describe('wardbell_http_request_duration_seconds', () => {
  it('observes each answered request by method, route pattern and status, never the raw path', async () => {
    const before = await scrape(`${svc.url}/metrics`);
    const id = '5f0c6f47-3d4a-4c3e-9a43-0b8f1f7c2a10';
    const nurse = await svc.token({ tenantId: 'h1', userId: 'kim', roles: ['nurse'] });
    expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${svc.url}/api/notifications/${id}`, { headers: bearer(nurse) })).status).toBe(404);
    expect((await fetch(`${svc.url}/api/notifications/${id}`)).status).toBe(401);
    expect((await fetch(`${svc.url}/no/such/path/${id}`)).status).toBe(404);
    expect((await fetch(`${svc.url}/healthz`, { method: 'PROPFIND' })).status).toBe(404);
    const after = await scrape(`${svc.url}/metrics`);
    const grew = (labels: Record<string, string>) => observations(after, REQUESTS, labels) - observations(before, REQUESTS, labels);
    expect(grew({ method: 'GET', route: '/healthz', status: '200' })).toBe(1);
    expect(grew({ method: 'GET', route: '/api/notifications/:id', status: '404' })).toBe(1);
    expect(grew({ method: 'GET', route: '/api/notifications/:id', status: '401' })).toBe(1);
    expect(grew({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(grew({ method: 'other', route: 'unmatched', status: '404' })).toBe(1);
    const routes = new Set((after.get(`${REQUESTS}_count`) ?? []).map((x) => x.labels.route));
    expect([...routes].filter((r) => r?.includes(id))).toEqual([]);
    // Buckets are cumulative and end with +Inf = the count.
    const series = { method: 'GET', route: '/healthz', status: '200' };
    expect(sample(after, `${REQUESTS}_bucket`, { ...series, le: '+Inf' })).toBe(observations(after, REQUESTS, series));
    expect(sample(after, `${REQUESTS}_sum`, series)).toBeGreaterThan(0);
  });

  it('observes a stream when its head is sent, while the stream stays open', async () => {
    const series = { method: 'GET', route: '/api/sse', status: '200' };
    const before = observations(await scrape(`${svc.url}/metrics`), REQUESTS, series);
    const r = await stream('sse-timing');
    expect(r.ended).toBe(false);
    expect(observations(await scrape(`${svc.url}/metrics`), REQUESTS, series)).toBe(before + 1);
  });
});

describe('wardbell_sse_publish_to_write_seconds', () => {
  it('observes a tenant-wide event once, however many streams it was written to', async () => {
    const streams = await Promise.all(['ana', 'ben', 'cho', 'dev'].map(stream));
    const before = observations(await scrape(`${svc.url}/metrics`), WRITES);
    expect((await postJson(`${svc.url}/api/events`, { type: 'schedule.published', data: { week: 48 }, to: { tenant: true } }, service)).status).toBe(202);
    for (const r of streams) await r.until((x) => x.events.some((e) => e.event === 'schedule.published'));
    const after = await scrape(`${svc.url}/metrics`);
    expect(observations(after, WRITES)).toBe(before + 1);
    expect(sample(after, `${WRITES}_bucket`, { le: '+Inf' })).toBe(observations(after, WRITES));
  });

  it('observes an event to a user with several streams once', async () => {
    const phone = await stream('eli');
    const laptop = await stream('eli');
    const before = observations(await scrape(`${svc.url}/metrics`), WRITES);
    expect((await postJson(`${svc.url}/api/events`, { type: 'swap.requested', data: { swapId: 7 }, to: { users: ['eli'] } }, service)).status).toBe(202);
    for (const r of [phone, laptop]) await r.until((x) => x.events.some((e) => e.event === 'swap.requested'));
    expect(observations(await scrape(`${svc.url}/metrics`), WRITES)).toBe(before + 1);
  });

  it('observes nothing for an event no stream of this process receives', async () => {
    const before = await scrape(`${svc.url}/metrics`);
    expect((await postJson(`${svc.url}/api/events`, { type: 'swap.requested', data: { swapId: 8 }, to: { users: ['nobody-listening'] } }, service)).status).toBe(202);
    // The event was handed to the hub (it is counted as published) but written to no stream.
    await eventually(async () => sample(await scrape(`${svc.url}/metrics`), 'wardbell_events_published_total') === sample(before, 'wardbell_events_published_total') + 1);
    expect(observations(await scrape(`${svc.url}/metrics`), WRITES)).toBe(observations(before, WRITES));
  });
});

describe('process and Node.js metrics, and the existing families', () => {
  it('has prom-client\'s standard metrics under their usual names, and not the old hand-written ones', async () => {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'process_open_fds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds']) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(text).not.toMatch(/^nodejs_heap_used_bytes /m);
    expect(text).not.toMatch(/^process_uptime_seconds /m);
  });

  it('keeps every wardbell family\'s type: counters stay counters, gauges gauges', async () => {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
    for (const [name, type] of types) if (name.startsWith('wardbell_') && name.endsWith('_total')) expect(type, name).toBe('counter');
    expect(types.get('wardbell_sse_connections')).toBe('gauge');
    expect(types.get('wardbell_push_in_flight')).toBe('gauge');
    expect(types.get('wardbell_push_subscriptions')).toBe('gauge');
    expect(types.get(REQUESTS)).toBe('histogram');
    expect(types.get(WRITES)).toBe('histogram');
    expect(types.get('wardbell_push_delivery_seconds')).toBe('histogram');
    // Each family once (prom-client refuses a name registered twice).
    expect(text.match(/^# TYPE wardbell_sse_connections /gm)).toHaveLength(1);
  });

  it('gives each service in a process a registry of its own', async () => {
    const other = await startService();
    try {
      const mine = observations(await scrape(`${svc.url}/metrics`), REQUESTS, { route: '/healthz' });
      expect(mine).toBeGreaterThan(0);
      const theirs = await scrape(`${other.url}/metrics`);
      expect(observations(theirs, REQUESTS, { route: '/healthz' })).toBe(0);
      expect(sample(theirs, 'wardbell_sse_connections')).toBe(0);
      expect(sample(theirs, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
  });
});

describe('wardbell_push_delivery_seconds', () => {
  it('observes a push from its enqueue to the push service\'s 2xx, once per delivery', async () => {
    const fake = await FakePushService.start();
    const push = await startPushService(fake);
    try {
      const a = api(push.url);
      const scheduler = await push.token({ tenantId: 'h1', userId: 'scheduler', roles: ['service'] });
      expect((await a.call('PUT', '/api/directory/members', scheduler, { members: [{ userId: 'kim', roles: ['nurse'], wards: ['3'] }] })).status).toBe(200);
      const device = fake.subscription();
      expect((await a.subscribe(await push.token({ tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] }), device)).status).toBe(201);
      const sent = await a.call('POST', '/api/notifications', scheduler, { type: 'general', priority: 'high', title: 'Shift swap approved', to: { users: ['kim'] } });
      expect(sent.status).toBe(201);
      await fake.waitFor(() => fake.for(device.id).length === 1, 10_000);
      const s = await eventually(async () => {
        const got = await scrape(`${push.url}/metrics`);
        return observations(got, 'wardbell_push_delivery_seconds', { status: 'delivered' }) === 1 ? got : null;
      });
      expect(sample(s, 'wardbell_push_delivery_seconds_sum', { status: 'delivered' })).toBeGreaterThan(0);
      expect(sample(s, 'wardbell_push_delivery_seconds_bucket', { status: 'delivered', le: '+Inf' })).toBe(1);
      expect(observations(s, 'wardbell_push_delivery_seconds', { status: 'failed' })).toBe(0);
      expect(sample(s, 'wardbell_push_deliveries_total', { status: 'delivered' })).toBe(1);
    } finally {
      await push.close();
      await fake.close();
    }
  });
});
