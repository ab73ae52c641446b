import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, createSSEClient, WardbellApiError, type ApiClientOptions } from '../../packages/client/src/index.js';
import { fillPath, queryString } from '../../packages/client/src/api/index.js';
import { runCli } from '../../packages/wardbell/src/cli/index.js';
import { eventually } from '../helpers/eventually.js';
import { startService, TEST_SECRET, type TestService } from '../helpers/service.js';

/** Timers that fire only when the test says (the client's retry pauses and timeouts). */
class ManualTimers {
  private next = 1;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  };
  clearTimeout = (h: unknown) => void this.pending.delete(h as number);
  /** Fires the timers set for at most `ms` (a retry pause), oldest first. */
  fire(maxMs = Number.POSITIVE_INFINITY): number {
    let n = 0;
    for (const [id, t] of [...this.pending]) {
      if (t.ms > maxMs) continue;
      this.pending.delete(id);
      t.fn();
      n++;
    }
    return n;
  }
}

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fetch that answers from a script, one entry per request, and records what it was sent. */
function scripted(answers: Array<Response | Error | 'hang'>) {
  const seen: Seen[] = [];
  const fetch = (url: string, init: RequestInit) => {
    seen.push({ method: String(init.method), url, headers: { ...(init.headers as Record<string, string>) }, body: init.body as string | undefined });
    const a = answers.shift();
    if (a === undefined) throw new Error('no answer scripted');
    if (a === 'hang') return new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
  };
  return { fetch, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const envelope = (code: string, requestId = 'req-1') => ({ error: { code, message: `failed: ${code}`, requestId } });
const sent = { notification: { id: 'n1' }, recipients: 1, grouped: false, duplicate: false };

describe('the API client (pure parts)', () => {
  it('fills path parameters, encoded, and builds queries', () => {
    expect(fillPath('/api/notifications/{id}/actions/{actionId}', { id: 'a b', actionId: 'x/y' })).toBe('/api/notifications/a%20b/actions/x%2Fy');
    expect(() => fillPath('/api/swaps/{id}', {})).toThrow(/missing path parameter id/);
    expect(queryString({ limit: 5, unread: true, cursor: undefined, tag: ['a', 'b'] })).toBe('?limit=5&unread=true&tag=a&tag=b');
    expect(queryString({})).toBe('');
  });
});

describe('event payloads typed from the API description', () => {
  it('types each handler\'s data by its event type', () => {
    const stream = createSSEClient({ url: 'https://wardbell.test/api/sse' });
    const titles: string[] = [];
    stream.on('notification', (d) => titles.push(d.notification.title, String(d.unreadCount ?? 0)));
    stream.on('emergency.updated', (d) => titles.push(d.call.status));
    // @ts-expect-error a swap event carries a swap, not a call
    stream.on('swap.approved', (d) => titles.push(d.call.id));
    stream.on('inbox.updated', (d) => titles.push(String(d.unreadCount)));
    expect(titles).toEqual([]);
    stream.close();
  });
});

describe('the API client over a scripted fetch', () => {
  it('calls the fetch it was given (or the global one) as a plain function, as a browser\'s fetch requires', async () => {
    // A browser's fetch throws "Illegal invocation" when called as a method of another object.
    function strictFetch(this: unknown): Promise<Response> {
      if (this !== undefined && this !== globalThis) return Promise.reject(new TypeError('Illegal invocation'));
      return Promise.resolve(json(200, { publicKey: 'k' }));
    }
    const given = createApiClient({ baseUrl: 'https://wardbell.test', apiKey: 'wbk_k', fetch: strictFetch as never, retries: 0 });
    expect((await given.push.vapidPublicKey()).publicKey).toBe('k');
    const original = globalThis.fetch;
    globalThis.fetch = strictFetch as typeof fetch;
    try {
      const global = createApiClient({ baseUrl: 'https://wardbell.test', apiKey: 'wbk_k', retries: 0 });
      expect((await global.push.vapidPublicKey()).publicKey).toBe('k');
    } finally {
      globalThis.fetch = original;
    }
  });

  const base = (s: ReturnType<typeof scripted>, timers: ManualTimers, extra: Partial<ApiClientOptions> = {}) =>
    createApiClient({ baseUrl: 'https://wardbell.test/', apiKey: 'wbk_k', fetch: s.fetch, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout, random: () => 0.5, ...extra });

  it('retries a create after a network error and a 503 with the same Idempotency-Key, honouring Retry-After', async () => {
    const timers = new ManualTimers();
    const s = scripted([new TypeError('fetch failed'), json(503, envelope('unavailable'), { 'retry-after': '2' }), json(201, sent)]);
    const api = base(s, timers, { tenant: 'h1' });
    const done = api.notifications.send({ title: 'Bring badges', to: { topic: 'ward:3' } });
    await eventually(() => expect(s.seen.length).toBe(1));
    // The first pause: 250 ms doubled from attempt 0, full jitter at 0.5 -> 125 ms.
    await eventually(() => expect([...timers.pending.values()].some((t) => t.ms === 125)).toBe(true));
    timers.fire(125);
    await eventually(() => expect(s.seen.length).toBe(2));
    // After the 503: Retry-After (2 s) wins over the backoff.
    await eventually(() => expect([...timers.pending.values()].some((t) => t.ms === 2000)).toBe(true));
    timers.fire(2000);
    expect((await done).notification.id).toBe('n1');
    const keys = s.seen.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
    expect(s.seen.every((r) => r.headers.authorization === 'Bearer wbk_k' && r.headers['x-wardbell-tenant'] === 'h1')).toBe(true);
    expect(s.seen[0]?.url).toBe('https://wardbell.test/api/notifications');
  });

  it('sends a POST that is not a create once, and gives up after its retries', async () => {
    const timers = new ManualTimers();
    const once = scripted([new TypeError('fetch failed')]);
    const err = await base(once, timers).notifications.press('n1', 'accept').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WardbellApiError);
    expect(err).toMatchObject({ code: 'network_error', status: 0 });
    expect(once.seen).toHaveLength(1);

    const down = scripted([json(503, envelope('unavailable')), json(503, envelope('unavailable')), json(503, envelope('unavailable', 'req-last'))]);
    const failing = base(down, timers, { retries: 2 }).swaps.get('s1');
    await eventually(() => expect(timers.fire(5000)).toBeGreaterThan(0));
    await eventually(() => expect(timers.fire(5000)).toBeGreaterThan(0));
    await expect(failing).rejects.toMatchObject({ code: 'unavailable', status: 503, requestId: 'req-last' });
    expect(down.seen).toHaveLength(3);
  });

  it('turns every failure into one error with the envelope\'s code, status and request id', async () => {
    const timers = new ManualTimers();
    const s = scripted([json(404, envelope('not_found', 'req-404')), new Response('<html>bad gateway</html>', { status: 502, headers: { 'x-request-id': 'req-502' } })]);
    const api = base(s, timers);
    await expect(api.emergencyCalls.get('c1')).rejects.toMatchObject({ name: 'WardbellApiError', code: 'not_found', status: 404, requestId: 'req-404', message: 'failed: not_found' });
    await expect(api.emergencyCalls.get('c1')).rejects.toMatchObject({ code: 'bad_response', status: 502, requestId: 'req-502' });
  });

  it('times out an attempt that hangs, and stops at once when aborted', async () => {
    const timers = new ManualTimers();
    const s = scripted(['hang']);
    const call = base(s, timers, { retries: 0, timeoutMs: 5000 }).swaps.get('s1');
    await eventually(() => expect([...timers.pending.values()].some((t) => t.ms === 5000)).toBe(true));
    timers.fire(5000);
    await expect(call).rejects.toMatchObject({ code: 'timeout', status: 0 });

    const ctl = new AbortController();
    const s2 = scripted(['hang']);
    const aborted = base(s2, timers).swaps.get('s1', { signal: ctl.signal });
    await eventually(() => expect(s2.seen).toHaveLength(1));
    ctl.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'aborted' });
  });

  it('asks for a fresh token once after a 401', async () => {
    const timers = new ManualTimers();
    const asked: boolean[] = [];
    const s = scripted([json(401, envelope('invalid_token')), json(200, { items: [], unreadCount: 0, nextCursor: null })]);
    const api = createApiClient({ baseUrl: 'https://wardbell.test', getToken: ({ refresh }) => (asked.push(refresh), refresh ? 'new' : 'old'), fetch: s.fetch, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
    await api.notifications.list({ limit: 5 });
    expect(asked).toEqual([false, true]);
    expect(s.seen.map((r) => r.headers.authorization)).toEqual(['Bearer old', 'Bearer new']);
    expect(s.seen[0]?.url).toBe('https://wardbell.test/api/notifications?limit=5');
    expect(() => createApiClient({ baseUrl: 'x', apiKey: 'wbk_k', getToken: () => 't' })).toThrow(/not both/);
  });
});

describe('the API client against the service', () => {
  let svc: TestService;
  let key: string;
  beforeAll(async () => {
    svc = await startService();
    let out = '';
    await runCli(['api-key', 'create', '--platform', '--scope', 'send,directory,workflows', '--json'], { NODE_ENV: 'test', WARDBELL_DATA_DIR: svc.dataDir, WARDBELL_JWT_SECRET: TEST_SECRET }, { out: (t) => (out += t), err: () => undefined });
    key = (JSON.parse(out) as { key: string }).key;
  });
  afterAll(() => svc.close());

  it('adds staff and sends them a notification with a platform key; the nurse finds it with her token', async () => {
    const server = createApiClient({ baseUrl: svc.url, apiKey: key }).forTenant('h1');
    await server.directory.upsert({ members: [{ userId: 'kim', wards: ['3'], roles: ['nurse'] }] });
    const made = await server.notifications.send({ title: 'Bring badges', to: { users: ['kim'] }, priority: 'high' });
    expect(made.notification.title).toBe('Bring badges');
    const nurse = createApiClient({ baseUrl: svc.url, getToken: () => svc.token({ tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] }) });
    const inbox = await nurse.notifications.list({ limit: 10 });
    expect(inbox.items.map((n) => n.id)).toContain(made.notification.id);
    expect(inbox.unreadCount).toBe(1);
    await nurse.notifications.markRead(made.notification.id, { read: true });
    expect((await nurse.notifications.list({ limit: 10 })).unreadCount).toBe(0);
    // Another tenant's client sees nothing of it.
    const other = createApiClient({ baseUrl: svc.url, getToken: () => svc.token({ tenantId: 'h2', userId: 'kim' }) });
    await expect(other.notifications.get(made.notification.id)).rejects.toMatchObject({ code: 'not_found', status: 404, requestId: expect.any(String) });
  });

  it('sends once when an answer is lost and the create is retried', async () => {
    let dropped = false;
    // The first answer is lost after the service acted on the request.
    const losing = async (url: string, init: RequestInit) => {
      const res = await fetch(url, init);
      if (!dropped && init.method === 'POST') {
        dropped = true;
        await res.text();
        throw new TypeError('socket hang up');
      }
      return res;
    };
    const server = createApiClient({ baseUrl: svc.url, apiKey: key, tenant: 'h1', fetch: losing, retryDelayMs: 0 });
    const made = await server.notifications.send({ title: 'Once only', to: { users: ['kim'] } });
    expect(dropped).toBe(true);
    const nurse = createApiClient({ baseUrl: svc.url, getToken: () => svc.token({ tenantId: 'h1', userId: 'kim' }) });
    const mine = (await nurse.notifications.list({ limit: 50 })).items.filter((n) => n.title === 'Once only');
    expect(mine.map((n) => n.id)).toEqual([made.notification.id]);
  });

  it('says which scope a key lacks, as a typed error', async () => {
    const server = createApiClient({ baseUrl: svc.url, apiKey: key, tenant: 'h1' });
    await expect(server.events.publish({ type: 'schedule.updated', data: {}, to: { tenant: true } })).rejects.toMatchObject({ code: 'forbidden', status: 403, details: { scope: 'publish' } });
  });
});
