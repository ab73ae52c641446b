import { connect } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createWardbell } from '../../packages/wardbell/src/compose.js';
import { ConfigError, loadConfig } from '../../packages/wardbell/src/config/index.js';
import { postJson, startService, type TestService } from '../helpers/service.js';
import { eventually } from '../helpers/eventually.js';
import { SseReader } from '../helpers/sse-reader.js';

const started: TestService[] = [];
const start = async (env: Record<string, string> = {}) => {
  const s = await startService(env);
  started.push(s);
  return s;
};
afterEach(async () => {
  for (const s of started.splice(0)) await s.close();
});
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('operations endpoints', () => {
  it('answers /healthz and /readyz', async () => {
    const s = await start();
    expect(await (await fetch(`${s.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${s.url}/readyz`)).json()).toEqual({ status: 'ready', checks: { storage: 'ok' } });
  });

  it('exposes the realtime counters in Prometheus format', async () => {
    const s = await start();
    const svc = await s.token({ tenantId: 'h1', userId: 'svc', roles: ['service'] });
    const r = await SseReader.open(`${s.url}/api/sse`, bearer(await s.token({ tenantId: 'h1', userId: 'm' })));
    await r.until((x) => x.lastEventId !== '');
    await postJson(`${s.url}/api/events`, { type: 'schedule.published', to: { tenant: true } }, svc);
    await r.until((x) => x.of('schedule.published').length === 1);
    const bad = await SseReader.open(`${s.url}/api/sse`, { ...bearer(await s.token({ tenantId: 'h1', userId: 'm2' })), 'last-event-id': 'nope' });
    await bad.until((x) => x.of('reset').length === 1);
    const res = await fetch(`${s.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    const text = await res.text();
    expect(text).toMatch(/^wardbell_sse_connections 2$/m);
    expect(text).toMatch(/^wardbell_events_published_total\{type="schedule.published"\} 1$/m);
    expect(text).toMatch(/^wardbell_sse_events_delivered_total 1$/m);
    expect(text).toMatch(/^wardbell_sse_resets_total\{reason="unknown-id"\} 1$/m);
    expect(text).toMatch(/^wardbell_sse_events_dropped_total 0$/m);
    expect(text).toMatch(/^wardbell_sse_replays_total 0$/m);
    expect(text).toMatch(/^wardbell_bus_gaps_filled_total 0$/m);
    expect(text).toMatch(/^wardbell_bus_tenant_resets_total 0$/m);
    r.close();
    bad.close();
  });

  it('serves an OpenAPI description of every route', async () => {
    const s = await start();
    const doc = (await (await fetch(`${s.url}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    const served = new Set(
      s.wardbell.app.routes
        .filter((r) => r.method !== 'ALL' && r.path !== '/api/openapi.json')
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    expect(served.size).toBeGreaterThan(10);
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
  });

  it('answers unknown routes with the error envelope', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/api/nothing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('CORS', () => {
  it('allows only configured origins and never reflects another', async () => {
    const s = await start({ WARDBELL_CORS_ORIGINS: 'https://schedule.example.org' });
    const ok = await fetch(`${s.url}/api/sse`, { method: 'OPTIONS', headers: { origin: 'https://schedule.example.org', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,last-event-id' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://schedule.example.org');
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('last-event-id');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    const evil = await fetch(`${s.url}/api/sse`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a cross-origin JSON request with the CORS headers, and one without Origin without them', async () => {
    const s = await start({ WARDBELL_CORS_ORIGINS: 'https://schedule.example.org' });
    const auth = bearer(await s.token({ tenantId: 'h1', userId: 'c' }));
    const cross = await fetch(`${s.url}/api/notifications`, { headers: { ...auth, origin: 'https://schedule.example.org' } });
    expect(cross.status).toBe(200);
    expect(cross.headers.get('access-control-allow-origin')).toBe('https://schedule.example.org');
    expect(cross.headers.get('access-control-expose-headers')).toBe('Retry-After');
    expect(cross.headers.get('vary')).toBe('Origin');
    expect(await cross.json()).toMatchObject({ items: [], unreadCount: 0 });
    const plain = await fetch(`${s.url}/api/notifications`, { headers: auth });
    expect(plain.status).toBe(200);
    expect([...plain.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
    expect(await plain.json()).toMatchObject({ items: [], unreadCount: 0 });
  });

  it('carries the CORS header on the event stream itself', async () => {
    const s = await start({ WARDBELL_CORS_ORIGINS: 'https://schedule.example.org' });
    const r = await SseReader.open(`${s.url}/api/sse`, { ...bearer(await s.token({ tenantId: 'h1', userId: 'c' })), origin: 'https://schedule.example.org' });
    expect(r.headers['access-control-allow-origin']).toBe('https://schedule.example.org');
    r.close();
  });
});

describe('trusted-proxy mode', () => {
  it('takes identity from gateway headers only when so configured', async () => {
    const s = await start({ WARDBELL_AUTH_MODE: 'trusted-proxy' });
    const r = await SseReader.open(`${s.url}/api/sse`, { 'x-tenant-id': 'h1', 'x-user-id': 'kim', 'x-user-wards': '3' });
    await r.until((x) => x.lastEventId !== '');
    const pub = await postJson(`${s.url}/api/events`, { type: 'schedule.updated', data: { w: 3 }, to: { topic: 'ward:3' } }, undefined, { 'x-tenant-id': 'h1', 'x-user-id': 'app', 'x-user-roles': 'service' });
    expect(pub.status).toBe(202);
    await r.until((x) => x.of('schedule.updated').length === 1);
    const missing = await fetch(`${s.url}/api/sse`);
    expect(missing.status).toBe(401);
    r.close();
  });
});

describe('development and production keys', () => {
  it('mints development tokens when no key is configured outside production', async () => {
    const s = await start({ WARDBELL_JWT_SECRET: '', NODE_ENV: 'development' });
    const res = await postJson(`${s.url}/api/dev/token`, { tenantId: 'h1', userId: 'dev', roles: ['nurse'], wards: ['3'] });
    expect(res.status).toBe(201);
    const r = await SseReader.open(`${s.url}/api/sse?topics=ward:3`, bearer(res.json.token as string));
    expect(r.status).toBe(200);
    r.close();
  });

  it('does not serve the development token route when a key is configured', async () => {
    const s = await start();
    const res = await postJson(`${s.url}/api/dev/token`, { tenantId: 'h1', userId: 'dev' });
    expect(res.status).toBe(404);
  });

  it('refuses to start in production without a key and says how to fix it', async () => {
    const config = loadConfig({ NODE_ENV: 'production', PORT: '0', WARDBELL_DATA_DIR: mkdtempSync(join(tmpdir(), 'wb-prod-')) });
    await expect(createWardbell(config, { logger: pino({ level: 'silent' }) })).rejects.toThrow(ConfigError);
    await expect(createWardbell(config, { logger: pino({ level: 'silent' }) })).rejects.toThrow(/WARDBELL_JWT_SECRET/);
  });
});

describe('slow clients', () => {
  it('disconnects a client that stops reading instead of buffering without bound', async () => {
    const s = await start({ WARDBELL_CLIENT_QUEUE_LIMIT: '20' });
    const svc = await s.token({ tenantId: 'h1', userId: 'svc', roles: ['service'] });
    const token = await s.token({ tenantId: 'h1', userId: 'stuck' });
    const port = Number(new URL(s.url).port);
    // A raw client that sends the request, then never reads: its receive window fills up.
    const sock = connect({ port, host: '127.0.0.1' });
    sock.setNoDelay(true);
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(`GET /api/sse HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`);
    await eventually(() => s.wardbell.hub.connectionCount === 1);
    sock.pause();
    const big = 'x'.repeat(32 * 1024);
    let closed = false;
    sock.on('close', () => {
      closed = true;
    });
    for (let i = 0; i < 400 && s.wardbell.hub.stats.slowClientDisconnects === 0; i++) {
      await s.wardbell.events.broadcast('h1', 'schedule.updated', { i, big });
    }
    expect(s.wardbell.hub.stats.slowClientDisconnects).toBe(1);
    expect(s.wardbell.hub.stats.eventsDropped).toBeGreaterThan(20);
    expect(s.wardbell.hub.connectionCount).toBe(0);
    sock.resume();
    await eventually(() => expect(closed).toBe(true));
    void svc;
  });
});

describe('graceful shutdown', () => {
  it('ends open streams with a retry hint, then stops accepting', async () => {
    const s = await startService();
    const r = await SseReader.open(`${s.url}/api/sse`, bearer(await s.token({ tenantId: 'h1', userId: 'bye' })));
    await r.until((x) => x.lastEventId !== '');
    await s.close();
    await r.until((x) => x.ended);
    expect(r.body).toMatch(/: server restarting\nretry: \d+\n\n$/);
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
  });
});
