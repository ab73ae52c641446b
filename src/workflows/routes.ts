import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/index.js';
import { bearerSecurity, commonErrors, errorResponse, jsonBody, requirePublisher, type AppEnv } from '../http/index.js';
import type { EmergencyCalls } from './emergency.js';
import { identifyOnce, idErrors, json, notFound } from './route-kit.js';
import type { Schedules } from './schedules.js';
import {
  CallDetailSchema,
  CallSchema,
  EmergencyCallSchema,
  IdParams,
  SchedulePublishedSchema,
  ScheduleResultSchema,
  ScheduleUpdatedSchema,
  SwapRequestSchema,
  SwapSchema,
} from './schemas.js';
import type { Swaps } from './swaps.js';

const unknownStaff = 'Malformed body, or `unknown_recipients`: staff missing from the directory (add them with PUT /api/directory/members).';
const publisherOnly = 'Role service or admin; the tenant is the caller\'s.';

const routes = {
  published: createRoute({
    method: 'post', path: '/api/schedules/published', tags: ['schedules'], security: bearerSecurity, summary: 'A schedule was published',
    description: `${publisherOnly} The affected staff get a \`schedule_published\` notification and their pages a \`schedule.published\` event (data: scheduleId, period, url, notificationId).`,
    request: { body: jsonBody(SchedulePublishedSchema) },
    responses: { 201: { description: 'Sent.', ...json(ScheduleResultSchema) }, 200: { description: 'An idempotent repeat: nothing sent again.', ...json(ScheduleResultSchema) }, ...commonErrors, 400: errorResponse(unknownStaff) },
  }),
  updated: createRoute({
    method: 'post', path: '/api/schedules/updated', tags: ['schedules'], security: bearerSecurity, summary: 'A schedule changed',
    description: `${publisherOnly} A \`schedule.updated\` event at once (data: scheduleId, changes, summary), then a \`schedule_updated\` notification grouped per schedule: updates within 10 minutes collapse into one inbox entry with a count.`,
    request: { body: jsonBody(ScheduleUpdatedSchema) },
    responses: { 201: { description: 'Sent (grouped: true when folded into the last update).', ...json(ScheduleResultSchema) }, ...commonErrors, 400: errorResponse(unknownStaff) },
  }),
  requestSwap: createRoute({
    method: 'post', path: '/api/swaps', tags: ['swaps'], security: bearerSecurity, summary: 'Ask a staff member to swap a shift',
    description:
      `${publisherOnly} The target gets \`swap_requested\` (priority high) with Approve and Reject, and a \`swap.requested\` event. ` +
      'The target\'s first press decides, once: `POST /api/notifications/{id}/actions/approve|reject`. Then the requester gets `swap_approved` or `swap_rejected` and a `swap.approved`/`swap.rejected` event, and so does the `role:service` topic (data: {swap}). A second press answers 409.',
    request: { body: jsonBody(SwapRequestSchema) },
    responses: { 201: { description: 'Requested.', ...json(z.object({ swap: SwapSchema })) }, ...commonErrors, 400: errorResponse(`${unknownStaff} Also: requester and target are the same.`) },
  }),
  getSwap: createRoute({
    method: 'get', path: '/api/swaps/{id}', tags: ['swaps'], security: bearerSecurity, summary: 'A swap and its decision',
    request: { params: IdParams.swap },
    responses: { 200: { description: 'The swap.', ...json(z.object({ swap: SwapSchema })) }, 404: notFound, ...idErrors },
  }),
  call: createRoute({
    method: 'post', path: '/api/emergency-calls', tags: ['emergency'], security: bearerSecurity, summary: 'Call for staff now',
    description:
      `${publisherOnly} An \`urgent\` \`emergency_call\` notification with "Accept now" and an \`emergency.called\` event to the audience. ` +
      'Accepts (`POST /api/notifications/{id}/actions/accept`) are counted atomically and stop at `needed`; the filling accept closes the call and every notification of it changes to state filled (`notification.updated`). ' +
      'Unfilled after `escalateAfterSeconds`, the call goes to `escalateTo` (staff not reached yet). The caller and `role:service` get `emergency.updated` (data: {call}) on every accept, the escalation and the fill.',
    request: { body: jsonBody(EmergencyCallSchema) },
    responses: {
      201: { description: 'Called.', ...json(z.object({ call: CallSchema, notificationId: z.string(), recipients: z.number().int() }).openapi('EmergencyCallCreated')) },
      ...commonErrors,
      400: errorResponse(unknownStaff),
    },
  }),
  getCall: createRoute({
    method: 'get', path: '/api/emergency-calls/{id}', tags: ['emergency'], security: bearerSecurity, summary: 'A call\'s progress and who accepted',
    request: { params: IdParams.call },
    responses: { 200: { description: 'The call.', ...json(z.object({ call: CallDetailSchema })) }, 404: notFound, ...idErrors },
  }),
  cancelCall: createRoute({
    method: 'post', path: '/api/emergency-calls/{id}/cancel', tags: ['emergency'], security: bearerSecurity, summary: 'Cancel an open call',
    description: `${publisherOnly} Nobody else is needed: the call closes, its escalation is cancelled and its notifications change to state cancelled. Cancelling a cancelled call answers with it again.`,
    request: { params: IdParams.call },
    responses: { 200: { description: 'Cancelled.', ...json(z.object({ call: CallSchema })) }, 404: notFound, 409: errorResponse('Already filled.'), ...idErrors },
  }),
};

/** Schedule events, swaps and emergency calls: the scheduling application's routes (role service/admin). */
export function registerWorkflowRoutes(app: OpenAPIHono<AppEnv>, deps: { authenticator: Authenticator; schedules: Schedules; swaps: Swaps; emergency: EmergencyCalls }): void {
  const identify = identifyOnce(deps.authenticator);
  for (const prefix of ['/api/schedules/*', '/api/swaps/*', '/api/emergency-calls/*']) app.use(prefix, identify, requirePublisher);

  app.openapi(routes.published, async (c) => {
    const r = await deps.schedules.published(c.get('identity'), c.req.valid('json'));
    return c.json(r, r.duplicate ? 200 : 201);
  });
  app.openapi(routes.updated, async (c) => c.json(await deps.schedules.updated(c.get('identity'), c.req.valid('json')), 201));
  app.openapi(routes.requestSwap, async (c) => c.json({ swap: await deps.swaps.request(c.get('identity'), c.req.valid('json')) }, 201));
  app.openapi(routes.getSwap, async (c) => c.json({ swap: await deps.swaps.get(c.get('identity').tenantId, c.req.valid('param').id) }, 200));
  app.openapi(routes.call, async (c) => c.json(await deps.emergency.create(c.get('identity'), c.req.valid('json')), 201));
  app.openapi(routes.getCall, async (c) => c.json({ call: await deps.emergency.get(c.get('identity').tenantId, c.req.valid('param').id) }, 200));
  app.openapi(routes.cancelCall, async (c) => c.json({ call: await deps.emergency.cancel(c.get('identity'), c.req.valid('param').id) }, 200));
}
