/**
 * The HTTP publisher of the benchmark, a process of its own (never the server's): publishes
 * benchmark events through `POST /api/events` on keep-alive connections, with a hand-written
 * HTTP/1.1 client on `net` sockets (its CPU is reported apart from the server's and the load
 * generators'). Sustained: closed loop, one request at a time on one connection, the next sent as
 * soon as the previous was answered. Burst: `count` requests written at once, one on each of
 * `count` connections opened beforehand (`prepare`). Each body carries `{"seq":..,"t":..}` with
 * `t` the publisher's wall clock when the request is written. Only answered 2xx requests count
 * as published: the orchestrator expects deliveries for the events the server accepted.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { serveRpc } from './rpc.js';
import { wallNow } from './target.js';

export interface HttpPublishResult {
  /** Requests answered 2xx (events the server accepted). */
  published: number;
  /** Requests sent (seqs used: seqBase .. seqBase + attempted - 1). */
  attempted: number;
  /** Answers by status ('error' for a connection that failed). */
  statuses: Record<string, number>;
  /** First non-2xx answer or error, for the log. */
  firstFailure: string | null;
  /** Wall time (ms since the epoch) of the first request and after the last answer. */
  startT: number;
  endT: number;
  /** Request round trips (write to answer), ms. */
  requestMs: { p50: number; p99: number; max: number } | null;
}

interface Answer {
  status: number;
  body: string;
}

/** One keep-alive HTTP/1.1 connection carrying one request at a time. */
class Conn {
  private buf = '';
  private waiter: { resolve: (a: Answer) => void; reject: (e: Error) => void } | null = null;
  closed = false;

  private constructor(private readonly sock: Socket) {
    sock.on('data', (b: Buffer) => {
      this.buf += b.toString('latin1');
      this.parse(false);
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      this.closed = true;
      this.parse(true);
      this.waiter?.reject(new Error('connection closed before the answer'));
      this.waiter = null;
    });
  }

  static open(host: string, port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host, port, noDelay: true });
      sock.once('connect', () => {
        sock.off('error', reject);
        resolve(new Conn(sock));
      });
      sock.once('error', reject);
    });
  }

  request(raw: string): Promise<Answer> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    if (this.waiter) return Promise.reject(new Error('a request is already in flight on this connection'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.sock.write(raw);
    });
  }

  close(): void {
    this.closed = true;
    this.sock.destroy();
  }

  private parse(eof: boolean): void {
    if (!this.waiter) return;
    const at = this.buf.indexOf('\r\n\r\n');
    if (at < 0) return;
    const head = this.buf.slice(0, at).toLowerCase();
    const status = Number(/^http\/1\.[01] (\d{3})/.exec(head)?.[1] ?? -1);
    const start = at + 4;
    let end: number;
    let next: number;
    const length = /\r\ncontent-length:\s*(\d+)/.exec(head);
    if (length) {
      end = start + Number(length[1]);
      next = end;
      if (this.buf.length < end) return;
    } else if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) {
      // Small answers: find the last chunk; the body is not decoded (it is only logged).
      const last = this.buf.startsWith('0\r\n\r\n', start) ? start : this.buf.indexOf('\r\n0\r\n\r\n', start);
      if (last < 0) return;
      end = last;
      next = last === start ? start + 5 : last + 7;
    } else if (status === 204 || status === 304) {
      end = start;
      next = start;
    } else {
      // Delimited by the connection closing.
      if (!eof) return;
      end = this.buf.length;
      next = end;
    }
    const body = this.buf.slice(start, end);
    this.buf = this.buf.slice(next);
    const w = this.waiter;
    this.waiter = null;
    if (/\r\nconnection:\s*close/.test(head)) this.close();
    w.resolve({ status, body });
  }
}

let target: { host: string; port: number; path: string; token: string } | null = null;
let pool: Conn[] = [];
const need = () => {
  if (!target) throw new Error('not configured');
  return target;
};

