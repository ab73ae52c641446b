/**
 * An SSE client over `fetch` streaming (browsers and Node 20): headers (Authorization) that
 * EventSource cannot send, an explicit state machine, reconnects with jittered exponential backoff,
 * `Last-Event-ID` resumption, duplicate suppression and a heartbeat watchdog.
 * Parsing follows WHATWG HTML §9.2.6 (see parser.ts); the connection rules follow §9.2.2-9.2.3
 * except where http.ts documents a deliberate deviation (transient statuses are retried).
 */
import { backoffDelay, RECONNECT_DEFAULTS } from './backoff.js';
import { RecentIds } from './dedupe.js';
import { SSEClientError } from './errors.js';
import { classifyResponse, encodeHeaderValueUtf8 } from './http.js';
import { accessEndedReason, callListener, parseData } from './messages.js';
import { createEventStreamParser, type EventStreamParser } from './parser.js';
import type {
  AccessEndedReason,
  TokenRequest,
  ConnectionState,
  EventStreamMessage,
  ServerEventMap,
  SSEClient,
  SSEClientOptions,
  StateChange,
  StateChangeReason,
  TimerFunctions,
  Unsubscribe,
} from './types.js';

// Listeners are stored untyped; the overloads of `SSEClient.on` (types.ts) give callers the types.
// Listeners of every kind live in one map; each is called with the arguments its `on` overload promised.
type AnyListener = (...args: never[]) => void;

const noop = (): void => {};

class Client implements SSEClient<ServerEventMap> {
  readonly url: string;
  #state: ConnectionState = 'closed';
  #attempts = 0;
  #reconnectCount = 0;
  #error: SSEClientError | null = null;
  /** Bumped whenever the current connection is torn down: stale async continuations compare it. */
  #gen = 0;
  /** Set by `access-ended`: the stream's end is then a re-authentication, not a failure. */
  #accessEnded: AccessEndedReason | null = null;
  /** What the next `getToken` call is told (a refresh after access-ended or a 401). */
  #tokenRequest: TokenRequest | null = null;
  /** The generation whose stream is being read; events of any other are not dispatched. */
  #streamGen = -1;
  #controller: AbortController | null = null;
  #heartbeat: { handle: unknown } | null = null;
  #retryTimer: { handle: unknown } | null = null;
  readonly #parser: EventStreamParser;
  readonly #recent: RecentIds;
  readonly #listeners = new Map<string, Set<AnyListener>>();
  readonly #stateListeners = new Set<AnyListener>();
  readonly #errorListeners = new Set<AnyListener>();
  readonly #positionListeners = new Set<AnyListener>();
  readonly #opts: SSEClientOptions;
  readonly #timers: TimerFunctions;
  readonly #heartbeatMs: number | null;

