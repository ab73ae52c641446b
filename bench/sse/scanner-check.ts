/**
 * Self-check of the load generator's byte scanner: SSE responses of every server's shape (with
 * heartbeats, comments and id-only blocks) fed whole, byte by byte and in random splits must yield
 * exactly the benchmark events they hold. Two framings: chunked (the bare floor) and
 * close-delimited (the raw floor, and wardbell since it writes streams to the socket: no
 * Content-Length, no Transfer-Encoding, the body ends when the connection closes).
 * Run: `npx tsx bench/sse/scanner-check.ts`.
 */
import assert from 'node:assert/strict';
import { RAW_HEAD } from './raw-target.js';
import { SseScanner } from './scanner.js';

class Collector extends SseScanner {
  readonly events: Array<[number, number]> = [];
  readonly ids: number[] = [];
  heads: number[] = [];
  protected onEvent(seq: number, t: number): void {
    this.events.push([seq, t]);
    this.ids.push(this.lastIdNumber);
  }
  protected onHead(status: number): void {
    this.heads.push(status);
  }
}

const EVENTS = 300;
const expected: Array<[number, number]> = [];
/** The stream's blocks: the preamble (two blocks), then events with a heartbeat every tenth. */
const blocks: string[] = [': wardbell\nretry: 3000\n\n', 'id: k3x9a0b1c2-000000000000\n\n'];
for (let seq = 0; seq < EVENTS; seq++) {
  const t = 1_760_000_000_000 + seq * 1.25 + (seq % 7) / 8;
  expected.push([seq, t]);
  let frame = `id: k3x9a0b1c2-${String(seq + 1).padStart(12, '0')}\nevent: schedule.updated\ndata: ${JSON.stringify({ seq, t })}\n\n`;
  if (seq % 10 === 0) frame += `event: ping\ndata: ${JSON.stringify({ t })}\n\n`;
  blocks.push(frame);
}
const BLOCKS = 2 + EVENTS + EVENTS / 10;

// Chunked: one chunk per write; sometimes a chunk extension and upper-case hex; then the last chunk.
const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
let chunkedBody = chunk(blocks[0] as string) + chunk(blocks[1] as string);
blocks.slice(2).forEach((frame, seq) => {
  chunkedBody += seq % 13 === 0 ? `${Buffer.byteLength(frame).toString(16).toUpperCase()};x=y\r\n${frame}\r\n` : chunk(frame);
});
chunkedBody += '0\r\n\r\n';
const chunked = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedBody}`, 'latin1');

// Close-delimited: the raw floor's head byte for byte, then the bare blocks; the body ends at EOF.
// A stray comment ": 0\r\n" (what a last chunk looks like) must be read as body, not framing.
const closeBody = blocks.join('') + ': 0\r\n\n';
const closeDelimited = Buffer.from(RAW_HEAD + closeBody, 'latin1');
assert.ok(!/content-length|transfer-encoding/i.test(RAW_HEAD), 'the raw head has no Content-Length or Transfer-Encoding');

const run = (bytes: Buffer, framing: 'chunked' | 'close', splits: number[]) => {
  const c = new Collector();
  let at = 0;
  for (const n of [...splits, bytes.length]) {
    const end = Math.min(bytes.length, at + n);
    // Feed from inside a larger buffer with garbage around it, as the shared read buffer is.
    const buf = Buffer.concat([Buffer.from('\n\nxx'), bytes.subarray(at, end), Buffer.from('\ndata: {"seq":9}\n\n')]);
    c.feed(buf, 4, 4 + (end - at));
    at = end;
    if (at >= bytes.length) break;
  }
  assert.deepEqual(c.heads, [200]);
  assert.equal(c.isChunked, framing === 'chunked');
  if (framing === 'chunked') assert.equal(c.ended, true, 'chunked: the last chunk ends the body');
  else {
    assert.equal(c.ended, false, 'close-delimited: the body has not ended before the connection closes');
    c.eof();
    assert.equal(c.ended, true, 'close-delimited: the body ends when the connection closes');
  }
  assert.equal(c.events.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [s, t] = c.events[i] as [number, number];
    const [es, et] = expected[i] as [number, number];
    assert.equal(s, es);
    assert.ok(Math.abs(t - et) < 1e-3, `t ${t} vs ${et}`);
    assert.equal(c.ids[i], es + 1);
  }
  assert.equal(c.blocks, BLOCKS + (framing === 'close' ? 1 : 0));
};

// A chunked body cut short is not complete: eof() does not end it.
{
  const c = new Collector();
  c.feed(chunked, 0, chunked.length - 5);
  c.eof();
  assert.equal(c.ended, false);
}

let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
for (const [bytes, framing] of [
  [chunked, 'chunked'],
  [closeDelimited, 'close'],
] as const) {
  run(bytes, framing, [bytes.length]);
  run(bytes, framing, new Array<number>(bytes.length).fill(1));
  // Every split of the head's blank line (CR LF CR LF) and just after it.
  const headEnd = bytes.indexOf('\r\n\r\n') + 4;
  for (let cut = headEnd - 4; cut <= headEnd + 2; cut++) run(bytes, framing, [cut]);
  for (let k = 0; k < 200; k++) run(bytes, framing, Array.from({ length: 400 }, () => 1 + Math.floor(rnd() * 120)));
}
console.log('scanner: ok (chunked and close-delimited)');
