/**
 * The console's one event stream, through the project's own client and `useSSE` hook
 * (`@wardbell/client` and `@wardbell/react`, built from their sources). The browser's EventSource cannot send the Authorization header;
 * this client can, and it resumes with Last-Event-ID after a drop.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement, type RefObject } from 'react';
import type { ConnectionState, FetchLike, ResetData, StateChange } from '@wardbell/client';
import { useSSE } from '@wardbell/react';
import { StreamBus } from '../lib/bus.js';
import type { Session } from '../lib/session.js';

export interface Transition {
  at: number;
  from: ConnectionState;
  to: ConnectionState;
  reason: string;
  delayMs?: number;
}

export interface ResetInfo {
  at: number;
  reason: string;
  lastEventId: string;
}

export interface StreamStatus {
  state: ConnectionState;
  lastEventId: string;
  /** Consecutive failed attempts (back to 0 once a connection delivers). */
  attempts: number;
  /** Automatic reconnects of the current client. */
  retries: number;
  /** Connections opened by this page. */
  opened: number;
  error: string | null;
  /** When the next automatic attempt starts (ms since the epoch), while reconnecting. */
  nextAttemptAt: number | null;
  transitions: Transition[];
  resets: ResetInfo[];
  url: string;
}

export interface StreamControl {
  enabled: boolean;
  connect(): void;
  disconnect(): void;
  /** Opens a new connection that resumes from `id` (empty: from now). */
  resumeFrom(id: string): void;
  /** Narrows the stream to these topics (null: every granted topic). */
  setTopics(topics: string[] | null): void;
  topics: string[] | null;
}

const INITIAL: Omit<StreamStatus, 'url'> = {
  state: 'closed',
  lastEventId: '',
  attempts: 0,
  retries: 0,
  opened: 0,
  error: null,
  nextAttemptAt: null,
  transitions: [],
  resets: [],
};

interface HostProps {
  url: string;
  token: string;
  enabled: boolean;
  initialLastEventId: string;
  bus: StreamBus;
  opened: RefObject<number>;
  onStatus: (patch: Partial<StreamStatus>) => void;
  onTransition: (t: Transition) => void;
}

/** Owns one `useSSE` connection; remounted (new key) for a new identity or an explicit resume point. */
function StreamHost({ url, token, enabled, initialLastEventId, bus, opened, onStatus, onTransition }: HostProps): null {
  const getToken = useCallback(() => token, [token]);
  // Counts connections as their responses arrive, before any of their events is dispatched, so
  // every event is labelled with the connection that delivered it (a state listener attached after
  // the first render could miss a fast first open).
  const countingFetch = useCallback<FetchLike>(
    (input, init) =>
      globalThis.fetch(input, init).then((res) => {
        if (res.status === 200) {
          opened.current++;
          onStatus({ opened: opened.current });
        }
        return res;
      }),
    [opened, onStatus],
  );
  const sse = useSSE({
    url,
    getToken,
    enabled,
    fetch: countingFetch,
    ...(initialLastEventId ? { lastEventId: initialLastEventId } : {}),
    handlers: {
      message: (data, event) => bus.emit({ type: event.type, data, id: event.id, conn: opened.current, receivedAt: Date.now() }),
    },
  });
  const { client } = sse;
  const seen = useRef<ConnectionState>('closed');

  useEffect(() => {
    if (!client) return;
    // Transitions before this listener was attached are summarised as one.
    if (client.state !== seen.current) onTransition({ at: Date.now(), from: seen.current, to: client.state, reason: 'connect' });
    seen.current = client.state;
    return client.on('state', (c: StateChange) => {
      seen.current = c.to;
      onTransition({ at: Date.now(), from: c.from, to: c.to, reason: c.reason, ...(c.delayMs !== undefined ? { delayMs: c.delayMs } : {}) });
      onStatus({ nextAttemptAt: c.to === 'reconnecting' && c.delayMs !== undefined ? Date.now() + c.delayMs : null });
    });
  }, [client, onStatus, onTransition]);

  // The client resets its failed-attempt count when a new connection's first bytes arrive, which
  // is after the `open` transition useSSE re-renders on: read it again until it settles.
  useEffect(() => {
    if (!client || sse.state !== 'open') return;
    const timer = setInterval(() => {
      onStatus({ attempts: client.attempts, retries: client.reconnectCount });
      if (client.attempts === 0) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [client, sse.state, onStatus]);

  useEffect(() => {
    onStatus({
      state: sse.state,
      lastEventId: sse.lastEventId,
      attempts: sse.attempts,
      retries: client?.reconnectCount ?? 0,
      error: sse.error ? sse.error.message : null,
    });
  }, [sse.state, sse.lastEventId, sse.attempts, sse.error, client, onStatus]);

  return null;
}

/** The stream of the signed-in identity: its status, its events (on `bus`) and its controls. */
export function useStream(session: Session | null): { status: StreamStatus; bus: StreamBus; control: StreamControl; host: ReactElement | null } {
  const bus = useMemo(() => new StreamBus(), []);
  const opened = useRef(0);
  const [enabled, setEnabled] = useState(true);
  const [generation, setGeneration] = useState(0);
  const [resumeId, setResumeId] = useState('');
  const [topics, setTopicsState] = useState<string[] | null>(null);
  const [status, setStatus] = useState<Omit<StreamStatus, 'url'>>(INITIAL);

  const onStatus = useCallback((patch: Partial<StreamStatus>) => setStatus((s) => ({ ...s, ...patch })), []);
  const onTransition = useCallback((t: Transition) => setStatus((s) => ({ ...s, transitions: [t, ...s.transitions].slice(0, 12) })), []);

  useEffect(
    () =>
      bus.on((e) => {
        if (e.type !== 'reset') return;
        const d = e.data as Partial<ResetData>;
        setStatus((s) => ({ ...s, resets: [{ at: e.receivedAt, reason: String(d.reason ?? 'unknown'), lastEventId: String(d.lastEventId ?? '') }, ...s.resets].slice(0, 20) }));
      }),
    [bus],
  );

  // A new identity starts from scratch: no position, no history of someone else's stream.
  // (Adjusted during render, so the new connection's first status is never overwritten.)
  const token = session?.token ?? '';
  const [statusFor, setStatusFor] = useState(token);
  if (statusFor !== token) {
    setStatusFor(token);
    setStatus(INITIAL);
    setResumeId('');
    setTopicsState(null);
    setEnabled(true);
    opened.current = 0;
  }

  const url = topics && topics.length ? `/api/sse?topics=${encodeURIComponent(topics.join(','))}` : '/api/sse';
  const control: StreamControl = {
    enabled,
    topics,
    connect: () => setEnabled(true),
    disconnect: () => setEnabled(false),
    resumeFrom: (id) => {
      setResumeId(id.trim());
      setGeneration((g) => g + 1);
      setEnabled(true);
    },
    setTopics: (t) => setTopicsState(t && t.length ? t : null),
  };

  const host = session ? (
    <StreamHost
      key={`${generation}:${token}`}
      url={url}
      token={token}
      enabled={enabled}
      initialLastEventId={resumeId}
      bus={bus}
      opened={opened}
      onStatus={onStatus}
      onTransition={onTransition}
    />
  ) : null;

  return { status: { ...status, url }, bus, control, host };
}
