import { importJWK, type JWK } from 'jose';
import type { KeyObject } from 'node:crypto';
import { AppError, httpsOrLoopback } from '../shared/index.js';

/** Algorithms a JWKS key may verify: asymmetric only (a symmetric key in a JWKS is ignored). */
export const JWKS_ALGORITHMS = ['RS256', 'PS256', 'ES256'] as const;
export type JwksAlgorithm = (typeof JWKS_ALGORITHMS)[number];

/** The algorithm a key verifies: its own `alg`, else the usual one for its type; null when unusable. */
export function pinnedAlgorithm(jwk: JWK): JwksAlgorithm | null {
  if (jwk.use !== undefined && jwk.use !== 'sig') return null;
  if (jwk.alg !== undefined) return (JWKS_ALGORITHMS as readonly string[]).includes(jwk.alg) && (jwk.alg === 'ES256' ? jwk.kty === 'EC' && jwk.crv === 'P-256' : jwk.kty === 'RSA') ? (jwk.alg as JwksAlgorithm) : null;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  return null;
}

/** Whether a JWKS URL may be fetched: https, or http on a loopback host (a JWKS server in tests, a sidecar). */
export const jwksUrlAllowed = httpsOrLoopback;

export interface JwksStatus {
  url: string;
  keys: number;
  /** When the keys in use were fetched (ms), null before the first success. */
  fetchedAt: number | null;
  /** The last fetch's failure, null when it succeeded. */
  lastError: string | null;
}

export interface JwksOptions {
  url: string;
  now?: () => number;
  fetch?: typeof fetch;
  /** Least time between two fetches for an unknown `kid`. Default 30 s. */
  cooldownMs?: number;
  /** Keys older than this are fetched again (in the background, the old ones kept meanwhile). Default 10 min. */
  maxAgeMs?: number;
  timeoutMs?: number;
  onError?: (err: unknown) => void;
}

interface Entry {
  kid: string | undefined;
  alg: JwksAlgorithm;
  key: KeyObject | Uint8Array;
}

/**
 * The keys of the application's identity provider, published as a JWKS: fetched, cached by `kid`,
 * fetched again when a token names a `kid` not in the cache (at most once per cooldown, so a flood
 * of made-up `kid`s costs one fetch per 30 s), and refreshed when old. A failed fetch keeps the keys
 * already held, so the service goes on verifying while the provider is unreachable, and `status()`
 * says so (for /readyz). Each key verifies only with its own algorithm: a token's `alg` must match
 * the key its `kid` names.
 */
export class JwksKeys {
  private entries: Entry[] = [];
  private fetchedAt: number | null = null;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private lastError: string | null = null;
  private inflight: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly cooldownMs: number;
  private readonly maxAgeMs: number;

  constructor(private readonly opts: JwksOptions) {
    if (!jwksUrlAllowed(opts.url)) throw new Error(`WARDBELL_JWKS_URL must be https (http only on loopback): ${opts.url}`);
    this.now = opts.now ?? Date.now;
    this.cooldownMs = opts.cooldownMs ?? 30_000;
    this.maxAgeMs = opts.maxAgeMs ?? 600_000;
  }

  status(): JwksStatus {
    return { url: this.opts.url, keys: this.entries.length, fetchedAt: this.fetchedAt, lastError: this.lastError };
  }

  /** Fetches the set now (waits for a fetch already running). */
  refresh(): Promise<void> {
    this.inflight ??= this.load().finally(() => (this.inflight = null));
    return this.inflight;
  }

  /** The key for a token's header, fetching the set again for an unknown `kid` when allowed. */
  async keyFor(header: { kid?: string | undefined; alg?: string | undefined }): Promise<{ key: KeyObject | Uint8Array; alg: JwksAlgorithm }> {
    let found = this.find(header.kid);
    if (!found && this.now() - this.lastAttempt >= this.cooldownMs) {
      await this.refresh();
      found = this.find(header.kid);
    } else if (found && this.fetchedAt !== null && this.now() - this.fetchedAt >= this.maxAgeMs && this.now() - this.lastAttempt >= this.cooldownMs) {
      void this.refresh().catch(() => undefined);
    }
    if (!found) {
      throw new AppError('invalid_token', header.kid === undefined ? 'Bearer token rejected: it names no key (kid) and the key set has more than one.' : `Bearer token rejected: unknown key id ${JSON.stringify(header.kid)}.`);
    }
    if (header.alg !== found.alg) throw new AppError('invalid_token', `Bearer token rejected: key ${JSON.stringify(found.kid ?? '')} verifies ${found.alg} only, not ${String(header.alg)}.`);
    return found;
  }

  private find(kid: string | undefined): Entry | undefined {
    if (kid === undefined) return this.entries.length === 1 ? this.entries[0] : undefined;
    return this.entries.find((e) => e.kid === kid);
  }

  private async load(): Promise<void> {
    this.lastAttempt = this.now();
    try {
      const res = await (this.opts.fetch ?? fetch)(this.opts.url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const text = await res.text();
      if (text.length > 1_000_000) throw new Error('key set larger than 1 MB');
      const body = JSON.parse(text) as { keys?: unknown };
      if (!Array.isArray(body.keys)) throw new Error('no "keys" array');
      const entries: Entry[] = [];
      for (const jwk of body.keys as JWK[]) {
        if (typeof jwk !== 'object' || jwk === null) continue;
        const alg = pinnedAlgorithm(jwk);
        if (!alg) continue;
        try {
          entries.push({ kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, alg, key: (await importJWK({ ...jwk, alg }, alg)) as KeyObject | Uint8Array });
        } catch {
          // A malformed key is skipped; the others stay usable.
        }
      }
      if (entries.length === 0) throw new Error('no usable signing key (RSA, or EC P-256)');
      this.entries = entries;
      this.fetchedAt = this.now();
      this.lastError = null;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.opts.onError?.(err);
    }
  }
}
