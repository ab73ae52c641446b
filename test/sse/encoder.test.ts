import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameError } from '../../packages/wardbell/src/sse/index.js';

function parseBack(text: string): EventSourceMessage[] {
  const out: EventSourceMessage[] = [];
  const p = createParser({ onEvent: (e) => out.push(e) });
  p.feed(text);
  return out;
}

describe('SSE frame encoder', () => {
  it('writes id, event and data fields followed by a blank line', () => {
    expect(encodeFrame({ id: 'a-1', event: 'notification', data: '{"x":1}' })).toBe('id: a-1\nevent: notification\ndata: {"x":1}\n\n');
  });

  it('sends retry as its own field', () => {
    expect(encodeFrame({ retry: 3000 })).toBe('retry: 3000\n\n');
  });

  it.each([
    ['LF', 'a\nb', 'a\nb'],
    ['CRLF', 'a\r\nb', 'a\nb'],
    ['lone CR', 'a\rb', 'a\nb'],
    ['trailing newline', 'a\n', 'a\n'],
    ['empty string', '', ''],
    ['leading space', ' x', ' x'],
    ['unicode', '병동 3 — 응급', '병동 3 — 응급'],
  ])('splits data on %s so the client rebuilds the same string', (_name, data, expected) => {
    const [ev] = parseBack(encodeFrame({ event: 'x', data }));
    expect(ev?.data).toBe(expected);
  });

  it.each([
    ['CR in id', { id: 'a\rb' }],
    ['LF in id', { id: 'a\nb' }],
    ['NUL in id', { id: 'a\0b' }],
    ['LF in event', { event: 'a\nevent: evil' }],
    ['CR in event', { event: 'a\r' }],
    ['negative retry', { retry: -1 }],
    ['fractional retry', { retry: 1.5 }],
  ])('refuses %s', (_name, frame) => {
    expect(() => encodeFrame(frame)).toThrow(FrameError);
  });

  it('round-trips an event through a conforming parser', () => {
    const [ev] = parseBack(encodeFrame({ id: 'e-000000000007', event: 'swap.requested', data: JSON.stringify({ a: 'line1\nline2' }) }));
    expect(ev).toMatchObject({ id: 'e-000000000007', event: 'swap.requested' });
    expect(JSON.parse(ev?.data ?? 'null')).toEqual({ a: 'line1\nline2' });
  });

  it('writes comments with a leading colon', () => {
    expect(encodeFrame({ comment: 'hello' })).toBe(': hello\n\n');
    expect(parseBack(encodeFrame({ comment: 'hello' }))).toEqual([]);
  });
});
