/**
 * The floor: a bare node:http SSE fan-out. No framework, no auth check beyond the header's
 * presence, no log: each event is encoded once into a Buffer and written with `res.write` (so
 * through node:http's chunked transfer coding) to every response in a Set. Its frames have the
 * same shape and size as wardbell's, so the servers move the same bytes. `POST /api/events`
 * publishes the same frame (see floor.ts).
 */
import type { ServerResponse } from 'node:http';
import { floorFrame, floorIds, floorPreamble, serveFloor } from './floor.js';
import type { Target } from './target.js';

const idOf = floorIds('bare0bare0');

export function createTarget(): Promise<Target> {
  const clients = new Set<ServerResponse>();
  const preamble = floorPreamble('bare', idOf(0));
  let lastId = 0;
  let written = 0;
  return serveFloor({
    open(_req, res) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(preamble);
      clients.add(res);
      res.once('close', () => clients.delete(res));
    },
    fanOut(type, dataJson) {
      // Ids count publishes in the order the server takes them (as wardbell's log offsets do), so
      // they grow on every stream also when concurrent HTTP publishes arrive out of seq order.
      const id = idOf(++lastId);
      const frame = floorFrame(id, type, dataJson);
      for (const res of clients) res.write(frame);
      written += clients.size;
      return id;
    },
    count: () => clients.size,
    written: () => written,
  });
}
