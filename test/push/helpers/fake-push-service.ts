/**
 * A fake push service (RFC 8030 Section 5) on loopback HTTPS with a self-signed certificate made by
 * `openssl` at start. It plays the browser's side too: each `subscription()` has its own P-256 key
 * pair and auth secret, so every body received is decrypted with an independent implementation
 * (the `http_ece` package) and every VAPID header is verified with another one (`jose`), as the
 * push services do. Answers are scripted per subscription (201 by default).
 */
import { execFileSync } from 'node:child_process';
import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ece from 'http_ece';
import { importJWK, jwtVerify } from 'jose';
import { eventually } from '../../helpers/eventually.js';

export interface FakeSubscription {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  ecdh: ECDH;
}

export interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Received {
  subscriptionId: string;
  at: number;
  headers: Record<string, string | undefined>;
  /** The decrypted payload parsed as JSON (null when not decrypted, see `decryptEvery`). */
  payload: Record<string, any> | null;
  bodyLength: number;
  vapid: { ok: true; claims: Record<string, unknown> } | { ok: false; problem: string };
  answered: number;
}

export interface FakePushOptions {
  /** Decrypt every n-th body (1: all). Default 1. */
  decryptEvery?: number;
  /** The VAPID key the application server must present (RFC 8292 Section 4); unset: any valid key. */
  expectedVapidKey?: string;
  /** Keep `Received` records. Default true (the benchmark turns it off). */
  record?: boolean;
}

/** Makes a self-signed certificate for localhost and 127.0.0.1 in a temporary directory. */
export function makeCertificate(): { dir: string; keyFile: string; certFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wardbell-fake-push-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=wardbell-fake-push',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { dir, keyFile, certFile };
}

/** Verifies `Authorization: vapid t=<jwt>, k=<key>` independently (jose), for a request to `origin`. */
export async function verifyVapid(header: string | undefined, origin: string, nowMs: number, expectedKey?: string): Promise<{ ok: true; claims: Record<string, unknown> } | { ok: false; problem: string }> {
  const m = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+), k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!m) return { ok: false, problem: 'Authorization is not "vapid t=<jwt>, k=<key>"' };
  const [, jwt, k] = m as unknown as [string, string, string];
  if (expectedKey && k !== expectedKey) return { ok: false, problem: 'k is not the key this subscription was made with' };
  const raw = Buffer.from(k, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) return { ok: false, problem: 'k is not an uncompressed P-256 key' };
  const sig = Buffer.from(jwt.split('.')[2] as string, 'base64url');
  if (sig.length !== 64) return { ok: false, problem: `signature is ${sig.length} octets, not the raw 64 of JWS ES256` };
  try {
    const key = await importJWK({ kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, 'ES256');
    const { payload, protectedHeader } = await jwtVerify(jwt, key, { algorithms: ['ES256'], currentDate: new Date(nowMs) });
    if (protectedHeader.typ !== 'JWT') return { ok: false, problem: 'typ is not JWT' };
    if (payload.aud !== origin) return { ok: false, problem: `aud ${String(payload.aud)} is not the origin ${origin}` };
    if (typeof payload.exp !== 'number') return { ok: false, problem: 'exp missing' };
    if (payload.exp > nowMs / 1000 + 24 * 3600) return { ok: false, problem: 'exp more than 24 hours ahead' };
    if (typeof payload.sub !== 'string' || !/^(mailto:|https:)/.test(payload.sub)) return { ok: false, problem: 'sub is not a mailto: or https: URI' };
    return { ok: true, claims: payload as Record<string, unknown> };
  } catch (err) {
    return { ok: false, problem: err instanceof Error ? err.message : String(err) };
  }
}

