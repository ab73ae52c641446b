import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

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
  private waiters: Array<() => void> = [];

  static open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const r = new SseReader();
    return new Promise((resolve, reject) => {
      const parser = createParser({
        onEvent: (m: EventSourceMessage) => {
          if (m.id !== undefined) r.lastEventId = m.id;
          r.events.push({ id: m.id, event: m.event ?? 'message', data: m.data });
          r.notify();
        },
        onRetry: (ms) => {
          r.retry = ms;
        },
      });
      r.req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        r.status = res.statusCode ?? 0;
        r.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          r.body += chunk;
          // Track id-only blocks too (eventsource-parser does not dispatch them).
          for (const m of chunk.matchAll(/^id: ?(.*)$/gm)) r.lastEventId = m[1] ?? '';
          parser.feed(chunk);
          r.notify();
        });
        res.on('end', () => {
          r.ended = true;
          r.notify();
        });
        res.on('error', () => {
          r.ended = true;
          r.notify();
        });
        resolve(r);
      });
      r.req.on('error', reject);
      r.req.end();
    });
  }

  private notify() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until `pred` holds, or fails after `ms`. */
  async until(pred: (r: SseReader) => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; events so far: ${JSON.stringify(this.events)}; body: ${this.body.slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  of(type: string): ReadEvent[] {
    return this.events.filter((e) => e.event === type);
  }

  close(): void {
    this.req?.destroy();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
