import { describe, expect, it } from 'vitest';
import { classifyResponse } from '../../packages/client/src/http.js';
import { createEventStreamParser } from '../../packages/client/src/parser.js';
import type { EventStreamMessage } from '../../packages/client/src/types.js';
import { caseChunks, concat, loadSseCases, randomSplit, seededRandom, type SseCase } from './helpers.js';

const cases = loadSseCases();

function parseAll(chunks: (Uint8Array | string)[], lastEventId?: string) {
  const events: EventStreamMessage[] = [];
  const parser = createEventStreamParser({ onEvent: (e) => events.push(e), lastEventId });
  for (const chunk of chunks) parser.feed(chunk);
  parser.end();
  return { parser, events: events.map(({ type, data, lastEventId: id }) => ({ type, data, lastEventId: id })) };
}

function expectCase(c: SseCase, chunks: Uint8Array[]): void {
  const { parser, events } = parseAll(chunks);
  expect(events).toEqual(c.expected.events);
  expect(parser.reconnectionTime).toBe(c.expected.reconnectionTime);
  expect(parser.lastEventId).toBe(c.expected.lastEventIdOnReconnect ?? '');
}

describe('event-stream parser against the 55 WHATWG cases', () => {
  it('loads all 55 cases', () => {
    expect(cases).toHaveLength(55);
  });

  for (const c of cases) {
    const status = c.response?.status ?? 200;
    const contentType = c.response?.contentType ?? 'text/event-stream';
    if (c.expected.connection === 'fail') {
      // The body of a failed connection is never parsed: the response check comes first.
      it(`${c.id}: the response is not opened, so no event is dispatched`, () => {
        expect(classifyResponse(status, contentType).kind).not.toBe('open');
        expect(c.expected.events).toEqual([]);
      });
      continue;
    }
    it(`${c.id}: dispatches the expected events fed in its own chunks`, () => {
      expect(classifyResponse(status, contentType).kind).toBe('open');
      expectCase(c, caseChunks(c));
    });
    it(`${c.id}: dispatches the same events under seeded random chunk splits`, () => {
      const whole = concat(caseChunks(c));
      for (let seed = 1; seed <= 8; seed++) expectCase(c, randomSplit(whole, seededRandom(seed * 7919)));
    });
    it(`${c.id}: dispatches the same events fed one byte at a time`, () => {
      const whole = concat(caseChunks(c));
      expectCase(c, Array.from(whole, (b) => Uint8Array.of(b)));
    });
  }
});

describe('event-stream parser: last event ID and reconnection time', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  it('commits the id of an id-only block at dispatch, without an event', () => {
    const { parser, events } = parseAll([bytes('retry: 3000\n: hi\n\nid: k3x9a0b1c2-000000000042\n\n')]);
    expect(events).toEqual([]);
    expect(parser.lastEventId).toBe('k3x9a0b1c2-000000000042');
    expect(parser.reconnectionTime).toBe(3000);
  });

  it('does not commit an id whose block never gets its blank line', () => {
    const { parser } = parseAll([bytes('id: 7\ndata: x\n')]);
    expect(parser.lastEventId).toBe('');
  });

  it('ignores an id field containing NUL and keeps the previous one', () => {
    const { parser, events } = parseAll([bytes('id: 1\n\nid: a\0b\ndata: x\n\n')]);
    expect(events).toEqual([{ type: 'message', data: 'x', lastEventId: '1' }]);
    expect(parser.lastEventId).toBe('1');
  });

  it('resets the last event ID with an empty id field', () => {
    const { parser } = parseAll([bytes('id: 1\n\nid\n\n')]);
    expect(parser.lastEventId).toBe('');
  });

  it('ignores retry values that are not only ASCII digits', () => {
    for (const bad of ['', '  10', '1.5', '-1', '10ms', '١٠']) {
      const { parser } = parseAll([bytes(`retry: 5\nretry:${bad}\n\n`)]);
      expect(parser.reconnectionTime, JSON.stringify(bad)).toBe(5);
    }
  });

  it('reports the id of the block itself separately from the last event ID string', () => {
    const seen: EventStreamMessage[] = [];
    const parser = createEventStreamParser({ onEvent: (e) => seen.push(e) });
    parser.feed('id: 9\ndata: a\n\ndata: b\n\n');
    expect(seen.map((e) => [e.id, e.lastEventId])).toEqual([
      ['9', '9'],
      [undefined, '9'],
    ]);
  });

  it('starts from the lastEventId option', () => {
    const { events } = parseAll([bytes('data: x\n\n')], 'start-1');
    expect(events[0]?.lastEventId).toBe('start-1');
  });

  it('keeps the last event ID into the next stream when that stream begins without an id', () => {
    const events: EventStreamMessage[] = [];
    const parser = createEventStreamParser({ onEvent: (e) => events.push(e) });
    parser.feed(bytes('id: 5\ndata: a\n\n'));
    parser.end();
    parser.feed(bytes('data: b\n\n'));
    expect(events[1]?.lastEventId).toBe('5');
    expect(parser.lastEventId).toBe('5');
  });

  it('discards the pending line and block at the end of a stream', () => {
    const events: EventStreamMessage[] = [];
    const parser = createEventStreamParser({ onEvent: (e) => events.push(e) });
    parser.feed(bytes('data: lost\nevent: x\nda'));
    parser.end();
    parser.feed(bytes('ta: ignored\n\ndata: kept\n\n'));
    // "ta: ignored" is an unknown field of the new stream, not the end of "da" from the old one.
    expect(events.map((e) => [e.type, e.data])).toEqual([['message', 'kept']]);
  });

  it('strips one leading BOM in every new stream', () => {
    const events: EventStreamMessage[] = [];
    const parser = createEventStreamParser({ onEvent: (e) => events.push(e) });
    parser.feed(bytes('\ufeffdata: 1\n\n'));
    parser.end();
    parser.feed(bytes('\ufeffdata: 2\n\n'));
    expect(events.map((e) => e.data)).toEqual(['1', '2']);
  });

  it('stops parsing the rest of a chunk when a listener ends the stream', () => {
    const events: string[] = [];
    const parser = createEventStreamParser({
      onEvent: (e) => {
        events.push(e.data);
        parser.end();
      },
    });
    parser.feed('data: 1\n\ndata: 2\n\ndata: 3');
    parser.feed('data: 4\n\n');
    expect(events).toEqual(['1', '4']);
  });

  it('accepts already decoded text and strips its leading BOM', () => {
    const { events } = parseAll(['\ufeffdata: a\r', '\n\r\n']);
    expect(events).toEqual([{ type: 'message', data: 'a', lastEventId: '' }]);
  });
});
