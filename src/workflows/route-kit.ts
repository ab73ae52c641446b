import type { z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Authenticator, Identity } from '../auth/index.js';
import { commonErrors, errorResponse, requireIdentity, type AppEnv } from '../http/index.js';

/** Shared pieces of the workflow routes. */

export const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

export const notFound = errorResponse('Unknown id, or another tenant\'s (never told apart).');

/** Errors of a route without a body: a malformed id, credentials, role. */
export const idErrors = { 400: errorResponse('The id is not one this service issues.'), 401: commonErrors[401], 403: commonErrors[403] };

/**
 * Identifies the caller unless a middleware of an enclosing path did already (the core's
 * `/api/notifications/*`), so a token is verified once per request.
 */
export function identifyOnce(authenticator: Authenticator): MiddlewareHandler<AppEnv> {
  const identify = requireIdentity(authenticator);
  return async function identifyOnceMiddleware(c, next) {
    if ((c.var.identity as Identity | undefined) !== undefined) return next();
    return identify(c, next);
  };
}
