import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { EscalationPolicySchema, MAX_POLICIES_PER_TENANT, NamedPolicySchema, PolicyParams, type EscalationPolicies } from '../../workflows/index.js';
import type { AppEnv } from '../env.js';
import { bearerSecurity, commonErrors, errorResponse, idErrors, json, jsonBody } from '../schemas.js';
import { PUBLISHER_ONLY, UNKNOWN_STAFF } from './texts.js';

const Policy = z.object({ policy: NamedPolicySchema });
const unknownPolicy = errorResponse('No policy of that name in your tenant (another tenant\'s is never seen).');
const badName = { ...idErrors, 400: errorResponse('The name is not 1 to 64 lowercase letters, digits, - or _.') };
const tags = ['escalation-policies'];

const routes = {
  put: createRoute({
    method: 'put', path: '/api/escalation-policies/{name}', tags, security: bearerSecurity, summary: 'Store a named escalation policy',
    description:
      `${PUBLISHER_ONLY} Creates or replaces the tenant's policy of this name (an upsert: sending the same body again changes nothing). ` +
      'An emergency call names it with `policy: "<name>"` and gets a copy when it is made: changing or deleting the policy later changes no call already made. ' +
      `Steps run in order, each \`afterSeconds\` after the previous one; named staff must be in the directory. At most ${MAX_POLICIES_PER_TENANT} policies per tenant.`,
    request: { params: PolicyParams, body: jsonBody(EscalationPolicySchema) },
    responses: {
      200: { description: 'Replaced (or unchanged).', ...json(Policy) },
      201: { description: 'Created.', ...json(Policy) },
      ...commonErrors,
      400: errorResponse(`${UNKNOWN_STAFF} Also a name that is not one, negative or too long times, too many steps, unknown fields.`),
      409: errorResponse(`The tenant has ${MAX_POLICIES_PER_TENANT} policies already.`),
    },
  }),
  get: createRoute({
    method: 'get', path: '/api/escalation-policies/{name}', tags, security: bearerSecurity, summary: 'A named escalation policy',
    request: { params: PolicyParams },
    responses: { 200: { description: 'The policy.', ...json(Policy) }, 404: unknownPolicy, ...badName },
  }),
  list: createRoute({
    method: 'get', path: '/api/escalation-policies', tags, security: bearerSecurity, summary: 'The tenant\'s escalation policies',
    responses: { 200: { description: 'Every policy of the tenant, by name.', ...json(z.object({ policies: z.array(NamedPolicySchema) })) }, 401: commonErrors[401], 403: commonErrors[403] },
  }),
  remove: createRoute({
    method: 'delete', path: '/api/escalation-policies/{name}', tags, security: bearerSecurity, summary: 'Delete a named escalation policy',
    description: 'Calls made with it keep their copy and run on. New calls that name it get 404.',
    request: { params: PolicyParams },
    responses: { 200: { description: 'Deleted; the policy it was.', ...json(Policy) }, 404: unknownPolicy, ...badName },
  }),
};

/** A tenant's named escalation policies of emergency calls (access: publisher). */
export function registerEscalationPolicyRoutes(app: OpenAPIHono<AppEnv>, deps: { policies: EscalationPolicies }): void {
  const { policies } = deps;
  app.openapi(routes.put, async (c) => {
    const r = await policies.put(c.get('identity'), c.req.valid('param').name, c.req.valid('json'));
    return c.json({ policy: r.policy }, r.created ? 201 : 200);
  });
  app.openapi(routes.get, async (c) => c.json({ policy: await policies.get(c.get('identity').tenantId, c.req.valid('param').name) }, 200));
  app.openapi(routes.list, async (c) => c.json({ policies: await policies.list(c.get('identity').tenantId) }, 200));
  app.openapi(routes.remove, async (c) => c.json({ policy: await policies.remove(c.get('identity').tenantId, c.req.valid('param').name) }, 200));
}
