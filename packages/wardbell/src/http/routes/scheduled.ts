import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { canPublish } from '../../auth/index.js';
import { authoriseSend } from '../../notifications/index.js';
import { IdParams, ScheduledNotificationRequestSchema, ScheduledNotificationSchema, type TimedNotifications } from '../../workflows/index.js';
import type { AppEnv } from '../env.js';
import { bearerSecurity, commonErrors, errorResponse, idempotencyErrors, IdempotencyKeyHeader, idErrors, json, jsonBody, unknownId } from '../schemas.js';
import { BAD_TIME, CANNOT_CANCEL } from './texts.js';

const Scheduled = z.object({ scheduled: ScheduledNotificationSchema });
const tags = ['notifications'];
const routes = {
  schedule: createRoute({
    method: 'post', path: '/api/notifications/scheduled', tags, security: bearerSecurity, summary: 'Send a notification later',
    description: 'The body of `POST /api/notifications` plus `sendAt`. Who may: role service or admin (any audience in the tenant), or a manager (only `ward:<own ward>`).',
    request: { headers: IdempotencyKeyHeader, body: jsonBody(ScheduledNotificationRequestSchema) },
    responses: { 201: { description: 'Scheduled.', ...json(Scheduled) }, 200: { description: 'The same key, recognised by the scheduler itself after the first answer was lost: the first one.', ...json(Scheduled) }, ...commonErrors, ...idempotencyErrors, 400: errorResponse(BAD_TIME) },
  }),
  get: createRoute({
    method: 'get', path: '/api/notifications/scheduled/{id}', tags, security: bearerSecurity, summary: 'A scheduled notification',
    description: 'Service and admin see the tenant\'s; others only their own.',
    request: { params: IdParams.scheduled },
    responses: { 200: { description: 'The scheduled notification.', ...json(Scheduled) }, 404: unknownId, ...idErrors },
  }),
  cancel: createRoute({
    method: 'delete', path: '/api/notifications/scheduled/{id}', tags, security: bearerSecurity, summary: 'Cancel a scheduled notification',
    request: { params: IdParams.scheduled },
    responses: { 200: { description: 'Cancelled.', ...json(Scheduled) }, 404: unknownId, 409: errorResponse(CANNOT_CANCEL), ...idErrors },
  }),
};

/** Notifications sent later (access: identified; who may send what is the send's own rule). */
export function registerScheduledRoutes(app: OpenAPIHono<AppEnv>, deps: { timed: TimedNotifications }): void {
  const { timed } = deps;
  app.openapi(routes.schedule, async (c) => {
    const id = c.get('identity');
    const body = c.req.valid('json');
    authoriseSend(id, body.to);
    const r = await timed.schedule(id, { ...body, idempotencyKey: c.var.idempotencyKey });
    return c.json({ scheduled: r.scheduled }, r.duplicate ? 200 : 201);
  });
  app.openapi(routes.get, async (c) => {
    const id = c.get('identity');
    return c.json({ scheduled: await timed.getScheduled(id, c.req.valid('param').id, canPublish(id)) }, 200);
  });
  app.openapi(routes.cancel, async (c) => {
    const id = c.get('identity');
    return c.json({ scheduled: await timed.cancelScheduled(id, c.req.valid('param').id, canPublish(id)) }, 200);
  });
}
