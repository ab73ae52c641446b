import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { MetricsRegistry } from '../../metrics/index.js';
import type { AppEnv } from '../env.js';

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
  description: 'Ready when storage answers and the process is not shutting down.',
  responses: {
    200: { description: 'Ready.', content: { 'application/json': { schema: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) }) } } },
    503: { description: 'Not ready.', content: { 'application/json': { schema: z.object({ status: z.literal('unavailable'), checks: z.record(z.string(), z.string()) }) } } },
  },
});

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['operations'],
  summary: 'Prometheus metrics',
  responses: { 200: { description: 'Text exposition format 0.0.4.', content: { 'text/plain': { schema: z.string() } } } },
});

export interface OpsDeps {
  metrics: MetricsRegistry;
  /** Named readiness checks; each resolves or throws. */
  readiness: Record<string, () => Promise<void>>;
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
        await Promise.race([
          check(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 2 s')), 2000).unref()),
        ]);
        checks[name] = 'ok';
      } catch (err) {
        ok = false;
        checks[name] = err instanceof Error ? err.message : String(err);
      }
    }
    return ok ? c.json({ status: 'ready' as const, checks }, 200) : c.json({ status: 'unavailable' as const, checks }, 503);
  });
  app.openapi(metricsRoute, (c) => c.text(deps.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }));
}
