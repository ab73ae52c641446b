import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { createSSEClient } from '../../packages/client/src/sse-client.js';
import type { PingData, ResetData } from '../../packages/client/src/types.js';
import { eventually } from '../helpers/eventually.js';
import { caseChunks, loadSseCases, manualTimers, openStream, record, resources, write, type SseCase } from './helpers.js';

const cases = loadSseCases();
const r = resources();
afterEach(() => r.cleanup());

/**
 * Where this client deliberately differs from EventSource: a 503 is a transient server state for a
 * long-lived app (deploys, overload), so it reconnects with backoff instead of failing for good.
 */
const DEVIATIONS: Record<string, 'reconnect'> = { 'wpt-request-status-error-503': 'reconnect' };

/** Serves the case on the first request and 204 ("stop") on the next, so every run ends closed. */
async function serveCase(c: SseCase) {
  return r.server(async (_req, res, seen) => {
    if (seen.n > 1) return void res.writeHead(204).end();
    const { status, contentType } = c.response ?? { status: 200, contentType: 'text/event-stream' };
    res.writeHead(status, { 'content-type': contentType });
    for (const chunk of caseChunks(c)) {
      await write(res, chunk);
      await new Promise((resolve) => setImmediate(resolve)); // keep the writes apart
    }
    res.end();
  });
}

describe('the client against the 55 WHATWG cases served on loopback', () => {
  for (const c of cases) {
    const connection = DEVIATIONS[c.id] ?? c.expected.connection;
    it(`${c.id}: dispatches the expected events, then ${connection === 'fail' ? 'fails for good' : 'reconnects'}`, async () => {
      const server = await serveCase(c);
      const client = r.client({ url: server.url });
      const rec = record(client);
      client.connect();
      await eventually(() => client.state === 'closed', { timeout: 3000, message: 'closed' });

      expect(rec.events.map(({ type, raw, lastEventId }) => ({ type, data: raw, lastEventId }))).toEqual(
        c.expected.events,
      );
      expect(client.reconnectionTime).toBe(c.expected.reconnectionTime);
      if (connection === 'reconnect') {
        expect(server.requests).toHaveLength(2);
        expect(server.requests[1]?.lastEventId).toBe(c.expected.lastEventIdOnReconnect);
        expect(rec.states.at(-1)?.reason).toBe('no_content');
      } else {
        expect(server.requests).toHaveLength(1);
        if (c.response?.status === 204) expect(client.error).toBeNull();
        else expect(client.error?.retryable).toBe(false);
      }
    });
  }
});

