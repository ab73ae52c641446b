import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Action tokens let a service worker press a notification's action button from the lock screen:
 * the page's bearer token is not available there, so each push carries a token good only for the
 * buttons of that one notification, for that one user, for a limited time (HMAC-SHA256).
 */
export interface ActionClaims {
  tenantId: string;
  userId: string;
  notificationId: string;
}

export interface ActionTokens {
  sign(claims: ActionClaims, ttlMs: number): string;
  /** The claims, with when the token was issued and until when it holds (ms); null if invalid or expired. */
  verify(token: string): (ActionClaims & { issuedAtMs: number | null; validUntilMs: number }) | null;
}

export function createActionTokens(secret: Uint8Array, now: () => number = Date.now): ActionTokens {
  if (secret.length < 32) throw new Error('action token secret must be at least 32 bytes');
  const mac = (payload: string) => createHmac('sha256', secret).update(payload).digest();
  return {
    sign(c, ttlMs) {
      const payload = Buffer.from(JSON.stringify({ t: c.tenantId, u: c.userId, n: c.notificationId, i: now(), e: now() + ttlMs })).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    verify(token) {
      if (token.length > 2048) return null;
      const dot = token.indexOf('.');
      if (dot <= 0) return null;
      const payload = token.slice(0, dot);
      const sig = Buffer.from(token.slice(dot + 1), 'base64url');
      const expected = mac(payload);
      if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return null;
      try {
        const p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { t?: unknown; u?: unknown; n?: unknown; i?: unknown; e?: unknown };
        if (typeof p.t !== 'string' || typeof p.u !== 'string' || typeof p.n !== 'string' || typeof p.e !== 'number') return null;
        if (p.e <= now()) return null;
        // Tokens signed before they carried `i` have no issue time (a revocation refuses them).
        return { tenantId: p.t, userId: p.u, notificationId: p.n, issuedAtMs: typeof p.i === 'number' ? p.i : null, validUntilMs: p.e };
      } catch {
        return null;
      }
    },
  };
}
