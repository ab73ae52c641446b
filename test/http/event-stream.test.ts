import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { EVENT_STREAM_HEADERS, detachFromHttp, eventStreamHead, eventStreamHeaders } from '../../packages/wardbell/src/http/event-stream.js';
import { eventually } from '../helpers/eventually.js';
import { postJson, startService, type TestService } from '../helpers/service.js';

describe('the head of an event stream (pure)', () => {
  it('keeps earlier headers in order, drops those the stream sets itself, then adds its own', () => {
    const lines = eventStreamHeaders([
      ['access-control-allow-origin', 'https://app.example'],
      ['Content-Type', 'application/json'],
      ['transfer-encoding', 'chunked'],
      ['content-length', '12'],
      ['vary', 'Origin'],
      ['connection', 'keep-alive'],
    ]);
    expect(lines).toEqual([['access-control-allow-origin', 'https://app.example'], ['vary', 'Origin'], ...EVENT_STREAM_HEADERS]);
    const head = eventStreamHead(lines);
    expect(head.startsWith('HTTP/1.1 200 OK\r\naccess-control-allow-origin: https://app.example\r\nvary: Origin\r\n')).toBe(true);
    expect(head.endsWith('connection: close\r\n\r\n')).toBe(true);
    // Close-delimited: neither framing header is ever written.
    expect(head.toLowerCase()).not.toMatch(/transfer-encoding|content-length/);
  });

  it('refuses a name or value that could split the head', () => {
    expect(() => eventStreamHeaders([['x-a', 'ok\r\nset-cookie: a=b']])).toThrow(TypeError);
    expect(() => eventStreamHeaders([['x-a', 'ok\nx: y']])).toThrow(TypeError);
    expect(() => eventStreamHeaders([['bad name', 'v']])).toThrow(TypeError);
    expect(() => eventStreamHeaders([['x-a:', 'v']])).toThrow(TypeError);
  });
});

/** A raw client: whatever bytes the server writes, unparsed, and whether the server closed. */
class RawClient {
  text = '';
  ended = false;
  constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (this.text += d));
    socket.on('end', () => (this.ended = true));
    socket.on('error', () => (this.ended = true));
  }
  static async open(url: string, request: (host: string) => string): Promise<RawClient> {
    const u = new URL(url);
    const socket = connect(Number(u.port), u.hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(request(u.host));
    return new RawClient(socket);
  }
  get head() {
    return this.text.slice(0, this.text.indexOf('\r\n\r\n') + 4);
  }
  get body() {
    return this.text.slice(this.head.length);
  }
}

