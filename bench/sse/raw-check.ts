/**
 * Self-check of the raw floor (raw-target.ts): the bytes a stream receives are exactly the hand-
 * written head, the preamble and one frame per event, published in process and through
 * `POST /api/events`, with nothing of node:http's in between (no chunk framing, no second head);
 * a stream leaves the fan-out set when its connection closes; and the bare floor's frames have
 * the same size. Run: `npx tsx bench/sse/raw-check.ts`.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTarget as createBare } from './bare-target.js';
import { RAW_HEAD, createTarget as createRaw } from './raw-target.js';
import type { Target } from './target.js';

const post = async (url: string, seq: number, t: number) => {
  const res = await fetch(`${url}/api/events`, {
    method: 'POST',
    headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'schedule.updated', to: { tenant: true }, data: { seq, t } }),
  });
  assert.equal(res.status, 202);
  const body = (await res.json()) as { id: string };
  assert.match(body.id, /^.{10}-\d{12}$/);
};

/** Opens a stream, publishes 2 events in process and 2 over HTTP, returns every byte received. */
async function capture(target: Target): Promise<string> {
  const u = new URL(target.url);
  const sock = connect({ host: u.hostname, port: Number(u.port) });
  const got: Buffer[] = [];
  sock.on('data', (b: Buffer) => got.push(b));
  sock.write(`GET /api/sse HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer x\r\nAccept: text/event-stream\r\n\r\n`);
  for (let i = 0; target.connections() < 1; i++) {
    assert.ok(i < 200, 'stream never registered');
    await sleep(10);
  }
  await target.publish(0, 1000.5);
  await target.publish(1, 1001.25);
  await post(target.url, 2, 1002);
  await post(target.url, 3, 1003.125);
  await sleep(100);
  sock.destroy();
  for (let i = 0; target.connections() > 0; i++) {
    assert.ok(i < 200, 'closed stream still in the fan-out set');
    await sleep(10);
  }
  return Buffer.concat(got).toString('latin1');
}

const frames = (epoch: string) =>
  [
    [0, 1000.5],
    [1, 1001.25],
    [2, 1002],
    [3, 1003.125],
  ]
    .map(([seq, t], i) => `id: ${epoch}-${String(i + 1).padStart(12, '0')}\nevent: schedule.updated\ndata: ${JSON.stringify({ seq, t })}\n\n`)
    .join('');

const raw = await createRaw();
const rawBytes = await capture(raw);
await raw.close();
assert.equal(rawBytes, `${RAW_HEAD}: raw\nretry: 3000\n\nid: raw000raw0-000000000000\n\n${frames('raw000raw0')}`);

const bare = await createBare();
const bareBytes = await capture(bare);
await bare.close();
const bareHead = bareBytes.slice(0, bareBytes.indexOf('\r\n\r\n') + 4);
assert.match(bareHead, /transfer-encoding: chunked/i);
// The bare body de-chunked: the same frames, of the same size as the raw floor's.
let body = '';
for (let at = bareHead.length; at < bareBytes.length; ) {
  const nl = bareBytes.indexOf('\r\n', at);
  const size = parseInt(bareBytes.slice(at, nl), 16);
  body += bareBytes.slice(nl + 2, nl + 2 + size);
  at = nl + 2 + size + 2;
}
assert.equal(body, `: bare\nretry: 3000\n\nid: bare0bare0-000000000000\n\n${frames('bare0bare0')}`);
assert.equal(Buffer.byteLength(frames('bare0bare0')), Buffer.byteLength(frames('raw000raw0')));
console.log('raw floor: ok (exact bytes, in process and POST /api/events; bare frames the same size)');
