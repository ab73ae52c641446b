import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { ActionTokens, ApiKeys, Authenticator, Credential, TicketStore } from '../auth/index.js';
import type { ConsoleFiles } from '../console/index.js';
import type { RequestRecords } from '../idempotency/index.js';
import type { Receipts } from '../receipts/index.js';
import type { RequestObserver } from '../metrics/index.js';
import type { Directory, NotificationService } from '../notifications/index.js';
import type { PushApi } from '../push/index.js';
import { AppError } from '../shared/index.js';
import type { EventManager, SessionEnds, StreamQuota } from '../sse/index.js';
import type { TenantSettingsStore } from '../tenants/index.js';
import type { EmergencyCalls, Schedules, Swaps, TimedNotifications, UrgentRepeats } from '../workflows/index.js';
import { declareAccess, type AccessRule } from './auth.js';
import type { AppEnv } from './env.js';
import { errorHandler, notFound, validationHook } from './errors.js';
import { idempotentCreates } from './idempotency.js';
import { decodeUtf8, readJson } from './json-body.js';
import { trustedProxies } from './proxies.js';
import { describeRateLimits, limitByAddress, limitByIdentity } from './rate-limit.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { requestContext } from './request-context.js';
import { RESTORE_MAX_BYTES } from './schemas.js';
import { registerConsoleRoutes } from './routes/console.js';
import { registerDevRoutes } from './routes/dev.js';
import { registerDirectoryRoutes } from './routes/directory.js';
import { registerEmergencyRoutes } from './routes/emergency.js';
import { registerEscalationPolicyRoutes } from './routes/escalation-policies.js';
import { registerEventRoutes } from './routes/events.js';
import { registerNotificationRoutes } from './routes/notifications.js';
import { registerReceiptRoutes } from './routes/receipts.js';
import { EventPayloadsSchema } from './event-payloads.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerOpsRoutes, type MetricsEndpoint, type OpsDeps } from './routes/ops.js';
import { registerPushRoutes } from './routes/push.js';
import { registerReminderRoutes } from './routes/reminders.js';
import { registerScheduledRoutes } from './routes/scheduled.js';
import { registerScheduleRoutes } from './routes/schedules.js';
import { registerSseRoutes } from './routes/sse.js';
import { registerSwapRoutes } from './routes/swaps.js';
import { registerTenantSettingsRoutes } from './routes/tenant-settings.js';

export interface HttpAppDeps {
  logger: Logger;
  authenticator: Authenticator;
  tickets: TicketStore;
  apiKeys: ApiKeys;
  events: EventManager;
  /** Open streams per user (WARDBELL_MAX_CONNECTIONS_PER_USER), in the process or across processes. */
  quota: StreamQuota;
  notifications: NotificationService;
  receipts: Receipts;
  directory: Directory;
  actionTokens: ActionTokens;
  workflows: { schedules: Schedules; swaps: Swaps; emergency: EmergencyCalls; timed: TimedNotifications; urgentRepeats: UrgentRepeats };
  push: PushApi;
  /** Each tenant's settings (the lock screen). */
  tenants: TenantSettingsStore;
  /** The answers of creating POSTs by `Idempotency-Key`. */
  requestRecords: RequestRecords;
  /** Revokes users' sessions (refusing their older tokens) and ends their streams in every process. */
  sessions: Pick<SessionEnds, 'revoke'>;
  /** Whether a credential was issued before a revocation of its user's sessions (tickets). */
  isRevoked: (credential: Credential) => boolean;
  console: ConsoleFiles;
  /** `GET /metrics` on this app (with its bearer token when set); null when a listener of its own serves it. */
  metrics: MetricsEndpoint | null;
  /** Told each answered request's method, route pattern, status and duration (the request histogram). */
  observeRequest?: RequestObserver | undefined;
  readiness: OpsDeps['readiness'];
  isShuttingDown: () => boolean;
  corsOrigins: readonly string[];
  /** `WARDBELL_TRUSTED_PROXIES`: the peers whose `x-request-id` is kept and whose `X-Forwarded-For` names the client (rate limits). */
  trustedProxies: readonly string[];
  maxBodyBytes: number;
  /** Request rate limits (`rate-limit.ts`), counted in memory or in Redis; null or absent: none (`WARDBELL_RATE_LIMITS=off`). */
  rateLimits?: RateLimitStore | null | undefined;
  /** Present only in development with the generated secret: enables POST /api/dev/token. */
  devTokenSecret?: Uint8Array | undefined;
  version: string;
}

