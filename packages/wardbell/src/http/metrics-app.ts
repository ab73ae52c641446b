import { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { AppEnv } from './env.js';
import { errorHandler, notFound } from './errors.js';
import { trustedProxies } from './proxies.js';
import { requestContext } from './request-context.js';
import { registerMetricsRoute, type MetricsEndpoint } from './routes/ops.js';

export interface MetricsAppDeps {
  logger: Logger;
  metrics: MetricsEndpoint;
  /** `WARDBELL_TRUSTED_PROXIES`: the peers whose `x-request-id` is kept. */
  trustedProxies: readonly string[];
}

/**
 * The application of the metrics listener (WARDBELL_METRICS_PORT): `GET /metrics` (with its bearer
 * token when WARDBELL_METRICS_TOKEN is set) and nothing else; every other path is 404 in the
 * error envelope. Its requests are logged like the main port's.
 */
export function createMetricsApp(deps: MetricsAppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.onError(errorHandler(deps.logger));
  app.notFound(notFound);
  app.use('*', requestContext(deps.logger, trustedProxies(deps.trustedProxies)));
  registerMetricsRoute(app, deps.metrics);
  return app;
}
