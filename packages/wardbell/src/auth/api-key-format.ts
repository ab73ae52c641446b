import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys (pure parts): the format, the hash, the scopes.
 *
 * A key is `wbk_<id>_<secret>`: `wbk_` tells it from a JWT (which starts `eyJ`), the id (16
 * characters of base32) names its stored row and is shown in lists and logs, the secret (32 random
 * bytes, base64url) is what proves it. Only the SHA-256 of the whole key is stored: the secret has
 * 256 bits of entropy, so a fast hash is safe, and the key is shown once, at creation.
 */
export const API_KEY_PREFIX = 'wbk_';
const KEY_PATTERN = /^wbk_([a-z2-7]{16})_([A-Za-z0-9_-]{43})$/;
const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** What a key may do: one scope per group of server routes. */
export const API_KEY_SCOPES = ['publish', 'send', 'directory', 'workflows', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Readonly<Record<ApiKeyScope, string>> = {
  publish: 'POST /api/events',
  send: '/api/notifications (send, list, scheduled)',
  directory: '/api/directory (staff, wards, revocations)',
  workflows: '/api/schedules, /api/swaps, /api/emergency-calls, /api/reminders',
  admin: '/api/admin (the tenant\'s API keys), /api/push/stats, backup and restore',
};

export const isApiKeyScope = (s: string): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s);

/** Whether a bearer value is meant as an API key (then it is verified as one, never as a JWT). */
export const looksLikeApiKey = (bearer: string) => bearer.startsWith(API_KEY_PREFIX);

/** The id and the whole key, or null when it is not a well-formed key. */
export function parseApiKey(key: string): { id: string } | null {
  const m = KEY_PATTERN.exec(key);
  return m ? { id: m[1] as string } : null;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Compares a key's hash with a stored one in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A new key: its id, the key itself (shown once) and its hash (stored). */
export function newApiKey(random: (n: number) => Buffer = randomBytes): { id: string; key: string; hash: string } {
  const id = [...random(16)].map((b) => B32[b & 31]).join('');
  const key = `${API_KEY_PREFIX}${id}_${random(32).toString('base64url')}`;
  return { id, key, hash: hashApiKey(key) };
}
