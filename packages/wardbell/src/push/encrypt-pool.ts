import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { encryptPushPayload, EncryptionError } from './ece.js';

/** One message to encrypt: the subscription's keys and the plaintext. */
export interface EncryptJob {
  uaPublic: Uint8Array;
  authSecret: Uint8Array;
  plaintext: Uint8Array;
}

export interface EncryptReply {
  seq: number;
  /** A body, or the message of the EncryptionError the job raised. */
  bodies: Array<Uint8Array | string>;
}

/** Encrypts push payloads (RFC 8291): in this thread, or spread over encryption threads. */
export interface Encryptor {
  encrypt(job: EncryptJob): Promise<Buffer>;
  close(): Promise<void>;
}

/** In this thread: the simplest, and the right choice on one core. */
export const inlineEncryptor: Encryptor = {
  async encrypt(job) {
    return encryptPushPayload({ uaPublic: job.uaPublic, authSecret: job.authSecret, plaintext: job.plaintext });
  },
  async close() {},
};

// Eval'd bootstrap: from the build it imports the compiled worker; from TypeScript sources (tests,
// `tsx` scripts) it registers tsx first, since worker threads do not inherit the parent's loader.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.url.endsWith('.ts')) (await import('tsx/esm/api')).register();
  await import(workerData.url);
})().catch((err) => { throw err; });
`;

interface Pending {
  job: EncryptJob;
  resolve: (b: Buffer) => void;
  reject: (e: Error) => void;
}

interface Lane {
  worker: Worker;
  seq: number;
  waiting: Map<number, Pending[]>;
  queue: Pending[];
}

/**
 * Spreads the per-message ECDH and AES-GCM over worker threads, so the event loop keeps to HTTP and
 * the database. Jobs queued within one event-loop turn travel to a thread as one batch (one
 * postMessage each way), and the bodies come back transferred, not copied. If a thread fails, its
 * jobs and every later one are encrypted in this thread: slower, never lost.
 */
export class EncryptPool implements Encryptor {
  private readonly lanes: Lane[] = [];
  private next = 0;
  private scheduled = false;
  private broken = false;

  /** `threads`: default availableParallelism() - 1, at least 1, at most 4. */
  constructor(threads = Math.max(1, Math.min(4, availableParallelism() - 1))) {
    const url = new URL(import.meta.url.endsWith('.ts') ? './encrypt-worker.ts' : './encrypt-worker.js', import.meta.url).href;
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { url } });
      worker.unref();
      const lane: Lane = { worker, seq: 0, waiting: new Map(), queue: [] };
      worker.on('message', (m: EncryptReply) => this.settle(lane, m));
      worker.on('error', (err) => this.fail(lane, err));
      this.lanes.push(lane);
    }
  }

  encrypt(job: EncryptJob): Promise<Buffer> {
    if (this.broken || this.lanes.length === 0) return inlineEncryptor.encrypt(job);
    return new Promise((resolve, reject) => {
      // Round robin keeps the threads evenly fed; a batch per lane per turn keeps messages few.
      const lane = this.lanes[this.next++ % this.lanes.length] as Lane;
      lane.queue.push({ job, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.dispatch());
      }
    });
  }

  private dispatch(): void {
    this.scheduled = false;
    for (const lane of this.lanes) {
      if (!lane.queue.length) continue;
      const items = lane.queue;
      lane.queue = [];
      const seq = ++lane.seq;
      lane.waiting.set(seq, items);
      // Compact copies: a small Buffer views an 8 KiB pool slab that would otherwise be cloned whole.
      const jobs = items.map(({ job }) => ({ uaPublic: new Uint8Array(job.uaPublic), authSecret: new Uint8Array(job.authSecret), plaintext: new Uint8Array(job.plaintext) }));
      lane.worker.postMessage({ seq, jobs }, jobs.flatMap((j) => [j.uaPublic.buffer, j.authSecret.buffer, j.plaintext.buffer]));
    }
  }

  private settle(lane: Lane, m: EncryptReply): void {
    const waiters = lane.waiting.get(m.seq);
    if (!waiters) return;
    lane.waiting.delete(m.seq);
    waiters.forEach((w, i) => {
      const b = m.bodies[i];
      if (b === undefined || typeof b === 'string') w.reject(new EncryptionError(b ?? 'no body from the encryption thread'));
      else w.resolve(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    });
  }

  private fail(lane: Lane, err: Error): void {
    this.broken = true;
    process.emitWarning(`push encryption thread failed, encrypting on the event loop from now on: ${err.message}`);
    const orphans = [...[...lane.waiting.values()].flat(), ...lane.queue];
    lane.waiting.clear();
    lane.queue = [];
    for (const p of orphans) inlineEncryptor.encrypt(p.job).then(p.resolve, p.reject);
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.worker.terminate()));
    this.lanes.length = 0;
  }
}
