/**
 * Types shared by the SSE client, its React hook and applications. Nothing here imports the server:
 * the client is shipped on its own (`@wardbell/client`) and must not pull server code into a
 * browser bundle; the event payloads come from the generated API types.
 */
import type { components } from './api/schema.js';
import type { ReconnectOptions } from './backoff.js';
import type { SSEClientError, SSEErrorCode } from './errors.js';

/**
 * The event types the Wardbell server sends: the seed's seven (`SSEEventType`, section 1.2), the
 * notification service's (`notification.updated`: shared state changed, e.g. a call filled;
 * `inbox.updated`: read/deleted on another device, with the unread count; `emergency.*`: call
 * progress), plus `reset`, which tells the client that its position could not be continued.
 */
export type ServerEventType =
  | 'schedule.updated'
  | 'schedule.published'
  | 'swap.requested'
  | 'swap.approved'
  | 'swap.rejected'
  | 'notification'
  | 'notification.updated'
  | 'inbox.updated'
  | 'emergency.called'
  | 'emergency.updated'
  | 'ping'
  | 'reset';

/** Data of the heartbeat `event: ping`, sent by the server every 30 s. */
export interface PingData {
  /** Server time in milliseconds since the epoch. */
  t: number;
}

/**
 * Data of `event: reset`: the server could not replay from the client's `Last-Event-ID` (trimmed
 * history, unknown id, ...). Not an error: the stream continues from `lastEventId`, and the
 * application should refetch the state it derives from events.
 */
export interface ResetData {
  /** Why the position could not be continued, e.g. `trimmed`, `expired`, `unknown-id`. */
  reason: string;
  /** The position the stream continues from. */
  lastEventId: string;
}

/** Why the server ended a stream's access (`event: access-ended`). */
export type AccessEndedReason = 'token_expired' | 'sessions_revoked' | 'removed_from_directory';

/**
 * Data of `event: access-ended`, the last event of a stream whose credential is no longer
 * accepted. The client handles it: it asks `getToken({ refresh: true, reason })` for a new token
 * at once and resumes with its Last-Event-ID, losing nothing.
 */
export interface AccessEndedData {
  reason: AccessEndedReason;
}

/** The data of each domain event type, from the service's API description (`EventPayloads`). */
export type EventPayloads = components['schemas']['EventPayloads'];

/**
 * Data type per event type: the domain events as Wardbell's workflows send them (generated from
 * the service's API description, so they follow the server), and the stream's own control events.
 * An event your server publishes through `POST /api/events` carries the data it sent: pass your
 * own map as the generic of `createSSEClient` / `useSSE` to type those.
 */
export type ServerEventMap = { [K in keyof EventPayloads]: EventPayloads[K] } & {
  ping: PingData;
  reset: ResetData;
  'access-ended': AccessEndedData;
};

/**
 * One dispatched event, as the WHATWG "dispatch the event" steps build it (HTML §9.2.6), plus the
 * `id` field of its own block, which the client needs to drop duplicates.
 */
export interface EventStreamMessage {
  /** The `event:` field, or `message` when the block had none (or an empty one). */
  type: string;
  /** The `data:` lines joined with LF; the raw string, never JSON-parsed. */
  data: string;
  /** The last event ID string at dispatch (persists across events without an `id:` field). */
  lastEventId: string;
  /** The `id:` field of this very block, if it had a valid one; `undefined` otherwise. */
  id: string | undefined;
  /**
   * On a stream shared by the tabs of a browser (`createSharedSSEClient`): true in the one tab
   * that should show this event to the user (a toast, a sound), false in the others. Absent on a
   * stream of one's own, which presents everything.
   */
  present?: boolean;
}

/**
 * The client's connection states.
 * - `connecting`: a request is in flight (the first one, or a retry after the backoff delay).
 * - `open`: a 200 `text/event-stream` response is being read and its events dispatched.
 * - `reconnecting`: the connection was lost or refused; waiting out the backoff delay.
 * - `closed`: not running: never started, `close()` was called, or it gave up (see `error`).
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Why the state changed (a closed union, like the error codes). */
export type StateChangeReason =
  /** `connect()` was called. */
  | 'connect'
  /** The server ended the stream's access (`access-ended`); reconnecting at once with a fresh token. */
  | 'access_ended'
  /** The backoff delay elapsed and the next attempt starts. */
  | 'retry'
  /** The response was 200 with `text/event-stream`. */
  | 'opened'
  /** The server answered 204 No Content: it asks the client to stop for good. */
  | 'no_content'
  /** `close()` was called. */
  | 'client_close'
  /** A failure; its code says which (retryable failures lead to `reconnecting`). */
  | SSEErrorCode;

/** What `on('state', fn)` listeners receive: one object per transition. */
export interface StateChange {
  from: ConnectionState;
  to: ConnectionState;
  reason: StateChangeReason;
  /** The failure behind this transition, when there was one. */
  error?: SSEClientError;
  /** When `to` is `reconnecting`: the delay before the next attempt, in ms. */
  delayMs?: number;
  /** Consecutive failed attempts at the time of the change. */
  attempts: number;
}

