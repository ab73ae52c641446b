import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { IdParams, ReminderRequestSchema, ReminderSchema, type TimedNotifications } from '../../workflows/index.js';
import type { AppEnv } from '../env.js';
import { bearerSecurity, commonErrors, errorResponse, idempotencyErrors, IdempotencyKeyHeader, idErrors, json, jsonBody, unknownId } from '../schemas.js';
import { BAD_TIME, CANNOT_CANCEL } from './texts.js';

const Reminder = z.object({ reminder: ReminderSchema });
const tags = ['reminders'];
const routes = {
  remind: createRoute({
    method: 'post', path: '/api/reminders', tags, security: bearerSecurity, summary: 'Schedule a shift reminder',
    description:
      'Role service or admin. At `remindAt`, or `minutesBefore` (default 60) before `shiftStartsAt`, the staff get a `shift_reminder` notification (priority high). ' +
      'Kept in the durable scheduler: it fires on time across restarts, once, also with several processes.',
    request: { headers: IdempotencyKeyHeader, body: jsonBody(ReminderRequestSchema) },
    responses: { 201: { description: 'Scheduled.', ...json(Reminder) }, 200: { description: 'The same key, recognised by the scheduler itself after the first answer was lost: the first reminder.', ...json(Reminder) }, ...commonErrors, ...idempotencyErrors, 400: errorResponse(BAD_TIME) },
  }),
  get: createRoute({
    method: 'get', path: '/api/reminders/{id}', tags, security: bearerSecurity, summary: 'A reminder and whether it was sent',
    request: { params: IdParams.reminder },
    responses: { 200: { description: 'The reminder.', ...json(Reminder) }, 404: unknownId, ...idErrors },
  }),
  cancel: createRoute({
    method: 'delete', path: '/api/reminders/{id}', tags, security: bearerSecurity, summary: 'Cancel a reminder',
    description: 'A cancelled reminder never fires. Cancelling a cancelled one answers with it again.',
    request: { params: IdParams.reminder },
    responses: { 200: { description: 'Cancelled.', ...json(Reminder) }, 404: unknownId, 409: errorResponse(CANNOT_CANCEL), ...idErrors },
  }),
};

/** Shift reminders (access: publisher). */
export function registerReminderRoutes(app: OpenAPIHono<AppEnv>, deps: { timed: TimedNotifications }): void {
  const { timed } = deps;
  app.openapi(routes.remind, async (c) => {
    const r = await timed.remind(c.get('identity'), { ...c.req.valid('json'), idempotencyKey: c.var.idempotencyKey });
    return c.json({ reminder: r.reminder }, r.duplicate ? 200 : 201);
  });
  app.openapi(routes.get, async (c) => c.json({ reminder: await timed.getReminder(c.get('identity').tenantId, c.req.valid('param').id) }, 200));
  app.openapi(routes.cancel, async (c) => c.json({ reminder: await timed.cancelReminder(c.get('identity').tenantId, c.req.valid('param').id) }, 200));
}
