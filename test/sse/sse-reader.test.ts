/**
 * The tests' raw SSE reader keeps the stream's position as a browser does: the id of the last
 * complete block, also of an id-only block (the service's position frame after a replay), also
 * when that block arrives in one chunk with the event before it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseReader } from '../helpers/sse-reader.js';

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

async function serve(chunks: string[]): Promise<string> {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let i = 0;
    const next = () => {
      if (i < chunks.length) res.write(chunks[i++], () => setImmediate(next));
    };
    next();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`;
}

describe('SseReader', () => {
  it('ends at an id-only block that came in one chunk with the event before it', async () => {
    const r = await SseReader.open(await serve(['id: e-1\nevent: notification\ndata: {}\n\nid: e-6\n\n']));
    await r.until((x) => x.events.length === 1 && x.lastEventId === 'e-6', 2000);
    expect(r.events.map((e) => e.id)).toEqual(['e-1']);
    r.close();
  });

  it('takes an id only when its block is complete, across chunks', async () => {
    const r = await SseReader.open(await serve(['id: e-1\ndata: a\n\nid: e-', '2\n', '\nid: e-3\nda', 'ta: b\n\n']));
    await r.until((x) => x.events.length === 2, 2000);
    expect(r.lastEventId).toBe('e-3');
    expect(r.events.map((e) => [e.id, e.data])).toEqual([['e-1', 'a'], ['e-3', 'b']]);
    r.close();
  });
});
