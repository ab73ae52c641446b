import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { AppError, envelope, type ErrorEnvelope } from '../shared/index.js';
import { isDatabaseUnavailable } from '../store/index.js';
import type { AppEnv } from './env.js';

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    if (err.status === 413) return new AppError('payload_too_large', 'Request body is too large.');
    if (err.status === 400 && /JSON/i.test(err.message)) {
      return new AppError('invalid_json', 'Request body is not valid JSON.');
    }
    if (err.status === 400) return new AppError('bad_request', err.message || 'Bad request.');
    if (err.status === 401) return new AppError('unauthenticated', err.message || 'Authentication required.');
    if (err.status === 403) return new AppError('forbidden', err.message || 'Forbidden.');
    if (err.status === 404) return new AppError('not_found', err.message || 'Not found.');
    if (err.status === 415) return new AppError('unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.');
    // Any other refusal of the framework's is the client's doing, never an internal error.
    if (err.status >= 400 && err.status < 500) return new AppError('bad_request', err.message || 'Bad request.');
  }
  // The database is restarting, unreachable or locked: the request's transaction committed whole or
  // not at all, and the same request may well succeed shortly (503 with Retry-After; a send repeated
  // with its Idempotency-Key is never sent twice), so it is no internal error.
  if (isDatabaseUnavailable(err)) return new AppError('unavailable', 'The database is not reachable right now; retry shortly.');
  return new AppError('internal', 'Internal error. It has been logged.');
}

/** The envelope with the request's id, so a client can quote it and an operator find its log lines. */
function withRequestId(body: ErrorEnvelope, requestId: string | undefined): ErrorEnvelope & { error: { requestId?: string } } {
  return requestId === undefined ? body : { error: { ...body.error, requestId } };
}

/** The one error renderer: every 4xx/5xx leaves as `{"error":{"code","message","details"?,"requestId"}}`. */
export function errorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return function renderError(err, c) {
    const appErr = toAppError(err);
    const requestId = c.var.requestId;
    // A 503 is a dependency being away (every request during an outage gets one): a warning, not a bug.
    if (appErr.code === 'unavailable') logger.warn({ err, path: c.req.path, requestId }, 'request refused: a dependency is unavailable');
    else if (appErr.status >= 500) logger.error({ err, path: c.req.path, requestId }, 'request failed');
    else logger.debug({ code: appErr.code, path: c.req.path, requestId }, appErr.message);
    // The unread rest of an oversized body would be parsed as the next request: close instead.
    if (appErr.code === 'payload_too_large') c.header('connection', 'close');
    // Clients back off by Retry-After (seconds) on 429 and 503: the error's own wait (a rate limit's
    // window), else 5 s.
    if (appErr.status === 429 || appErr.status === 503) c.header('retry-after', String(appErr.retryAfterSeconds ?? 5));
    return c.json(withRequestId(envelope(appErr), requestId), appErr.status as 400);
  };
}

export const notFound: NotFoundHandler<AppEnv> = function renderNotFound(c: Context<AppEnv>) {
  return c.json(withRequestId(envelope(new AppError('not_found', `No route for ${c.req.method} ${c.req.path}.`)), c.var.requestId), 404);
};

/** Validation hook for every OpenAPI route: a failed zod parse becomes one 400 with the issues. */
export function validationHook(
  result: { success: true } | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } },
  c: Context,
): void {
  if (!result.success) {
    const where = c.req.method === 'GET' ? 'query' : 'body';
    throw new AppError(
      'validation_failed',
      `Request ${where} does not match the schema: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}.`,
      result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }
}
