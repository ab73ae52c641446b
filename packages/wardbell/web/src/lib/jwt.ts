/** Reading (never verifying) the claims of a Wardbell token, to show who the console acts as. */

export interface Claims {
  tenantId: string;
  userId: string;
  roles: string[];
  wards: string[];
  /** Expiry, ms since the epoch; null when the token has none. */
  expiresAt: number | null;
}

function base64UrlDecode(part: string): string {
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The claims of a JWT (`sub`, `tid`, `roles`, `wards`, `exp`), or null when it is not one. */
export function decodeClaims(token: string): Claims | null {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const payload = JSON.parse(base64UrlDecode(parts[1])) as unknown;
    if (typeof payload !== 'object' || payload === null) return null;
    const p = payload as Record<string, unknown>;
    if (typeof p.sub !== 'string' || typeof p.tid !== 'string') return null;
    return {
      tenantId: p.tid,
      userId: p.sub,
      roles: strings(p.roles),
      wards: strings(p.wards),
      expiresAt: typeof p.exp === 'number' ? p.exp * 1000 : null,
    };
  } catch {
    return null;
  }
}

/** Roles that may publish events and send notifications to anyone in their tenant. */
export const canPublish = (c: Claims | null): boolean => !!c && c.roles.some((r) => r === 'service' || r === 'admin');

/** The topics an identity is granted, own user topic first (as the server computes them). */
export function grantedTopics(c: Claims): string[] {
  return [`user:${c.userId}`, ...c.wards.map((w) => `ward:${w}`), ...c.roles.map((r) => `role:${r}`)];
}
