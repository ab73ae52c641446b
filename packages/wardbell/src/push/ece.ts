import { createCipheriv, createECDH, createHmac, ECDH, randomBytes } from 'node:crypto';

/**
 * RFC 8291 (Message Encryption for Web Push) over RFC 8188 (`aes128gcm` content coding). Pure:
 * the only inputs are the subscription's keys, the plaintext, and (in tests) fixed sender keys and
 * salt; the output is the complete request body.
 */

/** RFC 8030 Section 7.2: a push service must accept at least 4096 octets of body. */
export const MAX_BODY_OCTETS = 4096;
/** Header of a single-record body: salt 16 + rs 4 + idlen 1 + keyid 65 (RFC 8291 Section 4). */
export const HEADER_OCTETS = 86;
/** 4096 - 86 header - 1 padding delimiter - 16 AEAD tag: the largest plaintext every push service takes. */
export const MAX_PLAINTEXT_OCTETS = MAX_BODY_OCTETS - HEADER_OCTETS - 1 - 16;
/** Record size written in the header. RFC 8291 Section 4 uses 4096; a single record never exceeds it. */
export const RECORD_SIZE = 4096;

const KEY_INFO_PREFIX = Buffer.from('WebPush: info\0', 'latin1');
const ONE = Buffer.from([1]);
// RFC 8188 Section 2.2/2.3 info strings, each with the HKDF-Expand counter octet 0x01 appended
// (one block of SHA-256 output is enough for a 16-octet key and a 12-octet nonce).
const CEK_INFO = Buffer.from('Content-Encoding: aes128gcm\0\x01', 'latin1');
const NONCE_INFO = Buffer.from('Content-Encoding: nonce\0\x01', 'latin1');
// RFC 8188 Section 2: the last (here: only) record ends with the delimiter 0x02, then padding zeros.
const LAST_RECORD = Buffer.from([2]);

export interface EncryptInput {
  /** The user agent's P-256 public key (subscription `keys.p256dh`), 65 octets uncompressed. */
  uaPublic: Uint8Array;
  /** The subscription's 16-octet authentication secret (`keys.auth`). */
  authSecret: Uint8Array;
  plaintext: Uint8Array;
  /** Zero octets added after the delimiter to hide the length. Default 0. */
  padding?: number;
  /**
   * Test vectors only: fixed application-server key pair and salt. Production must leave these
   * unset: RFC 8291 Section 3.1 wants a fresh ECDH key pair and RFC 8188 Section 2.1 a fresh salt
   * for every message.
   */
  fixed?: { asPrivate: Uint8Array; salt: Uint8Array };
}

function hmac(key: Uint8Array, ...data: Uint8Array[]): Buffer {
  const h = createHmac('sha256', key);
  for (const d of data) h.update(d);
  return h.digest();
}

/** Thrown for keys or sizes that cannot make a valid message; the caller records it as a permanent failure. */
export class EncryptionError extends Error {
  override readonly name = 'EncryptionError';
}

/**
 * Encrypts one Web Push message (RFC 8291 Section 3.4 key derivation, RFC 8188 record layout) and
 * returns the body: header (salt, rs, idlen, as_public) followed by one AES-128-GCM record.
 * Throws EncryptionError when the plaintext is over {@link MAX_PLAINTEXT_OCTETS} or a key is malformed.
 */
export function encryptPushPayload(input: EncryptInput): Buffer {
  const padding = input.padding ?? 0;
  if (input.plaintext.length + padding > MAX_PLAINTEXT_OCTETS) {
    throw new EncryptionError(`payload is ${input.plaintext.length + padding} octets; at most ${MAX_PLAINTEXT_OCTETS} fit the 4096 octets every push service accepts`);
  }
  if (input.uaPublic.length !== 65 || input.uaPublic[0] !== 4) throw new EncryptionError('p256dh must be an uncompressed P-256 point (65 octets, 0x04 first)');
  if (input.authSecret.length !== 16) throw new EncryptionError('auth must be 16 octets');

  const as = createECDH('prime256v1');
  let salt: Uint8Array;
  if (input.fixed) {
    as.setPrivateKey(input.fixed.asPrivate);
    salt = input.fixed.salt;
  } else {
    as.generateKeys();
    salt = randomBytes(16);
  }
  const asPublic = as.getPublicKey();
  let ecdhSecret: Buffer;
  try {
    ecdhSecret = as.computeSecret(input.uaPublic);
  } catch {
    throw new EncryptionError('p256dh is not a point on P-256');
  }
  // RFC 8291 Section 3.3/3.4: HKDF-Extract with the auth secret as salt, then Expand over
  // "WebPush: info" || 0x00 || ua_public || as_public; the result is the IKM of RFC 8188.
  const prkKey = hmac(input.authSecret, ecdhSecret);
  const ikm = hmac(prkKey, KEY_INFO_PREFIX, input.uaPublic, asPublic, ONE);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, CEK_INFO).subarray(0, 16);
  const nonce = hmac(prk, NONCE_INFO).subarray(0, 12);

  const out = Buffer.allocUnsafe(HEADER_OCTETS + input.plaintext.length + 1 + padding + 16);
  out.set(salt, 0);
  out.writeUInt32BE(RECORD_SIZE, 16);
  out[20] = 65;
  out.set(asPublic, 21);
  const cipher = createCipheriv('aes-128-gcm', cek, nonce);
  let at = HEADER_OCTETS;
  at += cipher.update(input.plaintext).copy(out, at);
  at += cipher.update(padding ? Buffer.concat([LAST_RECORD, Buffer.alloc(padding)]) : LAST_RECORD).copy(out, at);
  at += cipher.final().copy(out, at);
  cipher.getAuthTag().copy(out, at);
  return out;
}

/** Checks a subscription's keys without sending anything (subscribe-time validation); null when good. */
export function checkSubscriptionKeys(p256dh: Uint8Array, auth: Uint8Array): string | null {
  if (auth.length !== 16) return 'keys.auth must be 16 octets (base64url)';
  if (p256dh.length !== 65 || p256dh[0] !== 4) return 'keys.p256dh must be an uncompressed P-256 public key (65 octets, base64url)';
  try {
    // Decoding the point checks that it lies on the curve.
    ECDH.convertKey(p256dh, 'prime256v1');
  } catch {
    return 'keys.p256dh is not a point on P-256';
  }
  return null;
}