const requestText = (seq: number, t: number) => {
  const { host, port, path, token } = need();
  const body = JSON.stringify({ type: 'schedule.updated', to: { tenant: true }, data: { seq, t } });
  return (
    `POST ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
};

/** Tallies answers of one phase. */
class Tally {
  published = 0;
  attempted = 0;
  statuses: Record<string, number> = {};
  firstFailure: string | null = null;
  rtts: number[] = [];
  async send(conn: Conn, seq: number): Promise<void> {
    this.attempted++;
    const t = wallNow();
    try {
      const a = await conn.request(requestText(seq, t));
      this.rtts.push(wallNow() - t);
      this.statuses[a.status] = (this.statuses[a.status] ?? 0) + 1;
      if (a.status >= 200 && a.status < 300) this.published++;
      else this.firstFailure ??= `HTTP ${a.status}: ${a.body.slice(0, 300)}`;
    } catch (err) {
      this.statuses.error = (this.statuses.error ?? 0) + 1;
      this.firstFailure ??= err instanceof Error ? err.message : String(err);
    }
  }
  result(startT: number): HttpPublishResult {
    const r = [...this.rtts].sort((a, b) => a - b);
    const q = (p: number) => r[Math.min(r.length - 1, Math.max(0, Math.ceil(p * r.length) - 1))] as number;
    return {
      published: this.published,
      attempted: this.attempted,
      statuses: this.statuses,
      firstFailure: this.firstFailure,
      startT,
      endT: wallNow(),
      requestMs: r.length ? { p50: q(0.5), p99: q(0.99), max: r[r.length - 1] as number } : null,
    };
  }
}

/** A usable connection of the pool at `i`, reopened if the server closed it. */
async function connAt(i: number): Promise<Conn> {
  const c = pool[i];
  if (c && !c.closed) return c;
  const { host, port } = need();
  const fresh = await Conn.open(host, port);
  pool[i] = fresh;
  return fresh;
}

serveRpc({
  configure(a: { host: string; port: number; path: string; token: string }) {
    for (const c of pool) c.close();
    pool = [];
    target = a;
    return true;
  },

  /** Replaces the pool with `sockets` freshly opened connections (so none is near an idle timeout). */
  async prepare(a: { sockets: number }) {
    const { host, port } = need();
    for (const c of pool) c.close();
    pool = await Promise.all(Array.from({ length: a.sockets }, () => Conn.open(host, port)));
    // Let the server take the connections (accept, parser set-up) before anything is measured.
    await sleep(50);
    return pool.length;
  },

  /** Closed loop for `durationMs`: one request in flight at a time (at most `eventsPerSec` if > 0). */
  async sustained(a: { seqBase: number; durationMs: number; eventsPerSec: number }): Promise<HttpPublishResult> {
    const tally = new Tally();
    const startT = wallNow();
    const gap = a.eventsPerSec > 0 ? 1000 / a.eventsPerSec : 0;
    for (let n = 0; ; n++) {
      const now = wallNow();
      if (now - startT >= a.durationMs) break;
      if (gap > 0) {
        const due = startT + n * gap;
        if (due > now) await sleep(due - now);
      }
      await tally.send(await connAt(0), a.seqBase + n);
    }
    return tally.result(startT);
  },

  /** `count` requests written at once, one per connection of the pool (opened by `prepare`). */
  async burst(a: { seqBase: number; count: number }): Promise<HttpPublishResult> {
    const conns = await Promise.all(Array.from({ length: a.count }, (_, i) => connAt(i)));
    const tally = new Tally();
    const startT = wallNow();
    const pending: Array<Promise<void>> = [];
    for (let k = 0; k < a.count; k++) pending.push(tally.send(conns[k] as Conn, a.seqBase + k));
    await Promise.all(pending);
    return tally.result(startT);
  },

  cpu() {
    const c = process.cpuUsage();
    return { user: c.user, system: c.system };
  },

  close() {
    for (const c of pool) c.close();
    pool = [];
    target = null;
    return true;
  },
});
