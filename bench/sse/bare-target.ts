/**
 * The floor: a bare node:http SSE fan-out. No framework, no auth check beyond the header's
 * presence, no log: each event is encoded once into a Buffer and written with `res.write` (so
 * through node:http's chunked transfer coding) to every response in a Set. Its frames have the
 * same shape and size as wardbell's, so the servers move the same bytes. `POST /api/events`
 * publishes the same frame (see floor.ts).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { floorFrame, floorIds, floorPreamble, handleFloorPublish } from './floor.js';
import type { Target } from './target.js';

const idOf = floorIds('bare0bare0');

export async function createTarget(): Promise<Target> {
  const clients = new Set<ServerResponse>();
  const preamble = floorPreamble('bare', idOf(0));
  let lastId = 0;
  let written = 0;
  const fanOut = (type: string, dataJson: string) => {
    // Ids count publishes in the order the server takes them (as wardbell's log offsets do), so
    // they grow on every stream also when concurrent HTTP publishes arrive out of seq order.
    const id = idOf(++lastId);
    const frame = floorFrame(id, type, dataJson);
    for (const res of clients) res.write(frame);
    written += clients.size;
    return id;
  };
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    if (req.method === 'POST' && req.url === '/api/events') {
      handleFloorPublish(req, res, fanOut);
      return;
    }
    if (req.method !== 'GET' || !req.url?.startsWith('/api/sse') || !req.headers.authorization?.startsWith('Bearer ')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(preamble);
    clients.add(res);
    res.once('close', () => clients.delete(res));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => clients.size,
    publish(seq, t) {
      fanOut('schedule.updated', JSON.stringify({ seq, t }));
    },
    stats: () => ({ framesDelivered: written }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
