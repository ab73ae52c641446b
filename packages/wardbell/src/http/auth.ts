import type { MiddlewareHandler } from 'hono';
import { canPublish, checkKeyScope, type ActionTokens, type ApiKeyScope, type Authenticator, type Credential } from '../auth/index.js';
import { AppError } from '../shared/index.js';
import type { AppEnv } from './env.js';

/**
 * Who may call a path:
 * - `public`: anyone (the VAPID key, the service worker, the console, operations);
 * - `self`: the route authenticates the caller itself (the stream: a bearer token or a ticket);
 * - `identified`: any verified identity of the tenant;
 * - `publisher`: roles `service` and `admin` of the tenant;
 * - `identified-or-action-token`: `identified`, or for an action press the action token a push
 *   carried (good for that one notification and user), which is how a service worker presses;
 * - `admin`: role `admin` of the tenant (or an API key with scope `admin`).
 *
 * An API key (role `service`) may call a path only if the table names the scope it needs there.
 */
export type Access = 'public' | 'self' | 'identified' | 'publisher' | 'identified-or-action-token' | 'admin';

/** One row of the access table: a path pattern, who may call it, the scope an API key needs (null: none may). */
export type AccessRule = readonly [path: string, access: Access, keyScope: ApiKeyScope | null];

/** Middleware: identifies the caller (bearer token or API key, or gateway headers in trusted-proxy mode). */
function requireIdentity(authenticator: Authenticator, keyScope: ApiKeyScope | null): MiddlewareHandler<AppEnv> {
  return async function identify(c, next) {
    const credential = await authenticator.verify((name) => c.req.header(name));
    checkKeyScope(credential, keyScope, `${c.req.method} ${c.req.path}`);
    c.set('identity', credential.identity);
    c.set('credential', credential);
    await next();
  };
}

/** Middleware: role `admin` (a key has passed its scope check already). */
const requireAdmin: MiddlewareHandler<AppEnv> = async function adminOnly(c, next) {
  if (!c.get('identity').roles.includes('admin') && !c.get('credential')?.apiKey) {
    throw new AppError('forbidden', 'This needs role "admin" (or an API key with scope "admin").');
  }
  await next();
};

/** Middleware: only roles `service` and `admin` publish for their tenant. */
const requirePublisher: MiddlewareHandler<AppEnv> = async function publisherOnly(c, next) {
  if (!canPublish(c.get('identity'))) {
    throw new AppError('forbidden', 'Publishing needs role "service" or "admin".');
  }
  await next();
};

const ACTION_PATH = /^\/api\/notifications\/([^/]+)\/actions\/[^/]+$/;
const RECEIPTS_REPORT_PATH = '/api/notifications/receipts';

/**
 * Middleware: the bearer identity, or, for `POST /api/notifications/{id}/actions/{actionId}` with
 * an `X-Wardbell-Action-Token`, the identity that token was signed for, if it is for this
 * notification; and for `POST /api/notifications/receipts` (the service worker's "displayed" and
 * "opened"), that identity bound to the token's notification (`actionTokenFor`, which the route
 * holds the report to). The identity from an action token has no roles and no wards: it can only
 * press and report.
 */
function requireIdentityOrActionToken(authenticator: Authenticator, keyScope: ApiKeyScope | null, actionTokens: ActionTokens, isRevoked: (c: Credential) => boolean): MiddlewareHandler<AppEnv> {
  const identify = requireIdentity(authenticator, keyScope);
  return async function identifyOrActionToken(c, next) {
    const token = c.req.header('x-wardbell-action-token');
    const post = c.req.method === 'POST';
    const press = post ? ACTION_PATH.exec(c.req.path) : null;
    const report = post && c.req.path === RECEIPTS_REPORT_PATH;
    if (token === undefined || (!press && !report)) return identify(c, next);
    const claims = actionTokens.verify(token);
    // Hono's path is decoded already; decoding again threw on a stray '%' (a 500).
    if (!claims || (press && claims.notificationId !== press[1])) {
      throw new AppError('invalid_token', 'Action token is invalid, expired, or for another notification.');
    }
    const credential: Credential = { identity: { tenantId: claims.tenantId, userId: claims.userId, roles: [], wards: [] }, issuedAtMs: claims.issuedAtMs, validUntilMs: claims.validUntilMs };
    // A lock-screen button of a user whose sessions were revoked (or who left) presses nothing.
    if (isRevoked(credential)) throw new AppError('invalid_token', 'Action token was issued before this user\'s sessions were revoked.');
    c.set('identity', credential.identity);
    c.set('actionTokenFor', claims.notificationId);
    await next();
  };
}

/** Declares each path's access once; the route files assume it and read `c.get('identity')`. */
export function declareAccess(
  app: { use(path: string, ...handlers: MiddlewareHandler<AppEnv>[]): unknown },
  table: ReadonlyArray<AccessRule>,
  deps: { authenticator: Authenticator; actionTokens: ActionTokens; isRevoked: (c: Credential) => boolean },
): void {
  for (const [path, access, keyScope] of table) {
    const identify = requireIdentity(deps.authenticator, keyScope);
    if (access === 'identified') app.use(path, identify);
    else if (access === 'publisher') app.use(path, identify, requirePublisher);
    else if (access === 'admin') app.use(path, identify, requireAdmin);
    else if (access === 'identified-or-action-token') app.use(path, requireIdentityOrActionToken(deps.authenticator, keyScope, deps.actionTokens, deps.isRevoked));
  }
}
