import { connect, type Socket } from 'node:net';

/**
 * SSE receivers on raw sockets for throughput runs: each frame's data carries `"s":<seq>`; every
 * arrival is timed against the publish time of its sequence number, and duplicates are counted.
 */
export class Receivers {
  readonly sockets: Socket[] = [];
  readonly publishedAt = new Map<number, number>();
  latencies: number[] = [];
  received = 0;
  duplicates = 0;
  private readonly seen: Array<Set<number>> = [];

  async open(targets: ReadonlyArray<{ host: string; port: number; token: string }>, batch = 250): Promise<void> {
    for (let i = 0; i < targets.length; i += batch) await Promise.all(targets.slice(i, i + batch).map((t) => this.openOne(t)));
  }

  private openOne(t: { host: string; port: number; token: string }): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: t.host, port: t.port });
      const seen = new Set<number>();
      this.sockets.push(s);
      this.seen.push(seen);
      let opened = false;
      let tail = '';
      s.setEncoding('latin1');
      s.on('connect', () => s.write(`GET /api/sse HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer ${t.token}\r\nAccept: text/event-stream\r\n\r\n`));
      s.on('data', (chunk: string) => {
        const now = performance.now();
        const text = tail + chunk;
        if (!opened && text.includes('\nid: ')) {
          opened = true;
          resolve();
        }
        // Frames may split across chunks: scan complete `"s":N,` tokens, keep a short tail.
        const re = /"s":(\d+),/g;
        let m: RegExpExecArray | null;
        let lastEnd = 0;
        while ((m = re.exec(text))) {
          lastEnd = re.lastIndex;
          const seq = Number(m[1]);
          if (seen.has(seq)) {
            this.duplicates++;
            continue;
          }
          seen.add(seq);
          this.received++;
          const at = this.publishedAt.get(seq);
          if (at !== undefined) this.latencies.push(now - at);
        }
        tail = text.slice(Math.max(lastEnd, text.length - 32));
      });
      s.on('error', (e) => (opened ? undefined : reject(e)));
    });
  }

  resetCounters(): void {
    this.latencies = [];
    this.received = 0;
    this.duplicates = 0;
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
  }
}
