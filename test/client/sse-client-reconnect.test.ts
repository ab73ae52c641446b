import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { manualTimers, openStream, record, resources, write } from './helpers.js';

const r = resources();
afterEach(async () => {
  vi.unstubAllGlobals();
  await r.cleanup();
});

describe('createSSEClient: backoff', () => {
  it('follows base * 2^attempt with the injected random, capped at 60 s, then gives up after 10 attempts', async () => {
    const server = await r.server((_req, res) => void res.writeHead(503).end());
    const timers = manualTimers();
    const client = r.client({ url: server.url, ...timers, random: () => 0.5, reconnect: {} });
    client.connect();
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) delays.push(await timers.fireNext());
    await eventually(() => client.state === 'closed');
    // Equal jitter with random() = 0.5 gives 3/4 of min(60000, 3000 * 2^n).
    expect(delays).toEqual([2250, 4500, 9000, 18000, 36000, 45000, 45000, 45000, 45000, 45000]);
    expect(server.requests).toHaveLength(11);
    expect(client.error?.code).toBe('max_attempts');
  });

  it('gives up after maxAttempts consecutive failed attempts', async () => {
    const server = await r.server((_req, res) => void res.writeHead(503).end());
    const client = r.client({ url: server.url, reconnect: { maxAttempts: 3, jitter: 'full' } });
    const rec = record(client);
    client.connect();
    await eventually(() => client.state === 'closed');
    expect(server.requests).toHaveLength(4);
    expect(client.attempts).toBe(3);
    expect(client.error).toMatchObject({ code: 'max_attempts', status: 503, retryable: false });
    expect(client.error?.cause).toMatchObject({ code: 'http_status', status: 503 });
    expect(rec.states.at(-1)).toMatchObject({ to: 'closed', reason: 'max_attempts' });
  });

  it('honours retry: from the server as the base delay', async () => {
    const server = await r.server(async (_req, res, seen) => {
      if (seen.n === 2) return void res.writeHead(503).end();
      if (seen.n === 3) return void res.writeHead(204).end();
      openStream(res);
      res.end('retry: 50\n\ndata: x\n\n');
    });
    const timers = manualTimers();
    const client = r.client({ url: server.url, ...timers, reconnect: { jitter: 'none' } });
    client.connect();
    const delays = [await timers.fireNext(), await timers.fireNext()];
    await eventually(() => client.state === 'closed');
    expect(client.reconnectionTime).toBe(50);
    expect(delays).toEqual([50, 100]);
  });

  it('honours Retry-After on 429 and 503 as a floor', async () => {
    const server = await r.server((_req, res, seen) => {
      if (seen.n === 1) return void res.writeHead(429, { 'retry-after': '7' }).end();
      if (seen.n === 2) return void res.writeHead(503, { 'retry-after': '2' }).end();
      res.writeHead(204).end();
    });
    const timers = manualTimers();
    const client = r.client({ url: server.url, ...timers, reconnect: { baseDelayMs: 10, jitter: 'none' } });
    client.connect();
    const delays = [await timers.fireNext(), await timers.fireNext()];
    await eventually(() => client.state === 'closed');
    expect(delays).toEqual([7000, 2000]);
  });

  it('resets the attempt counter only when an opened connection delivers its first bytes', async () => {
    const server = await r.server((_req, res, seen) => {
      if (seen.n === 4) return void res.writeHead(204).end();
      openStream(res);
      res.end(seen.n === 3 ? ': hello\n\n' : undefined); // 1 and 2 open, then drop without a byte
    });
    const timers = manualTimers();
    const client = r.client({ url: server.url, ...timers, reconnect: { baseDelayMs: 10, jitter: 'none' } });
    client.connect();
    const delays = [await timers.fireNext(), await timers.fireNext(), await timers.fireNext()];
    await eventually(() => client.state === 'closed');
    expect(delays).toEqual([10, 20, 10]);
    expect(client.reconnectCount).toBe(3);
  });
});

describe('createSSEClient: resumption', () => {
  it('drops duplicate event ids when the replay overlaps what was already delivered', async () => {
    const frame = (n: number) => `id: e-${n}\nevent: notification\ndata: {"n":${n}}\n\n`;
    const server = await r.server(async (_req, res, seen) => {
      if (seen.n === 3) return void res.writeHead(204).end();
      openStream(res);
      await write(res, 'retry: 5\n\n');
      if (seen.n === 1) return void res.end(frame(1) + frame(2) + frame(3));
      res.end(frame(2) + frame(3) + frame(4)); // replay overlaps: 2 and 3 again
    });
    const client = r.client({ url: server.url });
    const got: unknown[] = [];
    client.on('notification', (data) => got.push(data));
    client.connect();
    await eventually(() => client.state === 'closed');
    expect(server.requests[1]?.lastEventId).toBe('e-3');
    expect(got).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
  });

  it('surfaces reset to its handler as data, without an error, and keeps the stream open', async () => {
    const server = await r.server(async (_req, res) => {
      openStream(res);
      await write(res, 'retry: 3000\n: wardbell\n\n');
      await write(res, 'id: k9-000000000100\nevent: reset\ndata: {"reason":"trimmed","lastEventId":"k9-000000000100"}\n\n');
      await write(res, 'id: k9-000000000101\nevent: schedule.published\ndata: {"scheduleId":"s1"}\n\n');
    });
    const client = r.client({ url: server.url, lastEventId: 'k1-000000000001' });
    const resets: unknown[] = [];
    const published: unknown[] = [];
    client.on('reset', (data) => resets.push(data));
    client.on('schedule.published', (data) => published.push(data));
    const rec = record(client);
    client.connect();
    await eventually(() => published.length === 1);
    expect(resets).toEqual([{ reason: 'trimmed', lastEventId: 'k9-000000000100' }]);
    expect(client.state).toBe('open');
    expect(client.error).toBeNull();
    expect(rec.errors).toEqual([]);
    expect(client.lastEventId).toBe('k9-000000000101');
  });

  it('resumes from the last event ID when connect() is called again after close()', async () => {
    const server = await r.server(async (_req, res) => {
      openStream(res);
      await write(res, 'id: p-1\n\n');
    });
    const client = r.client({ url: server.url });
    client.connect();
    await eventually(() => client.lastEventId === 'p-1');
    client.close();
    client.connect();
    await eventually(() => server.requests.length === 2);
    expect(server.requests[1]?.lastEventId).toBe('p-1');
  });
});

