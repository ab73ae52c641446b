import { z } from '@hono/zod-openapi';
import { JSON_LIMITS } from './json-body.js';

export const ErrorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'validation_failed' }),
      message: z.string().meta({ example: 'Request body does not match the schema.' }),
      details: z.unknown().optional(),
      requestId: z.string().optional().meta({ description: 'The request\'s id, also in the `x-request-id` header and in the access log.' }),
    }),
  })
  .meta({ id: 'ErrorEnvelope' });

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorEnvelopeSchema } },
});

/** The error responses most routes share, for the OpenAPI description. */
export const commonErrors = {
  400: errorResponse('Malformed JSON or a body that does not match the schema.'),
  401: errorResponse('Missing, malformed, expired or forged credentials.'),
  403: errorResponse('The identity may not do this.'),
  413: errorResponse('Body larger than the configured limit.'),
} as const;

export const bearerSecurity = [{ bearer: [] }];

/** Largest body of `POST /api/push/restore` (a backup file); every other body is held to `WARDBELL_MAX_BODY_BYTES`. */
export const RESTORE_MAX_BYTES = 16 * 1024 * 1024;

const n = (v: number) => v.toLocaleString('en-US');
const STRUCTURE = `nested at most ${JSON_LIMITS.maxDepth} deep, arrays of at most ${n(JSON_LIMITS.maxArrayLength)} elements, strings of at most ${n(JSON_LIMITS.maxStringLength)} characters, objects of at most ${n(JSON_LIMITS.maxKeys)} keys.`;
const DEFAULT_LIMIT = 'at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured)';

/**
 * A JSON request body that must be present and must be JSON. Its description states the limits it
 * is read under (size; strict UTF-8; nesting, array, string and key limits: docs/OPERATIONS.md).
 */
export function jsonBody<T extends z.ZodType>(schema: T, opts: { description?: string; maxBytes?: number } = {}) {
  const size = opts.maxBytes === undefined ? DEFAULT_LIMIT : `at most ${n(opts.maxBytes)} bytes`;
  const limits = `JSON, strict UTF-8, ${size}; ${STRUCTURE}`;
  return {
    required: true,
    description: opts.description ? `${opts.description} ${limits}` : limits,
    content: { 'application/json': { schema } },
  };
}

export { errorResponse };

/** A JSON response body, for a route's `responses`. */
export const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

/** The answer for an unknown id, which is also the answer for another tenant's. */
export const unknownId = errorResponse('Unknown id, or another tenant\'s (never told apart).');

/** Errors of a route without a body: a malformed id, credentials, role. */
export const idErrors = { 400: errorResponse('The id is not one this service issues.'), 401: commonErrors[401], 403: commonErrors[403] };

/**
 * The `Idempotency-Key` request header of every creating POST (`idempotency.ts` in this folder
 * answers it), with the two refusals it adds.
 */
export const IdempotencyKeyHeader = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({
      description:
        'Makes a retry safe. Within 24 h and the tenant, the same key with the same request (route, caller, body) answers the first success\'s status and body again (header `Idempotent-Replayed: true`) and does nothing else, in any process and after restarts. ' +
        'The same key with another request: 422 `idempotency_key_reused`. While the first is still running: 409 `idempotency_key_in_flight`. A request that failed keeps nothing: retry it with the same key. 1 to 200 printable ASCII characters.',
      example: 'call-2026-12-02-ward3-night',
    }),
});

export const idempotencyErrors = {
  409: errorResponse('`idempotency_key_in_flight`: a request with this Idempotency-Key is still running; retry shortly.'),
  422: errorResponse('`idempotency_key_reused`: this Idempotency-Key was used with another request in the last 24 hours.'),
} as const;

/**
 * A 429 `rate_limited` answer (`rate-limit.ts` adds it to every rate-limited route): the error
 * envelope, and `Retry-After` in whole seconds until the limit's window ends.
 */
export const rateLimitedResponse = (description: string) => ({
  description,
  headers: {
    'Retry-After': { description: 'Seconds until the request may be made again.', schema: { type: 'integer' as const, minimum: 1 } },
  },
  content: { 'application/json': { schema: ErrorEnvelopeSchema } },
});
