import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import {
  authoriseSend,
  decodeCursor,
  NotificationActionSchema,
  NOTIFICATION_TYPES,
  LOCKED_NOTE,
  LockedSchema,
  PreferencesInputSchema,
  PreferencesSchema,
  preferencesView,
  PRIORITIES,
  sendFields,
  type NotificationService,
  type SendOptions,
} from '../../notifications/index.js';
import { AppError } from '../../shared/index.js';
import type { TenantSettingsStore } from '../../tenants/index.js';
import { DEFAULT_MAX_REPEATS, POLICY_LIMITS, type UrgentRepeats } from '../../workflows/index.js';
import type { AppEnv } from '../env.js';
import { bearerSecurity, commonErrors, errorResponse, idempotencyErrors, IdempotencyKeyHeader, jsonBody } from '../schemas.js';

const Action = NotificationActionSchema;

export const SendNotificationSchema = z
  .object({
    ...sendFields,
    lockScreen: z.enum(['generic']).optional().meta({
      description:
        '`generic`: this notification\'s pushes carry only a generic text and its id (as with the tenant setting `lockScreen: generic`, `GET /api/tenant/settings`), ' +
        'whatever the tenant\'s setting; the inbox and the stream still carry everything. Sticks to a group it folds into.',
    }),
    repeatEverySeconds: z.number().int().min(POLICY_LIMITS.minRepeatEverySeconds).max(POLICY_LIMITS.maxRepeatEverySeconds).optional().meta({
      description:
        `Urgent only: repeat it to each recipient who has neither read nor answered it, every this many seconds (${POLICY_LIMITS.minRepeatEverySeconds} to ${POLICY_LIMITS.maxRepeatEverySeconds}), ` +
        'as a push with `Urgency: high` that alerts again and the `notification` event again; it stops for whoever reads or answers it.',
    }),
    maxRepeats: z.number().int().min(1).max(POLICY_LIMITS.maxRepeats).optional().meta({ description: `At most this many repeats (1 to ${POLICY_LIMITS.maxRepeats}; default ${DEFAULT_MAX_REPEATS}). Needs repeatEverySeconds.` }),
    idempotencyKey: z.string().min(1).max(200).optional().meta({ description: 'A key used again within 24 h returns the first result and sends nothing.' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.repeatEverySeconds !== undefined && b.priority !== 'urgent') ctx.addIssue({ code: 'custom', path: ['repeatEverySeconds'], message: 'repeats are for urgent notifications (priority: urgent)' });
    if (b.maxRepeats !== undefined && b.repeatEverySeconds === undefined) ctx.addIssue({ code: 'custom', path: ['maxRepeats'], message: 'needs repeatEverySeconds' });
  })
  .meta({ id: 'SendNotification' });

export const NotificationSchema = z
  .object({
    id: z.string(),
    type: z.enum(NOTIFICATION_TYPES),
    priority: z.enum(PRIORITIES),
    title: z.string(),
    body: z.string(),
    data: z.unknown(),
    actions: z.array(Action),
    groupKey: z.string().nullable(),
    groupCount: z.number().int(),
    senderId: z.string(),
    state: z.unknown(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Notification' });
const InboxItem = NotificationSchema.extend({ readAt: z.string().nullable(), actedAction: z.string().nullable() }).meta({ id: 'InboxItem' });
const Counts = (key: string) => z.object({ [key]: z.number().int(), unreadCount: z.number().int() });

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
  status: z.enum(['unread', 'read']).optional(),
  type: z.enum(NOTIFICATION_TYPES).optional(),
  priority: z.enum(PRIORITIES).optional(),
});
const IdParam = z.object({ id: z.string().uuid('must be a notification id') });
const ActionParam = IdParam.extend({ actionId: z.string().max(32) });
const ids = z.array(z.string().uuid('must be a notification id')).min(1).max(500);
const MarkReadBody = z.union([z.object({ ids }).strict(), z.object({ all: z.literal(true) }).strict()]).meta({ id: 'MarkRead' });
const DeleteQuery = z.object({
  ids: z.string().max(20_000).optional().meta({ description: 'Comma-separated ids (1 to 500) of the caller\'s notifications to delete.' }),
  all: z.enum(['true']).optional().meta({ description: '`true` deletes every notification of the caller. Exactly one of `ids` and `all` must be given.' }),
});

const tags = ['notifications'];
const CRITICAL = `priority urgent and type emergency_call reach the inbox, the stream and push at once, in quiet hours too, and are never grouped: "${LOCKED_NOTE}"`;
const PreferencesView = PreferencesSchema.extend({ locked: LockedSchema }).meta({ id: 'PreferencesView' });
const notFoundResp = errorResponse('Not in the caller\'s inbox (also for other users\' and tenants\' ids).');

const routes = {
  list: createRoute({
    method: 'get', path: '/api/notifications', tags, security: bearerSecurity, summary: 'The caller\'s inbox, newest first',
    request: { query: ListQuery },
    responses: {
      200: { description: 'A page of the inbox.', content: { 'application/json': { schema: z.object({ items: z.array(InboxItem), nextCursor: z.string().nullable(), unreadCount: z.number().int() }).meta({ id: 'InboxPage' }) } } },
      ...commonErrors,
    },
  }),
  send: createRoute({
    method: 'post', path: '/api/notifications', tags, security: bearerSecurity, summary: 'Send a notification',
    description: 'Role service or admin (any audience in the tenant), or manager (only `ward:<own ward>`). One transaction per send. The key is the `Idempotency-Key` header or, as an alias, the `idempotencyKey` field (both: they must be equal).',
    request: { headers: IdempotencyKeyHeader, body: jsonBody(SendNotificationSchema) },
    responses: {
      201: { description: 'Created and delivered (or grouped).', content: { 'application/json': { schema: z.object({ notification: NotificationSchema, recipients: z.number().int(), grouped: z.boolean(), duplicate: z.boolean() }).meta({ id: 'SendResult' }) } } },
      200: { description: 'The same key, recognised by the send itself after the first answer was lost (a process stopped between the two): the first result, nothing sent again.', content: { 'application/json': { schema: z.object({ notification: NotificationSchema, recipients: z.number().int(), grouped: z.boolean(), duplicate: z.boolean() }) } } },
      ...commonErrors,
      ...idempotencyErrors,
    },
  }),
  markRead: createRoute({
    method: 'patch', path: '/api/notifications', tags, security: bearerSecurity, summary: 'Mark some or all read',
    request: { body: jsonBody(MarkReadBody) },
    responses: { 200: { description: 'Updated.', content: { 'application/json': { schema: Counts('updated') } } }, ...commonErrors },
  }),
  removeAll: createRoute({
    method: 'delete', path: '/api/notifications', tags, security: bearerSecurity, summary: 'Delete the listed notifications of the caller, or all of them',
    description: 'Say which: `?ids=<id>,<id>` or `?all=true`. A request with neither (or both) is a 400 and deletes nothing.',
    request: { query: DeleteQuery },
    responses: { 200: { description: 'Deleted.', content: { 'application/json': { schema: Counts('deleted') } } }, ...commonErrors },
  }),
  getPrefs: createRoute({
    method: 'get', path: '/api/notifications/preferences', tags, security: bearerSecurity, summary: 'The caller\'s delivery preferences',
    description: `The saved preferences, and in \`locked\` what cannot be switched off (${CRITICAL}).`,
    responses: { 200: { description: 'Preferences, with what is locked.', content: { 'application/json': { schema: PreferencesView } } }, 401: commonErrors[401] },
  }),
  putPrefs: createRoute({
    method: 'put', path: '/api/notifications/preferences', tags, security: bearerSecurity, summary: 'Replace the caller\'s delivery preferences',
    description:
      'Channels per type (inbox with SSE, push) and quiet hours in the user\'s time zone during which push waits. ' +
      `What is locked cannot be switched off (${CRITICAL}): a body that switches it off is accepted and that part ignored (not an error), and the answer shows it on. ` +
      'The body may carry `locked` as GET answered it (ignored), so GET, change, PUT works.',
    request: { body: jsonBody(PreferencesInputSchema.meta({ id: 'Preferences' })) },
    responses: { 200: { description: 'Saved: the preferences in force, with what is locked.', content: { 'application/json': { schema: PreferencesView } } }, ...commonErrors },
  }),
  getOne: createRoute({
    method: 'get', path: '/api/notifications/{id}', tags, security: bearerSecurity, summary: 'One notification of the caller\'s inbox',
    request: { params: IdParam },
    responses: { 200: { description: 'The notification.', content: { 'application/json': { schema: InboxItem } } }, 404: notFoundResp, 401: commonErrors[401] },
  }),
  readOne: createRoute({
    method: 'patch', path: '/api/notifications/{id}', tags, security: bearerSecurity, summary: 'Mark one read, or unread again',
    description: '`read: true` marks it read, `read: false` unread again; the unread count moves in the same transaction, and the caller\'s other pages get `inbox.updated` (`read` or `unread`, and the count).',
    request: { params: IdParam, body: jsonBody(z.object({ read: z.boolean() }).strict()) },
    responses: { 200: { description: 'Updated.', content: { 'application/json': { schema: Counts('updated') } } }, 404: notFoundResp, ...commonErrors },
  }),
  removeOne: createRoute({
    method: 'delete', path: '/api/notifications/{id}', tags, security: bearerSecurity, summary: 'Delete one',
    request: { params: IdParam },
    responses: { 200: { description: 'Deleted.', content: { 'application/json': { schema: Counts('deleted') } } }, 404: notFoundResp, 401: commonErrors[401] },
  }),
  act: createRoute({
    method: 'post', path: '/api/notifications/{id}/actions/{actionId}', tags, security: bearerSecurity, summary: 'Press an action button',
    description:
      'Runs the workflow behind the notification (approve a swap, accept an emergency call) and says what happened. ' +
      'Authenticated by the bearer token, or by the `X-Wardbell-Action-Token` a push carries (service worker).',
    request: { params: ActionParam, headers: z.object({ 'x-wardbell-action-token': z.string().optional() }) },
    responses: {
      200: { description: 'What happened.', content: { 'application/json': { schema: z.object({ notificationId: z.string(), actionId: z.string(), result: z.string(), message: z.string(), details: z.unknown().optional() }).meta({ id: 'ActionResult' }) } } },
      404: notFoundResp,
      409: errorResponse('Already answered, already decided, or already filled.'),
      401: commonErrors[401],
    },
  }),
};

/** The caller's inbox, sending, preferences and action presses (access: identified, or an action token for a press). */
export function registerNotificationRoutes(
  app: OpenAPIHono<AppEnv>,
  deps: { notifications: NotificationService; tenants: TenantSettingsStore; repeats: UrgentRepeats },
): void {
  const svc = deps.notifications;

  // The identity may come from the push's action token (a press from the service worker): the
  // access table checks it is for this notification.
  app.openapi(routes.act, async (c) => {
    const p = c.req.valid('param');
    return c.json(await svc.pressAction(c.get('identity'), p.id, p.actionId), 200);
  });

  app.openapi(routes.list, async (c) => {
    const { tenantId, userId } = c.get('identity');
    const q = c.req.valid('query');
    const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
    if (cursor === null) throw new AppError('validation_failed', 'cursor is not one this service issued; start without it.');
    return c.json(await svc.list(tenantId, userId, { limit: q.limit, cursor, status: q.status, type: q.type, priority: q.priority }), 200);
  });

  app.openapi(routes.send, async (c) => {
    const id = c.get('identity');
    const b = c.req.valid('json');
    authoriseSend(id, b.to);
    const { lockScreen, repeatEverySeconds, maxRepeats, ...fields } = b;
    // A generic lock screen and the repeats asked for: recorded in the send's own transaction.
    const plan = repeatEverySeconds === undefined ? null : { everySeconds: repeatEverySeconds, maxRepeats: maxRepeats ?? DEFAULT_MAX_REPEATS };
    const opts: SendOptions =
      lockScreen === 'generic' || plan
        ? {
            alsoWrite: async (trx, nid) => {
              if (lockScreen === 'generic') await deps.tenants.markGeneric(trx, id.tenantId, nid);
              if (plan) await deps.repeats.scheduleIn(trx, { tenantId: id.tenantId, notificationId: nid, createdBy: id.userId, plan });
            },
          }
        : {};
    const r = await svc.send({ ...fields, tenantId: id.tenantId, senderId: id.userId, idempotencyKey: c.var.idempotencyKey }, opts);
    return c.json(r, r.duplicate ? 200 : 201);
  });

  app.openapi(routes.markRead, async (c) => {
    const { tenantId, userId } = c.get('identity');
    const b = c.req.valid('json');
    return c.json(await svc.markRead(tenantId, userId, 'all' in b ? 'all' : b.ids), 200);
  });

  app.openapi(routes.removeAll, async (c) => {
    const { tenantId, userId } = c.get('identity');
    const q = c.req.valid('query');
    if ((q.ids === undefined) === (q.all === undefined)) {
      throw new AppError('validation_failed', 'Say what to delete: ?ids=<id>,<id> for some notifications, or ?all=true for all of them (not both).');
    }
    let list: string[] | 'all' = 'all';
    if (q.ids !== undefined) {
      const parsed = ids.safeParse(q.ids.split(',').map((s) => s.trim()).filter(Boolean));
      if (!parsed.success) throw new AppError('validation_failed', 'ids must be a comma-separated list of 1 to 500 notification ids.');
      list = parsed.data;
    }
    return c.json(await svc.remove(tenantId, userId, list), 200);
  });

  app.openapi(routes.getPrefs, async (c) => {
    const { tenantId, userId } = c.get('identity');
    return c.json(preferencesView(await svc.getPreferences(tenantId, userId)), 200);
  });

  app.openapi(routes.putPrefs, async (c) => {
    const { tenantId, userId } = c.get('identity');
    const { locked: _readOnly, ...prefs } = c.req.valid('json');
    return c.json(preferencesView(await svc.putPreferences(tenantId, userId, prefs)), 200);
  });

  app.openapi(routes.getOne, async (c) => {
    const { tenantId, userId } = c.get('identity');
    return c.json(await svc.get(tenantId, userId, c.req.valid('param').id), 200);
  });

  app.openapi(routes.readOne, async (c) => {
    const { tenantId, userId } = c.get('identity');
    const id = c.req.valid('param').id;
    return c.json(await (c.req.valid('json').read ? svc.markOneRead(tenantId, userId, id) : svc.markOneUnread(tenantId, userId, id)), 200);
  });

  app.openapi(routes.removeOne, async (c) => {
    const { tenantId, userId } = c.get('identity');
    return c.json(await svc.removeOne(tenantId, userId, c.req.valid('param').id), 200);
  });

}
