import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { SchedulePublishedSchema, ScheduleResultSchema, ScheduleUpdatedSchema, type Schedules } from '../../workflows/index.js';
import type { AppEnv } from '../env.js';
import { bearerSecurity, commonErrors, errorResponse, idempotencyErrors, IdempotencyKeyHeader, json, jsonBody } from '../schemas.js';
import { PUBLISHER_ONLY, UNKNOWN_STAFF } from './texts.js';

const tags = ['schedules'];
const routes = {
  published: createRoute({
    method: 'post', path: '/api/schedules/published', tags, security: bearerSecurity, summary: 'A schedule was published',
    description: `${PUBLISHER_ONLY} The affected staff get a \`schedule_published\` notification and their pages a \`schedule.published\` event (data: scheduleId, period, url, notificationId).`,
    request: { headers: IdempotencyKeyHeader, body: jsonBody(SchedulePublishedSchema) },
    responses: { 201: { description: 'Sent.', ...json(ScheduleResultSchema) }, 200: { description: 'The same key, recognised by the send itself after the first answer was lost (a process stopped between the two): the first result, nothing sent again.', ...json(ScheduleResultSchema) }, ...commonErrors, ...idempotencyErrors, 400: errorResponse(UNKNOWN_STAFF) },
  }),
  updated: createRoute({
    method: 'post', path: '/api/schedules/updated', tags, security: bearerSecurity, summary: 'A schedule changed',
    description: `${PUBLISHER_ONLY} A \`schedule.updated\` event at once (data: scheduleId, changes, summary), then a \`schedule_updated\` notification grouped per schedule: updates within 10 minutes collapse into one inbox entry with a count.`,
    request: { headers: IdempotencyKeyHeader, body: jsonBody(ScheduleUpdatedSchema) },
    responses: { 201: { description: 'Sent (grouped: true when folded into the last update).', ...json(ScheduleResultSchema) }, ...commonErrors, ...idempotencyErrors, 400: errorResponse(UNKNOWN_STAFF) },
  }),
};

/** Schedule events from the scheduling application (access: publisher). */
export function registerScheduleRoutes(app: OpenAPIHono<AppEnv>, deps: { schedules: Schedules }): void {
  app.openapi(routes.published, async (c) => {
    const r = await deps.schedules.published(c.get('identity'), { ...c.req.valid('json'), idempotencyKey: c.var.idempotencyKey });
    return c.json(r, r.duplicate ? 200 : 201);
  });
  app.openapi(routes.updated, async (c) => c.json(await deps.schedules.updated(c.get('identity'), c.req.valid('json')), 201));
}
