import 'server-only';
import { createApiClient, WardbellApiError, type ApiClient } from '@wardbell/client';
import { SignJWT } from 'jose';
import { env } from './env';
import { staffOf, type StaffMember } from './staff';

/**
 * Everything this server says to Wardbell: the typed API client under the platform API key (one
 * hospital per call, `forTenant`), the directory kept in step with the app's staff, and the user
 * tokens the app mints as the identity provider.
 */

let client: { key: string; url: string; api: ApiClient } | null = null;

/** The API client acting for one hospital (a platform key names the tenant per call). */
export function wardbellFor(tenantId: string): ApiClient {
  const url = env.wardbellUrl();
  const key = env.apiKey();
  if (!client || client.key !== key || client.url !== url) client = { key, url, api: createApiClient({ baseUrl: url, apiKey: key }) };
  return client.api.forTenant(tenantId);
}

// One sync per hospital per server process (an upsert: repeating it changes nothing).
const synced = new Map<string, Promise<void>>();

/**
 * Puts the hospital's staff into Wardbell's directory, so that a ward (`ward:3`) or role
 * notification reaches each of them, also those with no page open. Idempotent; done once per
 * process, and again when Wardbell says it does not know a recipient (a fresh Wardbell store).
 */
export async function syncDirectory(tenantId: string, force = false): Promise<void> {
  let done = force ? undefined : synced.get(tenantId);
  if (!done) {
    const members = staffOf(tenantId).map((s) => ({ userId: s.userId, roles: s.roles, wards: s.wards, displayName: s.displayName }));
    done = wardbellFor(tenantId)
      .directory.upsert({ members })
      .then(() => undefined);
    synced.set(tenantId, done);
    done.catch(() => synced.delete(tenantId));
  }
  return done;
}

/** Runs a call for the hospital after the directory sync; once more after a fresh sync when Wardbell did not know someone. */
export async function withDirectory<T>(tenantId: string, call: (api: ApiClient) => Promise<T>): Promise<T> {
  await syncDirectory(tenantId);
  try {
    return await call(wardbellFor(tenantId));
  } catch (err) {
    if (!(err instanceof WardbellApiError && err.code === 'unknown_recipients')) throw err;
    await syncDirectory(tenantId, true);
    return call(wardbellFor(tenantId));
  }
}

/** How long a user token lives. The page asks for a new one before it runs out (and Wardbell ends a stream whose token expired, which the client resumes with a fresh one). */
export const TOKEN_TTL_S = 15 * 60;

/**
 * A Wardbell user token for the signed-in staff member: HS256 under the secret Wardbell shares
 * (WARDBELL_JWT_SECRET), with the claims Wardbell reads by default: `tid` (tenant), `sub` (user),
 * `roles`, `wards`, and `iss`/`aud` when Wardbell checks them. `exp` is required.
 */
export async function mintUserToken(user: StaffMember, now = Date.now()): Promise<{ token: string; expiresAt: string }> {
  const iat = Math.floor(now / 1000);
  const exp = iat + TOKEN_TTL_S;
  let jwt = new SignJWT({ tid: user.tenantId, roles: user.roles, wards: user.wards })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.userId)
    .setIssuedAt(iat)
    .setExpirationTime(exp);
  const iss = env.jwtIssuer();
  const aud = env.jwtAudience();
  if (iss) jwt = jwt.setIssuer(iss);
  if (aud) jwt = jwt.setAudience(aud);
  const token = await jwt.sign(new TextEncoder().encode(env.jwtSecret()));
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/** A failure as a short sentence for the form (the request id finds it in Wardbell's log). */
export function describeFailure(err: unknown): string {
  if (err instanceof WardbellApiError) {
    if (err.status === 0) return `Wardbell did not answer (${err.code}): is it running at ${env.wardbellUrl()}?`;
    return `Wardbell answered ${err.status} ${err.code}: ${err.message}${err.requestId ? ` (request ${err.requestId})` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}
