/**
 * A load generator process: holds thousands of SSE streams on raw `net` sockets (a hand-written
 * HTTP/1.1 GET; fetch/undici cost far more per connection) and counts benchmark events by scanning
 * bytes. Every read lands in one shared buffer (`onread`), so a read allocates nothing; the
 * receive time is taken once per read, not per event. Per phase it counts unique deliveries,
 * duplicates (a (connection, seq) seen before), events out of publish-call order (`reordered`), event
 * ids that do not grow on a stream (`idRegressions`), and a histogram of publish-to-receive
 * latency in 0.1 ms bins. It reports its own CPU time so the orchestrator can show it was not
 * the bottleneck.
 *
 * Many tenants (bench:scale's multi-tenant phase): `connect` may give each stream a group (its
 * tenant) and `phase` a plan (the group each seq is published to). An event of another group is
 * then counted as `misdelivered`, not received, and `missing` counts, per stream, the seqs of its
 * group it never got, so lost deliveries are exact when streams expect different events.
 */
import { connect, type Socket } from 'node:net';
import { serveRpc } from './rpc.js';
import { SseScanner } from './scanner.js';
import { wallNow } from './target.js';

const READ_BUF = Buffer.allocUnsafe(256 * 1024);
/** 0.1 ms bins up to 60 s; the last bin holds everything slower. */
export const HIST_BIN_MS = 0.1;
const HIST_BINS = 600_001;

/** Wall time of the read being scanned. */
let recvNow = 0;

const phase = {
  seqBase: 0,
  received: 0,
  duplicates: 0,
  stale: 0,
  reordered: 0,
  idRegressions: 0,
  negativeLatency: 0,
  firstRecv: 0,
  lastRecv: 0,
  closedByPeer: 0,
  /** Events of a seq planned for another group than the stream's (a cross-tenant delivery). */
  misdelivered: 0,
  hist: new Uint32Array(HIST_BINS),
  /** The group each seq (relative to seqBase) is published to, or null: every stream expects every seq. */
  plan: null as Int32Array | null,
};

class Conn extends SseScanner {
  sock: Socket | null = null;
  open = false;
  /** Bitset of seqs seen this phase, relative to phase.seqBase; grows on demand. */
  seen = new Uint8Array(8);
  lastSeq = -1;
  /** Id number of the previous benchmark event on this stream (ids must only grow). */
  prevId = -1;
  /** The stream's group (its tenant) when the phase has a plan; -1: none. */
  group = -1;
  onReady: ((err?: Error) => void) | null = null;

  protected onHead(status: number): void {
    if (status !== 200) this.onReady?.(new Error(`HTTP ${status}`));
  }

  protected onEvent(seq: number, t: number): void {
    const idx = seq - phase.seqBase;
    if (idx < 0) {
      phase.stale++;
      return;
    }
    const plan = phase.plan;
    if (plan !== null && this.group >= 0 && (idx >= plan.length || plan[idx] !== this.group)) {
      phase.misdelivered++;
      return;
    }
    const byte = idx >> 3;
    const bit = 1 << (idx & 7);
    if (byte >= this.seen.length) {
      const grown = new Uint8Array(Math.max(this.seen.length * 2, byte + 1));
      grown.set(this.seen);
      this.seen = grown;
    }
    const cur = this.seen[byte] as number;
    if (cur & bit) {
      phase.duplicates++;
      return;
    }
    this.seen[byte] = cur | bit;
    if (this.lastIdNumber <= this.prevId) phase.idRegressions++;
    this.prevId = this.lastIdNumber;
    if (seq < this.lastSeq) phase.reordered++;
    else this.lastSeq = seq;
    phase.received++;
    if (phase.firstRecv === 0) phase.firstRecv = recvNow;
    phase.lastRecv = recvNow;
    const lat = recvNow - t;
    if (lat < 0) {
      phase.negativeLatency++;
      phase.hist[0]!++;
    } else {
      phase.hist[Math.min(HIST_BINS - 1, Math.floor(lat / HIST_BIN_MS))]!++;
    }
  }
}

/**
 * Napping: when on, the event loop blocks in a futex for `napMs` between polls, so the loop never
 * sleeps in epoll_wait while a phase runs. On loopback the sender pays for waking a receiver that
 * waits in epoll_wait (a cross-CPU interrupt, dear on a VM): a load generator that keeps up
 * perfectly is woken once per delivery and charges the server for it; remote clients would not.
 * Reads then happen in batches every `napMs`, so latency is over-stated by at most `napMs`.
 */
const napCell = new Int32Array(new SharedArrayBuffer(4));
let napMs = 0;
let napping = false;
const nap = () => {
  if (napMs <= 0) {
    napping = false;
    return;
  }
  Atomics.wait(napCell, 0, 0, napMs);
  setImmediate(nap);
};

const conns: Conn[] = [];
let openCount = 0;