/** `setTimeout` / `clearTimeout`, injectable so tests can drive time. */
export interface TimerFunctions {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

/** What the client knows when it asks for a token. */
export interface TokenRequest {
  /**
   * True when the last token is known to be no longer accepted (the stream ended with
   * `access-ended`, or the server answered 401): return a new token, not a cached one.
   */
  refresh: boolean;
  /** Why a refresh is asked for. */
  reason?: AccessEndedReason | 'unauthorized';
}

/** Returns the bearer token for the next request, or `null` to send no Authorization header. */
export type TokenProvider = (request: TokenRequest) => string | null | Promise<string | null>;

/** The part of `fetch` the client uses. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A handler of one event type: `data` is JSON-parsed when it parses, else the raw string. */
export type EventHandler<D = unknown> = (data: D, event: EventStreamMessage) => void;

/** Options of `createSSEClient`. Only `url` is required. */
export interface SSEClientOptions {
  /** The SSE endpoint, e.g. `https://host/api/sse`. */
  url: string | URL;
  /** The fetch implementation. Default `globalThis.fetch` (looked up at each request). */
  fetch?: FetchLike;
  /**
   * Asked on EVERY connect (first and each reconnect), so a refreshed token is picked up; sent as
   * `Authorization: Bearer <token>`. Returning `null` sends no Authorization header; throwing is a
   * retryable `token` error. With `{ refresh: true }` the previous token is no longer accepted:
   * when the server ends a stream's access (token expired, sessions revoked) the client reconnects
   * at once asking for a new one, and after a 401 it asks once more before giving up.
   * Default: none (no Authorization header).
   */
  getToken?: TokenProvider;
  /**
   * Extra request headers. Default none. `Accept`, `Cache-Control`, `Last-Event-ID` and
   * `Authorization` are set by the client and win over these.
   */
  headers?: Record<string, string>;
  /** `fetch` credentials mode (cookies). Default: the fetch default (`same-origin`). */
  credentials?: RequestCredentials;
  /** Last event ID string to start from; sent as `Last-Event-ID` on the first request too. Default `''`. */
  lastEventId?: string;
  /** Backoff and give-up policy. Defaults: base 3000 ms, cap 60000 ms, 10 attempts, equal jitter. */
  reconnect?: ReconnectOptions;
  /**
   * If no bytes arrive for this long (ms), the connection is considered dead, aborted and
   * reconnected. The server pings every 30 s, so the default 75000 tolerates one lost ping plus
   * latency. Also bounds the wait for response headers. `null` turns it off.
   */
  heartbeatTimeoutMs?: number | null;
  /** How many recent event ids are remembered to drop duplicates. Default 1024; 0 turns it off. */
  dedupeWindow?: number;
  /** Timer functions. Default `globalThis.setTimeout` (looked up at each call, so fake timers work). */
  setTimeout?: TimerFunctions['setTimeout'];
  /** Default `globalThis.clearTimeout`. */
  clearTimeout?: TimerFunctions['clearTimeout'];
  /** Randomness for jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void;

/**
 * A running (or stopped) SSE connection. `M` maps event types to their data types.
 * The listener names `state`, `error` and `position` are the client's own: a server event with one
 * of those types is delivered to `message` listeners only.
 */
export interface SSEClient<M extends object = ServerEventMap> {
  readonly url: string;
  readonly state: ConnectionState;
  /** The last event ID string (WHATWG): sent as `Last-Event-ID` when not empty. */
  readonly lastEventId: string;
  /** Consecutive failed attempts; back to 0 once a connection opens and receives its first bytes. */
  readonly attempts: number;
  /** Reconnection requests started since the client was created (never reset). */
  readonly reconnectCount: number;
  /** The server's `retry:` value in ms, or `null` when it sent none (then `baseDelayMs` applies). */
  readonly reconnectionTime: number | null;
  /**
   * The failure behind the current state: set while `reconnecting` and when closed by a fatal
   * error; `null` once a connection opens, after a 204 and after `close()`.
   */
  readonly error: SSEClientError | null;
  /**
   * Starts connecting when the client is `closed` (initially, or after `close()` or giving up);
   * a no-op in any other state. The attempt counter restarts at 0; the last event ID is kept, so
   * a restarted client resumes where it stopped.
   */
  connect(): void;
  /** Aborts the request in flight, cancels every timer and moves to `closed`. Idempotent. */
  close(): void;
  /** Every state transition, once, as `{from, to, reason, error?, delayMs?, attempts}`. */
  on(type: 'state', listener: (change: StateChange) => void): Unsubscribe;
  /** Every failure, retryable ones included (check `error.retryable` or the next state). */
  on(type: 'error', listener: (error: SSEClientError) => void): Unsubscribe;
  /**
   * The last event ID moved without an event: the server's id-only frames (a fresh stream's
   * starting position, the end of a replay that skipped what this user may not see).
   */
  on(type: 'position', listener: (lastEventId: string) => void): Unsubscribe;
  /** Every dispatched event, whatever its type (duplicates by id are dropped before any listener). */
  on(type: 'message', listener: EventHandler<unknown>): Unsubscribe;
  /** Events of one type; `data` is typed by `M` (`reset` gives `ResetData`, `ping` `PingData`). */
  on<K extends keyof M & string>(type: K, listener: EventHandler<M[K]>): Unsubscribe;
  /** Events of any other type. */
  on(type: string, listener: EventHandler<unknown>): Unsubscribe;
}
