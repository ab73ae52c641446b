import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { CallDetailSchema, CallListQuerySchema, CallSchema, EmergencyCallSchema, IdParams, TimelineEntrySchema, TimelineQuerySchema, type EmergencyCalls } from '../../workflows/index.js';
import type { AppEnv } from '../env.js';
import { bearerSecurity, commonErrors, errorResponse, idempotencyErrors, IdempotencyKeyHeader, idErrors, json, jsonBody, unknownId } from '../schemas.js';
import { PUBLISHER_ONLY, UNKNOWN_STAFF } from './texts.js';

const tags = ['emergency'];
const routes = {
  call: createRoute({
    method: 'post', path: '/api/emergency-calls', tags, security: bearerSecurity, summary: 'Call for staff now',
    description:
      `${PUBLISHER_ONLY} An \`urgent\` \`emergency_call\` notification with "Accept now" (\`accept\`) and "Can't come" (\`decline\`) and an \`emergency.called\` event to the audience. ` +
      'Accepts (`POST /api/notifications/{id}/actions/accept`) are counted atomically and stop at `needed`; the filling accept closes the call and every notification of it changes to state filled (`notification.updated`). ' +
      'A decline (`.../actions/decline`) is counted (`declined`); one person answers once, accept or decline (409 otherwise). When everyone reached so far has declined, the next step runs at once. ' +
      'Escalation follows `policy` (ordered steps, each adding the staff it names who were not reached yet; repeats to who has neither answered nor read it; loops; expiry), inline or a tenant\'s named one (404 for an unknown name), frozen when the call is made; ' +
      '`escalateAfterSeconds`/`escalateTo` is its one-step shorthand: unfilled after `escalateAfterSeconds`, the call goes to `escalateTo` (staff not reached yet). ' +
      'The caller and `role:service` get `emergency.updated` (data: {call}) on every accept, decline, step and the close.',
    request: { headers: IdempotencyKeyHeader, body: jsonBody(EmergencyCallSchema) },
    responses: {
      201: { description: 'Called.', ...json(z.object({ call: CallSchema, notificationId: z.string(), recipients: z.number().int() }).meta({ id: 'EmergencyCallCreated' })) },
      ...commonErrors,
      ...idempotencyErrors,
      400: errorResponse(UNKNOWN_STAFF),
      404: errorResponse('`policy` names no escalation policy of the tenant.'),
    },
  }),
  get: createRoute({
    method: 'get', path: '/api/emergency-calls/{id}', tags, security: bearerSecurity, summary: 'A call\'s progress, who accepted and who declined',
    request: { params: IdParams.call },
    responses: { 200: { description: 'The call.', ...json(z.object({ call: CallDetailSchema })) }, 404: unknownId, ...idErrors },
  }),
  timeline: createRoute({
    method: 'get', path: '/api/emergency-calls/{id}/timeline', tags, security: bearerSecurity, summary: 'Every step of a call, in order, with its time and who',
    description:
      'created, notified (which wave, which audience, how many), delivered (per recipient and channel: stream or push, with the device), displayed (page or service worker), seen (opened or read), accepted, declined, repeated, escalated (which step), filled, cancelled, expired. ' +
      'The call\'s own events are numbered (`seq`); deliveries come from the recipients\' receipts (`seq` null). Live: `emergency.updated` and `receipts.updated` say when to read it again. ' +
      'In pages of up to 1,000 entries (a call to a whole hospital has three or so per recipient): `nextCursor` names the next page, null on the last.',
    request: { params: IdParams.call, query: TimelineQuerySchema },
    responses: { 200: { description: 'A page of the timeline, oldest first.', ...json(z.object({ callId: z.string(), entries: z.array(TimelineEntrySchema), nextCursor: z.string().nullable() }).meta({ id: 'EmergencyCallTimeline' })) }, 404: unknownId, ...idErrors },
  }),
  list: createRoute({
    method: 'get', path: '/api/emergency-calls', tags, security: bearerSecurity, summary: 'The tenant\'s calls, newest first',
    description: `${PUBLISHER_ONLY} For the review after a shift: filtered by \`status\` and creation time (\`from\` inclusive, \`to\` exclusive), in cursor pages.`,
    request: { query: CallListQuerySchema },
    responses: { 200: { description: 'A page of calls.', ...json(z.object({ items: z.array(CallSchema), nextCursor: z.string().nullable() }).meta({ id: 'EmergencyCallPage' })) }, ...commonErrors },
  }),
  cancel: createRoute({
    method: 'post', path: '/api/emergency-calls/{id}/cancel', tags, security: bearerSecurity, summary: 'Cancel an open call',
    description: `${PUBLISHER_ONLY} Nobody else is needed: the call closes, its steps and repeats are cancelled and its notifications change to state cancelled. Cancelling a cancelled call answers with it again.`,
    request: { params: IdParams.call },
    responses: { 200: { description: 'Cancelled.', ...json(z.object({ call: CallSchema })) }, 404: unknownId, 409: errorResponse('Already filled, or expired.'), ...idErrors },
  }),
};

/** Emergency calls (access: publisher); accepts are action presses on the recipients' notifications. */
export function registerEmergencyRoutes(app: OpenAPIHono<AppEnv>, deps: { emergency: EmergencyCalls }): void {
  app.openapi(routes.call, async (c) => c.json(await deps.emergency.create(c.get('identity'), c.req.valid('json'), { idempotencyKey: c.var.idempotencyKey }), 201));
  app.openapi(routes.get, async (c) => c.json({ call: await deps.emergency.get(c.get('identity').tenantId, c.req.valid('param').id) }, 200));
  app.openapi(routes.timeline, async (c) => {
    const id = c.req.valid('param').id;
    const q = c.req.valid('query');
    return c.json({ callId: id, ...(await deps.emergency.timeline(c.get('identity').tenantId, id, { limit: q.limit, cursor: q.cursor })) }, 200);
  });
  app.openapi(routes.list, async (c) => {
    const q = c.req.valid('query');
    const at = (s: string | undefined) => (s === undefined ? undefined : Date.parse(s));
    return c.json(await deps.emergency.list(c.get('identity').tenantId, { status: q.status, from: at(q.from), to: at(q.to), limit: q.limit, cursor: q.cursor }), 200);
  });
  app.openapi(routes.cancel, async (c) => c.json({ call: await deps.emergency.cancel(c.get('identity'), c.req.valid('param').id) }, 200));
}