function openOne(host: string, port: number, path: string, token: string, timeoutMs: number, group = -1): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const c = new Conn();
    c.group = group;
    let settled = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      c.onReady = null;
      if (err) {
        c.sock?.destroy();
        reject(err);
      } else {
        c.open = true;
        openCount++;
        resolve(c);
      }
    };
    const timer = setTimeout(() => settle(new Error('timeout waiting for the stream preamble')), timeoutMs);
    c.onReady = settle;
    const sock = connect({
      host,
      port,
      onread: {
        buffer: READ_BUF,
        callback(n: number, buf: Uint8Array) {
          recvNow = wallNow();
          c.feed(buf as Buffer, 0, n);
          // The preamble is two blocks (comment + retry, then the id-only block): the stream is
          // registered and live once both arrived.
          if (c.onReady && c.blocks >= 2) c.onReady();
          return true;
        },
      },
    });
    c.sock = sock;
    sock.on('error', (e) => settle(e));
    sock.on('close', () => {
      if (c.open) {
        c.open = false;
        openCount--;
        phase.closedByPeer++;
      }
      settle(new Error('closed before the preamble'));
    });
    sock.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`);
  });
}

export interface ConnectArgs {
  host: string;
  port: number;
  path: string;
  tokens: string[];
  count: number;
  batch: number;
  timeoutMs?: number;
  /** The group of each stream, in the order of `tokens` (same index); absent: no group. */
  groups?: number[];
}

export interface LoadgenStats {
  received: number;
  duplicates: number;
  stale: number;
  reordered: number;
  idRegressions: number;
  negativeLatency: number;
  firstRecv: number;
  lastRecv: number;
  closedByPeer: number;
  misdelivered: number;
  open: number;
  user: number;
  system: number;
}

serveRpc({
  /** Opens `count` streams, `batch` at a time (each batch fully live before the next). */
  async connect(a: ConnectArgs) {
    const t0 = performance.now();
    let opened = 0;
    const errors: Record<string, number> = {};
    for (let k = 0; k < a.count; k += a.batch) {
      const n = Math.min(a.batch, a.count - k);
      const batch: Array<Promise<Conn>> = [];
      for (let j = 0; j < n; j++) {
        const t = (k + j) % a.tokens.length;
        batch.push(openOne(a.host, a.port, a.path, a.tokens[t] as string, a.timeoutMs ?? 20_000, a.groups?.[t] ?? -1));
      }
      for (const r of await Promise.allSettled(batch)) {
        if (r.status === 'fulfilled') {
          conns.push(r.value);
          opened++;
        } else {
          const msg = r.reason instanceof Error ? r.reason.message : String(r.reason);
          errors[msg] = (errors[msg] ?? 0) + 1;
        }
      }
    }
    return { opened, failed: a.count - opened, errors, ms: performance.now() - t0 };
  },

  /** Sets the nap between event-loop polls (0: off, the loop waits in epoll as usual). */
  nap(a: { ms: number }) {
    napMs = a.ms;
    if (napMs > 0 && !napping) {
      napping = true;
      setImmediate(nap);
    }
    return napMs;
  },

  /**
   * Starts a measurement phase: events with seq >= seqBase count; earlier ones are stale. With
   * `plan` (the group of each seq from seqBase on), a stream with a group counts only its group's.
   */
  phase(a: { seqBase: number; plan?: number[] }) {
    phase.seqBase = a.seqBase;
    phase.plan = a.plan ? Int32Array.from(a.plan) : null;
    phase.misdelivered = 0;
    phase.received = 0;
    phase.duplicates = 0;
    phase.stale = 0;
    phase.reordered = 0;
    phase.idRegressions = 0;
    phase.negativeLatency = 0;
    phase.firstRecv = 0;
    phase.lastRecv = 0;
    phase.closedByPeer = 0;
    phase.hist.fill(0);
    for (const c of conns) {
      c.seen.fill(0);
      c.lastSeq = -1;
    }
    return openCount;
  },

  stats(): LoadgenStats {
    const cpu = process.cpuUsage();
    const { hist: _hist, seqBase: _base, plan: _plan, ...counts } = phase;
    return { ...counts, open: openCount, user: cpu.user, system: cpu.system };
  },

  /** The latency histogram of the phase, sparse: [bin, count] pairs. */
  hist() {
    const out: Array<[number, number]> = [];
    const h = phase.hist;
    for (let i = 0; i < h.length; i++) if (h[i] !== 0) out.push([i, h[i] as number]);
    return { binMs: HIST_BIN_MS, bins: out };
  },

  /**
   * With a plan: per stream with a group, the seqs of its group below `sent` (minus `exclude`, e.g.
   * publishes that failed) it did not receive. `expected` is what the streams should have got.
   */
  missing(a: { sent: number; exclude?: number[] }) {
    const plan = phase.plan;
    if (!plan) throw new Error('missing: the phase has no plan');
    const skip = new Set(a.exclude ?? []);
    const byGroup = new Map<number, number[]>();
    for (let i = 0; i < Math.min(a.sent, plan.length); i++) {
      if (skip.has(i)) continue;
      const g = plan[i] as number;
      let l = byGroup.get(g);
      if (!l) byGroup.set(g, (l = []));
      l.push(i);
    }
    let expected = 0;
    let missing = 0;
    let streamsMissing = 0;
    for (const c of conns) {
      if (c.group < 0) continue;
      const idxs = byGroup.get(c.group) ?? [];
      expected += idxs.length;
      let m = 0;
      for (const i of idxs) if (((c.seen[i >> 3] ?? 0) & (1 << (i & 7))) === 0) m++;
      missing += m;
      if (m > 0) streamsMissing++;
    }
    return { expected, missing, streamsMissing };
  },

  closeAll() {
    let n = 0;
    for (const c of conns) {
      c.open = false;
      if (c.sock && !c.sock.destroyed) {
        c.sock.destroy();
        n++;
      }
    }
    conns.length = 0;
    openCount = 0;
    return n;
  },
});
