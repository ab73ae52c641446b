import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { eventually } from './eventually.js';

export interface ReadEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * A minimal SSE reader over node:http for tests that need the raw response (status, headers) and
 * control over the socket. Independent client checks use the `eventsource` package instead.
 */
export class SseReader {
  readonly events: ReadEvent[] = [];
  lastEventId = '';
  retry: number | undefined;
  status = 0;
  headers: IncomingMessage['headers'] = {};
  body = '';
  ended = false;
  private req: ClientRequest | null = null;

  static open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const r = new SseReader();
    return new Promise((resolve, reject) => {
      const parser = createParser({
        onEvent: (m: EventSourceMessage) => {
          if (m.id !== undefined) r.lastEventId = m.id;
          r.events.push({ id: m.id, event: m.event ?? 'message', data: m.data });
        },
        onRetry: (ms) => {
          r.retry = ms;
        },
      });
      r.req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        r.status = res.statusCode ?? 0;
        r.headers = res.headers;
        res.setEncoding('utf8');
        let tail = '';
        res.on('data', (chunk: string) => {
          r.body += chunk;
          parser.feed(chunk);
          // Track id-only blocks too (eventsource-parser does not dispatch them): after the chunk's
          // events were dispatched, the last id of its complete blocks is the stream's position.
          // (Before them, a dispatched event would put an earlier id back: a replay's last event
          // followed by its id-only position frame in one chunk left the reader behind.)
          tail += chunk;
          const end = tail.lastIndexOf('\n\n');
          if (end >= 0) {
            for (const m of tail.slice(0, end).matchAll(/^id: ?(.*)$/gm)) r.lastEventId = m[1] ?? '';
            tail = tail.slice(end + 2);
          }
        });
        res.on('end', () => {
          r.ended = true;
        });
        res.on('error', () => {
          r.ended = true;
        });
        resolve(r);
      });
      r.req.on('error', reject);
      r.req.end();
    });
  }

  /** Waits until `pred` holds, or fails after `ms` (see `eventually`). */
  async until(pred: (r: SseReader) => boolean, ms = 5000): Promise<void> {
    await eventually(() => pred(this), { timeout: ms, message: () => `stream condition (events so far: ${JSON.stringify(this.events)}; body: ${this.body.slice(0, 500)})` });
  }

  of(type: string): ReadEvent[] {
    return this.events.filter((e) => e.event === type);
  }

  close(): void {
    this.req?.destroy();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
