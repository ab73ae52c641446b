import type { MiddlewareHandler } from 'hono';
import { canPublish, type Authenticator } from '../auth/index.js';
import { AppError } from '../shared/errors.js';
import type { AppEnv } from './env.js';

/** Middleware: identifies the caller (bearer token, or gateway headers in trusted-proxy mode). */
export function requireIdentity(authenticator: Authenticator): MiddlewareHandler<AppEnv> {
  return async function identify(c, next) {
    const identity = await authenticator.authenticate((name) => c.req.header(name));
    c.set('identity', identity);
    await next();
  };
}

/** Middleware: only roles `service` and `admin` publish for their tenant. */
export const requirePublisher: MiddlewareHandler<AppEnv> = async function publisherOnly(c, next) {
  if (!canPublish(c.get('identity'))) {
    throw new AppError('forbidden', 'Publishing needs role "service" or "admin".');
  }
  await next();
};
