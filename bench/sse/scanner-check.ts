/**
 * Self-check of the load generator's byte scanner: a chunked SSE response (both servers' shapes,
 * with heartbeats, comments and id-only blocks) fed whole, byte by byte and in random splits must
 * yield exactly the benchmark events it holds. Run: `npx tsx bench/sse/scanner-check.ts`.
 */
import assert from 'node:assert/strict';
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

const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
const expected: Array<[number, number]> = [];
let body = chunk(': wardbell\nretry: 3000\n\n') + chunk('id: k3x9a0b1c2-000000000000\n\n');
for (let seq = 0; seq < 300; seq++) {
  const t = 1_760_000_000_000 + seq * 1.25 + (seq % 7) / 8;
  expected.push([seq, t]);
  let frame = `id: k3x9a0b1c2-${String(seq + 1).padStart(12, '0')}\nevent: schedule.updated\ndata: ${JSON.stringify({ seq, t })}\n\n`;
  if (seq % 10 === 0) frame += `event: ping\ndata: ${JSON.stringify({ t })}\n\n`;
  // Sometimes two frames in one chunk, sometimes a chunk extension, mixed-case hex.
  body += seq % 13 === 0 ? `${Buffer.byteLength(frame).toString(16).toUpperCase()};x=y\r\n${frame}\r\n` : chunk(frame);
}
body += '0\r\n\r\n';
const head = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
const bytes = Buffer.from(head + body, 'latin1');

const run = (splits: number[]) => {
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
  assert.equal(c.ended, true);
  assert.equal(c.events.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [s, t] = c.events[i] as [number, number];
    const [es, et] = expected[i] as [number, number];
    assert.equal(s, es);
    assert.ok(Math.abs(t - et) < 1e-3, `t ${t} vs ${et}`);
    assert.equal(c.ids[i], es + 1);
  }
  assert.equal(c.blocks, 2 + 300 + 30);
};

run([bytes.length]);
run(new Array<number>(bytes.length).fill(1));
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
for (let k = 0; k < 200; k++) run(Array.from({ length: 400 }, () => 1 + Math.floor(rnd() * 120)));
console.log('scanner: ok');
