import { request } from 'node:http';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startService, type TestService } from '../helpers/service.js';
import { eventually } from '../helpers/eventually.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { SseReader } from '../helpers/sse-reader.js';
import { createLocalStreamQuota, type StreamQuota } from '../../packages/wardbell/src/sse/index.js';

let svc: TestService;
let service: string; // token of the scheduling application (role service) of tenant h1
beforeAll(async () => {
  svc = await startService();
  service = await svc.token({ tenantId: 'h1', userId: 'scheduler', roles: ['service'] });
});
afterAll(() => svc.close());

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const publish = (body: unknown, token = service) => postJson(`${svc.url}/api/events`, body, token);

/** Opens a stream with the real `eventsource` client, adding the bearer token to each request. */
function openEventSource(token: string, query = ''): EventSource {
  return new EventSource(`${svc.url}/api/sse${query}`, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${token}` } }),
  });
}

function collect(es: EventSource, types: string[]): Array<{ type: string; data: unknown; id: string }> {
  const got: Array<{ type: string; data: unknown; id: string }> = [];
  for (const t of types) es.addEventListener(t, (e) => got.push({ type: t, data: JSON.parse(e.data), id: e.lastEventId }));
  return got;
}

/**
 * A positive barrier: a marker published after the events under test. A stream is ordered, so once
 * the marker arrived, anything published before it (a duplicate, a leak) would have arrived first.
 */
const MARKER = { marker: 'end' };
/** Whether an event (data parsed, or raw as an SseReader holds it) is the marker. */
const isMarker = (e: { data: unknown }) => (typeof e.data === 'string' ? e.data : JSON.stringify(e.data)) === JSON.stringify(MARKER);

describe('GET /api/sse with the eventsource client', () => {
  it('delivers user, topic and tenant events to the right people and nobody else', async () => {
    const kim = openEventSource(await svc.token({ tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] }));
    const lee = openEventSource(await svc.token({ tenantId: 'h1', userId: 'lee', roles: ['nurse'], wards: ['4'] }));
    const other = openEventSource(await svc.token({ tenantId: 'h2', userId: 'kim', roles: ['nurse'], wards: ['3'] }));
    const types = ['schedule.published', 'schedule.updated', 'swap.requested'];
    const [gk, gl, go] = [collect(kim, types), collect(lee, types), collect(other, types)];
    // A stream is registered before its head is sent: once open, it hears what is published.
    await Promise.all([kim, lee, other].map((es) => new Promise((r) => es.addEventListener('open', r))));

    expect((await publish({ type: 'swap.requested', data: { swapId: 1 }, to: { users: ['kim'] } })).status).toBe(202);
    expect((await publish({ type: 'schedule.updated', data: { ward: 3 }, to: { topic: 'ward:3' } })).status).toBe(202);
    expect((await publish({ type: 'schedule.updated', data: { role: 'nurse' }, to: { topic: 'role:nurse' } })).status).toBe(202);
    expect((await publish({ type: 'schedule.published', data: { month: '2026-12' }, to: { tenant: true } })).status).toBe(202);

    await publish({ type: 'schedule.published', data: MARKER, to: { tenant: true } });
    await publish({ type: 'schedule.published', data: MARKER, to: { tenant: true } }, await svc.token({ tenantId: 'h2', userId: 'x', roles: ['service'] }));
    await eventually(() => [gk, gl, go].every((g) => g.some(isMarker)));
    expect(gk.map((e) => e.data)).toEqual([{ swapId: 1 }, { ward: 3 }, { role: 'nurse' }, { month: '2026-12' }, MARKER]);
    expect(gl.map((e) => e.data)).toEqual([{ role: 'nurse' }, { month: '2026-12' }, MARKER]);
    // Same user id and ward in another hospital: hears nothing of h1 (only its own tenant's marker).
    expect(go.map((e) => e.data)).toEqual([MARKER]);
    for (const es of [kim, lee, other]) es.close();
  });

  it('resumes after a drop with exactly the missed events, none twice', async () => {
    const token = await svc.token({ tenantId: 'h1', userId: 'park', wards: ['7'] });
    const first = await SseReader.open(`${svc.url}/api/sse`, bearer(token));
    await first.until((r) => r.lastEventId !== '');
    await publish({ type: 'schedule.updated', data: { n: 1 }, to: { topic: 'ward:7' } });
    await first.until((r) => r.of('schedule.updated').length === 1);
    const resumeFrom = first.lastEventId;
    first.close();

    for (let n = 2; n <= 5; n++) await publish({ type: 'schedule.updated', data: { n }, to: { topic: 'ward:7' } });
    await publish({ type: 'schedule.updated', data: { n: 'not for park' }, to: { topic: 'ward:8' } });

    const es = new EventSource(`${svc.url}/api/sse`, {
      fetch: (input, init) =>
        fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${token}`, 'last-event-id': resumeFrom } }),
    });
    const got = collect(es, ['schedule.updated', 'reset']);
    await eventually(() => got.length >= 4);
    await publish({ type: 'schedule.updated', data: { n: 6 }, to: { topic: 'ward:7' } });
    await publish({ type: 'schedule.updated', data: MARKER, to: { topic: 'ward:7' } });
    await eventually(() => got.some(isMarker));
    es.close();
    expect(got.map((e) => e.data)).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }, { n: 6 }, MARKER]);
    expect(new Set(got.map((e) => e.id)).size).toBe(6);
  });

  it('accepts the resume position as the lastEventId query parameter', async () => {
    const token = await svc.token({ tenantId: 'h1', userId: 'query-user' });
    const a = await SseReader.open(`${svc.url}/api/sse`, bearer(token));
    await a.until((r) => r.lastEventId !== '');
    const pos = a.lastEventId;
    a.close();
    await publish({ type: 'swap.approved', data: { swapId: 9 }, to: { users: ['query-user'] } });
    const b = await SseReader.open(`${svc.url}/api/sse?lastEventId=${encodeURIComponent(pos)}`, bearer(token));
    await b.until((r) => r.of('swap.approved').length === 1);
    expect(JSON.parse(b.of('swap.approved')[0]!.data)).toEqual({ swapId: 9 });
    b.close();
  });
});

