import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { SseTransport } from '../sse/index.js';

/**
 * The response of an event stream, taken over from node:http once the route has admitted it.
 *
 * The head is written by hand and every frame after it goes straight to the socket: no
 * `ServerResponse` per write, no chunked coding. The body has neither Content-Length nor
 * Transfer-Encoding, so it is delimited by the connection's close (RFC 9112 section 6.3); the
 * response says `Connection: close`, and ending the stream ends the connection. An HTTP/1.0 client
 * reads such a body the same way. Proxies read it to the close as well (see docs/OPERATIONS.md).
 */

/** Headers the stream's head always carries (after those of earlier middleware, such as CORS). */
export const EVENT_STREAM_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['content-type', 'text/event-stream; charset=utf-8'],
  ['cache-control', 'no-store'],
  ['x-accel-buffering', 'no'],
  ['connection', 'close'],
];

/** Header names the stream decides itself: an earlier middleware's value for them is dropped. */
const OWN = new Set(['content-type', 'cache-control', 'x-accel-buffering', 'connection', 'content-length', 'transfer-encoding']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The head's header lines (pure): the given headers in order, minus those the stream sets itself,
 * then the stream's own. A name or value that could split the head is refused.
 */
export function eventStreamHeaders(headers: Iterable<readonly [string, string]>): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (const h of headers) if (!OWN.has(h[0].toLowerCase())) out.push(h);
  out.push(...EVENT_STREAM_HEADERS);
  for (const [name, value] of out) {
    if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) throw new TypeError(`header ${JSON.stringify(name)} cannot be written`);
  }
  return out;
}

/** The bytes of the head (pure): the status line and the header lines. */
export function eventStreamHead(lines: Iterable<readonly [string, string]>): string {
  let head = 'HTTP/1.1 200 OK\r\n';
  for (const [name, value] of lines) head += `${name}: ${value}\r\n`;
  return `${head}\r\n`;
}

/** node:http's own listeners on a connection it serves, by event (Node 18 to 22 name them so). */
const HTTP_LISTENERS: ReadonlyArray<readonly [string, string]> = [
  ['data', 'bound socketOnData'],
  ['end', 'bound socketOnEnd'],
  ['close', 'bound socketOnClose'],
  ['close', 'onServerResponseClose'],
  ['drain', 'bound socketOnDrain'],
  ['error', 'socketOnError'],
  ['timeout', 'socketOnTimeout'],
  ['resume', 'onSocketResume'],
  ['pause', 'onSocketPause'],
];

type FreeParser = (parser: unknown, req: IncomingMessage, socket: Socket) => void;
let freeParser: FreeParser | null | undefined;
const loadFreeParser = (): FreeParser | null => {
  if (freeParser === undefined) {
    try {
      const common = createRequire(import.meta.url)('_http_common') as { freeParser?: unknown };
      freeParser = typeof common.freeParser === 'function' ? (common.freeParser as FreeParser) : null;
    } catch {
      freeParser = null;
    }
  }
  return freeParser;
};

const ignore = () => undefined;

/**
 * Hands a connection from node:http to the stream, as node:http itself does for an upgrade: its
 * listeners come off, its parser goes back to the pool, and the request and response objects are
 * no longer held by the socket. An idle stream then costs the socket and the hub's connection, not
 * node:http's per-request state. Done only when the socket carries exactly node:http's listeners
 * and the request has been read to its end (otherwise, on a Node.js that differs or for a request
 * whose body is still arriving, node:http keeps the socket and the stream still works).
 * After it, the stream reads (and discards) what the client sends, to see it close.
 */
export function detachFromHttp(req: IncomingMessage, res: ServerResponse, socket: Socket): boolean {
  const free = loadFreeParser();
  const parser = (socket as Socket & { parser?: unknown }).parser;
  // Only once node:http has read the whole request: its parser files a connection away as idle
  // when the request completes, and one freed before that would be filed again.
  if (!free || !parser || !req.complete) return false;
  const found: Array<[string, (...args: unknown[]) => void]> = [];
  for (const [event, name] of HTTP_LISTENERS) {
    const l = socket.listeners(event).find((f) => f.name === name) as ((...args: unknown[]) => void) | undefined;
    if (l) found.push([event, l]);
    else if (event !== 'timeout') return false;
  }
  for (const [event, l] of found) socket.removeListener(event, l);
  res.detachSocket(socket);
  free(parser, req, socket);
  socket.on('error', ignore);
  // The client's half-close ends the stream (node:http's sockets allow half-open connections).
  socket.on('end', () => socket.destroy());
  socket.on('data', ignore);
  socket.resume();
  return true;
}

/**
 * Sends the head and returns where the stream's frames go: the socket itself. When node:http has
 * not given this response its socket yet (a request pipelined behind another still being answered),
 * the head and frames go through the response instead, still without chunked coding.
 */
export function takeOverResponse(req: IncomingMessage, res: ServerResponse, headers: ReadonlyArray<readonly [string, string]>): SseTransport {
  const socket: Socket | null = res.socket;
  if (socket && res.writableLength === 0 && !res.headersSent) {
    // The response object stays unused: nothing else is written through it, and the framework's
    // listeners on it (which keep the request's objects alive for the stream's life) are let go.
    res.removeAllListeners('close');
    detachFromHttp(req, res, socket);
    socket.write(eventStreamHead(headers), 'latin1');
    return socket;
  }
  res.useChunkedEncodingByDefault = false;
  res.shouldKeepAlive = false;
  for (const [name, value] of headers) res.setHeader(name, value);
  res.writeHead(200);
  return res;
}
