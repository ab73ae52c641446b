/** The closed set of error codes the API answers with. */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'validation_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unauthenticated'
  | 'invalid_token'
  | 'forbidden'
  | 'forbidden_topic'
  | 'not_found'
  | 'unknown_recipients'
  | 'conflict'
  | 'idempotency_key_in_flight'
  | 'idempotency_key_reused'
  | 'too_many_connections'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

const statusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unauthenticated: 401,
  invalid_token: 401,
  forbidden: 403,
  forbidden_topic: 403,
  not_found: 404,
  unknown_recipients: 400,
  conflict: 409,
  idempotency_key_in_flight: 409,
  idempotency_key_reused: 422,
  too_many_connections: 429,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** The one error type of the service. Rendered as `{"error":{"code","message","details"?}}`. */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly status: number;
  /** For a 429 or 503: whole seconds the client should wait (`Retry-After`); unset, 5. */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    opts: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.status = statusOf[code];
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function envelope(err: AppError): ErrorEnvelope {
  const body: ErrorEnvelope = { error: { code: err.code, message: err.message } };
  if (err.details !== undefined) body.error.details = err.details;
  return body;
}
