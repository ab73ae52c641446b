import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { canPublish, type Authenticator } from '../auth/index.js';
import { bearerSecurity, commonErrors, errorResponse, jsonBody, requirePublisher, type AppEnv } from '../http/index.js';
import { authoriseSend } from '../notifications/index.js';
import { identifyOnce, idErrors, json, notFound } from './route-kit.js';
import { IdParams, ReminderRequestSchema, ReminderSchema, ScheduledNotificationRequestSchema, ScheduledNotificationSchema } from './schemas.js';
import type { TimedNotifications } from './timed.js';

const cannotCancel = errorResponse('It is being sent right now, was already sent, or failed.');
const badTime = 'Malformed body; a time in the past or more than 366 days ahead; or `unknown_recipients`.';

const Reminder = z.object({ reminder: ReminderSchema });
const Scheduled = z.object({ scheduled: ScheduledNotificationSchema });

const routes = {
  remind: createRoute({
    method: 'post', path: '/api/reminders', tags: ['reminders'], security: bearerSecurity, summary: 'Schedule a shift reminder',
    description:
      'Role service or admin. At `remindAt`, or `minutesBefore` (default 60) before `shiftStartsAt`, the staff get a `shift_reminder` notification (priority high). ' +
      'Kept in the durable scheduler: it fires on time across restarts, once, also with several processes.',
    request: { body: jsonBody(ReminderRequestSchema) },
    responses: { 201: { description: 'Scheduled.', ...json(Reminder) }, 200: { description: 'A repeat with the same idempotencyKey: the first reminder.', ...json(Reminder) }, ...commonErrors, 400: errorResponse(badTime) },
  }),
  getReminder: createRoute({
    method: 'get', path: '/api/reminders/{id}', tags: ['reminders'], security: bearerSecurity, summary: 'A reminder and whether it was sent',
    request: { params: IdParams.reminder },
    responses: { 200: { description: 'The reminder.', ...json(Reminder) }, 404: notFound, ...idErrors },
  }),
  cancelReminder: createRoute({
    method: 'delete', path: '/api/reminders/{id}', tags: ['reminders'], security: bearerSecurity, summary: 'Cancel a reminder',
    description: 'A cancelled reminder never fires. Cancelling a cancelled one answers with it again.',
    request: { params: IdParams.reminder },
    responses: { 200: { description: 'Cancelled.', ...json(Reminder) }, 404: notFound, 409: cannotCancel, ...idErrors },
  }),
  schedule: createRoute({
    method: 'post', path: '/api/notifications/scheduled', tags: ['notifications'], security: bearerSecurity, summary: 'Send a notification later',
    description: 'The body of `POST /api/notifications` plus `sendAt`. Who may: role service or admin (any audience in the tenant), or a manager (only `ward:<own ward>`).',
    request: { body: jsonBody(ScheduledNotificationRequestSchema) },
    responses: { 201: { description: 'Scheduled.', ...json(Scheduled) }, 200: { description: 'A repeat with the same idempotencyKey: the first one.', ...json(Scheduled) }, ...commonErrors, 400: errorResponse(badTime) },
  }),
  getScheduled: createRoute({
    method: 'get', path: '/api/notifications/scheduled/{id}', tags: ['notifications'], security: bearerSecurity, summary: 'A scheduled notification',
    description: 'Service and admin see the tenant\'s; others only their own.',
    request: { params: IdParams.scheduled },
    responses: { 200: { description: 'The scheduled notification.', ...json(Scheduled) }, 404: notFound, ...idErrors },
  }),
  cancelScheduled: createRoute({
    method: 'delete', path: '/api/notifications/scheduled/{id}', tags: ['notifications'], security: bearerSecurity, summary: 'Cancel a scheduled notification',
    request: { params: IdParams.scheduled },
    responses: { 200: { description: 'Cancelled.', ...json(Scheduled) }, 404: notFound, 409: cannotCancel, ...idErrors },
  }),
};

/** Shift reminders and scheduled notifications. */
export function registerTimedRoutes(app: OpenAPIHono<AppEnv>, deps: { authenticator: Authenticator; timed: TimedNotifications }): void {
  const identify = identifyOnce(deps.authenticator);
  app.use('/api/reminders/*', identify, requirePublisher);
  app.use('/api/notifications/scheduled/*', identify);
  const { timed } = deps;

  app.openapi(routes.remind, async (c) => {
    const r = await timed.remind(c.get('identity'), c.req.valid('json'));
    return c.json({ reminder: r.reminder }, r.duplicate ? 200 : 201);
  });
  app.openapi(routes.getReminder, async (c) => c.json({ reminder: await timed.getReminder(c.get('identity').tenantId, c.req.valid('param').id) }, 200));
  app.openapi(routes.cancelReminder, async (c) => c.json({ reminder: await timed.cancelReminder(c.get('identity').tenantId, c.req.valid('param').id) }, 200));

  app.openapi(routes.schedule, async (c) => {
    const id = c.get('identity');
    const body = c.req.valid('json');
    authoriseSend(id, body.to);
    const r = await timed.schedule(id, body);
    return c.json({ scheduled: r.scheduled }, r.duplicate ? 200 : 201);
  });
  app.openapi(routes.getScheduled, async (c) => {
    const id = c.get('identity');
    return c.json({ scheduled: await timed.getScheduled(id, c.req.valid('param').id, canPublish(id)) }, 200);
  });
  app.openapi(routes.cancelScheduled, async (c) => {
    const id = c.get('identity');
    return c.json({ scheduled: await timed.cancelScheduled(id, c.req.valid('param').id, canPublish(id)) }, 200);
  });
}
