import { createECDH, createPrivateKey, sign, type KeyObject } from 'node:crypto';

/**
 * VAPID (RFC 8292): the application server identifies itself to push services with a short-lived
 * ES256 JWT and its public key, sent as `Authorization: vapid t=<jwt>, k=<key>` (Section 3).
 */

/** A VAPID key pair, base64url without padding: uncompressed P-256 public key (65 octets), private scalar (32 octets). */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/** RFC 8292 Section 2: `exp` must not be more than 24 hours after the request. */
export const MAX_JWT_LIFETIME_S = 24 * 3600;

/** Generates a fresh VAPID key pair. */
export function generateVapidKeys(): VapidKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  // getPrivateKey() drops leading zero octets (about 1 key in 256): pad to the 32 octets RFC 8292 keys have.
  const d = ecdh.getPrivateKey();
  const priv = d.length === 32 ? d : Buffer.concat([Buffer.alloc(32 - d.length), d]);
  return { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: priv.toString('base64url') };
}

/**
 * Checks a key pair: the private key must be a 32-octet P-256 scalar whose public key is the given
 * one. Returns a message saying what is wrong, or null.
 */
export function checkVapidKeys(keys: VapidKeys): string | null {
  const priv = Buffer.from(keys.privateKey, 'base64url');
  const pub = Buffer.from(keys.publicKey, 'base64url');
  if (priv.length !== 32) return 'the VAPID private key must be 32 octets, base64url';
  if (pub.length !== 65 || pub[0] !== 4) return 'the VAPID public key must be an uncompressed P-256 point (65 octets), base64url';
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(priv);
    if (!ecdh.getPublicKey().equals(pub)) return 'the VAPID public key does not belong to the private key';
  } catch {
    return 'the VAPID private key is not a valid P-256 scalar';
  }
  return null;
}

/** The signing key object of a VAPID key pair (node:crypto imports the raw scalar via JWK). */
export function vapidSigningKey(keys: VapidKeys): KeyObject {
  const pub = Buffer.from(keys.publicKey, 'base64url');
  return createPrivateKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: keys.privateKey,
      x: pub.subarray(1, 33).toString('base64url'),
      y: pub.subarray(33, 65).toString('base64url'),
    },
  });
}

/** RFC 8292 Section 2: `aud` is the origin of the push resource (scheme://host[:port]), never the path. */
export function vapidAudience(endpoint: string): string {
  return new URL(endpoint).origin;
}

const JWT_HEADER = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ES256' })).toString('base64url');

/**
 * Builds the JWT of RFC 8292 Section 2 (pure apart from the signature's randomness): claims `aud`,
 * `exp` (seconds), `sub`; ES256 with the raw 64-octet r||s signature JWS requires (RFC 7518
 * Section 3.4), not the DER form node:crypto would produce by default.
 */
export function buildVapidJwt(claims: { aud: string; exp: number; sub: string }, key: KeyObject): string {
  const body = `${JWT_HEADER}.${Buffer.from(JSON.stringify({ aud: claims.aud, exp: claims.exp, sub: claims.sub })).toString('base64url')}`;
  const sig = sign('sha256', Buffer.from(body), { key, dsaEncoding: 'ieee-p1363' });
  return `${body}.${sig.toString('base64url')}`;
}

/** The `Authorization` value of RFC 8292 Section 3 (the `vapid` scheme, used with aes128gcm). */
export function vapidAuthorization(jwt: string, publicKey: string): string {
  return `vapid t=${jwt}, k=${publicKey}`;
}

/** The problems a claim set would cause at a push service (RFC 8292 Section 2); empty when good. Pure. */
export function checkVapidClaims(claims: { aud: string; exp: number; sub: string }, endpoint: string, nowMs: number): string[] {
  const problems: string[] = [];
  const nowS = Math.floor(nowMs / 1000);
  if (claims.aud !== vapidAudience(endpoint)) problems.push('aud must be the origin of the push resource');
  if (claims.exp <= nowS) problems.push('exp is in the past');
  if (claims.exp > nowS + MAX_JWT_LIFETIME_S) problems.push('exp is more than 24 hours ahead');
  if (!/^(mailto:|https:)/.test(claims.sub)) problems.push('sub should be a mailto: or https: contact');
  return problems;
}

export interface VapidSignerOptions {
  keys: VapidKeys;
  /** RFC 8292 Section 2.1 contact, `mailto:` or `https:`. */
  subject: string;
  now: () => number;
  /** JWT lifetime. Default 12 h (as web-push); capped at 24 h. */
  lifetimeS?: number;
  /** A cached JWT is replaced when less than this remains. Default 1 h, so clock skew never bites. */
  renewBeforeS?: number;
}

/**
 * Signs VAPID headers and keeps one per push-service origin until it nears expiry. A push service
 * sees the same token for hours; that is what RFC 8292 intends (the token names the sender, not the
 * message), and it saves an ECDSA signature per message.
 */
export class VapidSigner {
  private readonly key: KeyObject;
  private readonly cache = new Map<string, { header: string; exp: number }>();
  private readonly lifetimeS: number;
  private readonly renewBeforeS: number;
  /** Signatures made (each cache miss). */
  signed = 0;

  constructor(private readonly opts: VapidSignerOptions) {
    const problem = checkVapidKeys(opts.keys);
    if (problem) throw new Error(problem);
    this.key = vapidSigningKey(opts.keys);
    this.lifetimeS = Math.min(opts.lifetimeS ?? 12 * 3600, MAX_JWT_LIFETIME_S);
    this.renewBeforeS = Math.min(opts.renewBeforeS ?? 3600, Math.floor(this.lifetimeS / 2));
  }

  get publicKey(): string {
    return this.opts.keys.publicKey;
  }

  /** The `Authorization` header for a request to this endpoint. */
  authorization(endpoint: string): string {
    const aud = vapidAudience(endpoint);
    const nowS = Math.floor(this.opts.now() / 1000);
    const hit = this.cache.get(aud);
    if (hit && hit.exp - nowS > this.renewBeforeS) return hit.header;
    const exp = nowS + this.lifetimeS;
    const header = vapidAuthorization(buildVapidJwt({ aud, exp, sub: this.opts.subject }, this.key), this.opts.keys.publicKey);
    // A handful of push services exist; the bound only guards against a flood of odd endpoints.
    if (this.cache.size >= 1000) this.cache.clear();
    this.cache.set(aud, { header, exp });
    this.signed++;
    return header;
  }
}
