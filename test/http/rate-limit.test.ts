/**
 * Request rate limits (src/http/rate-limit.ts, rate-limit-store.ts, proxies.ts): which requests are
 * limited, the client address behind trusted proxies, and on a real loopback service the 429
 * envelope with the limiter's Retry-After, per user / per tenant / per address apart, one tenant's
 * flood leaving another alone, stream opens, and the window ending.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../packages/wardbell/src/auth/index.js';
import { loadConfig } from '../../packages/wardbell/src/config/index.js';
import { clientAddress, normalizeAddress, trustedProxies } from '../../packages/wardbell/src/http/proxies.js';
import { memoryRateLimitStore } from '../../packages/wardbell/src/http/rate-limit-store.js';
import { addressKey, classify, identityKeys, RATE_LIMITED, rateLimitsFrom } from '../../packages/wardbell/src/http/rate-limit.js';
import { eventually } from '../helpers/eventually.js';
import { SseReader } from '../helpers/sse-reader.js';
import { postJson, startService, type TestService } from '../helpers/service.js';

describe('which requests are limited (pure)', () => {
  it('classifies the listed routes, ids where ids go, and nothing else', () => {
    expect(classify('POST', '/api/events')).toBe('publish');
    expect(classify('POST', '/api/notifications')).toBe('send');
    expect(classify('POST', '/api/notifications/scheduled')).toBe('send');
    expect(classify('POST', '/api/emergency-calls')).toBe('emergency');
    expect(classify('POST', '/api/emergency-calls/c-1/cancel')).toBe('emergency');
    expect(classify('POST', '/api/sse/ticket')).toBe('ticket');
    expect(classify('POST', '/api/dev/token')).toBe('token');
    expect(classify('POST', '/api/notifications/n-1/actions/accept')).toBe('token');
    expect(classify('GET', '/api/sse')).toBe('stream');
    for (const [m, p] of [
      ['GET', '/api/notifications'],
      ['PATCH', '/api/notifications'],
      ['GET', '/api/events'],
      ['POST', '/api/events/'],
      ['POST', '/api/notifications//actions/accept'],
      ['POST', '/api/notifications/n-1/actions'],
      ['GET', '/api/sse/ticket'],
      ['POST', '/api/push/subscribe'],
      ['GET', '/healthz'],
    ] as const) expect(classify(m, p), `${m} ${p}`).toBeNull();
  });

  it('keys users by tenant and user, so the same user id in two tenants is two users', () => {
    expect(identityKeys({ tenantId: 'h1', userId: 'kim' })).toEqual({ user: 'h1/kim', tenant: 'h1' });
    expect(identityKeys({ tenantId: 'h2', userId: 'kim' }).user).not.toBe(identityKeys({ tenantId: 'h1', userId: 'kim' }).user);
  });

  it('counts an IPv4 address as it is and an IPv6 address by its /64', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:0db8:0001:0002::/64');
    expect(addressKey('2001:db8:1:2::ffff')).toBe(addressKey('2001:db8:1:2:aaaa::1'));
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
    expect(addressKey('::1')).toBe('0000:0000:0000:0000::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });

  it('reads the defaults, 0 as no limit, and off', () => {
    const limits = rateLimitsFrom(loadConfig({}));
    expect(limits?.windowSeconds).toBe(60);
    expect(limits?.points.send).toEqual({ user: 30_000, tenant: 60_000, address: 120_000 });
    expect(limits?.points.stream).toEqual({ user: 600, tenant: 60_000, address: 120_000 });
    expect(rateLimitsFrom(loadConfig({ WARDBELL_RATE_LIMIT_TICKET_PER_ADDRESS: '0' }))?.points.ticket.address).toBe(0);
    expect(rateLimitsFrom(loadConfig({ WARDBELL_RATE_LIMITS: 'off' }))).toBeNull();
    expect(() => loadConfig({ WARDBELL_RATE_LIMIT_SEND_PER_USER: 'many' })).toThrow(/WARDBELL_RATE_LIMIT_SEND_PER_USER[\s\S]*fix:/);
    expect(() => loadConfig({ WARDBELL_RATE_LIMIT_WINDOW_S: '0' })).toThrow(/WARDBELL_RATE_LIMIT_WINDOW_S/);
    expect(() => loadConfig({ WARDBELL_RATE_LIMITS: 'maybe' })).toThrow(/WARDBELL_RATE_LIMITS/);
  });

  it('documents the defaults the configuration has (docs/OPERATIONS.md, "Rate limits")', () => {
    const limits = rateLimitsFrom(loadConfig({}))!;
    const doc = readFileSync('docs/OPERATIONS.md', 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z]+)` \|[^|]*\| (\d+) \| (\d+) \| (\d+) \|$/gm)].map((m) => [m[1]?.toLowerCase(), [m[2], m[3], m[4]].map(Number)]);
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(limits.points).map(([cls, p]) => [cls, [p.user, p.tenant, p.address]])));
  });

  it('counts in memory per key, refuses past the limit with the rest of the window, and takes refunds', async () => {
    const store = memoryRateLimitStore({ windowSeconds: 30, points: { ...rateLimitsFrom(loadConfig({}))!.points, send: { user: 2, tenant: 0, address: 5 } } });
    expect(await store.hit('send:user', 'h1/a')).toBeNull();
    expect(await store.hit('send:user', 'h1/a')).toBeNull();
    const wait = await store.hit('send:user', 'h1/a');
    expect(wait).toBeGreaterThan(29_000);
    expect(wait).toBeLessThanOrEqual(30_000);
    expect(await store.hit('send:user', 'h1/b')).toBeNull();
    expect(await store.hit('send:tenant', 'h1')).toBeNull(); // 0: not limited
    await store.refund('send:user', 'h1/b');
    expect(await store.hit('send:user', 'h1/b')).toBeNull();
    expect(await store.hit('send:user', 'h1/b')).toBeNull();
    expect(await store.hit('send:user', 'h1/b')).not.toBeNull();
    expect(store.stats.refused['send:user']).toBe(2);
  });
});

describe('the client address (pure)', () => {
  const none = trustedProxies([]);
  const lb = trustedProxies(['10.0.0.0/8', '2001:db8::/32']);

  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress('203.0.113.9', '198.51.100.1', none)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:203.0.113.9', undefined, none)).toBe('203.0.113.9');
    expect(clientAddress('10.1.1.1', '198.51.100.1', none)).toBe('10.1.1.1');
    expect(clientAddress(undefined, '198.51.100.1', lb)).toBeUndefined();
  });

  it('is the peer when the peer is not a trusted proxy, even if it sends X-Forwarded-For', () => {
    expect(clientAddress('203.0.113.9', '10.0.0.5, 198.51.100.1', lb)).toBe('203.0.113.9');
  });

  it('behind trusted proxies, is the right-most entry that is not one of them', () => {
    expect(clientAddress('10.0.0.2', '198.51.100.7', lb)).toBe('198.51.100.7');
    // The client wrote the left-most entry itself: never believed.
    expect(clientAddress('10.0.0.2', '1.2.3.4, 198.51.100.7', lb)).toBe('198.51.100.7');
    // Two proxies of ours: the second appended the first.
    expect(clientAddress('10.0.0.2', '1.2.3.4, 198.51.100.7, 10.0.0.9', lb)).toBe('198.51.100.7');
    expect(clientAddress('::ffff:10.0.0.2', '198.51.100.7:5123', lb)).toBe('198.51.100.7');
    expect(clientAddress('2001:db8::1', '[2001:DB8:AAAA::9]:443, 2001:db8::2', lb)).toBe('2001:db8:aaaa::9');
  });

  it('stops at an entry that is not an address (the hop to its right is the last one known), and gives the left-most of an all-trusted list', () => {
    expect(clientAddress('10.0.0.2', '198.51.100.7, garbage', lb)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', '198.51.100.7, garbage, 10.0.0.9', lb)).toBe('10.0.0.9');
    expect(clientAddress('10.0.0.2', '10.0.0.3, 10.0.0.4', lb)).toBe('10.0.0.3');
    expect(clientAddress('10.0.0.2', '', lb)).toBe('10.0.0.2');
  });

  it('normalizes what it compares: ports, brackets, zones, case, IPv4 seen through IPv6', () => {
    expect(['1.2.3.4:80', '[::1]:8080', 'FE80::1%eth0', '::ffff:1.2.3.4', ' 1.2.3.4 ', 'nope', '1.2.3', ''].map(normalizeAddress)).toEqual([
      '1.2.3.4', '::1', 'fe80::1', '1.2.3.4', '1.2.3.4', undefined, undefined, undefined,
    ]);
  });
});

const publisher = { roles: ['service'], wards: [] };
const event = { type: 'schedule.published', data: { month: '2026-12' }, to: { tenant: true } };

describe('rate limits on a real service', () => {
  let svc: TestService;
  afterEach(() => svc?.close());

  const publish = (token: string | undefined, headers: Record<string, string> = {}) => postJson(`${svc.url}/api/events`, event, token, headers);

  it('answers 429 rate_limited with the error envelope and the limiter\'s Retry-After, and counts refused requests too', async () => {
    svc = await startService({ WARDBELL_RATE_LIMIT_WINDOW_S: '30', WARDBELL_RATE_LIMIT_PUBLISH_PER_USER: '3' });
    const t = await svc.token({ tenantId: 'h1', userId: 'planner', ...publisher });
    for (let i = 0; i < 3; i++) expect((await publish(t)).status).toBe(202);
    const r = await publish(t);
    expect(r.status).toBe(429);
    expect(r.json.error).toMatchObject({
      code: 'rate_limited',
      details: { class: 'publish', scope: 'user', limit: 3, windowSeconds: 30 },
      requestId: r.headers.get('x-request-id'),
    });
    expect(r.json.error.message).toMatch(/at most 3 per 30 s/);
    // The window's rest, in whole seconds (not the fixed 5 other 429s and 503s say).
    const retry = Number(r.headers.get('retry-after'));
    expect(retry).toBeGreaterThanOrEqual(28);
    expect(retry).toBeLessThanOrEqual(30);
    expect(r.json.error.details.retryAfterSeconds).toBe(retry);
    expect((await publish(t)).status).toBe(429);
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/wardbell_rate_limited_total\{class="publish",scope="user"\} 2\n/);
  });

  it('limits per user, then per tenant, apart; one user\'s flood leaves the tenant\'s limit to the others', async () => {
    svc = await startService({ WARDBELL_RATE_LIMIT_PUBLISH_PER_USER: '3', WARDBELL_RATE_LIMIT_PUBLISH_PER_TENANT: '5' });
    const a = await svc.token({ tenantId: 'h1', userId: 'a', ...publisher });
    const b = await svc.token({ tenantId: 'h1', userId: 'b', ...publisher });
    const statuses = async (t: string, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await publish(t)).status);
      return out;
    };
    // a: 3 admitted, then 10 refused for a; the refused ones do not count for the tenant.
    expect(await statuses(a, 13)).toEqual([...Array(3).fill(202), ...Array(10).fill(429)]);
    const r = await publish(b);
    expect(r.status).toBe(202);
    expect((await publish(b)).status).toBe(202);
    const over = await publish(b);
    expect(over.status).toBe(429);
    expect(over.json.error.details).toMatchObject({ scope: 'tenant', limit: 5 });
  });

  it('one tenant\'s flood does not limit another tenant, from the same address', async () => {
    svc = await startService({ WARDBELL_RATE_LIMIT_PUBLISH_PER_USER: '0', WARDBELL_RATE_LIMIT_PUBLISH_PER_TENANT: '4', WARDBELL_RATE_LIMIT_PUBLISH_PER_ADDRESS: '10' });
    const h1 = await svc.token({ tenantId: 'h1', userId: 'svc', ...publisher });
    const h2 = await svc.token({ tenantId: 'h2', userId: 'svc', ...publisher });
    const seen: number[] = [];
    for (let i = 0; i < 30; i++) seen.push((await publish(h1)).status);
    expect(seen.filter((s) => s === 202)).toHaveLength(4);
    // 30 requests from one address with a limit of 10 there: the 26 refused for their tenant were given back to the address.
    for (let i = 0; i < 4; i++) expect((await publish(h2)).status).toBe(202);
    expect((await publish(h2)).json.error.details).toMatchObject({ scope: 'tenant' });
  });

  it('limits per address before the token is verified: forged tokens are counted, and so is everyone else there', async () => {
    svc = await startService({ WARDBELL_RATE_LIMIT_PUBLISH_PER_ADDRESS: '3' });
    const forged = await signDevToken({ tenantId: 'h1', userId: 'mallory', roles: ['admin'], wards: [] }, new TextEncoder().encode('another-secret-that-is-long-enough-0123'), 600);
    for (let i = 0; i < 3; i++) expect((await publish(forged)).status).toBe(401);
    const r = await publish(forged);
    expect(r.status).toBe(429);
    expect(r.json.error.details).toMatchObject({ scope: 'address', limit: 3 });
    // Without credentials at all, and with a good token, from the same address: refused too.
    expect((await publish(undefined)).status).toBe(429);
    expect((await publish(await svc.token({ tenantId: 'h1', userId: 'ok', ...publisher }))).status).toBe(429);
    // A forged X-Forwarded-For from an untrusted peer changes nothing.
    expect((await publish(forged, { 'x-forwarded-for': '198.51.100.23' })).status).toBe(429);
    // Other classes have their own counts.
    expect((await postJson(`${svc.url}/api/sse/ticket`, {}, await svc.token({ tenantId: 'h1', userId: 'kim' }))).status).toBe(201);
  });

  it('behind a trusted proxy, counts each client by X-Forwarded-For', async () => {
    svc = await startService({ WARDBELL_TRUSTED_PROXIES: '127.0.0.1', WARDBELL_RATE_LIMIT_PUBLISH_PER_ADDRESS: '2' });
    const t = await svc.token({ tenantId: 'h1', userId: 'svc', ...publisher });
    const from = (addr: string) => publish(t, { 'x-forwarded-for': `6.6.6.6, ${addr}` });
    expect([(await from('198.51.100.1')).status, (await from('198.51.100.1')).status, (await from('198.51.100.1')).status]).toEqual([202, 202, 429]);
    expect((await from('198.51.100.2')).status).toBe(202);
    // Varying what the client itself wrote (left of the proxy's entry) does not help.
    expect((await publish(t, { 'x-forwarded-for': '7.7.7.7, 198.51.100.1' })).status).toBe(429);
  });

  it('limits stream opens per user before the stream starts, and counts a ticket\'s stream at its ticket', async () => {
    svc = await startService({ WARDBELL_RATE_LIMIT_STREAM_PER_USER: '2', WARDBELL_RATE_LIMIT_TICKET_PER_USER: '1' });
    const kim = await svc.token({ tenantId: 'h1', userId: 'kim' });
    const open: SseReader[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const s = await SseReader.open(`${svc.url}/api/sse`, { authorization: `Bearer ${kim}` });
        open.push(s);
        expect(s.status).toBe(200);
      }
      const refused = await SseReader.open(`${svc.url}/api/sse`, { authorization: `Bearer ${kim}` });
      open.push(refused);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
      await refused.until((r) => r.ended);
      expect(JSON.parse(refused.body).error).toMatchObject({ code: 'rate_limited', details: { class: 'stream', scope: 'user' } });
      // Another user is not affected.
      const lee = await SseReader.open(`${svc.url}/api/sse`, { authorization: `Bearer ${await svc.token({ tenantId: 'h1', userId: 'lee' })}` });
      open.push(lee);
      expect(lee.status).toBe(200);
      // Tickets: one per user in the window; the stream it opens is not counted again for the user.
      const ticket = await postJson(`${svc.url}/api/sse/ticket`, {}, kim);
      expect(ticket.status).toBe(201);
      expect((await postJson(`${svc.url}/api/sse/ticket`, {}, kim)).status).toBe(429);
      const byTicket = await SseReader.open(`${svc.url}/api/sse?ticket=${ticket.json.ticket as string}`);
      open.push(byTicket);
      expect(byTicket.status).toBe(200);
    } finally {
      for (const s of open) s.close();
    }
  });

  it('admits again when the window has passed', async () => {
    svc = await startService({ WARDBELL_RATE_LIMIT_WINDOW_S: '1', WARDBELL_RATE_LIMIT_PUBLISH_PER_USER: '1' });
    const t = await svc.token({ tenantId: 'h1', userId: 'svc', ...publisher });
    expect((await publish(t)).status).toBe(202);
    const r = await publish(t);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
    await eventually(async () => expect((await publish(t)).status).toBe(202), { timeout: 5000, interval: 100 });
  });

  it('carries the CORS headers on a 429, so a page can read Retry-After', async () => {
    svc = await startService({ WARDBELL_CORS_ORIGINS: 'https://schedule.example.org', WARDBELL_RATE_LIMIT_PUBLISH_PER_ADDRESS: '1' });
    const t = await svc.token({ tenantId: 'h1', userId: 'svc', ...publisher });
    const origin = { origin: 'https://schedule.example.org' };
    expect((await publish(t, origin)).status).toBe(202);
    const r = await publish(t, origin);
    expect(r.status).toBe(429);
    expect(r.headers.get('access-control-allow-origin')).toBe('https://schedule.example.org');
    expect(r.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
  });

  it('limits nothing with WARDBELL_RATE_LIMITS=off', async () => {
    svc = await startService({ WARDBELL_RATE_LIMITS: 'off', WARDBELL_RATE_LIMIT_PUBLISH_PER_USER: '1', WARDBELL_RATE_LIMIT_PUBLISH_PER_ADDRESS: '1' });
    const t = await svc.token({ tenantId: 'h1', userId: 'svc', ...publisher });
    for (let i = 0; i < 5; i++) expect((await publish(t)).status).toBe(202);
    expect(await (await fetch(`${svc.url}/metrics`)).text()).not.toMatch(/wardbell_rate_limited_total/);
  });
});

describe('the table against the API description', () => {
  let svc: TestService;
  let doc: { paths: Record<string, Record<string, { responses: Record<string, { description: string; headers?: Record<string, unknown> }> }>> };
  beforeAll(async () => {
    svc = await startService({ WARDBELL_RATE_LIMIT_SEND_PER_TENANT: '0' });
    doc = (await (await fetch(`${svc.url}/api/openapi.json`)).json()) as typeof doc;
  });
  afterAll(() => svc.close());

  it('lists only operations that exist (the development token exists in development only)', () => {
    const missing = RATE_LIMITED.filter(([m, p]) => p !== '/api/dev/token' && !doc.paths[p]?.[m.toLowerCase()]).map(([m, p]) => `${m} ${p}`);
    expect(missing).toEqual([]);
  });

  it('gives every limited operation a 429 with Retry-After and this deployment\'s limits, and no other operation one', () => {
    const wrong: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const limited = classify(method.toUpperCase(), path) !== null;
        const r429 = op.responses['429'];
        const says = r429 !== undefined && /rate_limited/.test(r429.description) && r429.headers?.['Retry-After'] !== undefined;
        if (limited !== says && !(path === '/api/sse' && !limited)) wrong.push(`${method} ${path}`);
      }
    }
    expect(wrong).toEqual([]);
    const send = doc.paths['/api/notifications']?.post?.responses['429']?.description ?? '';
    expect(send).toMatch(/30,000 per user, 120,000 per address in 60 s/);
    // The stream's own 429 (open connections) is kept beside it.
    expect(doc.paths['/api/sse']?.get?.responses['429']?.description).toMatch(/open connections[\s\S]*rate_limited/);
  });

  it('leaves out, on purpose, only these POSTs (a new one must be classified or listed here)', () => {
    // A browser's subscription, a tenant's backup restore, an administrator's revocation or new API
    // key: none publishes, sends or opens anything.
    const unlimited = ['/api/push/subscribe', '/api/push/restore', '/api/directory/revocations', '/api/admin/api-keys'];
    const posts = Object.entries(doc.paths).filter(([, ops]) => ops.post).map(([p]) => p);
    expect(posts.filter((p) => classify('POST', p) === null && !unlimited.includes(p))).toEqual([]);
    expect(posts.filter((p) => classify('POST', p) !== null).length).toBeGreaterThanOrEqual(RATE_LIMITED.length - 2);
  });
});
