import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { DOMAIN_EVENT_TYPES } from '../../events/index.js';
import { audienceOf, RecipientsSchema } from '../../notifications/index.js';
import type { EventManager } from '../../sse/index.js';
import type { AppEnv } from '../env.js';
import { bearerSecurity, commonErrors, idempotencyErrors, IdempotencyKeyHeader, jsonBody } from '../schemas.js';

export const PublishEventSchema = z
  .object({
    type: z.enum(DOMAIN_EVENT_TYPES).meta({ example: 'schedule.published' }),
    data: z.unknown().optional().meta({ description: 'Any JSON value; sent as the event data.', example: { scheduleId: 's-2026-12', month: '2026-12' } }),
    to: RecipientsSchema.meta({ description: 'Audience inside the caller\'s tenant: some users, one topic, or the whole tenant.', example: { topic: 'ward:3' } }),
  })
  .strict()
  .meta({ id: 'PublishEvent' });

const publishRoute = createRoute({
  method: 'post',
  path: '/api/events',
  tags: ['realtime'],
  summary: 'Publish a realtime event',
  description: 'Role `service` or `admin`. Appends to the tenant\'s log and delivers to the matching open streams. The tenant is always the caller\'s.',
  security: bearerSecurity,
  request: { headers: IdempotencyKeyHeader, body: jsonBody(PublishEventSchema) },
  responses: {
    202: {
      description: 'Accepted: logged and handed to delivery.',
      content: { 'application/json': { schema: z.object({ id: z.string().meta({ example: 'k3x9a0b1c2-000000000042' }) }).meta({ id: 'Published' }) } },
    },
    ...commonErrors,
    ...idempotencyErrors,
  },
});

export function registerEventRoutes(app: OpenAPIHono<AppEnv>, deps: { events: EventManager }): void {
  app.openapi(publishRoute, async (c) => {
    const body = c.req.valid('json');
    const identity = c.get('identity');
    const stored = await deps.events.publish(identity.tenantId, body.type, body.data ?? null, audienceOf(body.to));
    return c.json({ id: stored.id }, 202);
  });
}
