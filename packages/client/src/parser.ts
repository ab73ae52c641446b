/**
 * An event-stream parser that follows WHATWG HTML §9.2.6 "Interpreting an event stream"
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
 * step by step, and keeps the two pieces of state an EventSource owns across connections: the
 * "last event ID string" and the "reconnection time".
 *
 * Why not eventsource-parser's `createParser`: it reports an `id` only with an event, so an id-only
 * block (`id: x\n\n`, which our server sends to establish the position) would not move the last
 * event ID, and it leaves the NUL rule and the dispatch-time commit of the id to the caller. Those
 * are exactly the rules this client depends on, so the ~100 lines are kept here, next to the spec.
 */
import type { EventStreamMessage } from './types.js';

/** Options of `createEventStreamParser`. */
export interface EventStreamParserOptions {
  /** Called for every dispatched event (blocks without data dispatch nothing, per the spec). */
  onEvent: (message: EventStreamMessage) => void;
  /** Called when a valid `retry:` field sets the reconnection time. Default: none. */
  onRetry?: (ms: number) => void;
  /** Called with the text of each comment line (after the colon). Default: none. */
  onComment?: (comment: string) => void;
  /** Called when a block without data moves the last event ID (an id-only frame). Default: none. */
  onPosition?: (lastEventId: string) => void;
  /** The last event ID string to start from (e.g. persisted by the application). Default `''`. */
  lastEventId?: string;
}

/** An incremental parser; one instance lives as long as the client (across its connections). */
export interface EventStreamParser {
  /**
   * Feeds the next piece of the response body. Bytes are UTF-8 decoded in streaming mode, so a
   * chunk boundary may fall inside a code point or inside the leading BOM. A string is taken as
   * already decoded. Feed one stream with one kind of chunk.
   */
  feed(chunk: Uint8Array | string): void;
  /**
   * The stream ended (EOF, error or abort). Per §9.2.6 "any pending data must be discarded": an
   * unterminated line and an undispatched block are dropped. The next `feed` starts a new stream.
   */
  end(): void;
  /** The last event ID string: what a reconnect sends as `Last-Event-ID` (when not empty). */
  readonly lastEventId: string;
  /** The reconnection time from the last valid `retry:` field, in ms; `null` if none was seen. */
  readonly reconnectionTime: number | null;
}

const LF = 0x0a;
const CR = 0x0d;
const DIGITS_ONLY = /^[0-9]+$/;

/**
 * Creates an event-stream parser. See `EventStreamParser`.
 *
 * One deliberate divergence from a literal reading of §9.2.6: "a last event ID buffer ... must be
 * initialized to the empty string" for every stream. Taken literally, the first event of a
 * reconnected stream without an `id:` field would reset the last event ID string to `''`, and the
 * reconnect after that would silently start from nothing. Like Chromium (its parser is constructed
 * with the EventSource's current last event ID), each new stream's buffer starts as the current
 * last event ID string. Within one stream the behaviour is exactly the spec's.
 */
export function createEventStreamParser(options: EventStreamParserOptions): EventStreamParser {
  const { onEvent, onRetry, onComment, onPosition } = options;

  // State owned by the event source (survives streams).
  let lastEventIdString = options.lastEventId ?? '';
  let reconnectionTime: number | null = null;

  // State of the current stream.
  let decoder: TextDecoder | null = null;
  let atStreamStart = true;
  let partialLine = '';
  let lastWasCR = false; // a CR ended the previous chunk: a leading LF of the next one belongs to it
  let dataBuffer = '';
  let eventTypeBuffer = '';
  let lastEventIdBuffer = lastEventIdString;
  let blockId: string | undefined;
  // Bumped by end(): a listener may end the stream from inside onEvent (client.close() in a
  // handler), and the rest of the chunk being parsed must then be dropped, not leak into the next.
  let streamEpoch = 0;

  function dispatch(): void {
    // "Dispatch the event", steps 1-7.
    lastEventIdString = lastEventIdBuffer; // 1: commits even when the block carries no data
    const id = blockId;
    blockId = undefined;
    if (dataBuffer === '') {
      eventTypeBuffer = ''; // 2
      if (id !== undefined) onPosition?.(lastEventIdString);
      return;
    }
    const data = dataBuffer.endsWith('\n') ? dataBuffer.slice(0, -1) : dataBuffer; // 3
    const type = eventTypeBuffer === '' ? 'message' : eventTypeBuffer; // 5, 6
    dataBuffer = ''; // 7
    eventTypeBuffer = '';
    onEvent({ type, data, lastEventId: lastEventIdString, id });
  }

  function processField(field: string, value: string): void {
    // "Process the field": names are compared literally (no case folding); unknown ones are ignored.
    switch (field) {
      case 'event':
        eventTypeBuffer = value;
        break;
      case 'data':
        dataBuffer += `${value}\n`;
        break;
      case 'id':
        // An id containing U+0000 is ignored (the previous buffer value stays).
        if (!value.includes('\0')) {
          lastEventIdBuffer = value;
          blockId = value;
        }
        break;
      case 'retry':
        // Only ASCII digits; anything else ("50x", "", "1.5") is ignored.
        if (DIGITS_ONLY.test(value)) {
          reconnectionTime = Number.parseInt(value, 10);
          onRetry?.(reconnectionTime);
        }
        break;
      default:
        break;
    }
  }

  function processLine(line: string): void {
    if (line === '') return dispatch();
    const colon = line.indexOf(':');
    if (colon === 0) {
      onComment?.(line.slice(1));
      return;
    }
    if (colon === -1) return processField(line, '');
    let value = line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1); // one leading space only; a tab is kept
    processField(line.slice(0, colon), value);
  }

  function feedText(input: string): void {
    let text = input;
    if (atStreamStart && text !== '') {
      atStreamStart = false;
      // The UTF-8 decode algorithm strips one leading BOM; TextDecoder does it for bytes, this does
      // it for text handed in already decoded.
      if (decoder === null && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text === '') return;
    let start = 0;
    if (lastWasCR) {
      lastWasCR = false;
      if (text.charCodeAt(0) === LF) start = 1; // CRLF split across chunks is one line end
    }
    // Lines end at CRLF, at a lone LF or at a lone CR (§9.2.6). A CR at the very end of the chunk
    // ends the line now (waiting could stall a CR-only stream) and swallows a following LF.
    const epoch = streamEpoch;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      const line = partialLine + text.slice(start, i);
      partialLine = '';
      if (c === CR) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === LF) i++;
        } else {
          lastWasCR = true;
        }
      }
      start = i + 1;
      processLine(line);
      if (epoch !== streamEpoch) return;
    }
    if (start < text.length) partialLine += text.slice(start);
  }

  return {
    feed(chunk) {
      if (typeof chunk === 'string') return feedText(chunk);
      if (chunk.byteLength === 0) return;
      // `stream: true` keeps an incomplete UTF-8 sequence for the next chunk; a fresh decoder per
      // stream strips that stream's own leading BOM (ignoreBOM defaults to false).
      decoder ??= new TextDecoder('utf-8');
      feedText(decoder.decode(chunk, { stream: true }));
    },
    end() {
      streamEpoch++;
      decoder = null;
      atStreamStart = true;
      partialLine = '';
      lastWasCR = false;
      dataBuffer = '';
      eventTypeBuffer = '';
      blockId = undefined;
      lastEventIdBuffer = lastEventIdString;
    },
    get lastEventId() {
      return lastEventIdString;
    },
    get reconnectionTime() {
      return reconnectionTime;
    },
  };
}