describe('a connection handed from node:http to the stream', () => {
  let server: Server;
  let url: string;
  const handled: Array<{ req: IncomingMessage; res: ServerResponse; detached?: boolean }> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const h: (typeof handled)[number] = { req, res };
      handled.push(h);
      // As the route does: after the handler's first await, once the request has been read.
      setImmediate(() => {
        h.detached = detachFromHttp(req, res, res.socket as Socket);
        if (h.detached) req.socket.write('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nhello\n');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const connections = () => new Promise<number>((r, j) => server.getConnections((e, n) => (e ? j(e) : r(n))));

  it('lets node:http forget it: no parser, no response held, invisible to closing idle connections', async () => {
    const c = await RawClient.open(url, (h) => `GET /s HTTP/1.1\r\nHost: ${h}\r\n\r\n`);
    await eventually(() => expect(c.body).toBe('hello\n'));
    const h = handled.at(-1);
    expect(h?.detached).toBe(true);
    const socket = h?.req.socket as Socket & { parser?: unknown; _httpMessage?: unknown };
    expect(socket.parser).toBeNull();
    expect(socket._httpMessage).toBeNull();
    // node:http no longer lists it: closing idle connections neither throws nor closes the stream.
    server.closeIdleConnections();
    // What the client sends now (a pipelined request) is read and dropped, never answered.
    c.socket.write('GET /other HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.write('still here\n');
    await eventually(() => expect(c.body).toBe('hello\nstill here\n'));
    expect(c.ended).toBe(false);
    expect(handled.at(-1)).toBe(h);
    c.socket.destroy();
  });

  it('closes when the client half-closes, and survives a reset', async () => {
    const before = await connections();
    const a = await RawClient.open(url, (h) => `GET /a HTTP/1.1\r\nHost: ${h}\r\n\r\n`);
    const b = await RawClient.open(url, (h) => `GET /b HTTP/1.1\r\nHost: ${h}\r\n\r\n`);
    await eventually(() => expect(a.body + b.body).toBe('hello\nhello\n'));
    a.socket.end();
    await eventually(() => expect(a.ended).toBe(true));
    b.socket.resetAndDestroy();
    await eventually(async () => expect(await connections()).toBe(before));
  });

  it('is left to node:http while the request body is still arriving', async () => {
    const c = await RawClient.open(url, (h) => `POST /p HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 10\r\n\r\nabc`);
    await eventually(() => expect(handled.at(-1)?.detached).toBe(false));
    const h = handled.at(-1) as (typeof handled)[number];
    h.res.end('done');
    c.socket.write('defghij');
    await eventually(() => expect(c.body).toBe('done'));
    c.socket.destroy();
  });
});

describe('GET /api/sse written straight to the socket', () => {
  let svc: TestService;
  let service: string;
  let nurse: string;
  beforeAll(async () => {
    svc = await startService({ WARDBELL_CORS_ORIGINS: 'https://app.example', WARDBELL_MAX_CONNECTIONS_PER_USER: '2' });
    service = await svc.token({ tenantId: 'h1', userId: 'scheduler', roles: ['service'] });
    nurse = await svc.token({ tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] });
  });
  afterAll(() => svc.close());

  const get = (version: '1.0' | '1.1', token: string, extra = '') => (host: string) =>
    `GET /api/sse HTTP/${version}\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n${extra}\r\n`;

  for (const version of ['1.1', '1.0'] as const) {
    it(`answers HTTP/${version} with a close-delimited body of plain frames, CORS and request id in the head`, async () => {
      const c = await RawClient.open(svc.url, get(version, nurse, 'Origin: https://app.example\r\n'));
      await eventually(() => expect(c.body).toMatch(/\nid: [^\n]+\n\n$/));
      const head = c.head.toLowerCase();
      expect(head.startsWith('http/1.1 200 ok\r\n')).toBe(true);
      expect(head).toContain('content-type: text/event-stream; charset=utf-8\r\n');
      expect(head).toContain('connection: close\r\n');
      expect(head).toContain('x-accel-buffering: no\r\n');
      expect(head).toContain('access-control-allow-origin: https://app.example\r\n');
      expect(head).toMatch(/x-request-id: [0-9a-f-]{36}\r\n/);
      expect(head).not.toMatch(/transfer-encoding|content-length/);
      expect(c.body.startsWith(': wardbell\nretry: 3000\n\n')).toBe(true);

      const sent = await postJson(`${svc.url}/api/events`, { type: 'schedule.updated', data: { v: version }, to: { tenant: true } }, service);
      expect(sent.status).toBe(202);
      // The frame arrives as it was encoded: no chunk-size lines around it.
      await eventually(() => expect(c.body).toMatch(new RegExp(`\\nid: [^\\n]+\\nevent: schedule\\.updated\\ndata: \\{"v":"${version.replace('.', '\\.')}"\\}\\n\\n$`)));
      c.socket.destroy();
    });
  }

  it('gives the quota slot back when the client goes, and the next stream is admitted', async () => {
    const token = await svc.token({ tenantId: 'h1', userId: 'lee' });
    const a = await RawClient.open(svc.url, get('1.1', token));
    const b = await RawClient.open(svc.url, get('1.1', token));
    await eventually(() => expect(a.body + b.body).toMatch(/(id: [^\n]+\n\n)[\s\S]*id: /));
    const refused = await RawClient.open(svc.url, get('1.1', token));
    await eventually(() => expect(refused.head).toMatch(/^HTTP\/1\.1 429 /));
    a.socket.destroy();
    await eventually(() => expect(svc.wardbell.hub.countForUser('h1', 'lee')).toBe(1));
    const c = await RawClient.open(svc.url, get('1.1', token));
    await eventually(() => expect(c.head).toMatch(/^HTTP\/1\.1 200 /));
    b.socket.destroy();
    c.socket.destroy();
    refused.socket.destroy();
  });

  it('ends every stream on shutdown with a retry hint, by closing the connection', async () => {
    const own = await startService();
    const token = await own.token({ tenantId: 'h1', userId: 'park' });
    const c = await RawClient.open(own.url, get('1.1', token));
    await eventually(() => expect(c.body).toMatch(/\nid: [^\n]+\n\n$/));
    await own.close();
    await eventually(() => expect(c.ended).toBe(true));
    expect(c.body).toMatch(/retry: \d+\n\n$/);
  });
});
