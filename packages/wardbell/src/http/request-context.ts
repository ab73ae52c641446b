import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Logger } from 'pino';
import type { RequestObserver } from '../metrics/index.js';
import type { AppEnv } from './env.js';
import type { TrustedProxies } from './proxies.js';

/** A request id we pass on: short and printable (it lands in logs and headers). */
const REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * Every request gets an id (the proxy's `x-request-id` when a trusted proxy sent one, else a new
 * one), answered in `x-request-id` and in every error envelope, and one access-log line when it is
 * answered: method, route pattern, status, duration, tenant and request id. Never the URL's query,
 * a header, a body or a notification's text: tokens, tickets and personal data stay out of logs.
 * `observe` gets the same method, route pattern, status and duration (the request histogram). A
 * stream (`GET /api/sse`) is answered, logged and observed when its head is sent.
 */
export function requestContext(logger: Logger, proxies: TrustedProxies, observe?: RequestObserver): MiddlewareHandler<AppEnv> {
  return async function requestContextMiddleware(c, next) {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const fromProxy = incoming !== undefined && REQUEST_ID.test(incoming) && proxies.has(c.env?.incoming?.socket?.remoteAddress);
    const requestId = fromProxy ? incoming : randomUUID();
    c.set('requestId', requestId);
    await next();
    // Set after the route ran: a header set before makes every JSON answer leave as a stream.
    c.res.headers.set('x-request-id', requestId);
    const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL')?.path ?? null;
    const ms = performance.now() - started;
    observe?.(c.req.method, route, c.res.status, ms / 1000);
    logger.info(
      {
        method: c.req.method,
        route,
        status: c.res.status,
        ms: Math.round(ms * 100) / 100,
        tenant: c.var.identity?.tenantId ?? null,
        requestId,
      },
      'request',
    );
  };
}