  constructor(options: SSEClientOptions) {
    this.#opts = options;
    this.url = String(options.url);
    this.#heartbeatMs = options.heartbeatTimeoutMs === undefined ? 75_000 : options.heartbeatTimeoutMs;
    this.#timers = {
      setTimeout: options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms)),
      clearTimeout:
        options.clearTimeout ?? ((h) => globalThis.clearTimeout(h as Parameters<typeof clearTimeout>[0])),
    };
    this.#recent = new RecentIds(options.dedupeWindow ?? 1024);
    this.#parser = createEventStreamParser({
      lastEventId: options.lastEventId ?? '',
      onEvent: (message) => this.#dispatch(message),
      onPosition: (id) => {
        if (this.#streamGen === this.#gen) this.#emit(this.#positionListeners, id);
      },
    });
  }

  get state(): ConnectionState {
    return this.#state;
  }
  get lastEventId(): string {
    return this.#parser.lastEventId;
  }
  get attempts(): number {
    return this.#attempts;
  }
  get reconnectCount(): number {
    return this.#reconnectCount;
  }
  get reconnectionTime(): number | null {
    return this.#parser.reconnectionTime;
  }
  get error(): SSEClientError | null {
    return this.#error;
  }

  on(type: string, listener: AnyListener): Unsubscribe {
    let set: Set<AnyListener>;
    if (type === 'state') set = this.#stateListeners;
    else if (type === 'error') set = this.#errorListeners;
    else if (type === 'position') set = this.#positionListeners;
    else {
      set = this.#listeners.get(type) ?? new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  connect(): void {
    if (this.#state !== 'closed') return;
    this.#attempts = 0;
    this.#error = null;
    this.#start('connect');
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#shutDown('client_close');
  }

  #start(reason: 'connect' | 'retry' | 'access_ended'): void {
    const gen = ++this.#gen;
    this.#setState('connecting', reason);
    if (gen !== this.#gen) return; // a state listener closed the client
    this.#run(gen).catch((cause: unknown) => {
      this.#fail(gen, new SSEClientError('network', 'Unexpected failure while connecting', { retryable: true, cause }));
    });
  }

  async #run(gen: number): Promise<void> {
    const controller = new AbortController();
    this.#controller = controller;
    this.#armHeartbeat(gen);

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.#opts.headers ?? {})) headers[name.toLowerCase()] = value;
    headers['accept'] = 'text/event-stream';
    headers['cache-control'] = 'no-store';
    // HTML §9.2.3 "reestablish the connection", step 5.3: only a non-empty last event ID is sent.
    const lastEventId = this.#parser.lastEventId;
    if (lastEventId !== '') headers['last-event-id'] = encodeHeaderValueUtf8(lastEventId);
    if (this.#opts.getToken) {
      let token: string | null;
      try {
        token = await this.#opts.getToken(this.#tokenRequest ?? { refresh: false });
      } catch (cause) {
        return this.#fail(gen, new SSEClientError('token', 'getToken failed; will retry', { retryable: true, cause }));
      }
      if (gen !== this.#gen) return;
      if (token !== null) headers['authorization'] = `Bearer ${token}`;
    }

    const doFetch = this.#opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    let res: Response;
    try {
      res = await doFetch(this.url, {
        method: 'GET',
        headers,
        signal: controller.signal,
        credentials: this.#opts.credentials,
      });
    } catch (cause) {
      if (gen !== this.#gen) return; // aborted by close() or the watchdog
      return this.#fail(gen, new SSEClientError('network', 'The request failed; will retry', { retryable: true, cause }));
    }
    if (gen !== this.#gen) return void res.body?.cancel().catch(noop);

    const verdict = classifyResponse(res.status, res.headers.get('content-type'), res.headers.get('retry-after'));
    const refreshed = this.#tokenRequest?.refresh === true;
    this.#tokenRequest = null;
    if (res.status === 401 && this.#opts.getToken && !refreshed) {
      // The token may have expired while away: ask for a new one once before giving up.
      void res.body?.cancel().catch(noop);
      return this.#renew('unauthorized', 'retry');
    }
    if (verdict.kind !== 'open') {
      void res.body?.cancel().catch(noop); // free the connection; the body is not an event stream
      if (verdict.kind === 'stop') return this.#shutDown('no_content');
      const details = { retryable: verdict.kind === 'retry', status: res.status, headers: res.headers };
      const error = new SSEClientError(verdict.code, verdict.message, details);
      return this.#fail(gen, error, verdict.kind === 'retry' ? verdict.retryAfterMs : null);
    }

    // "Announce the connection" (§9.2.3): a fresh stream for the parser, then `open`.
    this.#parser.end();
    this.#streamGen = gen;
    this.#error = null;
    this.#armHeartbeat(gen);
    this.#setState('open', 'opened');
    if (gen !== this.#gen) return void res.body?.cancel().catch(noop);
    if (res.body === null) {
      return this.#fail(gen, new SSEClientError('stream_ended', 'The response had no body', { retryable: true }));
    }

    const reader = res.body.getReader();
    let receivedBytes = false;
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (cause) {
        if (gen !== this.#gen) return;
        return this.#fail(gen, new SSEClientError('network', 'The connection was lost', { retryable: true, cause }));
      }
      if (gen !== this.#gen) return void reader.cancel().catch(noop);
      if (chunk.done) {
        if (this.#accessEnded === null) break;
        // The server ended this stream's access: a new token, at once, from the same position.
        return this.#renew(this.#accessEnded, 'access_ended');
      }
      if (chunk.value.byteLength === 0) continue;
      this.#armHeartbeat(gen);
      if (!receivedBytes) {
        // Only a connection that delivers something counts as healthy: a server that accepts and
        // drops at once must keep backing off.
        receivedBytes = true;
        this.#attempts = 0;
      }
      this.#parser.feed(chunk.value);
    }
    this.#fail(gen, new SSEClientError('stream_ended', 'The server ended the stream; will reconnect', { retryable: true }));
  }

  /** Reconnects at once, asking `getToken` for a new token; not a failed attempt. */
  #renew(reason: NonNullable<TokenRequest['reason']>, why: 'retry' | 'access_ended'): void {
    this.#teardown();
    this.#accessEnded = null;
    this.#tokenRequest = { refresh: true, reason };
    this.#start(why);
  }

  #dispatch(message: EventStreamMessage): void {
    // §9.2.6 step 8: events are dispatched only while the source is not CLOSED.
    if (this.#streamGen !== this.#gen) return;
    if (message.id !== undefined && this.#recent.seen(message.id)) return;
    const data = parseData(message.data);
    if (message.type === 'access-ended') this.#accessEnded = accessEndedReason(data);
    const typed = this.#listeners.get(message.type);
    if (typed) for (const fn of [...typed]) callListener(fn, data, message);
    if (message.type === 'message') return; // those listeners were just called
    const all = this.#listeners.get('message');
    if (all) for (const fn of [...all]) callListener(fn, data, message);
  }

  /** A failure of connection `gen`: reconnect with backoff, or close when fatal or out of attempts. */
  #fail(gen: number, error: SSEClientError, retryAfterMs: number | null = null): void {
    if (gen !== this.#gen) return;
    this.#teardown();
    if (!error.retryable) return this.#shutDown(error.code, error);
    const reconnect = this.#opts.reconnect ?? {};
    const delay = backoffDelay(this.#attempts, {
      ...reconnect,
      // The server's `retry:` is the WHATWG reconnection time: it replaces the base.
      baseDelayMs: this.#parser.reconnectionTime ?? reconnect.baseDelayMs ?? RECONNECT_DEFAULTS.baseDelayMs,
      random: this.#opts.random ?? Math.random,
      retryAfterMs,
    });
    if (delay === null) {
      const message = `Gave up after ${this.#attempts} failed reconnection attempts in a row (last: ${error.message})`;
      const details = { retryable: false, cause: error, status: error.status, headers: error.headers };
      return this.#shutDown('max_attempts', new SSEClientError('max_attempts', message, details));
    }
    this.#attempts++;
    this.#error = error;
    const timerGen = this.#gen;
    this.#retryTimer = {
      handle: this.#timers.setTimeout(() => {
        this.#retryTimer = null;
        if (timerGen !== this.#gen) return;
        this.#reconnectCount++;
        this.#start('retry');
      }, delay),
    };
    this.#emit(this.#errorListeners, error);
    if (timerGen !== this.#gen) return; // an error listener closed the client
    this.#setState('reconnecting', error.code, { error, delayMs: delay });
  }

  /** Moves to `closed` for good: after `close()`, a 204, a fatal error or too many attempts. */
  #shutDown(reason: StateChangeReason, error?: SSEClientError): void {
    this.#teardown();
    this.#error = error ?? null; // a 204 or close() after failed attempts is not itself a failure
    if (error) this.#emit(this.#errorListeners, error);
    this.#setState('closed', reason, error ? { error } : {});
  }

  /** Ends whatever is in flight: the request, the stream, and both timers. */
  #teardown(): void {
    this.#gen++;
    this.#streamGen = -1;
    this.#controller?.abort();
    this.#controller = null;
    this.#clearHeartbeat();
    if (this.#retryTimer) {
      this.#timers.clearTimeout(this.#retryTimer.handle);
      this.#retryTimer = null;
    }
    this.#parser.end();
  }

  #armHeartbeat(gen: number): void {
    this.#clearHeartbeat();
    const ms = this.#heartbeatMs;
    if (ms === null) return;
    this.#heartbeat = {
      handle: this.#timers.setTimeout(() => {
        this.#heartbeat = null;
        const message = `No data for ${ms} ms (the server pings every 30 s); reconnecting`;
        this.#fail(gen, new SSEClientError('heartbeat_timeout', message, { retryable: true }));
      }, ms),
    };
  }

  #clearHeartbeat(): void {
    if (this.#heartbeat === null) return;
    this.#timers.clearTimeout(this.#heartbeat.handle);
    this.#heartbeat = null;
  }

  #setState(to: ConnectionState, reason: StateChangeReason, extra: Partial<StateChange> = {}): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#emit(this.#stateListeners, { ...extra, from, to, reason, attempts: this.#attempts });
  }

  #emit(set: Set<AnyListener>, value: unknown): void {
    for (const fn of [...set]) callListener(fn, value);
  }
}

/**
 * Creates an SSE client. Nothing happens until `connect()` is called, so listeners can be attached
 * first and no transition is missed; `close()` stops it, and `connect()` may start it again.
 *
 * Requests send `Accept: text/event-stream`, `Cache-Control: no-store`, `Authorization: Bearer
 * <token>` when `getToken` gives one, and `Last-Event-ID` whenever the last event ID string is not
 * empty. Responses: 200 `text/event-stream` opens; 204 closes for good without an error; 408, 429,
 * 5xx, network errors, a silent connection and the end of the stream reconnect with backoff
 * (`Retry-After` on 429/503 is a floor); any other status or content type closes with an error.
 *
 * @example
 * const client = createSSEClient({ url: '/api/sse', getToken: () => auth.token });
 * client.on('swap.requested', (data) => showSwap(data));
 * client.on('reset', () => refetchInbox());
 * client.connect();
 */
export function createSSEClient<M extends object = ServerEventMap>(options: SSEClientOptions): SSEClient<M> {
  return new Client(options) as unknown as SSEClient<M>;
}
