import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { IdParams, SwapRequestSchema, SwapSchema, type Swaps } from '../../workflows/index.js';
import type { AppEnv } from '../env.js';
import { bearerSecurity, commonErrors, errorResponse, idempotencyErrors, IdempotencyKeyHeader, idErrors, json, jsonBody, unknownId } from '../schemas.js';
import { PUBLISHER_ONLY, UNKNOWN_STAFF } from './texts.js';

const tags = ['swaps'];
const routes = {
  request: createRoute({
    method: 'post', path: '/api/swaps', tags, security: bearerSecurity, summary: 'Ask a staff member to swap a shift',
    description:
      `${PUBLISHER_ONLY} The target gets \`swap_requested\` (priority high) with Approve and Reject, and a \`swap.requested\` event. ` +
      'The target\'s first press decides, once: `POST /api/notifications/{id}/actions/approve|reject`. Then the requester gets `swap_approved` or `swap_rejected` and a `swap.approved`/`swap.rejected` event, and so does the `role:service` topic (data: {swap}). A second press answers 409.',
    request: { headers: IdempotencyKeyHeader, body: jsonBody(SwapRequestSchema) },
    responses: { 201: { description: 'Requested.', ...json(z.object({ swap: SwapSchema })) }, ...commonErrors, ...idempotencyErrors, 400: errorResponse(`${UNKNOWN_STAFF} Also: requester and target are the same.`) },
  }),
  get: createRoute({
    method: 'get', path: '/api/swaps/{id}', tags, security: bearerSecurity, summary: 'A swap and its decision',
    request: { params: IdParams.swap },
    responses: { 200: { description: 'The swap.', ...json(z.object({ swap: SwapSchema })) }, 404: unknownId, ...idErrors },
  }),
};

/** Shift swaps (access: publisher); the decision is an action press on the target's notification. */
export function registerSwapRoutes(app: OpenAPIHono<AppEnv>, deps: { swaps: Swaps }): void {
  app.openapi(routes.request, async (c) => c.json({ swap: await deps.swaps.request(c.get('identity'), c.req.valid('json'), { idempotencyKey: c.var.idempotencyKey }) }, 201));
  app.openapi(routes.get, async (c) => c.json({ swap: await deps.swaps.get(c.get('identity').tenantId, c.req.valid('param').id) }, 200));
}
