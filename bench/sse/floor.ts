/**
 * What the two floors (bare-target.ts, raw-target.ts) share: event ids of wardbell's shape, the
 * stream preamble, the frame of an event, and a minimal `POST /api/events` handler (read the body,
 * JSON.parse it, fan the frame out, answer 202 as wardbell does). No auth check beyond the header's
 * presence, no validation beyond what building the frame needs, no log.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Target } from './target.js';

/** Ids like wardbell's (`<10 chars>-<12 digits>`), so frames have the same size on every server. */
export function floorIds(epoch: string) {
  if (epoch.length !== 10) throw new Error('epoch: 10 characters');
  return (n: number) => `${epoch}-${String(n).padStart(12, '0')}`;
}

/** Comment and retry block, then an id-only block: the two blocks the load generator waits for. */
export const floorPreamble = (name: string, firstId: string) => Buffer.from(`: ${name}\nretry: 3000\n\nid: ${firstId}\n\n`);

/** One event's frame, encoded once: `dataJson` is the JSON text of its data (one line). */
export const floorFrame = (id: string, type: string, dataJson: string) => Buffer.from(`id: ${id}\nevent: ${type}\ndata: ${dataJson}\n\n`);

const EVENT_TYPE = /^[a-z][a-z0-9_.-]{0,63}$/;
const MAX_BODY = 64 * 1024;

const answer = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
};

/**
 * `POST /api/events` with wardbell's body (`{"type":..,"to":{"tenant":true},"data":..}`): the
 * event is fanned out by `fanOut` (which returns its id) exactly as the in-process publish does.
 */
export function handleFloorPublish(req: IncomingMessage, res: ServerResponse, fanOut: (type: string, dataJson: string) => string): void {
  if (!req.headers.authorization?.startsWith('Bearer ')) {
    answer(res, 401, { error: 'unauthorised' });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= MAX_BODY) chunks.push(c);
  });
  req.on('end', () => {
    let body: { type?: unknown; data?: unknown };
    try {
      if (size > MAX_BODY) throw new Error('too large');
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type?: unknown; data?: unknown };
    } catch {
      answer(res, 400, { error: 'validation_failed' });
      return;
    }
    if (typeof body !== 'object' || body === null || typeof body.type !== 'string' || !EVENT_TYPE.test(body.type)) {
      answer(res, 400, { error: 'validation_failed' });
      return;
    }
    answer(res, 202, { id: fanOut(body.type, JSON.stringify(body.data ?? null)) });
  });
}

/** What makes one floor differ from the other: how a stream is answered, and how frames reach it. */
export interface FloorStreams {
  /** Answers an admitted `GET /api/sse` (head and preamble) and starts counting it. */
  open(req: IncomingMessage, res: ServerResponse): void;
  /** Encodes one event once and writes it to every stream; returns its id. Each floor keeps its own loop. */
  fanOut(type: string, dataJson: string): string;
  /** Open streams. */
  count(): number;
  /** Deliveries written so far. */
  written(): number;
  /** Closes what `closeAllConnections` does not (sockets taken over from node:http). */
  closeStreams?(): void;
}

/**
 * The floors' shared server: `POST /api/events` (handleFloorPublish), `GET /api/sse` with a bearer
 * header handed to `streams.open`, 404 for anything else; listening on a free loopback port.
 */
export async function serveFloor(streams: FloorStreams): Promise<Target> {
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    if (req.method === 'POST' && req.url === '/api/events') {
      handleFloorPublish(req, res, streams.fanOut);
      return;
    }
    if (req.method !== 'GET' || !req.url?.startsWith('/api/sse') || !req.headers.authorization?.startsWith('Bearer ')) {
      res.writeHead(404).end();
      return;
    }
    streams.open(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: streams.count,
    publish(seq, t) {
      streams.fanOut('schedule.updated', JSON.stringify({ seq, t }));
    },
    stats: () => ({ framesDelivered: streams.written() }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        streams.closeStreams?.();
      }),
  };
}
