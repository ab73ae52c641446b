/**
 * Error codes of `SSEClientError`.
 * - `http_status`: a status that is not 200/204 (retryable for 408, 429 and 5xx only).
 * - `bad_content_type`: 200 whose content type essence is not `text/event-stream` (fatal).
 * - `network`: `fetch` rejected or the body stream errored (retryable).
 * - `stream_ended`: the server ended the response (retryable: the normal way servers rotate).
 * - `heartbeat_timeout`: no bytes within `heartbeatTimeoutMs` (retryable).
 * - `token`: `getToken` threw or rejected (retryable).
 * - `max_attempts`: `maxAttempts` consecutive reconnection attempts failed (fatal; `cause` is the last).
 */
export type SSEErrorCode =
  | 'http_status'
  | 'bad_content_type'
  | 'network'
  | 'stream_ended'
  | 'heartbeat_timeout'
  | 'token'
  | 'max_attempts';

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
