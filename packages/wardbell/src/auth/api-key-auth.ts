import { AppError } from '../shared/index.js';
import { looksLikeApiKey, type ApiKeyScope } from './api-key-format.js';
import type { ApiKeyGrant, ApiKeys } from './api-keys.js';
import type { Authenticator, Credential, HeaderGetter } from './authenticator.js';
import { bearerToken } from './bearer.js';
import { ID_PATTERN } from './identity.js';

/** The header in which a platform key names the tenant a request acts for. */
export const TENANT_HEADER = 'x-wardbell-tenant';

/** The user id an API key acts as (roles `service`; never a member of the staff directory). */
export const apiKeyUserId = (id: string) => `apikey-${id}`;

/**
 * An authenticator that also takes API keys: a bearer value that starts with `wbk_` is verified as
 * a key (never as a JWT), anything else goes to `base`. A key acts as role `service` of its tenant;
 * a platform key acts for the tenant named in `X-Wardbell-Tenant` (required), a tenant key only for
 * its own (naming another is refused). The credential carries the key's grant, so the access layer
 * can check its scopes.
 */
export function withApiKeys(base: Authenticator, keys: ApiKeys): Authenticator {
  const verify = async (h: HeaderGetter): Promise<Credential> => {
    const bearer = bearerToken(h('authorization'));
    if (bearer === undefined || !looksLikeApiKey(bearer)) return base.verify(h);
    const grant = await keys.verify(bearer);
    if (!grant) throw new AppError('invalid_token', 'API key is unknown, malformed or revoked.');
    const named = h(TENANT_HEADER);
    if (named !== undefined && !ID_PATTERN.test(named)) throw new AppError('validation_failed', 'X-Wardbell-Tenant must be a tenant id of [A-Za-z0-9_.@|-], 1 to 128 characters.');
    let tenantId: string;
    if (grant.tenantId === null) {
      if (named === undefined) throw new AppError('bad_request', 'A platform API key acts for the tenant named in X-Wardbell-Tenant: send that header.');
      tenantId = named;
    } else {
      if (named !== undefined && named !== grant.tenantId) throw new AppError('forbidden', 'This API key is a tenant key of another tenant than X-Wardbell-Tenant names.');
      tenantId = grant.tenantId;
    }
    return { identity: { tenantId, userId: apiKeyUserId(grant.id), roles: ['service'], wards: [] }, issuedAtMs: null, validUntilMs: null, apiKey: grant };
  };
  return { mode: base.mode, verify, authenticate: async (h) => (await verify(h)).identity };
}

/**
 * Whether a credential may call a route that an API key needs `scope` for (null: a route for user
 * tokens only). Tokens pass (their roles are checked by the route's access); a key needs the scope.
 */
export function checkKeyScope(credential: Credential, scope: ApiKeyScope | null, what: string): void {
  const key: ApiKeyGrant | undefined = credential.apiKey;
  if (!key) return;
  if (scope === null) throw new AppError('forbidden', `API keys are for server calls; ${what} is called with a user's token.`);
  if (!key.scopes.includes(scope)) throw new AppError('forbidden', `This API key lacks the "${scope}" scope that ${what} needs.`, { scope, scopes: [...key.scopes] });
}
