/**
 * The floor: a bare node:http SSE fan-out. No framework, no auth check beyond the header's
 * presence, no log: each event is encoded once into a Buffer and written to every response in a
 * Set. Its frames have the same shape and size as wardbell's, so the two move the same bytes.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Target } from './target.js';

const EPOCH = 'bare0bare0';
const idOf = (n: number) => `${EPOCH}-${String(n).padStart(12, '0')}`;

export async function createTarget(): Promise<Target> {
  const clients = new Set<ServerResponse>();
  const preamble = Buffer.from(`: bare\nretry: 3000\n\nid: ${idOf(0)}\n\n`);
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
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
  let written = 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => clients.size,
    publish(seq, t) {
      const frame = Buffer.from(`id: ${idOf(seq + 1)}\nevent: schedule.updated\ndata: ${JSON.stringify({ seq, t })}\n\n`);
      for (const res of clients) res.write(frame);
      written += clients.size;
    },
    stats: () => ({ framesDelivered: written }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
