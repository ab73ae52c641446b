/** Test helpers: a real loopback server, a manual clock, the SSE parsing vectors. */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SSEClientError } from '../../packages/client/src/errors.js';
import { eventually } from '../helpers/eventually.js';
import { createSSEClient } from '../../packages/client/src/sse-client.js';
import type { SSEClient, SSEClientOptions, StateChange } from '../../packages/client/src/types.js';

export interface SseCase {
  id: string;
  covers: string[];
  response?: { status: number; contentType: string };
  chunks: { b64: string; text: string | null }[];
  expected: {
    connection: 'reconnect' | 'fail';
    events: { type: string; data: string; lastEventId: string }[];
    reconnectionTime: number | null;
    lastEventIdOnReconnect: string | null;
  };
}

/** The 55 WHATWG parsing cases (test/fixtures/vectors/sse-cases.json). */
export function loadSseCases(): SseCase[] {
  const file = new URL('../fixtures/vectors/sse-cases.json', import.meta.url);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { cases: SseCase[] }).cases;
}

export function caseChunks(c: SseCase): Uint8Array[] {
  return c.chunks.map((ch) => new Uint8Array(Buffer.from(ch.b64, 'base64')));
}

/** One request as the server saw it. */
export interface SeenRequest {
  n: number;
  headers: http.IncomingHttpHeaders;
  /** `Last-Event-ID` re-decoded as UTF-8 (Node hands header values over latin1-decoded). */
  lastEventId: string | null;
  authorization: string | null;
  /** Resolves when the client went away before the response ended (aborted). */
  aborted: Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, seen: SeenRequest) => void | Promise<void>;

export interface TestServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1, port 0. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const raw = req.headers['last-event-id'];
    const header = typeof raw === 'string' ? Buffer.from(raw, 'latin1').toString('utf8') : null;
    const aborted = new Promise<void>((resolve) => {
      res.on('close', () => {
        if (!res.writableFinished) resolve();
      });
    });
    const seen: SeenRequest = {
      n: requests.length + 1,
      headers: req.headers,
      lastEventId: header,
      authorization: req.headers.authorization ?? null,
      aborted,
    };
    requests.push(seen);
    void Promise.resolve(handler(req, res, seen)).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/sse`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Starts a 200 text/event-stream response. */
export function openStream(res: http.ServerResponse, contentType = 'text/event-stream'): void {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.flushHeaders();
}

export function write(res: http.ServerResponse, chunk: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => res.write(chunk, (err) => (err ? reject(err) : resolve())));
}

/**
 * A manual clock for the client's injected timers only (the HTTP stack keeps real time).
 * Timers never fire by themselves; a test fires them and reads the delays that were asked for.
 */
export function manualTimers() {
  let nextId = 1;
  const pending = new Map<number, { fn: () => void; ms: number }>();
  const scheduled: number[] = [];
  return {
    scheduled,
    pending,
    setTimeout(fn: () => void, ms: number): unknown {
      const id = nextId++;
      pending.set(id, { fn, ms });
      scheduled.push(ms);
      return id;
    },
    clearTimeout(handle: unknown): void {
      pending.delete(handle as number);
    },
    /** Waits (real time) until a timer is pending, then fires the oldest one; returns its delay. */
    async fireNext(timeoutMs = 3000): Promise<number> {
      await eventually(() => pending.size > 0, { timeout: timeoutMs, message: 'a pending timer' });
      const [id, timer] = pending.entries().next().value as [number, { fn: () => void; ms: number }];
      pending.delete(id);
      timer.fn();
      return timer.ms;
    },
  };
}

/** A seeded PRNG (mulberry32) so random chunk splits are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits bytes at random positions (empty pieces included, as real reads can be). */
export function randomSplit(bytes: Uint8Array, random: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    const size = Math.floor(random() * Math.min(24, bytes.length - i + 1));
    out.push(bytes.subarray(i, i + size));
    i += size;
  }
  return out;
}

export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Everything a client reported, for assertions. */
export interface Recording {
  states: StateChange[];
  events: { type: string; data: unknown; raw: string; lastEventId: string }[];
  errors: SSEClientError[];
}

export function record(client: SSEClient): Recording {
  const rec: Recording = { states: [], events: [], errors: [] };
  client.on('state', (s) => rec.states.push(s));
  client.on('error', (e) => rec.errors.push(e));
  client.on('message', (data, e) => rec.events.push({ type: e.type, data, raw: e.data, lastEventId: e.lastEventId }));
  return rec;
}

/** Closes the clients and servers a test made, even when it failed. */
export function resources() {
  const clients: SSEClient[] = [];
  const servers: TestServer[] = [];
  return {
    client(options: SSEClientOptions): SSEClient {
      // Test defaults: no watchdog, and zero-delay reconnects (full jitter with random() = 0).
      const c = createSSEClient({ heartbeatTimeoutMs: null, random: () => 0, reconnect: { jitter: 'full' }, ...options });
      clients.push(c);
      return c;
    },
    async server(handler: Handler): Promise<TestServer> {
      const s = await startServer(handler);
      servers.push(s);
      return s;
    },
    async cleanup(): Promise<void> {
      for (const c of clients.splice(0)) c.close();
      await Promise.all(servers.splice(0).map((s) => s.close()));
    },
  };
}
