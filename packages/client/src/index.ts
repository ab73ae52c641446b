/**
 * `@wardbell/client`: the SSE client and the typed API client, for browsers, Node.js and edge
 * runtimes. The React hooks are `@wardbell/react`.
 */
export { createApiClient, WardbellApiError, type ApiClient, type ApiClientOptions, type ApiPath, type CallOptions, type JsonBody, type Schema, type SuccessBody, type paths, type components } from './api/index.js';
export { createSSEClient } from './sse-client.js';
export { createSharedSSEClient, choosePresenter, type SharedSSEClient, type SharedSSEClientOptions, type SharedRole, type SharedStreamEnvironment, type LockManagerLike, type BroadcastChannelLike, type TabPresence } from './shared-stream.js';
export { createReceiptReporter, type ReceiptReporter, type ReceiptReporterOptions } from './receipts.js';
export { watchOpenedNotifications, openedNotificationId, withoutOpenedNotification, OPENED_PARAM, type OpenedEnvironment } from './opened.js';
export { subscribeToPush, unsubscribeFromPush, subscriptionBody, PushUnavailableError, type PushEnvironment, type PushSubscriptionBody, type SubscribeToPushOptions } from './push.js';
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
  EventPayloads,
  ServerEventType,
  StateChange,
  StateChangeReason,
  TimerFunctions,
} from './types.js';
