import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { API_KEY_SCOPES, SCOPE_DESCRIPTIONS, type ApiKeyInfo, type ApiKeys } from '../../auth/index.js';
import { AppError } from '../../shared/index.js';
import type { AppEnv } from '../env.js';
import { bearerSecurity, commonErrors, errorResponse, json, jsonBody } from '../schemas.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const ApiKeySchema = z
  .object({
    id: z.string().meta({ description: 'The key\'s public id (the part after `wbk_`); lists and logs show it, never the key.' }),
    tenantId: z.string().nullable().meta({ description: 'The tenant it acts for; null for a platform key.' }),
    name: z.string(),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    createdAt: z.string().meta({ format: 'date-time' }),
    lastUsedAt: z.string().meta({ format: 'date-time' }).nullable().meta({ description: 'Its last use, recorded at most once a minute.' }),
    revokedAt: z.string().meta({ format: 'date-time' }).nullable(),
  })
  .meta({ id: 'ApiKey' });

const view = (k: ApiKeyInfo) => ({ ...k, createdAt: iso(k.createdAt) as string, lastUsedAt: iso(k.lastUsedAt), revokedAt: iso(k.revokedAt) });

const scopeList = API_KEY_SCOPES.map((s) => `\`${s}\` (${SCOPE_DESCRIPTIONS[s]})`).join(', ');
const CreateSchema = z
  .object({
    name: z.string().max(200).optional().meta({ description: 'What the key is for, shown in lists.' }),
    scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length).meta({ description: `What it may call: ${scopeList}.` }),
  })
  .strict()
  .meta({ id: 'ApiKeyCreate' });

const IdParam = z.object({ id: z.string().regex(/^[a-z2-7]{16}$/, 'an API key id: 16 characters of a-z and 2-7') });
const tags = ['admin'];
const routes = {
  list: createRoute({
    method: 'get', path: '/api/admin/api-keys', tags, security: bearerSecurity, summary: 'The tenant\'s API keys',
    description: 'Role admin, or an API key with scope `admin`. The keys of the caller\'s tenant, newest first, revoked ones included; never the keys themselves. Platform keys are managed with `wardbell api-key`.',
    responses: { 200: { description: 'The keys.', ...json(z.object({ apiKeys: z.array(ApiKeySchema) })) }, ...commonErrors },
  }),
  create: createRoute({
    method: 'post', path: '/api/admin/api-keys', tags, security: bearerSecurity, summary: 'Create an API key for the tenant',
    description:
      'Role admin, or an API key with scope `admin`. A tenant key for the caller\'s tenant, sent as `Authorization: Bearer wbk_...`. ' +
      'The key is in this answer only: it is stored as a SHA-256 hash and cannot be shown again, so a retry creates another key (revoke the one whose answer was lost).',
    request: { body: jsonBody(CreateSchema) },
    responses: { 201: { description: 'Created: `key` is shown this once.', ...json(z.object({ key: z.string().meta({ example: 'wbk_abcdefghijklmnop_...' }), apiKey: ApiKeySchema })) }, ...commonErrors },
  }),
  revoke: createRoute({
    method: 'delete', path: '/api/admin/api-keys/{id}', tags, security: bearerSecurity, summary: 'Revoke an API key',
    description: 'Role admin, or an API key with scope `admin`. The key stops working at once in this process and within 10 s in every other. Revoking a revoked key answers with it again.',
    request: { params: IdParam },
    responses: { 200: { description: 'Revoked.', ...json(z.object({ apiKey: ApiKeySchema })) }, 404: errorResponse('No such key in this tenant.'), ...commonErrors },
  }),
};

/** The tenant's API keys (access: admin). */
export function registerAdminRoutes(app: OpenAPIHono<AppEnv>, deps: { apiKeys: ApiKeys }): void {
  const { apiKeys } = deps;
  app.openapi(routes.list, async (c) => c.json({ apiKeys: (await apiKeys.list(c.get('identity').tenantId)).map(view) }, 200));
  app.openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    const made = await apiKeys.create({ tenantId: c.get('identity').tenantId, scopes: body.scopes, name: body.name ?? '' });
    return c.json({ key: made.key, apiKey: view(made.info) }, 201);
  });
  app.openapi(routes.revoke, async (c) => {
    const key = await apiKeys.revoke(c.req.valid('param').id, c.get('identity').tenantId);
    if (!key) throw new AppError('not_found', 'No such API key in this tenant.');
    return c.json({ apiKey: view(key) }, 200);
  });
}
