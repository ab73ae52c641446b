import { connect, type Socket } from 'node:net';

/**
 * Many SSE streams on raw sockets: cheap enough that one process holds thousands without being the
 * bottleneck. Each stream records when it first saw a marker string in its bytes.
 */
export class StreamPool {
  readonly sockets: Socket[] = [];
  private readonly seen: Array<Map<string, number>> = [];
  private readonly markers = new Set<string>();

  constructor(private readonly host: string, private readonly port: number) {}

  async open(tokens: readonly string[], batch = 250): Promise<void> {
    for (let i = 0; i < tokens.length; i += batch) {
      await Promise.all(tokens.slice(i, i + batch).map((t) => this.openOne(t)));
    }
  }

  private openOne(token: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const idx = this.sockets.length;
      const s = connect({ host: this.host, port: this.port });
      this.sockets.push(s);
      const seen = new Map<string, number>();
      this.seen.push(seen);
      let opened = false;
      let tail = '';
      s.setEncoding('latin1');
      s.on('connect', () => s.write(`GET /api/sse HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`));
      s.on('data', (chunk: string) => {
        const text = tail + chunk;
        if (!opened && text.includes('\nid: ')) {
          opened = true;
          resolve();
        }
        for (const m of this.markers) if (!seen.has(m) && text.includes(m)) seen.set(m, performance.now());
        tail = text.slice(-128);
      });
      s.on('error', (e) => (opened ? undefined : reject(e)));
      void idx;
    });
  }

  watch(marker: string): void {
    this.markers.add(marker);
  }

  /** Arrival times of a marker, one per stream that saw it. */
  arrivals(marker: string): number[] {
    return this.seen.map((m) => m.get(marker)).filter((t): t is number => t !== undefined);
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