describe('createSSEClient: heartbeat watchdog', () => {
  it('reconnects when no bytes arrive within heartbeatTimeoutMs, aborting the silent request', async () => {
    const server = await r.server(async (_req, res, seen) => {
      if (seen.n > 1) return void res.writeHead(204).end();
      openStream(res);
      await write(res, 'retry: 5\n: wardbell\n\n'); // then silence
    });
    const client = r.client({ url: server.url, heartbeatTimeoutMs: 150 });
    const rec = record(client);
    client.connect();
    await eventually(() => client.state === 'closed');
    await server.requests[0]?.aborted; // resolves only if the client dropped the request
    expect(rec.states.find((s) => s.to === 'reconnecting')?.reason).toBe('heartbeat_timeout');
    expect(server.requests).toHaveLength(2);
  });

  it('keeps a connection whose pings arrive within the timeout', async () => {
    let stream: ServerResponse | undefined;
    const server = await r.server(async (_req, res) => {
      openStream(res);
      stream = res;
    });
    // The watchdog runs on a fake clock: a ping every 100 ms of it, eight times (800 ms > 150 ms).
    const clock = new FakeClock();
    const client = r.client({ url: server.url, heartbeatTimeoutMs: 150, setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h) });
    const pings: unknown[] = [];
    client.on('ping', (data) => pings.push(data));
    client.connect();
    await eventually(() => client.state === 'open' && stream !== undefined);
    for (let i = 0; i < 8; i++) {
      await write(stream!, `event: ping\ndata: {"t":${clock.now()}}\n\n`);
      await eventually(() => pings.length === i + 1);
      clock.advance(100);
    }
    expect(client.state).toBe('open');
    expect(server.requests).toHaveLength(1);
    expect(pings.length).toBeGreaterThanOrEqual(5);
    expect(pings[0]).toEqual({ t: expect.any(Number) });
  });
});

describe('createSSEClient: close()', () => {
  it('aborts the open request and cancels every timer, so nothing else is requested', async () => {
    const server = await r.server(async (_req, res) => {
      openStream(res);
      await write(res, 'retry: 1\n\n');
    });
    const timers = manualTimers();
    const client = r.client({ url: server.url, ...timers, heartbeatTimeoutMs: 75_000 });
    const rec = record(client);
    client.connect();
    await eventually(() => client.state === 'open');
    client.close();
    await server.requests[0]?.aborted;
    // Every wait of the client is one of these timers: with none pending, nothing more is requested.
    expect(timers.pending.size).toBe(0);
    expect(server.requests).toHaveLength(1);
    expect(rec.states.at(-1)).toMatchObject({ from: 'open', to: 'closed', reason: 'client_close' });
    expect(client.error).toBeNull();
  });

  it('cancels a pending reconnect during the backoff wait', async () => {
    const server = await r.server((_req, res) => void res.writeHead(503).end());
    const timers = manualTimers();
    const client = r.client({ url: server.url, ...timers });
    client.connect();
    await eventually(() => client.state === 'reconnecting');
    expect(timers.pending.size).toBe(1);
    client.close();
    expect(timers.pending.size).toBe(0);
    expect(client.state).toBe('closed');
    expect(server.requests).toHaveLength(1);
  });

  it('dispatches nothing more once a handler closes the client mid-chunk', async () => {
    const server = await r.server((_req, res) => {
      openStream(res);
      res.write('data: 1\n\ndata: 2\n\ndata: 3\n\n');
    });
    const client = r.client({ url: server.url });
    const got: unknown[] = [];
    client.on('message', (data) => {
      got.push(data);
      client.close();
    });
    client.connect();
    await eventually(() => client.state === 'closed');
    await server.requests[0]?.aborted; // the client dropped the stream: nothing more can be read
    expect(got).toEqual([1]);
  });

  it('reports a throwing listener and keeps dispatching to the others', async () => {
    const reported: unknown[] = [];
    vi.stubGlobal('reportError', (e: unknown) => reported.push(e));
    const server = await r.server((_req, res) => {
      openStream(res);
      res.write('data: 1\n\ndata: 2\n\n');
    });
    const client = r.client({ url: server.url });
    const got: unknown[] = [];
    client.on('message', () => {
      throw new Error('app bug');
    });
    client.on('message', (data) => got.push(data));
    client.connect();
    await eventually(() => got.length === 2);
    expect(reported).toHaveLength(2);
    expect(client.state).toBe('open');
  });
});
