/** Request ids, the access log and trusted proxies (src/http/request-context.ts, proxies.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../packages/wardbell/src/auth/index.js';
import { createWardbell, type Wardbell } from '../../packages/wardbell/src/compose.js';
import { loadConfig } from '../../packages/wardbell/src/config/index.js';
import { trustedProxies } from '../../packages/wardbell/src/http/proxies.js';
import { eventually } from '../helpers/eventually.js';
import { TEST_SECRET } from '../helpers/service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('trusted proxies (pure)', () => {
  it('matches addresses and CIDR ranges, IPv4 seen through IPv6 too, and nothing when empty', () => {
    const p = trustedProxies(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32']);
    expect(['10.1.2.3', '::ffff:10.9.9.9', '192.168.1.7', '2001:db8::1'].map((a) => p.has(a))).toEqual([true, true, true, true]);
    expect(['11.0.0.1', '192.168.1.8', '2001:db9::1', 'not-an-ip', undefined].map((a) => p.has(a))).toEqual([false, false, false, false, false]);
    expect(trustedProxies([]).has('127.0.0.1')).toBe(false);
  });

  it('refuses entries that are not addresses or ranges', () => {
    for (const bad of ['10.0.0.0/33', 'example.org', '10.0.0.1/8/1', '::1/129', '']) expect(() => trustedProxies([bad])).toThrow();
    expect(() => loadConfig({ WARDBELL_TRUSTED_PROXIES: '10.0.0.0/8,nope' })).toThrow(/WARDBELL_TRUSTED_PROXIES/);
  });
});

/** A service whose log lines are kept, on a loopback port. */
async function serviceWithLog(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardbell-reqid-'));
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', WARDBELL_DATA_DIR: dataDir, WARDBELL_JWT_SECRET: TEST_SECRET, ...env });
  const wardbell = await createWardbell(config, { logger: pino({ level: 'info' }, sink) });
  const url = await wardbell.listen();
  return { wardbell, url, lines, close: async () => { await wardbell.close(); rmSync(dataDir, { recursive: true, force: true }); } };
}

describe('request ids and the access log', () => {
  let svc: { wardbell: Wardbell; url: string; lines: Array<Record<string, unknown>>; close(): Promise<void> };
  let token: string;

  beforeAll(async () => {
    svc = await serviceWithLog({});
    token = await signDevToken({ tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] }, new TextEncoder().encode(TEST_SECRET), 600);
  });
  afterAll(() => svc.close());

  it('answers every request with an x-request-id, and puts it in the error envelope', async () => {
    const ok = await fetch(`${svc.url}/api/notifications`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toMatch(UUID);
    const missing = await fetch(`${svc.url}/api/notifications/5f0c6f47-3d4a-4c3e-9a43-0b8f1f7c2a10`, { headers: { authorization: `Bearer ${token}` } });
    expect(missing.status).toBe(404);
    const body = (await missing.json()) as { error: { requestId: string } };
    expect(body.error.requestId).toBe(missing.headers.get('x-request-id'));
    const unknown = await fetch(`${svc.url}/nowhere`);
    expect(((await unknown.json()) as { error: { requestId: string } }).error.requestId).toBe(unknown.headers.get('x-request-id'));
    const stream = await fetch(`${svc.url}/api/sse`, { headers: { authorization: `Bearer ${token}` } });
    expect(stream.headers.get('x-request-id')).toMatch(UUID);
    await stream.body?.cancel();
  });

  it('ignores an x-request-id from a peer that is not a trusted proxy', async () => {
    const r = await fetch(`${svc.url}/healthz`, { headers: { 'x-request-id': 'chosen-by-client' } });
    expect(r.headers.get('x-request-id')).toMatch(UUID);
  });

  it('writes one line per request: method, route pattern, status, duration, tenant, id; no token, query or text', async () => {
    const title = 'Private note for kim';
    const app = await signDevToken({ tenantId: 'h1', userId: 'app', roles: ['service'], wards: [] }, new TextEncoder().encode(TEST_SECRET), 600);
    await fetch(`${svc.url}/api/directory/members`, { method: 'PUT', headers: { authorization: `Bearer ${app}`, 'content-type': 'application/json' }, body: JSON.stringify({ members: [{ userId: 'kim', wards: ['3'] }] }) });
    const sent = await fetch(`${svc.url}/api/notifications?secret=query-value`, { method: 'POST', headers: { authorization: `Bearer ${app}`, 'content-type': 'application/json' }, body: JSON.stringify({ title, to: { users: ['kim'] } }) });
    expect(sent.status).toBe(201);
    const id = (await sent.json()) as { notification: { id: string } };
    const read = await fetch(`${svc.url}/api/notifications/${id.notification.id}`, { headers: { authorization: `Bearer ${token}` } });
    const requestId = read.headers.get('x-request-id');
    const line = await eventually(() => svc.lines.find((l) => l.requestId === requestId) ?? null);
    expect(line).toMatchObject({ msg: 'request', method: 'GET', route: '/api/notifications/:id', status: 200, tenant: 'h1', requestId });
    expect(typeof line.ms).toBe('number');
    const all = JSON.stringify(svc.lines);
    for (const secret of [token, app, title, 'query-value', id.notification.id]) expect(all).not.toContain(secret);
  });
});

describe('behind a trusted proxy', () => {
  it('keeps the proxy\'s x-request-id (and still refuses one that is not printable)', async () => {
    const svc = await serviceWithLog({ WARDBELL_TRUSTED_PROXIES: '127.0.0.1,::1' });
    try {
      const kept = await fetch(`${svc.url}/healthz`, { headers: { 'x-request-id': 'lb-7f3a:42' } });
      expect(kept.headers.get('x-request-id')).toBe('lb-7f3a:42');
      const odd = await fetch(`${svc.url}/healthz`, { headers: { 'x-request-id': 'has spaces and {}' } });
      expect(odd.headers.get('x-request-id')).toMatch(UUID);
    } finally {
      await svc.close();
    }
  });
});
