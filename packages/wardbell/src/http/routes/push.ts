import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { BackupFileSchema, MAX_ENDPOINT_LENGTH, SERVICE_WORKER_JS, type PushApi } from '../../push/index.js';
import { AppError } from '../../shared/index.js';
import type { AppEnv } from '../env.js';
import { bearerSecurity, commonErrors, errorResponse, jsonBody, RESTORE_MAX_BYTES } from '../schemas.js';

const b64url = (what: string, min: number, max: number) => z.string().min(min).max(max).regex(/^[A-Za-z0-9_-]+=*$/, `${what} must be base64url`);

/** The seed's PushSubscriptionData as a browser sends it (`PushSubscription.toJSON()` plus topics). */
export const SubscribeSchema = z
  .object({
    endpoint: z.string().url().max(MAX_ENDPOINT_LENGTH).meta({ example: 'https://fcm.googleapis.com/fcm/send/dpH5lCsTSSM:APA91bH...' }),
    keys: z.object({ p256dh: b64url('p256dh', 80, 100), auth: b64url('auth', 16, 30) }).strict(),
    expirationTime: z.number().int().nullable().optional().meta({ description: 'Milliseconds since the epoch when the browser lets the subscription lapse; null: never.' }),
    topics: z.array(z.string().max(300)).max(100).optional().meta({ description: 'Topics this device wants (user:<id>, ward:<id>, role:<name>), only ones the caller is granted. Absent: all granted topics. Urgent notifications always come through.', example: ['user:kim', 'ward:3'] }),
    userId: z.string().max(128).optional().meta({ description: 'Optional; must be the caller.' }),
    tenantId: z.string().max(128).optional().meta({ description: 'Optional; must be the caller\'s tenant.' }),
  })
  .strict()
  .meta({ id: 'PushSubscribe' });

const Subscription = z
  .object({ id: z.string(), endpoint: z.string(), userId: z.string(), tenantId: z.string(), topics: z.array(z.string()), createdAt: z.string(), expirationTime: z.number().nullable().optional() })
  .meta({ id: 'PushSubscription' });
const Stats = z
  .object({
    tenantId: z.string(),
    subscriptions: z.number().int(),
    users: z.number().int(),
    byTopic: z.record(z.string(), z.number().int()),
    deliveries: z.object({ delivered: z.number().int(), failed: z.number().int(), pruned: z.number().int(), expired: z.number().int(), retried: z.number().int(), pending: z.number().int() }),
  })
  .meta({ id: 'PushStats' });
const Backup = BackupFileSchema.meta({ id: 'PushBackup' });

const tags = ['push'];
const routes = {
  vapid: createRoute({
    method: 'get', path: '/api/push/vapid-public-key', tags, summary: 'The VAPID public key (RFC 8292)',
    description: 'The `applicationServerKey` for `PushManager.subscribe`. Public; no token needed.',
    responses: { 200: { description: 'The key, base64url (65 octets, uncompressed P-256).', content: { 'application/json': { schema: z.object({ publicKey: z.string() }).meta({ id: 'VapidPublicKey' }) } } } },
  }),
  subscribe: createRoute({
    method: 'post', path: '/api/push/subscribe', tags, security: bearerSecurity, summary: 'Register this browser for push',
    description: 'Idempotent on the endpoint: the same endpoint again renews keys, topics and owner. The endpoint must be https on a known push service and must not resolve into a private network.',
    request: { body: jsonBody(SubscribeSchema) },
    responses: {
      201: { description: 'Registered.', content: { 'application/json': { schema: z.object({ subscription: Subscription }) } } },
      200: { description: 'Already registered; renewed.', content: { 'application/json': { schema: z.object({ subscription: Subscription }) } } },
      ...commonErrors,
    },
  }),
  unsubscribe: createRoute({
    method: 'delete', path: '/api/push/subscribe', tags, security: bearerSecurity, summary: 'Remove this browser\'s subscription',
    request: { body: jsonBody(z.object({ endpoint: z.string().max(MAX_ENDPOINT_LENGTH) }).strict().meta({ id: 'PushUnsubscribe' })) },
    responses: {
      200: { description: 'Removed.', content: { 'application/json': { schema: z.object({ removed: z.literal(true) }) } } },
      404: errorResponse('The caller has no subscription with this endpoint.'),
      ...commonErrors,
    },
  }),
  mine: createRoute({
    method: 'get', path: '/api/push/subscriptions', tags, security: bearerSecurity, summary: 'The caller\'s subscriptions',
    responses: { 200: { description: 'Newest first.', content: { 'application/json': { schema: z.object({ subscriptions: z.array(Subscription) }) } } }, 401: commonErrors[401] },
  }),
  test: createRoute({
    method: 'post', path: '/api/push/test', tags, security: bearerSecurity, summary: 'Send a test push to the caller\'s own devices now',
    description: 'Bypasses the inbox and the outbox; answers with each subscription\'s result. Gone subscriptions are pruned.',
    responses: { 200: { description: 'Results.', content: { 'application/json': { schema: z.object({ results: z.array(z.object({ endpoint: z.string(), result: z.string(), status: z.number().int().nullable() })) }) } } }, 401: commonErrors[401] },
  }),
  stats: createRoute({
    method: 'get', path: '/api/push/stats', tags, security: bearerSecurity, summary: 'Push statistics of the caller\'s tenant',
    description: 'Role service or admin. Subscriptions (total, by topic, users) and delivery counters.',
    responses: { 200: { description: 'Statistics.', content: { 'application/json': { schema: Stats } } }, ...commonErrors },
  }),
  backup: createRoute({
    method: 'get', path: '/api/push/backup', tags, security: bearerSecurity, summary: 'Back up the tenant\'s subscriptions as a file',
    description: 'Role service or admin. Keys stay sealed with the service\'s key-encryption key; a restore needs the same key and the same tenant.',
    responses: { 200: { description: 'The backup file.', content: { 'application/json': { schema: Backup } } }, ...commonErrors },
  }),
  restore: createRoute({
    method: 'post', path: '/api/push/restore', tags, security: bearerSecurity, summary: 'Restore the tenant\'s subscriptions from a backup file',
    description: 'Role service or admin. A file of another tenant is refused (403). Entries that do not check out are skipped and listed. Split files larger than the body limit below (restore is idempotent per endpoint).',
    request: { body: jsonBody(Backup, { maxBytes: RESTORE_MAX_BYTES }) },
    responses: {
      200: { description: 'Restored.', content: { 'application/json': { schema: z.object({ restored: z.number().int(), skipped: z.array(z.object({ endpoint: z.string(), reason: z.string() })) }) } } },
      409: errorResponse('The file was sealed with another key-encryption key.'),
      ...commonErrors,
    },
  }),
  sw: createRoute({
    method: 'get', path: '/sw.js', tags, summary: 'The service worker',
    description: 'Shows pushes with their action buttons and posts a tapped action with the push\'s action token. Register with `navigator.serviceWorker.register(\'/sw.js\')`. It is `@wardbell/client`\'s push handling with the console as the page a tap opens; an app on its own origin puts the same handling into its own service worker (`installWardbellPush` from `@wardbell/client/service-worker`).',
    responses: { 200: { description: 'JavaScript.', content: { 'text/javascript': { schema: z.string() } } } },
  }),
};

