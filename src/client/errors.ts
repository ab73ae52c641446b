import type { SSEErrorCode } from './types.js';

/** Details carried by an `SSEClientError`. */
export interface SSEClientErrorDetails {
  /** Whether the client reconnects after this failure (it does not for fatal ones). */
  retryable: boolean;
  /** HTTP status, for `http_status` and `bad_content_type`. */
  status?: number;
  /** Response headers, for failures that had a response. */
  headers?: Headers;
  /** The underlying error (network error, token provider error, last failure before `max_attempts`). */
  cause?: unknown;
}

/**
 * The one error type of the client. `code` is from a closed union so callers can switch on it;
 * `status` and `headers` let them tell "log in again" (401) from "the server is down" (503).
 */
export class SSEClientError extends Error {
  override readonly name = 'SSEClientError';
  readonly code: SSEErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly headers: Headers | undefined;

  constructor(code: SSEErrorCode, message: string, details: SSEClientErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.retryable = details.retryable;
    this.status = details.status;
    this.headers = details.headers;
  }
}
