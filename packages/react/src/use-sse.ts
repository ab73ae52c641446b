/**
 * `@wardbell/react`: the `useSSE` hook. React is a peer dependency (imported from 'react' only).
 */
import { useEffect, useRef, useState } from 'react';
import {
  createSSEClient,
  type ConnectionState,
  type EventHandler,
  type EventStreamMessage,
  type ServerEventMap,
  type SSEClient,
  type SSEClientError,
  type SSEClientOptions,
} from '@wardbell/client';

/** Handlers per event type, plus `message` for every event. */
export type SSEHandlers<M extends object = ServerEventMap> = {
  [K in keyof M & string]?: EventHandler<M[K]>;
} & {
  /** Called for every event, whatever its type. */
  message?: EventHandler<unknown>;
};

/** Options of `useSSE`: every `createSSEClient` option, plus the three below. */
export interface UseSSEOptions<M extends object = ServerEventMap> extends SSEClientOptions {
  /**
   * Handlers per event type. Kept in a ref: a new object on every render (inline arrows) is fine
   * and never reconnects; the latest handlers are called.
   */
  handlers?: SSEHandlers<M>;
  /** `false` closes the connection (and does not open one). Default `true`. */
  enabled?: boolean;
}

/** The most recent event (heartbeat `ping` events excluded, so they cause no re-render). */
export interface SSELastEvent {
  type: string;
  /** JSON-parsed data when it parses, else the raw string. */
  data: unknown;
  event: EventStreamMessage;
}

/** What `useSSE` returns; it re-renders on state changes and events. */
export interface UseSSEResult<M extends object = ServerEventMap> {
  state: ConnectionState;
  lastEvent: SSELastEvent | null;
  /** The last event ID string, as of the latest event or state change. */
  lastEventId: string;
  error: SSEClientError | null;
  attempts: number;
  /** The client of the current (or last) connection; `null` until the first one is created. */
  client: SSEClient<M> | null;
}

interface Snapshot<M extends object> {
  state: ConnectionState;
  lastEventId: string;
  error: SSEClientError | null;
  attempts: number;
  client: SSEClient<M> | null;
}

/**
 * Opens an SSE connection for as long as the component is mounted and `enabled` is true.
 *
 * It reconnects (closes and creates a new client) when `url` or the identity of `getToken`
 * changes, so wrap `getToken` in `useCallback`. Other options (headers, reconnect, timers...) are
 * read when the client is created. When the URL stays the same, the new client resumes from the
 * previous one's last event ID. Unmounting closes the connection (the request is aborted).
 *
 * @example
 * const { state, error } = useSSE({
 *   url: '/api/sse',
 *   getToken,
 *   handlers: { 'swap.requested': (data) => toast(data), reset: () => refetchInbox() },
 * });
 */
export function useSSE<M extends object = ServerEventMap>(options: UseSSEOptions<M>): UseSSEResult<M> {
  const { getToken, enabled = true } = options;
  const url = String(options.url);
  const optionsRef = useRef(options);
  const carriedRef = useRef<{ url: string; lastEventId: string } | null>(null);
  const [snapshot, setSnapshot] = useState<Snapshot<M>>(() => ({
    state: 'closed',
    lastEventId: options.lastEventId ?? '',
    error: null,
    attempts: 0,
    client: null,
  }));
  const [lastEvent, setLastEvent] = useState<SSELastEvent | null>(null);

  // Declared before the connection effect, so it runs first in the same commit.
  useEffect(() => {
    optionsRef.current = options;
  });

  useEffect(() => {
    if (!enabled) return;
    const { handlers: _handlers, enabled: _enabled, ...clientOptions } = optionsRef.current;
    const carried = carriedRef.current?.url === url ? carriedRef.current.lastEventId : '';
    const client = createSSEClient<M>({
      ...clientOptions,
      url,
      getToken,
      lastEventId: carried || clientOptions.lastEventId,
    });
    const sync = (): void =>
      setSnapshot({
        state: client.state,
        lastEventId: client.lastEventId,
        error: client.error,
        attempts: client.attempts,
        client,
      });
    const offState = client.on('state', sync);
    const offMessage = client.on('message', (data, event) => {
      const handlers = optionsRef.current.handlers as Record<string, EventHandler | undefined> | undefined;
      handlers?.[event.type]?.(data, event);
      if (event.type !== 'message') handlers?.message?.(data, event);
      if (event.type !== 'ping') setLastEvent({ type: event.type, data, event });
      // The attempt counter resets when the first bytes of a stream arrive, after the `open`
      // state change: pick it up with the next event too.
      setSnapshot((s) =>
        s.lastEventId === client.lastEventId && s.attempts === client.attempts ? s : { ...s, lastEventId: client.lastEventId, attempts: client.attempts },
      );
    });
    client.connect();
    sync();
    return () => {
      carriedRef.current = { url, lastEventId: client.lastEventId };
      client.close(); // still subscribed: the snapshot shows `closed` (ignored after unmount)
      offState();
      offMessage();
    };
  }, [enabled, url, getToken]);

  return { ...snapshot, lastEvent };
}