/**
 * Who may call what, declared once per path (see {@link Access}); `/x/*` covers `/x` itself and
 * everything below it. A path not listed is public: operations, the console, the service worker,
 * the VAPID key, the development token. `test/http/access.test.ts` holds it against the API
 * description.
 */
export const ACCESS: ReadonlyArray<AccessRule> = [
  ['/api/sse', 'self', null],
  ['/api/sse/ticket', 'identified', null],
  ['/api/events', 'publisher', 'publish'],
  ['/api/notifications/*', 'identified-or-action-token', 'send'],
  ['/api/directory/*', 'publisher', 'directory'],
  ['/api/schedules/*', 'publisher', 'workflows'],
  ['/api/swaps/*', 'publisher', 'workflows'],
  ['/api/emergency-calls/*', 'publisher', 'workflows'],
  ['/api/escalation-policies/*', 'publisher', 'workflows'],
  ['/api/reminders/*', 'publisher', 'workflows'],
  ['/api/push/subscribe', 'identified', null],
  ['/api/push/subscriptions', 'identified', null],
  ['/api/push/test', 'identified', null],
  ['/api/push/stats', 'publisher', 'admin'],
  ['/api/push/backup', 'publisher', 'admin'],
  ['/api/push/restore', 'publisher', 'admin'],
  ['/api/admin/*', 'admin', 'admin'],
  ['/api/tenant/settings', 'admin', 'admin'],
];

/**
 * The creating POSTs: each takes an `Idempotency-Key` (`idempotency.ts`), and
 * `test/http/idempotency.test.ts` holds the list against the API description.
 */
