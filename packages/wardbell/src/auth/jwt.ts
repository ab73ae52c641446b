import { createPublicKey, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { AppError } from '../shared/index.js';
import { IdSchema as idString, type Identity } from './identity.js';

export type JwtAlgorithm = 'HS256' | 'ES256' | 'RS256';

export interface JwtKey {
  /** The one algorithm accepted; fixed by configuration, never read from the token. */
  algorithm: JwtAlgorithm;
  key: Uint8Array | KeyObject;
}

export interface JwtOptions {
  issuer?: string | undefined;
  audience?: string | undefined;
  /** Allowed clock skew, seconds. Default 30. */
  clockToleranceS?: number;
  /** The clock expiry is checked against (ms since the epoch). Default Date.now. */
  now?: () => number;
}

const claimsSchema = z.object({
  sub: idString,
  tid: idString,
  roles: z.array(idString).max(64).default([]),
  wards: z.array(idString).max(512).default([]),
  exp: z.number(),
});

/** Builds the verification key from configuration: an HS256 secret or an ES256/RS256 PEM key. */
export function jwtKeyFrom(secret: string | undefined, publicKeyPem: string | undefined): JwtKey | null {
  if (secret) return { algorithm: 'HS256', key: new TextEncoder().encode(secret) };
  if (publicKeyPem) {
    const key = createPublicKey(publicKeyPem);
    const type = key.asymmetricKeyType;
    if (type === 'ec') {
      if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new Error('WARDBELL_JWT_PUBLIC_KEY: an EC key must be on P-256 for ES256');
      }
      return { algorithm: 'ES256', key };
    }
    if (type === 'rsa') return { algorithm: 'RS256', key };
    throw new Error(`WARDBELL_JWT_PUBLIC_KEY: unsupported key type ${type ?? 'unknown'}; use EC P-256 or RSA`);
  }
  return null;
}

/** Verifies a bearer token and returns the identity in it, or throws AppError(invalid_token). */
export async function verifyToken(token: string, key: JwtKey, opts: JwtOptions = {}): Promise<Identity> {
  return (await verifyTokenWithExpiry(token, key, opts)).identity;
}

/** An HS256 secret as a WebCrypto key, imported once per configured key rather than per token. */
const hmacKeys = new WeakMap<JwtKey, Promise<CryptoKey>>();
function verificationKey(key: JwtKey): Promise<CryptoKey> | KeyObject {
  if (!(key.key instanceof Uint8Array)) return key.key;
  let k = hmacKeys.get(key);
  if (!k) {
    k = crypto.subtle.importKey('raw', new Uint8Array(key.key), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    hmacKeys.set(key, k);
  }
  return k;
}

/** As verifyToken, also returning the token's `exp` and `iat` (seconds since the epoch; iat null when absent). */
export async function verifyTokenWithExpiry(token: string, key: JwtKey, opts: JwtOptions = {}): Promise<{ identity: Identity; expiresAt: number; issuedAt: number | null }> {
  let payload: unknown;
  try {
    const res = await jwtVerify(token, await verificationKey(key), {
      algorithms: [key.algorithm],
      requiredClaims: ['exp', 'sub'],
      clockTolerance: opts.clockToleranceS ?? 30,
      ...(opts.now ? { currentDate: new Date(opts.now()) } : {}),
      ...(opts.issuer ? { issuer: opts.issuer } : {}),
      ...(opts.audience ? { audience: opts.audience } : {}),
    });
    payload = res.payload;
  } catch (err) {
    const reason =
      err instanceof joseErrors.JWTExpired
        ? 'token expired'
        : err instanceof joseErrors.JOSEAlgNotAllowed
          ? `algorithm not accepted (this service accepts ${key.algorithm} only)`
          : err instanceof joseErrors.JWTClaimValidationFailed
            ? `claim "${err.claim}" invalid: ${err.reason}`
            : 'signature or format invalid';
    throw new AppError('invalid_token', `Bearer token rejected: ${reason}.`);
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) {
    throw new AppError(
      'invalid_token',
      'Bearer token rejected: claims must include sub and tid (ids), and roles/wards as string arrays.',
      claims.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  const c = claims.data;
  // Frozen: the authenticator hands the same identity to every request that carries this token.
  const identity: Identity = Object.freeze({ tenantId: c.tid, userId: c.sub, roles: Object.freeze(c.roles), wards: Object.freeze(c.wards) });
  const iat = (payload as { iat?: unknown }).iat;
  return { identity, expiresAt: c.exp, issuedAt: typeof iat === 'number' && Number.isFinite(iat) ? iat : null };
}

/** Signs an HS256 token for an identity (development token route, tests, benchmarks). */
export async function signDevToken(identity: Identity, secret: Uint8Array, ttlS: number): Promise<string> {
  return new SignJWT({ tid: identity.tenantId, roles: [...identity.roles], wards: [...identity.wards] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(identity.userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlS)
    .sign(secret);
}
