import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { IdSchema as idString, signDevToken } from '../../auth/index.js';
import type { AppEnv } from '../env.js';
import { commonErrors, jsonBody } from '../schemas.js';

const DevTokenRequest = z
  .object({
    tenantId: idString.meta({ example: 'hospital-a' }),
    userId: idString.meta({ example: 'nurse-kim' }),
    roles: z.array(idString).max(16).default([]).meta({ example: ['nurse'] }),
    wards: z.array(idString).max(64).default([]).meta({ example: ['3'] }),
    ttlSeconds: z.number().int().min(60).max(7 * 86_400).default(12 * 3600),
  })
  .strict()
  .meta({ id: 'DevTokenRequest' });

const devTokenRoute = createRoute({
  method: 'post',
  path: '/api/dev/token',
  tags: ['development'],
  summary: 'Mint a token for any identity (development only)',
  description: 'Exists only when the service runs with its generated development secret (no key configured, NODE_ENV not production).',
  request: { body: jsonBody(DevTokenRequest) },
  responses: {
    201: { description: 'A signed HS256 token.', content: { 'application/json': { schema: z.object({ token: z.string(), expiresAt: z.string() }).meta({ id: 'DevToken' }) } } },
    400: commonErrors[400],
  },
});

export function registerDevRoutes(app: OpenAPIHono<AppEnv>, deps: { secret: Uint8Array }): void {
  app.openapi(devTokenRoute, async (c) => {
    const b = c.req.valid('json');
    const token = await signDevToken({ tenantId: b.tenantId, userId: b.userId, roles: b.roles, wards: b.wards }, deps.secret, b.ttlSeconds);
    return c.json({ token, expiresAt: new Date(Date.now() + b.ttlSeconds * 1000).toISOString() }, 201);
  });
}