describe('stream protocol', () => {
  it('answers text/event-stream, no-store, and sends retry and a position first', async () => {
    const r = await SseReader.open(`${svc.url}/api/sse`, bearer(await svc.token({ tenantId: 'h1', userId: 'u-proto' })));
    await r.until((x) => x.lastEventId !== '');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body.startsWith(': wardbell\nretry: 3000\n\n')).toBe(true);
    expect(r.lastEventId).toMatch(/^[a-z0-9]+-\d{12}$/);
    r.close();
  });

  it.each([
    ['forged', 'zzzzzzzzzz-000000000001', 'epoch-mismatch'],
    ['garbage', '../../etc/passwd', 'unknown-id'],
    ['from the future', null, 'future-offset'],
  ])('sends an explicit reset for a %s Last-Event-ID', async (_name, raw, reason) => {
    const token = await svc.token({ tenantId: 'h1', userId: 'u-reset' });
    let lastEventId = raw;
    if (lastEventId === null) {
      const probe = await SseReader.open(`${svc.url}/api/sse`, bearer(token));
      await probe.until((x) => x.lastEventId !== '');
      probe.close();
      lastEventId = probe.lastEventId.replace(/\d+$/, (d) => String(Number(d) + 1000).padStart(12, '0'));
    }
    const r = await SseReader.open(`${svc.url}/api/sse`, { ...bearer(token), 'last-event-id': lastEventId });
    await r.until((x) => x.of('reset').length === 1);
    const reset = r.of('reset')[0]!;
    expect(JSON.parse(reset.data)).toMatchObject({ reason });
    // The reset carries the current position, so the next reconnect continues from here.
    expect(reset.id).toMatch(/^[a-z0-9]+-\d{12}$/);
    r.close();
  });

  it('answers a non-ASCII Last-Event-ID with a reset, not an error', async () => {
    const { connect } = await import('node:net');
    const token = await svc.token({ tenantId: 'h1', userId: 'u-bytes' });
    const port = Number(new URL(svc.url).port);
    const sock = connect({ port, host: '127.0.0.1' });
    let text = '';
    sock.on('data', (d: Buffer) => (text += d.toString('latin1')));
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(Buffer.concat([
      Buffer.from(`GET /api/sse HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nLast-Event-ID: `),
      Buffer.from('caf\u00e9-000000000001', 'utf8'),
      Buffer.from('\r\n\r\n'),
    ]));
    await eventually(() => text.includes('event: reset'));
    sock.destroy();
    expect(text).toMatch(/^HTTP\/1.1 200/);
    expect(text).toContain('"reason":"unknown-id"');
  });

  it('resets a Last-Event-ID taken from another tenant instead of replaying its events', async () => {
    const h2 = await svc.token({ tenantId: 'h2', userId: 'x', roles: ['service'] });
    const pub = await publish({ type: 'schedule.updated', data: { secret: 'h2 only' }, to: { tenant: true } }, h2);
    const theirs = pub.json.id as string;
    const before = theirs.replace(/\d+$/, '000000000000');
    const r = await SseReader.open(`${svc.url}/api/sse`, { ...bearer(await svc.token({ tenantId: 'h1', userId: 'spy' })), 'last-event-id': before });
    await r.until((x) => x.of('reset').length === 1);
    await publish({ type: 'schedule.updated', data: MARKER, to: { users: ['spy'] } });
    await r.until((x) => x.of('schedule.updated').some(isMarker));
    expect(r.body).not.toContain('h2 only');
    r.close();
  });

  it('sends a heartbeat on the configured interval', async () => {
    const clock = new FakeClock();
    const fast = await startService({ WARDBELL_HEARTBEAT_MS: '150' }, { clock });
    try {
      const r = await SseReader.open(`${fast.url}/api/sse`, bearer(await fast.token({ tenantId: 'h1', userId: 'hb' })));
      await r.until((x) => x.lastEventId !== '');
      clock.advance(150);
      await r.until((x) => x.of('ping').length === 1);
      clock.advance(150);
      await r.until((x) => x.of('ping').length >= 2);
      expect(JSON.parse(r.of('ping')[0]!.data)).toEqual({ t: clock.now() - 150 });
      r.close();
    } finally {
      await fast.close();
    }
  });
});

