import { createApiClient, createReceiptReporter, createSharedSSEClient, createSSEClient, type ApiClient, type ReceiptReporter, type ApiClientOptions, type ConnectionState, type EventHandler, type ServerEventMap, type SSEClient, type SSEClientOptions, type TokenProvider } from '@wardbell/client';
import { createContext, createElement, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';

/** What the provider shares: one API client and one event stream for everything under it. */
export interface WardbellContextValue {
  api: ApiClient;
  stream: SSEClient;
  baseUrl: string;
  /** Tells the service what this page displayed and the user opened (the senders' receipts). */
  receipts: ReceiptReporter;
}

const WardbellContext = createContext<WardbellContextValue | null>(null);

export interface WardbellProviderProps {
  /** The service, e.g. `https://wardbell.example.org`. */
  baseUrl: string;
  /** The user's token (asked again with `refresh: true` when the service refuses it). */
  getToken: TokenProvider;
  /** More options of the API client (timeouts, retries, fetch). */
  api?: Omit<Partial<ApiClientOptions>, 'baseUrl' | 'getToken' | 'apiKey'>;
  /** More options of the stream (reconnect, heartbeat timeout, fetch). */
  stream?: Omit<Partial<SSEClientOptions>, 'url' | 'getToken'>;
  /**
   * Share one stream among this browser's tabs (Web Locks elect the tab that holds it, the others
   * hear it over BroadcastChannel; where those are missing each tab has its own). Default true.
   */
  share?: boolean;
  /**
   * Tabs with the same key share a stream. Default: the service URL. Pass the signed-in user's id
   * when one browser may have tabs signed in as different users.
   */
  shareKey?: string;
  /** `false` keeps the stream closed (a signed-out page). Default true. */
  connect?: boolean;
  children?: ReactNode;
}

/**
 * Shares one API client and one stream with the hooks below it. Nothing touches the browser
 * during render (the stream connects in an effect), so it renders on the server too. The latest
 * `getToken` is used without reconnecting; a new `baseUrl` (or `share`, `shareKey`) makes new clients.
 */
export function WardbellProvider(props: WardbellProviderProps): ReactNode {
  const tokenRef = useRef(props.getToken);
  tokenRef.current = props.getToken;
  const optionsRef = useRef({ api: props.api, stream: props.stream });
  const { baseUrl, shareKey } = props;
  const share = props.share ?? true;
  const value = useMemo<WardbellContextValue>(() => {
    const getToken: TokenProvider = (r) => tokenRef.current(r);
    const base = baseUrl.replace(/\/+$/, '');
    const api = createApiClient({ ...optionsRef.current.api, baseUrl: base, getToken });
    return {
      baseUrl: base,
      api,
      receipts: createReceiptReporter({ api }),
      stream: share
        ? createSharedSSEClient({ ...optionsRef.current.stream, url: `${base}/api/sse`, getToken, ...(shareKey === undefined ? {} : { shareKey }) })
        : createSSEClient({ ...optionsRef.current.stream, url: `${base}/api/sse`, getToken }),
    };
  }, [baseUrl, share, shareKey]);
  const connect = props.connect ?? true;
  useEffect(() => {
    if (!connect) return;
    value.stream.connect();
    return () => value.stream.close();
  }, [value, connect]);
  return createElement(WardbellContext.Provider, { value }, props.children);
}

/** The provider's API client and stream; throws outside a `WardbellProvider`. */
export function useWardbell(): WardbellContextValue {
  const v = useContext(WardbellContext);
  if (!v) throw new Error('useWardbell: render this under a <WardbellProvider>');
  return v;
}

/** Calls `handler` for each event of `type` on the shared stream (the latest handler, no resubscribe). */
export function useStreamEvent<K extends keyof ServerEventMap & string>(type: K, handler: EventHandler<ServerEventMap[K]>): void {
  const { stream } = useWardbell();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => stream.on(type, ((data, event) => ref.current(data as ServerEventMap[K], event)) as EventHandler<ServerEventMap[K]>), [stream, type]);
}

/** The shared stream's connection state (connecting, open, reconnecting, closed). */
export function useStreamState(): ConnectionState {
  const { stream } = useWardbell();
  const [state, setState] = useState<ConnectionState>(stream.state);
  useEffect(() => {
    setState(stream.state);
    return stream.on('state', ({ to }) => setState(to));
  }, [stream]);
  return state;
}

/**
 * Calls `onArrive` for each new notification that this tab is the one to show: with the shared
 * stream, exactly one of the browser's tabs (the one in front, else the stream's holder) gets each,
 * so a toast or a sound happens once, not once per tab.
 */
export function useNotificationArrivals(onArrive: (notification: ServerEventMap['notification']) => void): void {
  useStreamEvent('notification', (data, event) => {
    if (event.present !== false) onArrive(data);
  });
}

/** The provider's receipt reporter: call `displayed(id)` where your page shows a notification itself (a toast). */
export function useReceipts(): ReceiptReporter {
  return useWardbell().receipts;
}