describe('createSSEClient: requests and responses', () => {
  it('stays closed until connect() is called', async () => {
    const server = await r.server((_req, res) => openStream(res));
    const client = r.client({ url: server.url });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(client.state).toBe('closed');
    expect(server.requests).toHaveLength(0);
  });

  it('sends Accept, Cache-Control and extra headers, and no Last-Event-ID while the id is empty', async () => {
    const server = await r.server((_req, res) => openStream(res));
    const client = r.client({ url: server.url, headers: { 'X-Ward': 'icu-3', Accept: 'text/html' } });
    client.connect();
    await eventually(() => client.state === 'open');
    const headers = server.requests[0]?.headers;
    expect(headers?.accept).toBe('text/event-stream');
    expect(headers?.['cache-control']).toBe('no-store');
    expect(headers?.['x-ward']).toBe('icu-3');
    expect(headers?.['last-event-id']).toBeUndefined();
    expect(headers?.authorization).toBeUndefined();
  });

  it('walks closed → connecting → open → reconnecting → connecting → open, with reasons', async () => {
    const server = await r.server(async (_req, res, seen) => {
      openStream(res);
      await write(res, 'retry: 5\n: wardbell\n\n');
      if (seen.n === 1) res.end();
    });
    const client = r.client({ url: server.url });
    const rec = record(client);
    client.connect();
    await eventually(() => server.requests.length === 2 && client.state === 'open');
    expect(rec.states.map((s) => `${s.from}>${s.to}:${s.reason}`)).toEqual([
      'closed>connecting:connect',
      'connecting>open:opened',
      'open>reconnecting:stream_ended',
      'reconnecting>connecting:retry',
      'connecting>open:opened',
    ]);
    expect(client.reconnectCount).toBe(1);
  });

  it('sends the id of the server’s id-only block as Last-Event-ID on the reconnect', async () => {
    const server = await r.server(async (_req, res, seen) => {
      if (seen.n > 1) return void res.writeHead(204).end();
      openStream(res);
      await write(res, 'retry: 3000\n: wardbell\n\n');
      await write(res, 'id: k3x9a0b1c2-000000000042\n\n');
      res.end();
    });
    const client = r.client({ url: server.url });
    client.connect();
    await eventually(() => client.state === 'closed');
    expect(client.lastEventId).toBe('k3x9a0b1c2-000000000042');
    expect(server.requests[1]?.lastEventId).toBe('k3x9a0b1c2-000000000042');
  });

  it('sends the lastEventId option on the first request', async () => {
    const server = await r.server((_req, res) => openStream(res));
    const client = r.client({ url: server.url, lastEventId: 'k3x9a0b1c2-000000000007' });
    client.connect();
    await eventually(() => client.state === 'open');
    expect(server.requests[0]?.lastEventId).toBe('k3x9a0b1c2-000000000007');
  });

  it('asks getToken on every connect and sends the token as a bearer token', async () => {
    const server = await r.server((_req, res, seen) => {
      if (seen.n === 3) return void res.writeHead(204).end();
      openStream(res);
      res.end('data: x\n\n');
    });
    let calls = 0;
    const client = r.client({ url: server.url, getToken: async () => `token-${++calls}` });
    client.connect();
    await eventually(() => client.state === 'closed');
    expect(calls).toBe(3);
    expect(server.requests.map((q) => q.authorization)).toEqual(['Bearer token-1', 'Bearer token-2', 'Bearer token-3']);
  });

  it('sends no Authorization header when getToken returns null', async () => {
    const server = await r.server((_req, res) => void res.writeHead(204).end());
    const client = r.client({ url: server.url, getToken: () => null });
    client.connect();
    await eventually(() => client.state === 'closed');
    expect(server.requests[0]?.authorization).toBeNull();
  });

  it('retries with a token error when getToken throws', async () => {
    const server = await r.server((_req, res) => void res.writeHead(204).end());
    let calls = 0;
    const client = r.client({
      url: server.url,
      getToken: () => {
        if (++calls === 1) throw new Error('refresh failed');
        return 'fresh';
      },
    });
    const rec = record(client);
    client.connect();
    await eventually(() => client.state === 'closed');
    expect(rec.errors[0]?.code).toBe('token');
    expect(server.requests.map((q) => q.authorization)).toEqual(['Bearer fresh']);
  });

  it('stops for good on 204, without an error', async () => {
    const server = await r.server((_req, res) => void res.writeHead(204).end());
    const timers = manualTimers(); // a reconnect would be a pending timer (they never fire by themselves)
    const client = r.client({ url: server.url, ...timers });
    const rec = record(client);
    client.connect();
    await eventually(() => client.state === 'closed');
    expect(timers.pending.size).toBe(0);
    expect(server.requests).toHaveLength(1);
    expect(client.error).toBeNull();
    expect(rec.states.at(-1)).toMatchObject({ from: 'connecting', to: 'closed', reason: 'no_content' });
  });

  it.each([400, 401, 403, 404, 410, 205])('does not reconnect on %i and surfaces the status', async (status) => {
    const server = await r.server((_req, res) => void res.writeHead(status, { 'content-type': 'application/json' }).end('{}'));
    const timers = manualTimers(); // a reconnect would be a pending timer (they never fire by themselves)
    const client = r.client({ url: server.url, ...timers });
    const rec = record(client);
    client.connect();
    await eventually(() => client.state === 'closed');
    expect(timers.pending.size).toBe(0);
    expect(server.requests).toHaveLength(1);
    expect(client.error).toMatchObject({ code: 'http_status', status, retryable: false });
    expect(rec.errors).toHaveLength(1);
  });

  it('does not reconnect when a 200 is not text/event-stream', async () => {
    const server = await r.server((_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'));
    const client = r.client({ url: server.url });
    client.connect();
    await eventually(() => client.state === 'closed');
    expect(client.error?.code).toBe('bad_content_type');
    expect(server.requests).toHaveLength(1);
  });

  it.each([408, 429, 500, 502, 503])('reconnects with backoff on %i', async (status) => {
    const server = await r.server((_req, res, seen) => void res.writeHead(seen.n === 1 ? status : 204).end());
    const client = r.client({ url: server.url });
    const rec = record(client);
    client.connect();
    await eventually(() => client.state === 'closed');
    expect(server.requests).toHaveLength(2);
    expect(rec.states.find((s) => s.to === 'reconnecting')?.error).toMatchObject({ code: 'http_status', status });
    expect(client.error).toBeNull();
  });

  it('reconnects after a network error', async () => {
    const gone = await r.server(() => undefined);
    await gone.close();
    const client = r.client({ url: gone.url, reconnect: { maxAttempts: 2, jitter: 'full' } });
    const rec = record(client);
    client.connect();
    await eventually(() => client.state === 'closed');
    expect(rec.errors.map((e) => e.code)).toEqual(['network', 'network', 'max_attempts']);
    expect(client.error?.cause).toMatchObject({ code: 'network' });
  });

  it('delivers JSON-parsed data to typed handlers, raw strings otherwise, and everything to message', async () => {
    const server = await r.server(async (_req, res) => {
      openStream(res);
      await write(res, 'event: swap.requested\nid: a-1\ndata: {"swapId":"s1"}\n\n');
      await write(res, 'event: notification\ndata: not json\n\n');
      await write(res, 'data: 42\n\n');
    });
    const client = r.client({ url: server.url });
    const swaps: unknown[] = [];
    const notes: unknown[] = [];
    client.on('swap.requested', (data, event) => swaps.push([data, event.id]));
    const off = client.on('notification', (data) => notes.push(data));
    const rec = record(client);
    client.connect();
    await eventually(() => rec.events.length === 3);
    off();
    expect(swaps).toEqual([[{ swapId: 's1' }, 'a-1']]);
    expect(notes).toEqual(['not json']);
    expect(rec.events.map((e) => [e.type, e.data])).toEqual([
      ['swap.requested', { swapId: 's1' }],
      ['notification', 'not json'],
      ['message', 42],
    ]);
  });

  it('types handler data by event type, with a map the application can supply', () => {
    const client = createSSEClient({ url: 'http://127.0.0.1:9/api/sse' });
    client.on('reset', (data) => expectTypeOf(data).toEqualTypeOf<ResetData>());
    client.on('ping', (data) => expectTypeOf(data).toEqualTypeOf<PingData>());
    client.on('anything.else', (data) => expectTypeOf(data).toBeUnknown());
    const typed = createSSEClient<{ 'swap.requested': { swapId: string } }>({ url: 'http://127.0.0.1:9/' });
    typed.on('swap.requested', (data) => expectTypeOf(data.swapId).toBeString());
    expect(client.state).toBe('closed');
    expect(typed.state).toBe('closed');
  });
});