describe('who may connect and to what', () => {
  it.each([
    ['no credentials', {}, 401, 'unauthenticated'],
    ['a malformed header', { authorization: 'Token abc' }, 401, 'invalid_token'],
    ['a forged token', { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' }, 401, 'invalid_token'],
    ['spoofed identity headers', { 'x-tenant-id': 'h1', 'x-user-id': 'kim' }, 401, 'unauthenticated'],
  ])('refuses %s with the error envelope', async (_n, headers, status, code) => {
    const res = await fetch(`${svc.url}/api/sse`, { headers });
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
  });

  it('refuses an expired token', async () => {
    const t = await svc.token({ tenantId: 'h1', userId: 'old' }, -120);
    const res = await fetch(`${svc.url}/api/sse`, { headers: bearer(t) });
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toMatch(/expired/);
  });

  it('refuses topics the identity is not granted with 403', async () => {
    const t = await svc.token({ tenantId: 'h1', userId: 'kim', wards: ['3'], roles: ['nurse'] });
    const res = await fetch(`${svc.url}/api/sse?topics=ward:3,ward:4`, { headers: bearer(t) });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'forbidden_topic', details: { forbidden: ['ward:4'] } } });
    const other = await fetch(`${svc.url}/api/sse?topics=user:lee`, { headers: bearer(t) });
    expect(other.status).toBe(403);
  });

  it('narrows a stream to the asked topics', async () => {
    const t = await svc.token({ tenantId: 'h1', userId: 'narrow', wards: ['31', '32'] });
    const r = await SseReader.open(`${svc.url}/api/sse?topics=ward:31`, bearer(t));
    await r.until((x) => x.lastEventId !== '');
    await publish({ type: 'schedule.updated', data: { w: 32 }, to: { topic: 'ward:32' } });
    await publish({ type: 'schedule.updated', data: { w: 31 }, to: { topic: 'ward:31' } });
    await publish({ type: 'schedule.updated', data: MARKER, to: { topic: 'ward:31' } });
    await r.until((x) => x.of('schedule.updated').some(isMarker));
    expect(r.of('schedule.updated').map((e) => JSON.parse(e.data))).toEqual([{ w: 31 }, MARKER]);
    r.close();
  });

  it('gives the slot back when the client leaves while its slot is being sought', async () => {
    const local = createLocalStreamQuota(1);
    let answer: () => void = () => {};
    let asked = 0;
    // A quota whose answer waits (as Redis may) until the test lets it go.
    const slow: StreamQuota = {
      limit: 1,
      stats: local.stats,
      async acquire(t, u) {
        asked++;
        await new Promise<void>((r) => (answer = r));
        return local.acquire(t, u);
      },
      close: () => local.close(),
    };
    const s = await startService({}, { streamQuota: slow });
    try {
      const t = await s.token({ tenantId: 'h1', userId: 'gone' });
      const leaving = request(`${s.url}/api/sse`, { headers: bearer(t) });
      leaving.on('error', () => {});
      leaving.end();
      await eventually(() => asked === 1);
      leaving.destroy();
      // The service saw the client leave (its only connection closed) while the slot was sought.
      const connections = () => new Promise<number>((res, rej) => s.wardbell.server.getConnections((err, n) => (err ? rej(err) : res(n))));
      await eventually(async () => (await connections()) === 0);
      answer();
      // The slot that was found for it is given back.
      await eventually(async () => {
        const probe = await local.acquire('h1', 'gone');
        probe?.();
        return probe !== null;
      });
      // Had the slot stayed taken, the limit of 1 would refuse this one.
      const next = SseReader.open(`${s.url}/api/sse`, bearer(t));
      await eventually(() => asked === 2);
      answer();
      const r = await next;
      await r.until((x) => x.lastEventId !== '');
      r.close();
    } finally {
      await s.close();
    }
  });

  it('limits open streams per user', async () => {
    const limited = await startService({ WARDBELL_MAX_CONNECTIONS_PER_USER: '2' });
    try {
      const t = await limited.token({ tenantId: 'h1', userId: 'storm' });
      const open = [await SseReader.open(`${limited.url}/api/sse`, bearer(t)), await SseReader.open(`${limited.url}/api/sse`, bearer(t))];
      const third = await fetch(`${limited.url}/api/sse`, { headers: bearer(t) });
      expect(third.status).toBe(429);
      expect(await third.json()).toMatchObject({ error: { code: 'too_many_connections' } });
      expect(await (await fetch(`${limited.url}/metrics`)).text()).toMatch(/^wardbell_sse_streams_refused_total 1$/m);
      // A closed stream gives its slot back.
      open[0]!.close();
      const again = await eventually(async () => {
        const res = await fetch(`${limited.url}/api/sse`, { headers: bearer(t) });
        if (res.status !== 200) await res.body?.cancel();
        return res.status === 200 ? res : null;
      });
      expect(again.status).toBe(200);
      await again.body?.cancel();
      for (const r of open) r.close();
    } finally {
      await limited.close();
    }
  });
});

