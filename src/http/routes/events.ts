import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ID_PATTERN, parseTopic } from '../../auth/index.js';
import { DOMAIN_EVENT_TYPES, type Audience } from '../../events/index.js';
import type { EventManager } from '../../sse/index.js';
import type { AppEnv } from '../env.js';
import { bearerSecurity, commonErrors, jsonBody } from '../schemas.js';

const idString = z.string().regex(ID_PATTERN, 'must be an id of [A-Za-z0-9_.@-], 1 to 128 characters');

export const PublishEventSchema = z
  .object({
    type: z.enum(DOMAIN_EVENT_TYPES).openapi({ example: 'schedule.published' }),
    data: z.unknown().optional().openapi({ description: 'Any JSON value; sent as the event data.', example: { scheduleId: 's-2026-12', month: '2026-12' } }),
    to: z
      .union([
        z.object({ users: z.array(idString).min(1).max(10_000) }).strict(),
        z.object({ topic: z.string().refine((t) => parseTopic(t) !== null, 'must be user:<id>, ward:<id> or role:<name>') }).strict(),
        z.object({ tenant: z.literal(true) }).strict(),
      ])
      .openapi({ description: 'Audience inside the caller\'s tenant: some users, one topic, or the whole tenant.', example: { topic: 'ward:3' } }),
  })
  .strict()
  .openapi('PublishEvent');

const publishRoute = createRoute({
  method: 'post',
  path: '/api/events',
  tags: ['realtime'],
  summary: 'Publish a realtime event',
  description: 'Role `service` or `admin`. Appends to the tenant\'s log and delivers to the matching open streams. The tenant is always the caller\'s.',
  security: bearerSecurity,
  request: { body: jsonBody(PublishEventSchema) },
  responses: {
    202: {
      description: 'Accepted: logged and handed to delivery.',
      content: { 'application/json': { schema: z.object({ id: z.string().openapi({ example: 'k3x9a0b1c2-000000000042' }) }).openapi('Published') } },
    },
    ...commonErrors,
  },
});

export function registerEventRoutes(app: OpenAPIHono<AppEnv>, deps: { events: EventManager }): void {
  app.openapi(publishRoute, async (c) => {
    const body = c.req.valid('json');
    const identity = c.get('identity');
    const to = body.to;
    const audience: Audience =
      'users' in to ? { kind: 'users', users: [...new Set(to.users)] } : 'topic' in to ? { kind: 'topic', topic: to.topic } : { kind: 'tenant' };
    const stored = await deps.events.publish(identity.tenantId, body.type, body.data ?? null, audience);
    return c.json({ id: stored.id }, 202);
  });
}
