import { createHash, timingSafeEqual } from 'node:crypto';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { MetricsRegistry } from '../../metrics/index.js';
import { bearerToken } from '../../auth/index.js';
import { AppError } from '../../shared/index.js';
import type { AppEnv } from '../env.js';
import { errorResponse } from '../schemas.js';

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['operations'],
  summary: 'Liveness',
  responses: { 200: { description: 'The process is running.', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

const readyRoute = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['operations'],
  summary: 'Readiness',
  description:
    'Ready when storage (and Redis, when scaled out) answers, the identity provider\'s keys are held (with WARDBELL_JWKS_URL), and the process is not shutting down. ' +
    'A check that is ready but degraded says how (the JWKS could not be fetched again: tokens are verified with the keys already held).',
  responses: {
    200: { description: 'Ready.', content: { 'application/json': { schema: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) }) } } },
    503: { description: 'Not ready.', content: { 'application/json': { schema: z.object({ status: z.literal('unavailable'), checks: z.record(z.string(), z.string()) }) } } },
  },
});

/** Where `GET /metrics` is served: the registry, and the bearer token it requires when set. */
export interface MetricsEndpoint {
  registry: MetricsRegistry;
  /** `WARDBELL_METRICS_TOKEN`: unset, anyone who reaches the listener may scrape. */
  token?: string | undefined;
}

const metricsRouteOf = (token: boolean) =>
  createRoute({
    method: 'get',
    path: '/metrics',
    tags: ['operations'],
    summary: 'Prometheus metrics',
    description:
      'The service\'s metrics in the Prometheus text format: its counters and gauges (`wardbell_*`), the histograms `wardbell_http_request_duration_seconds`, `wardbell_sse_publish_to_write_seconds` and `wardbell_push_delivery_seconds`, and the standard process and Node.js metrics. ' +
      (token ? 'Requires `Authorization: Bearer <WARDBELL_METRICS_TOKEN>`.' : 'Open to whoever reaches this port: set WARDBELL_METRICS_TOKEN to require a bearer token, or WARDBELL_METRICS_PORT to serve it on a port of its own.'),
    ...(token ? { security: [{ metricsToken: [] }] } : {}),
    responses: {
      200: { description: 'Text exposition format 0.0.4.', content: { 'text/plain': { schema: z.string() } } },
      ...(token ? { 401: errorResponse('No bearer token, or not WARDBELL_METRICS_TOKEN.') } : {}),
    },
  });

const digest = (s: string) => createHash('sha256').update(s).digest();

/** `GET /metrics` on an app: the main one, or the listener of its own on WARDBELL_METRICS_PORT. */
export function registerMetricsRoute(app: OpenAPIHono<AppEnv>, endpoint: MetricsEndpoint): void {
  const { registry, token } = endpoint;
  // Compared as SHA-256 digests: equal lengths, so timingSafeEqual tells nothing of the token's length.
  const expected = token === undefined ? null : digest(token);
  if (token !== undefined) {
    app.openAPIRegistry.registerComponent('securitySchemes', 'metricsToken', {
      type: 'http',
      scheme: 'bearer',
      description: 'WARDBELL_METRICS_TOKEN, for GET /metrics only.',
    });
  }
  app.openapi(metricsRouteOf(expected !== null), async (c) => {
    if (expected) {
      const presented = bearerToken(c.req.header('authorization'));
      if (presented === undefined) throw new AppError('unauthenticated', 'GET /metrics needs Authorization: Bearer <WARDBELL_METRICS_TOKEN>.');
      if (!timingSafeEqual(digest(presented), expected)) throw new AppError('invalid_token', 'Metrics token rejected.');
    }
    return c.text(await registry.render(), 200, { 'content-type': registry.contentType });
  });
}

export interface OpsDeps {
  /** Null when `/metrics` is served on a listener of its own (WARDBELL_METRICS_PORT): this app answers 404 there. */
  metrics: MetricsEndpoint | null;
  /** Named readiness checks; each resolves (with a note when ready but degraded) or throws. */
  readiness: Record<string, () => Promise<void | string>>;
  isShuttingDown: () => boolean;
}

export function registerOpsRoutes(app: OpenAPIHono<AppEnv>, deps: OpsDeps): void {
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyRoute, async (c) => {
    const checks: Record<string, string> = {};
    let ok = !deps.isShuttingDown();
    if (!ok) checks.process = 'shutting down';
    for (const [name, check] of Object.entries(deps.readiness)) {
      try {
        // A dependency that hangs (a client queueing commands while Redis is down) is not ready.
        const note = await Promise.race([
          check(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 2 s')), 2000).unref()),
        ]);
        checks[name] = typeof note === 'string' ? note : 'ok';
      } catch (err) {
        ok = false;
        checks[name] = err instanceof Error ? err.message : String(err);
      }
    }
    return ok ? c.json({ status: 'ready' as const, checks }, 200) : c.json({ status: 'unavailable' as const, checks }, 503);
  });
  if (deps.metrics) registerMetricsRoute(app, deps.metrics);
}
