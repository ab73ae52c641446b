/**
 * The body of an encryption thread (see encrypt-pool.ts): receives batches of messages to encrypt
 * (RFC 8291) and answers with the bodies, in order. Loaded by the pool, never imported.
 */
import { parentPort } from 'node:worker_threads';
import { encryptPushPayload } from './ece.js';
import type { EncryptJob, EncryptReply } from './encrypt-pool.js';

parentPort?.on('message', (batch: { seq: number; jobs: EncryptJob[] }) => {
  const bodies: Array<Uint8Array | string> = batch.jobs.map((j) => {
    try {
      // Copied into its own ArrayBuffer: small Buffers share a pool slab, which must not be transferred.
      return new Uint8Array(encryptPushPayload({ uaPublic: j.uaPublic, authSecret: j.authSecret, plaintext: j.plaintext }));
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  });
  const reply: EncryptReply = { seq: batch.seq, bodies };
  parentPort?.postMessage(reply, bodies.flatMap((b) => (typeof b === 'string' ? [] : [b.buffer as ArrayBuffer])));
});
