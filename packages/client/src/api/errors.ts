/**
 * The one error of the API client: the service's error envelope (`code`, `message`, `details`,
 * `requestId`) with the HTTP status; or, for a call that got no answer, `network_error` or
 * `timeout` with status 0.
 */
export class WardbellApiError extends Error {
  override readonly name = 'WardbellApiError';
  /** The envelope's code (`validation_failed`, `forbidden`, `not_found`, ...), or `network_error` / `timeout` / `bad_response`. */
  readonly code: string;
  /** The HTTP status, 0 when there was no answer. */
  readonly status: number;
  /** The service's request id, to find the request in its logs. */
  readonly requestId: string | undefined;
  readonly details: unknown;
  /** How long the service asked to wait before trying again (429, 503), ms. */
  readonly retryAfterMs: number | undefined;

  constructor(init: { code: string; message: string; status: number; requestId?: string | undefined; details?: unknown; retryAfterMs?: number | undefined; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.details = init.details;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** The error of an answer that is not 2xx (pure: reads the envelope when there is one). */
export function errorFromAnswer(status: number, body: unknown, headers: { get(name: string): string | null }, retryAfterMs: number | undefined): WardbellApiError {
  const env = typeof body === 'object' && body !== null ? (body as { error?: { code?: unknown; message?: unknown; details?: unknown; requestId?: unknown } }).error : undefined;
  const requestId = typeof env?.requestId === 'string' ? env.requestId : (headers.get('x-request-id') ?? undefined);
  if (env && typeof env.code === 'string') {
    return new WardbellApiError({ code: env.code, message: typeof env.message === 'string' ? env.message : `HTTP ${status}`, status, requestId, details: env.details, retryAfterMs });
  }
  return new WardbellApiError({ code: 'bad_response', message: `HTTP ${status} without the error envelope`, status, requestId, retryAfterMs });
}