export const IDEMPOTENT_CREATES: ReadonlySet<string> = new Set([
  '/api/events',
  '/api/notifications',
  '/api/notifications/scheduled',
  '/api/reminders',
  '/api/schedules/published',
  '/api/schedules/updated',
  '/api/swaps',
  '/api/emergency-calls',
]);

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Bodies are JSON, read strictly before any route sees them. A POST, PUT or PATCH body of another
 * type is refused unread (`unsupported_media_type`). A JSON body (DELETE's too) must be UTF-8 with
 * no invalid byte (else `invalid_json`) and within `JSON_LIMITS` for nesting, array lengths, string
 * lengths and key counts (else `validation_failed`, naming the limit and where). The route's
 * validator then parses the same bytes, which Hono keeps.
 */
const jsonBodies: MiddlewareHandler<AppEnv> = async function jsonBody(c, next) {
  const m = c.req.method;
  if (m !== 'POST' && m !== 'PUT' && m !== 'PATCH' && m !== 'DELETE') return next();
  const isJson = JSON_TYPE.test(c.req.header('content-type') ?? '');
  if (!isJson) {
    const len = c.req.header('content-length');
    const hasBody = (len !== undefined && len !== '0') || c.req.header('transfer-encoding') !== undefined;
    if (hasBody && m !== 'DELETE') throw new AppError('unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.');
    return next();
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length === 0) return next();
  const text = decodeUtf8(bytes);
  if (text === null) throw new AppError('invalid_json', 'Request body is not valid UTF-8.');
  const read = readJson(text);
  if (!read.ok) throw new AppError(read.code, read.message, 'details' in read ? read.details : undefined);
  c.set('jsonBody', read.value);
  await next();
};

/** Builds the HTTP application: routes, the one error renderer, CORS, limits, OpenAPI. */
export function createHttpApp(deps: HttpAppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(errorHandler(deps.logger));
  app.notFound(notFound);
  const proxies = trustedProxies(deps.trustedProxies);
  app.use('*', requestContext(deps.logger, proxies, deps.observeRequest));

  const allowed = new Set(deps.corsOrigins);
  const corsHeaders = cors({
    // Only configured origins, echoed exactly; never a wildcard or a reflected arbitrary origin.
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    // Cache-Control: the SSE client sends `no-store`; Last-Event-ID: resumption.
    allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID', 'Idempotency-Key', 'Cache-Control', 'X-Wardbell-Action-Token'],
    exposeHeaders: ['Retry-After'],
    maxAge: 600,
    credentials: false,
  });
  // Only requests that carry an Origin (a browser page on another origin, or a same-origin write)
  // need CORS headers. The rest skip the middleware: it writes headers before the route runs, and
  // that makes every JSON answer go out through a stream instead of one buffer (about 15 KiB more
  // garbage per request, and the collector pauses that come with it).
  app.use('/api/*', function corsWhenOrigin(c, next) {
    return c.req.header('origin') === undefined ? next() : corsHeaders(c, next);
  });
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError('payload_too_large', `Request body is larger than ${maxSize} bytes.`);
      },
    });
  const small = limit(deps.maxBodyBytes);
  // A tenant's subscription backup is one file of many subscriptions: it gets its own, larger limit.
  const restore = limit(RESTORE_MAX_BYTES);
  // Per client address before anything else reads the request (after CORS, so a page can read the 429).
  if (deps.rateLimits) app.use('/api/*', limitByAddress(deps.rateLimits, proxies));
  app.use('/api/*', function sizeLimit(c, next) {
    // GET and HEAD carry no body. Skipping the limit there keeps bodyLimit's c.req.raw.body from
    // building a full Request (Headers, URL, AbortController) that @hono/node-server's 'close'
    // listener retains for the whole life of an SSE stream: about 3 KB per open stream.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return c.req.path === '/api/push/restore' ? restore(c, next) : small(c, next);
  });
  app.use('/api/*', jsonBodies);

  declareAccess(app, ACCESS, deps);
  // Per user and per tenant once the caller is known.
  if (deps.rateLimits) app.use('/api/*', limitByIdentity(deps.rateLimits, deps.authenticator, proxies));
  app.use('/api/*', idempotentCreates(deps.requestRecords, IDEMPOTENT_CREATES));

  registerAdminRoutes(app, { apiKeys: deps.apiKeys });
  registerOpsRoutes(app, { metrics: deps.metrics, readiness: deps.readiness, isShuttingDown: deps.isShuttingDown });
  registerSseRoutes(app, {
    authenticator: deps.authenticator,
    tickets: deps.tickets,
    events: deps.events,
    quota: deps.quota,
    isRevoked: deps.isRevoked,
    onStreamError: (err) => deps.logger.error({ err }, 'stream closed: registration failed after the head was sent'),
  });
  registerEventRoutes(app, { events: deps.events });
  registerScheduledRoutes(app, { timed: deps.workflows.timed });
  registerReceiptRoutes(app, { receipts: deps.receipts });
  registerNotificationRoutes(app, { notifications: deps.notifications, tenants: deps.tenants, repeats: deps.workflows.urgentRepeats });
  registerTenantSettingsRoutes(app, { tenants: deps.tenants });
  registerDirectoryRoutes(app, { directory: deps.directory, sessions: deps.sessions });
  registerScheduleRoutes(app, { schedules: deps.workflows.schedules });
  registerSwapRoutes(app, { swaps: deps.workflows.swaps });
  registerEmergencyRoutes(app, { emergency: deps.workflows.emergency });
  registerEscalationPolicyRoutes(app, { policies: deps.workflows.emergency.policies });
  registerReminderRoutes(app, { timed: deps.workflows.timed });
  registerPushRoutes(app, { push: deps.push });
  registerConsoleRoutes(app, { files: deps.console });
  if (deps.devTokenSecret) registerDevRoutes(app, { secret: deps.devTokenSecret });

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description:
      'A user\'s JWT, or, for server calls, an API key (`wbk_<id>_<secret>`). ' +
      'A JWT is verified with the identity provider\'s key set (WARDBELL_JWKS_URL: the key its `kid` names, RS256, PS256 or ES256) or with the configured HS256 secret or ES256/RS256 public key; ' +
      '`exp` is required, `iss` and `aud` are checked when configured, and the identity is read from the claims named by WARDBELL_JWT_CLAIM_USER, _TENANT, _ROLES and _WARDS (default sub, tid, roles, wards; a string is one value). ' +
      'A key acts as role service; it may call a route only with the scope the route needs (publish: /api/events; send: /api/notifications; directory: /api/directory; ' +
      'workflows: /api/schedules, /api/swaps, /api/emergency-calls, /api/escalation-policies, /api/reminders; admin: /api/admin, /api/tenant/settings, /api/push/stats, backup, restore). ' +
      'A platform key (one for every tenant) names the tenant of each request in `X-Wardbell-Tenant`; a tenant key acts for its own tenant only. Streams and push subscriptions are a user\'s: keys cannot open them.',
  });
  app.openAPIRegistry.register('EventPayloads', EventPayloadsSchema);
  if (deps.rateLimits) describeRateLimits(app.openAPIRegistry, deps.rateLimits.limits);
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Wardbell',
      version: deps.version,
      description: 'Realtime notification backend for shift-based teams: SSE, Web Push, inbox and scheduling workflows.',
    },
  });
  return app;
}