export class FakePushService {
  readonly received: Received[] = [];
  /** Requests answered, by status (also when not recorded). */
  readonly counts = new Map<number, number>();
  /** Bodies decrypted and parsed successfully, and failures. */
  decrypted = 0;
  decryptFailures = 0;
  /** TLS connections accepted (keep-alive reuse shows as few connections for many requests). */
  connections = 0;
  private readonly subs = new Map<string, FakeSubscription>();
  private readonly scripts = new Map<string, Scripted[]>();
  private readonly verified = new Map<string, Promise<Received['vapid']>>();
  private seq = 0;
  private requests = 0;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
    readonly certFile: string,
    private readonly certDir: string,
    private readonly opts: FakePushOptions,
  ) {}

  static async start(opts: FakePushOptions = {}): Promise<FakePushService> {
    const cert = makeCertificate();
    const server = createServer({ key: readFileSync(cert.keyFile), cert: readFileSync(cert.certFile), keepAliveTimeout: 60_000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const svc = new FakePushService(server, `https://127.0.0.1:${port}`, cert.certFile, cert.dir, opts);
    server.on('secureConnection', () => svc.connections++);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void svc.handle(req.url ?? '', req.method ?? '', req.headers as Record<string, string | undefined>, Buffer.concat(chunks)).then((answer) => {
          res.writeHead(answer.status, answer.headers ?? {});
          res.end(answer.body ?? '');
        });
      });
    });
    return svc;
  }

  /** A new browser subscription at this push service. */
  subscription(): FakeSubscription {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const id = `s${++this.seq}-${randomBytes(6).toString('base64url')}`;
    const sub = { id, endpoint: `${this.origin}/push/${id}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') }, ecdh };
    this.subs.set(id, sub);
    return sub;
  }

  /** The next answers for a subscription, in order; after them 201 again. */
  script(id: string, ...answers: Array<number | Scripted>): void {
    this.scripts.set(id, [...(this.scripts.get(id) ?? []), ...answers.map((a) => (typeof a === 'number' ? { status: a } : a))]);
  }

  for(id: string): Received[] {
    return this.received.filter((r) => r.subscriptionId === id);
  }

  /** Resolves when `pred` holds over what was received; rejects after `timeoutMs`. */
  async waitFor(pred: (received: Received[]) => boolean, timeoutMs = 10_000): Promise<Received[]> {
    await eventually(() => pred(this.received), { timeout: timeoutMs, message: () => `fake push service: condition (received ${this.received.length})` });
    return this.received;
  }

  private async handle(url: string, method: string, headers: Record<string, string | undefined>, body: Buffer): Promise<Scripted> {
    const id = /^\/push\/([A-Za-z0-9_-]+)$/.exec(url)?.[1];
    const sub = id ? this.subs.get(id) : undefined;
    let answer: Scripted;
    let vapid: Received['vapid'] = { ok: false, problem: 'not checked' };
    let payload: Received['payload'] = null;
    if (method !== 'POST' || !sub || !id) answer = { status: 404 };
    else {
      const auth = headers.authorization ?? '';
      // A push service checks a token once and remembers it (the sender reuses it for hours).
      let check = this.verified.get(auth);
      if (!check) {
        check = verifyVapid(auth, this.origin, Date.now(), this.opts.expectedVapidKey);
        this.verified.set(auth, check);
      }
      vapid = await check;
      const n = this.requests++;
      if (!vapid.ok) answer = { status: 403, body: vapid.problem };
      else if (headers['content-encoding'] !== 'aes128gcm') answer = { status: 415 };
      else {
        if (n % (this.opts.decryptEvery ?? 1) === 0) {
          try {
            payload = JSON.parse(ece.decrypt(body, { version: 'aes128gcm', privateKey: sub.ecdh, authSecret: sub.keys.auth }).toString('utf8')) as Record<string, any>;
            this.decrypted++;
          } catch {
            this.decryptFailures++;
          }
        }
        const queue = this.scripts.get(id);
        answer = queue?.shift() ?? { status: 201 };
      }
    }
    this.counts.set(answer.status, (this.counts.get(answer.status) ?? 0) + 1);
    if (this.opts.record !== false && id) {
      this.received.push({ subscriptionId: id, at: Date.now(), headers, payload, bodyLength: body.length, vapid, answered: answer.status });
    }
    return answer;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.certDir, { recursive: true, force: true });
  }
}
