import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { TenantSettingsSchema, type TenantSettingsStore } from '../../tenants/index.js';
import type { AppEnv } from '../env.js';
import { bearerSecurity, commonErrors, json, jsonBody } from '../schemas.js';

const Settings = TenantSettingsSchema.meta({ id: 'TenantSettings', example: { lockScreen: 'generic' } });
const tags = ['tenant'];
const LOCK_SCREEN =
  'With `lockScreen: generic` every push of the tenant (also those already queued) carries only a generic text and the notification\'s id: ' +
  'a title from its type, priority and ward ("Urgent call, Ward 3", "Urgent notification", "Shift swap request", "New notification", ...), the body "Open the app to see the details.", ' +
  'buttons with generic labels (Accept, Decline, Approve, Reject; others are left out) and the action token, no data; never the title, body, data, sender or labels of the notification. ' +
  'A send may ask for this for one notification (`lockScreen: generic` in `POST /api/notifications`) whatever the tenant\'s setting.';

const routes = {
  get: createRoute({
    method: 'get', path: '/api/tenant/settings', tags, security: bearerSecurity, summary: 'The tenant\'s settings',
    description: `Role admin, or an API key with scope \`admin\`. The caller's tenant's settings; a tenant that set nothing has the defaults (\`lockScreen: full\`). ${LOCK_SCREEN}`,
    responses: { 200: { description: 'The settings.', ...json(Settings) }, 401: commonErrors[401], 403: commonErrors[403] },
  }),
  put: createRoute({
    method: 'put', path: '/api/tenant/settings', tags, security: bearerSecurity, summary: 'Replace the tenant\'s settings',
    description: `Role admin, or an API key with scope \`admin\`. Every field is required; the same body again changes nothing (idempotent). Applies to pushes sent from now on, in every process. ${LOCK_SCREEN}`,
    request: { body: jsonBody(Settings) },
    responses: { 200: { description: 'Saved: the settings now in force.', ...json(Settings) }, ...commonErrors },
  }),
};

/** The caller's tenant's settings (access: admin). */
export function registerTenantSettingsRoutes(app: OpenAPIHono<AppEnv>, deps: { tenants: TenantSettingsStore }): void {
  const { tenants } = deps;
  app.openapi(routes.get, async (c) => c.json(await tenants.get(c.get('identity').tenantId), 200));
  app.openapi(routes.put, async (c) => {
    const { tenantId, userId } = c.get('identity');
    return c.json(await tenants.put(tenantId, c.req.valid('json'), userId), 200);
  });
}
