import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Revocation } from '../../auth/index.js';
import { idString, type Directory } from '../../notifications/index.js';
import type { AppEnv } from '../env.js';
import { bearerSecurity, commonErrors, jsonBody } from '../schemas.js';

const Member = z
  .object({
    userId: idString,
    roles: z.array(idString).max(16).default([]),
    wards: z.array(idString).max(64).default([]),
    displayName: z.string().max(120).nullable().optional(),
    timeZone: z.string().max(64).nullable().optional(),
  })
  .strict()
  .meta({ id: 'Member',  example: { userId: 'nurse-kim', roles: ['nurse'], wards: ['3'], displayName: 'Kim', timeZone: 'Asia/Seoul' } });

const tags = ['directory'];
const routes = {
  put: createRoute({
    method: 'put', path: '/api/directory/members', tags, security: bearerSecurity, summary: 'Add or update staff members',
    description: 'Role service or admin. The scheduling application keeps the directory in step with its staff, so ward, role and tenant notifications reach everyone, also staff who never connected.',
    request: { body: jsonBody(z.object({ members: z.array(Member).min(1).max(5000) }).strict().meta({ id: 'MemberUpsert' })) },
    responses: { 200: { description: 'Saved.', content: { 'application/json': { schema: z.object({ upserted: z.number().int() }) } } }, ...commonErrors },
  }),
  list: createRoute({
    method: 'get', path: '/api/directory/members', tags, security: bearerSecurity, summary: 'List staff members',
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200), after: idString.optional() }) },
    responses: { 200: { description: 'A page, by user id.', content: { 'application/json': { schema: z.object({ members: z.array(Member) }) } } }, ...commonErrors },
  }),
  remove: createRoute({
    method: 'delete', path: '/api/directory/members', tags, security: bearerSecurity, summary: 'Remove staff members',
    description: 'Role service or admin. A removed member stops receiving at once: their open streams end (`access-ended`, reason removed_from_directory) within 2 s in every process, and their tokens and tickets issued before now are refused (a token issued later, after they are re-hired, works again).',
    request: { body: jsonBody(z.object({ userIds: z.array(idString).min(1).max(5000) }).strict()) },
    responses: { 200: { description: 'Removed.', content: { 'application/json': { schema: z.object({ removed: z.number().int() }) } } }, ...commonErrors },
  }),
  revoke: createRoute({
    method: 'post', path: '/api/directory/revocations', tags, security: bearerSecurity, summary: 'Revoke staff members\' sessions',
    description: 'Role service or admin. Every token of these users issued before now, and every ticket such a token obtained, is refused from now on; their open streams end (`access-ended`, reason sessions_revoked) within 2 s in every process. They stay in the directory; a token issued after now works. Repeating it moves the boundary to the new now.',
    request: { body: jsonBody(z.object({ userIds: z.array(idString).min(1).max(5000) }).strict().meta({ id: 'SessionRevocation' })) },
    responses: {
      200: { description: 'Revoked.', content: { 'application/json': { schema: z.object({ revoked: z.number().int(), revokedBefore: z.string().meta({ format: 'date-time' }) }) } } },
      ...commonErrors,
    },
  }),
};

export function registerDirectoryRoutes(app: OpenAPIHono<AppEnv>, deps: { directory: Directory; sessions: { revoke(tenantId: string, userIds: readonly string[], reason: Revocation['reason']): Promise<Revocation[]> } }): void {
  app.openapi(routes.put, async (c) => {
    const { members } = c.req.valid('json');
    await deps.directory.upsert(c.get('identity').tenantId, members);
    return c.json({ upserted: members.length }, 200);
  });
  app.openapi(routes.list, async (c) => {
    const q = c.req.valid('query');
    const members = await deps.directory.list(c.get('identity').tenantId, { limit: q.limit, after: q.after });
    return c.json({ members: members.map((m) => ({ ...m, roles: [...m.roles], wards: [...m.wards] })) }, 200);
  });
  app.openapi(routes.remove, async (c) => {
    const { tenantId } = c.get('identity');
    const { userIds } = c.req.valid('json');
    // Access ends first: should the removal fail, the user is locked out rather than left in.
    await deps.sessions.revoke(tenantId, userIds, 'removed_from_directory');
    return c.json({ removed: await deps.directory.remove(tenantId, userIds) }, 200);
  });
  app.openapi(routes.revoke, async (c) => {
    const done = await deps.sessions.revoke(c.get('identity').tenantId, c.req.valid('json').userIds, 'sessions_revoked');
    return c.json({ revoked: done.length, revokedBefore: new Date(done[0]?.revokedBefore ?? Date.now()).toISOString() }, 200);
  });
}
