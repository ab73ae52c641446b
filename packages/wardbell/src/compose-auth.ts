import type { Logger } from 'pino';
import { createAuthenticator, jwtKeyFrom, JwksKeys, loadOrCreateDevSecret, type Authenticator } from './auth/index.js';
import { ConfigError, type Config } from './config/index.js';

/**
 * How the composition root verifies callers: trusted-proxy headers, the identity provider's JWKS,
 * a configured key, or (development only) a generated secret; the claim names from configuration.
 */
export function resolveAuth(config: Config, logger: Logger): { authenticator: Authenticator; devSecret?: Uint8Array; jwks?: JwksKeys } {
  if (config.WARDBELL_AUTH_MODE === 'trusted-proxy') {
    logger.warn('auth mode trusted-proxy: identity is read from x-tenant-id/x-user-id headers; only run behind a gateway that sets them');
    return { authenticator: createAuthenticator({ mode: 'trusted-proxy' }) };
  }
  const claims = { user: config.WARDBELL_JWT_CLAIM_USER, tenant: config.WARDBELL_JWT_CLAIM_TENANT, roles: config.WARDBELL_JWT_CLAIM_ROLES, wards: config.WARDBELL_JWT_CLAIM_WARDS };
  const jwt = { issuer: config.WARDBELL_JWT_ISSUER, audience: config.WARDBELL_JWT_AUDIENCE, claims };
  if (config.WARDBELL_JWKS_URL) {
    const url = config.WARDBELL_JWKS_URL;
    const jwks = new JwksKeys({ url, onError: (err) => logger.warn({ err, url }, 'JWKS: the identity provider\'s keys could not be fetched; tokens are verified with the keys already held') });
    return { authenticator: createAuthenticator({ mode: 'jwt', key: jwks, jwt }), jwks };
  }
  const key = jwtKeyFrom(config.WARDBELL_JWT_SECRET, config.WARDBELL_JWT_PUBLIC_KEY);
  if (key) return { authenticator: createAuthenticator({ mode: 'jwt', key, jwt }) };
  if (config.NODE_ENV === 'production') {
    throw new ConfigError(
      'No token key configured in production.\n' +
        '  fix: set WARDBELL_JWKS_URL (your identity provider\'s keys), WARDBELL_JWT_SECRET (HS256, at least 32 characters) or WARDBELL_JWT_PUBLIC_KEY (PEM, ES256/RS256),\n' +
        '       or WARDBELL_AUTH_MODE=trusted-proxy behind an authenticating gateway.',
    );
  }
  const dev = loadOrCreateDevSecret(config.WARDBELL_DATA_DIR);
  logger.warn(
    { path: dev.path, created: dev.created },
    '*** DEVELOPMENT MODE: tokens are signed with a generated secret and POST /api/dev/token mints them for anyone. ' +
      'Never expose this instance; set WARDBELL_JWT_SECRET or WARDBELL_JWT_PUBLIC_KEY for real use. ***',
  );
  const secret = new TextEncoder().encode(dev.secret);
  return { authenticator: createAuthenticator({ mode: 'jwt', key: { algorithm: 'HS256', key: secret }, jwt }), devSecret: secret };
}

/** The JWKS check of /readyz: not ready without keys; ready, with a note, when the last fetch failed. */
export async function jwksReadiness(jwks: JwksKeys): Promise<string | undefined> {
  const s = jwks.status();
  // Without keys, try again now rather than wait for a token with an unknown kid.
  if (s.keys === 0) await jwks.refresh();
  const now = jwks.status();
  if (now.keys === 0) throw new Error(`no keys from ${now.url}: ${now.lastError ?? 'not fetched yet'}`);
  if (now.lastError) return `degraded: verifying with ${now.keys} key(s) fetched at ${new Date(now.fetchedAt as number).toISOString()}; the last fetch failed: ${now.lastError}`;
  return undefined;
}
