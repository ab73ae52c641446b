import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';
import { FORBIDDEN_ADDRESS, guardedLookup } from './endpoint.js';
import type { PushRequest } from './request.js';

/** What came back from a push service: a status, or no response at all (`status: null`). */
export interface PushResponse {
  status: number | null;
  retryAfter?: string | undefined;
  /** First bytes of the response body, or the error message. */
  detail: string;
  /** The connection was refused because the host resolved to a non-public address. */
  forbiddenAddress?: boolean;
}

/** The port: send one request to a push service. Real HTTPS in production, a fake in tests. */
export interface PushTransport {
  send(req: PushRequest): Promise<PushResponse>;
  close(): void;
}

export interface HttpsTransportOptions {
  /** Sockets kept per push-service origin; the worker's concurrency. Default 64. */
  maxSockets?: number;
  /** PEM of extra trusted CAs (WARDBELL_PUSH_CA_FILE), added to the public roots. */
  caFile?: string | undefined;
  /** Testing only: connect to loopback/private addresses. Default false. */
  allowPrivateNetworks?: boolean;
  /** Whole-request timeout. Default 30000 ms. */
  timeoutMs?: number;
}

const DETAIL_BYTES = 512;

/**
 * HTTPS to the push services over pooled keep-alive connections (one TLS handshake serves thousands
 * of messages). Every connection's address is checked by the agent's lookup; redirects are never
 * followed (node:https does not follow them, and a 3xx is classified as a permanent failure).
 */
export function createHttpsTransport(opts: HttpsTransportOptions = {}): PushTransport {
  const maxSockets = opts.maxSockets ?? 64;
  const agent = new Agent({
    keepAlive: true,
    maxSockets,
    maxFreeSockets: maxSockets,
    scheduling: 'lifo',
    // One secure context built once: passing `ca` itself would make the agent fold every root
    // certificate into its pool key on each request and parse them again on each connection.
    ...(opts.caFile ? { secureContext: createSecureContext({ ca: [...rootCertificates, readFileSync(opts.caFile, 'utf8')] }) } : {}),
    lookup: guardedLookup(opts.allowPrivateNetworks ?? false),
  });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return {
    send(req) {
      return new Promise<PushResponse>((resolve) => {
        let settled = false;
        const done = (r: PushResponse) => {
          if (!settled) {
            settled = true;
            resolve(r);
          }
        };
        const r = request(req.url, { method: 'POST', headers: req.headers, agent, timeout: timeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            if (size < DETAIL_BYTES) chunks.push(c);
            size += c.length;
          });
          res.on('end', () => {
            const ra = res.headers['retry-after'];
            done({ status: res.statusCode ?? null, retryAfter: Array.isArray(ra) ? ra[0] : ra, detail: Buffer.concat(chunks).subarray(0, DETAIL_BYTES).toString('utf8') });
          });
          res.on('error', (err) => done({ status: null, detail: err.message }));
        });
        r.on('timeout', () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        r.on('error', (err: NodeJS.ErrnoException) => done({ status: null, detail: err.message, forbiddenAddress: err.code === FORBIDDEN_ADDRESS }));
        r.end(req.body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