describe('POST /api/sse/ticket', () => {
  it('lets a header-less EventSource connect once with a ticket', async () => {
    const t = await svc.token({ tenantId: 'h1', userId: 'browser', wards: ['3'] });
    const issued = await postJson(`${svc.url}/api/sse/ticket`, '', t);
    expect(issued.status).toBe(201);
    const ticket = issued.json.ticket as string;
    const es = new EventSource(`${svc.url}/api/sse?ticket=${ticket}`);
    const got = collect(es, ['schedule.updated']);
    await new Promise((r) => es.addEventListener('open', r));
    await publish({ type: 'schedule.updated', data: { via: 'ticket' }, to: { users: ['browser'] } });
    await eventually(() => got.length === 1);
    es.close();
    const again = await fetch(`${svc.url}/api/sse?ticket=${ticket}`);
    expect(again.status).toBe(401);
    expect((await again.json()).error.message).toMatch(/already used|unknown|expired/);
  });

  it('refuses a made-up ticket', async () => {
    const res = await fetch(`${svc.url}/api/sse?ticket=${'A'.repeat(43)}`);
    expect(res.status).toBe(401);
  });
});

describe('POST /api/events', () => {
  it.each([
    ['malformed JSON', '{"type":', 400, 'invalid_json'],
    ['an unknown type', { type: 'schedule.deleted', to: { tenant: true } }, 400, 'validation_failed'],
    ['the protocol type ping', { type: 'ping', to: { tenant: true } }, 400, 'validation_failed'],
    ['no audience', { type: 'schedule.updated' }, 400, 'validation_failed'],
    ['a malformed topic', { type: 'schedule.updated', to: { topic: 'everyone' } }, 400, 'validation_failed'],
    ['an audience naming a tenant', { type: 'schedule.updated', to: { tenant: 'h2' } }, 400, 'validation_failed'],
    ['extra fields', { type: 'schedule.updated', to: { tenant: true }, tenantId: 'h2' }, 400, 'validation_failed'],
    ['users of the wrong type', { type: 'schedule.updated', to: { users: [1, 2] } }, 400, 'validation_failed'],
  ])('refuses %s', async (_n, body, status, code) => {
    const r = await publish(body);
    expect(r.status).toBe(status);
    expect(r.json).toMatchObject({ error: { code } });
  });

  it('refuses a body over the limit with 413', async () => {
    const r = await publish({ type: 'schedule.updated', data: { blob: 'x'.repeat(200_000) }, to: { tenant: true } });
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('refuses a body that is not JSON with 415', async () => {
    const r = await postJson(`${svc.url}/api/events`, 'type=x', service, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(415);
  });

  it('refuses callers without role service or admin', async () => {
    const nurse = await svc.token({ tenantId: 'h1', userId: 'kim', roles: ['nurse'] });
    const r = await publish({ type: 'schedule.updated', to: { tenant: true } }, nurse);
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('publishes only into the caller\'s own tenant', async () => {
    const h2listener = await SseReader.open(`${svc.url}/api/sse`, bearer(await svc.token({ tenantId: 'h2', userId: 'kim' })));
    await h2listener.until((x) => x.lastEventId !== '');
    await publish({ type: 'schedule.updated', data: { only: 'h1' }, to: { users: ['kim'] } });
    await publish({ type: 'schedule.updated', data: { only: 'h1' }, to: { tenant: true } });
    await publish({ type: 'schedule.updated', data: MARKER, to: { users: ['kim'] } }, await svc.token({ tenantId: 'h2', userId: 'x', roles: ['service'] }));
    await h2listener.until((x) => x.of('schedule.updated').length > 0);
    expect(h2listener.of('schedule.updated').map((e) => JSON.parse(e.data))).toEqual([MARKER]);
    h2listener.close();
  });
});
