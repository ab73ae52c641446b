import { createPublicKey, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../shared/index.js';
import { ID_PATTERN, type Identity } from './identity.js';
import { JWKS_ALGORITHMS, JwksKeys } from './jwks.js';

export type JwtAlgorithm = 'HS256' | 'ES256' | 'RS256';

export interface JwtKey {
  /** The one algorithm accepted; fixed by configuration, never read from the token. */
  algorithm: JwtAlgorithm;
  key: Uint8Array | KeyObject;
}

/**
 * Where the identity is in a token's claims: WARDBELL_JWT_CLAIM_TENANT (default `tid`),
 * WARDBELL_JWT_CLAIM_ROLES (`roles`), WARDBELL_JWT_CLAIM_WARDS (`wards`), and the user (`sub`). A
 * name is looked up as a claim first (`https://hospital.example/roles` is one claim), then, if it
 * has dots, as a path into nested claims (`realm_access.roles`).
 */
export interface ClaimNames {
  user: string;
  tenant: string;
  roles: string;
  wards: string;
}
export const DEFAULT_CLAIM_NAMES: Readonly<ClaimNames> = { user: 'sub', tenant: 'tid', roles: 'roles', wards: 'wards' };

export interface JwtOptions {
  issuer?: string | undefined;
  audience?: string | undefined;
  claims?: Partial<ClaimNames> | undefined;
  /** Allowed clock skew, seconds. Default 30. */
  clockToleranceS?: number;
  /** The clock expiry is checked against (ms since the epoch). Default Date.now. */
  now?: () => number;
}

/** A claim by name, or by dotted path into nested objects when no claim has that name (pure). */
export function claimAt(payload: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  if (!name.includes('.')) return undefined;
  let at: unknown = payload;
  for (const part of name.split('.')) {
    if (typeof at !== 'object' || at === null || Array.isArray(at) || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

const idOf = (v: unknown) => (typeof v === 'string' && ID_PATTERN.test(v) ? v : null);

/**
 * The identity in a token's claims (pure), or what is wrong with them. Tenant and user must be ids;
 * roles and wards are a string (one value) or an array of strings, of which those that are not ids
 * (a provider's own roles with spaces, say) are left out, never widened into anything.
 */
export function identityFromClaims(payload: Record<string, unknown>, names: Readonly<ClaimNames>): Identity | string {
  const tenantId = idOf(claimAt(payload, names.tenant));
  if (!tenantId) return `claim "${names.tenant}" (the tenant) must be an id`;
  const userId = idOf(claimAt(payload, names.user));
  if (!userId) return `claim "${names.user}" (the user) must be an id`;
  const list = (name: string, max: number): string[] | string => {
    const v = claimAt(payload, name);
    if (v === undefined || v === null) return [];
    const all = typeof v === 'string' ? [v] : Array.isArray(v) ? v : null;
    if (!all) return `claim "${name}" must be a string or an array of strings`;
    if (all.length > max) return `claim "${name}" has more than ${max} values`;
    return [...new Set(all.map(idOf).filter((x): x is string => x !== null))];
  };
  const roles = list(names.roles, 64);
  if (typeof roles === 'string') return roles;
  const wards = list(names.wards, 512);
  if (typeof wards === 'string') return wards;
  // Frozen: the authenticator hands the same identity to every request that carries this token.
  return Object.freeze({ tenantId, userId, roles: Object.freeze(roles), wards: Object.freeze(wards) });
}

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
export async function verifyToken(token: string, key: JwtKey | JwksKeys, opts: JwtOptions = {}): Promise<Identity> {
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
export async function verifyTokenWithExpiry(token: string, key: JwtKey | JwksKeys, opts: JwtOptions = {}): Promise<{ identity: Identity; expiresAt: number; issuedAt: number | null }> {
  const names: ClaimNames = { ...DEFAULT_CLAIM_NAMES, ...opts.claims };
  const accepted = key instanceof JwksKeys ? [...JWKS_ALGORITHMS] : [key.algorithm];
  let payload: Record<string, unknown>;
  try {
    // With a JWKS, the key is the one the token's kid names, and only with that key's algorithm.
    const verifyWith = key instanceof JwksKeys ? async (header: { kid?: string; alg?: string }) => (await key.keyFor(header)).key : await verificationKey(key);
    const res = await jwtVerify(token, verifyWith as Parameters<typeof jwtVerify>[1], {
      algorithms: accepted,
      requiredClaims: ['exp'],
      clockTolerance: opts.clockToleranceS ?? 30,
      ...(opts.now ? { currentDate: new Date(opts.now()) } : {}),
      ...(opts.issuer ? { issuer: opts.issuer } : {}),
      ...(opts.audience ? { audience: opts.audience } : {}),
    });
    payload = res.payload as Record<string, unknown>;
  } catch (err) {
    if (err instanceof AppError) throw err;
    const reason =
      err instanceof joseErrors.JWTExpired
        ? 'token expired'
        : err instanceof joseErrors.JOSEAlgNotAllowed
          ? `algorithm not accepted (this service accepts ${accepted.join(', ')} only)`
          : err instanceof joseErrors.JWTClaimValidationFailed
            ? `claim "${err.claim}" invalid: ${err.reason}`
            : 'signature or format invalid';
    throw new AppError('invalid_token', `Bearer token rejected: ${reason}.`);
  }
  const identity = identityFromClaims(payload, names);
  if (typeof identity === 'string') throw new AppError('invalid_token', `Bearer token rejected: ${identity}.`);
  const exp = payload.exp as number;
  const iat = payload.iat;
  return { identity, expiresAt: exp, issuedAt: typeof iat === 'number' && Number.isFinite(iat) ? iat : null };
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
