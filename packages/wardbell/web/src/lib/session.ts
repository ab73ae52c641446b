import { decodeClaims, type Claims } from './jwt.js';

/** Who the console acts as. Kept in sessionStorage: each tab can be a different user. */
export interface Session {
  /** `dev`: minted by POST /api/dev/token; `token`: pasted. */
  mode: 'dev' | 'token';
  token: string;
  claims: Claims;
  /**
   * The token used to send (events, notifications, workflows): in development a `service` token
   * for the same tenant and user, minted with the user's; otherwise an optional pasted one.
   * Null: send with `token` (which works when it has role service/admin, or manager for own ward).
   */
  senderToken: string | null;
  senderClaims: Claims | null;
}

const KEY = 'wardbell.console.session';

export function makeSession(mode: Session['mode'], token: string, senderToken: string | null): Session | null {
  const claims = decodeClaims(token);
  if (!claims) return null;
  const senderClaims = senderToken ? decodeClaims(senderToken) : null;
  return { mode, token: token.trim(), claims, senderToken: senderClaims ? (senderToken?.trim() ?? null) : null, senderClaims };
}

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as { mode?: unknown; token?: unknown; senderToken?: unknown };
    if (typeof v.token !== 'string') return null;
    const s = makeSession(v.mode === 'dev' ? 'dev' : 'token', v.token, typeof v.senderToken === 'string' ? v.senderToken : null);
    if (!s || (s.claims.expiresAt !== null && s.claims.expiresAt < Date.now())) return null;
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  try {
    if (s) sessionStorage.setItem(KEY, JSON.stringify({ mode: s.mode, token: s.token, senderToken: s.senderToken }));
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage may be disabled (private mode); the session then lasts as long as the page.
  }
}

/** The token to send with: the sender token when there is one, else the user's own. */
export const sendToken = (s: Session): string => s.senderToken ?? s.token;

/** The identity a `#as=<user>&tenant=...&roles=...&wards=...` link asks for (dev mode shortcut). */
export interface DevIdentity {
  tenantId: string;
  userId: string;
  roles: string[];
  wards: string[];
}

export const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function identityFromHash(hash: string): DevIdentity | null {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const userId = p.get('as');
  if (!userId) return null;
  return { userId, tenantId: p.get('tenant') ?? 'hospital-a', roles: splitList(p.get('roles') ?? 'nurse'), wards: splitList(p.get('wards') ?? '3') };
}

export function hashFor(id: DevIdentity): string {
  const p = new URLSearchParams({ as: id.userId, tenant: id.tenantId, roles: id.roles.join(','), wards: id.wards.join(',') });
  return `#${p.toString()}`;
}