/**
 * The push routes (see {@link routes}): VAPID key and `/sw.js` (access: public), subscribe,
 * unsubscribe, own subscriptions, test push (identified), statistics, backup, restore (publisher).
 */
export function registerPushRoutes(app: OpenAPIHono<AppEnv>, deps: { push: PushApi }): void {
  const push = deps.push;
  app.openapi(routes.vapid, (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.json({ publicKey: push.publicKey }, 200);
  });
  app.openapi(routes.sw, (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('service-worker-allowed', '/');
    // Browsers check for a new worker on navigation; no-cache makes that check reach us.
    c.header('cache-control', 'no-cache');
    return c.body(SERVICE_WORKER_JS, 200);
  });

  app.openapi(routes.subscribe, async (c) => {
    const id = c.get('identity');
    const b = c.req.valid('json');
    if ((b.userId !== undefined && b.userId !== id.userId) || (b.tenantId !== undefined && b.tenantId !== id.tenantId)) {
      throw new AppError('forbidden', 'userId and tenantId, when given, must be the caller\'s own: a subscription always belongs to whoever registers it.');
    }
    const r = await push.subscribe(id, { endpoint: b.endpoint, keys: b.keys, topics: b.topics, expirationTime: b.expirationTime });
    return c.json({ subscription: r.subscription }, r.created ? 201 : 200);
  });
  app.openapi(routes.unsubscribe, async (c) => {
    if (!(await push.unsubscribe(c.get('identity'), c.req.valid('json').endpoint))) throw new AppError('not_found', 'You have no push subscription with this endpoint.');
    return c.json({ removed: true as const }, 200);
  });
  app.openapi(routes.mine, async (c) => {
    const { tenantId, userId } = c.get('identity');
    return c.json({ subscriptions: await push.listForUser(tenantId, userId) }, 200);
  });
  app.openapi(routes.test, async (c) => c.json({ results: await push.testPush(c.get('identity')) }, 200));
  app.openapi(routes.stats, async (c) => c.json(await push.stats(c.get('identity').tenantId), 200));
  app.openapi(routes.backup, async (c) => {
    const file = await push.backup(c.get('identity').tenantId);
    c.header('content-disposition', `attachment; filename="wardbell-push-${file.tenantId.replace(/[^A-Za-z0-9_.-]/g, '_')}-${file.exportedAt.slice(0, 10)}.json"`);
    c.header('cache-control', 'no-store');
    return c.json(file, 200);
  });
  app.openapi(routes.restore, async (c) => c.json(await push.restore(c.get('identity').tenantId, c.req.valid('json')), 200));
}
