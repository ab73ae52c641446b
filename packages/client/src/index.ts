/**
 * `wardbell/client`: the browser + Node SSE client. The React hook is `wardbell/react`.
 */
export { createSSEClient } from './sse-client.js';
export { SSEClientError } from './errors.js';
export type { SSEClientErrorDetails, SSEErrorCode } from './errors.js';
export { backoffDelay, RECONNECT_DEFAULTS } from './backoff.js';
export type { BackoffOptions, JitterStrategy, ReconnectOptions } from './backoff.js';
export { createEventStreamParser } from './parser.js';
export type { EventStreamParser, EventStreamParserOptions } from './parser.js';
export { classifyResponse, encodeHeaderValueUtf8, mimeEssence, parseRetryAfter } from './http.js';
export type { ResponseVerdict } from './http.js';
export type {
  ConnectionState,
  EventHandler,
  EventStreamMessage,
  FetchLike,
  SSEClient,
  SSEClientOptions,
  TokenProvider,
  TokenRequest,
  AccessEndedData,
  AccessEndedReason,
  Unsubscribe,
  PingData,
  ResetData,
  ServerEventMap,
  ServerEventType,
  StateChange,
  StateChangeReason,
  TimerFunctions,
} from './types.js';
