/**
 * The raw floor: node:http parses the request (as for wardbell and the bare floor, so the cost of
 * parsing is the same), but a stream's response is written by hand straight to the socket: a
 * fixed head without Content-Length or Transfer-Encoding, so the body is delimited by closing the
 * connection (RFC 9112 section 6.3, rule 8), then the same preamble as the bare floor. Each event
 * is encoded once into a Buffer and written with `socket.write(frame)` to every socket in a Set:
 * no chunk framing, no ServerResponse on the path. The ServerResponse of a stream is never
 * written to (neither head nor body, never ended), so node:http writes nothing on that socket;
 * a socket leaves the Set on 'close'. `POST /api/events` is the floors' shared handler (floor.ts).
 */
import type { Socket } from 'node:net';
import { floorFrame, floorIds, floorPreamble, serveFloor } from './floor.js';
import type { Target } from './target.js';

const idOf = floorIds('raw000raw0');

/** The whole response head of a stream, byte for byte. */
export const RAW_HEAD =
  'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\n';

export function createTarget(): Promise<Target> {
  const sockets = new Set<Socket>();
  const opening = Buffer.concat([Buffer.from(RAW_HEAD, 'latin1'), floorPreamble('raw', idOf(0))]);
  let lastId = 0;
  let written = 0;
  return serveFloor({
    open(req) {
      const sock = req.socket;
      if (sock.destroyed) return;
      // Head and preamble in one write; `res` is left alone from here on.
      sock.write(opening);
      sockets.add(sock);
      sock.once('close', () => sockets.delete(sock));
    },
    fanOut(type, dataJson) {
      const id = idOf(++lastId);
      const frame = floorFrame(id, type, dataJson);
      for (const s of sockets) s.write(frame);
      written += sockets.size;
      return id;
    },
    count: () => sockets.size,
    written: () => written,
    closeStreams: () => {
      for (const s of sockets) s.destroy();
    },
  });
}
