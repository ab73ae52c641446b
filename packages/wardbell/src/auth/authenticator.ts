import { createHash } from 'node:crypto';
import { AppError } from '../shared/index.js';
import type { ApiKeyGrant } from './api-keys.js';
import { bearerToken } from './bearer.js';
import type { Identity } from './identity.js';
import type { JwksKeys } from './jwks.js';
import { verifyTokenWithExpiry, type JwtKey, type JwtOptions } from './jwt.js';
import { identityFromHeaders } from './trusted-proxy.js';

export type HeaderGetter = (name: string) => string | undefined;

/**
 * A verified caller and the life of what identified them: when the token was issued (session
 * revocation refuses tokens issued before it) and until when it is accepted (its `exp` plus the
 * allowed clock skew: a stream it opened ends then). Both null for a gateway's headers.
 */
export interface Credential {
  identity: Identity;
  issuedAtMs: number | null;
  validUntilMs: number | null;
  /** Set when an API key identified the caller (`api-key-auth.ts`): its id, tenant and scopes. */
  apiKey?: ApiKeyGrant | undefined;
}

export interface Authenticator {
  readonly mode: 'jwt' | 'trusted-proxy';
  /** Identifies the caller from request headers, or throws AppError (401). */
  authenticate(header: HeaderGetter): Promise<Identity>;
  /** As `authenticate`, with the credential's issue time and end of validity. */
  verify(header: HeaderGetter): Promise<Credential>;
}

const JWT_CHARS = /^[A-Za-z0-9_\-.]+$/;

/** How many verified tokens the JWT authenticator remembers (least recently used dropped). */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

export function createAuthenticator(
  opts: { mode: 'jwt'; key: JwtKey | JwksKeys; jwt?: JwtOptions; cacheSize?: number } | { mode: 'trusted-proxy' },
): Authenticator {
  if (opts.mode === 'trusted-proxy') {
    return {
      mode: 'trusted-proxy',
      authenticate: async (h) => identityFromHeaders(h),
      verify: async (h) => ({ identity: identityFromHeaders(h), issuedAtMs: null, validUntilMs: null }),
    };
  }
  const { key, jwt } = opts;
  const now = jwt?.now ?? Date.now;
  const cacheSize = opts.cacheSize ?? VERIFIED_TOKEN_CACHE_SIZE;
  const toleranceMs = (jwt?.clockToleranceS ?? 30) * 1000;
  // A page sends the same token with every request; verifying its signature each time costs more
  // than the request's query. A token string that verified once (signature, algorithm, issuer,
  // audience, claims) maps to the same identity until it expires, so it is remembered by the
  // SHA-256 of its whole text (any changed byte is a different key and is verified afresh; 43 bytes
  // per entry rather than the token's few hundred, and no token kept in memory), and expiry is
  // checked on every use.
  const verified = new Map<string, Credential>();
  const verify = async (h: HeaderGetter): Promise<Credential> => {
      const auth = h('authorization');
      if (!auth) {
        throw new AppError('unauthenticated', 'Send Authorization: Bearer <token> (or an SSE ticket for EventSource).');
      }
      const token = bearerToken(auth);
      if (!token || !JWT_CHARS.test(token)) throw new AppError('invalid_token', 'Authorization header must be "Bearer <JWT>".');
      // Identity headers are ignored here on purpose: only the verified token says who is calling.
      const digest = createHash('sha256').update(token).digest('base64url');
      const hit = verified.get(digest);
      if (hit) {
        verified.delete(digest);
        if (now() < (hit.validUntilMs as number)) {
          verified.set(digest, hit); // most recently used last
          return hit;
        }
      }
      const { identity, expiresAt, issuedAt } = await verifyTokenWithExpiry(token, key, jwt);
      if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
      const credential: Credential = { identity, issuedAtMs: issuedAt === null ? null : issuedAt * 1000, validUntilMs: expiresAt * 1000 + toleranceMs };
      verified.set(digest, credential);
      return credential;
  };
  return {
    mode: 'jwt',
    verify,
    authenticate: async (h) => (await verify(h)).identity,
  };
}
