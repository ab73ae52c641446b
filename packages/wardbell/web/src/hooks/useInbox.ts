import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { ConnectionState } from '@wardbell/client';
import { api, describeError } from '../lib/api.js';
import type { StreamBus } from '../lib/bus.js';
import { isRecord } from '../lib/format.js';
import { EMPTY_INBOX, inboxReducer, type InboxAction, type InboxState } from '@wardbell/react';
import type { Session } from '../lib/session.js';
import type { ActionResult, InboxPage, InboxUpdatedData, NotificationEventData, SentNotification } from '../lib/types.js';

export interface ItemResult {
  ok: boolean;
  text: string;
}

export interface Inbox extends Omit<InboxState, 'unreadCount' | 'countStale'> {
  /** The server's unread count (0 until the first page). */
  unread: number;
  error: string | null;
  busy: boolean;
  /** The answer to the last action pressed, per notification. */
  results: Record<string, ItemResult>;
  refresh(): Promise<void>;
  loadMore(): Promise<void>;
  markRead(id: string): Promise<void>;
  markAllRead(): Promise<void>;
  remove(id: string): Promise<void>;
  removeAll(): Promise<void>;
  press(id: string, actionId: string): Promise<void>;
}

const PAGE = 30;

/** @wardbell/react's inbox rules (the count is the server's), plus starting over for a new identity. */
const reducer = (s: InboxState, a: InboxAction | { kind: 'clear' }): InboxState => (a.kind === 'clear' ? EMPTY_INBOX : inboxReducer(s, a));

/**
 * The signed-in user's inbox: loaded on every (re)connect, kept live by `notification`,
 * `notification.updated` and `inbox.updated`, refetched on `reset`.
 */
export function useInbox(session: Session | null, bus: StreamBus, state: ConnectionState): Inbox {
  const [inbox, dispatch] = useReducer(reducer, EMPTY_INBOX);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<Record<string, ItemResult>>({});
  const token = session?.token ?? null;
  const cursor = useRef<string | null>(null);
  cursor.current = inbox.nextCursor;

  const run = useCallback(
    async (fn: (t: string) => Promise<void>) => {
      if (!token) return;
      setBusy(true);
      try {
        await fn(token);
        setError(null);
      } catch (err) {
        setError(describeError(err));
      } finally {
        setBusy(false);
      }
    },
    [token],
  );

  const refresh = useCallback(
    () => run(async (t) => dispatch({ kind: 'loaded', page: await api<InboxPage>('/api/notifications', { token: t, query: { limit: PAGE } }), append: false })),
    [run],
  );

  useEffect(() => {
    dispatch({ kind: 'clear' });
    setResults({});
    setError(null);
  }, [token]);

  // Every (re)connect: the list as of now; the stream keeps it current from here.
  useEffect(() => {
    if (state === 'open') void refresh();
  }, [state, refresh]);

  // An event without the count: ask the server (a page of one carries it), never count locally.
  useEffect(() => {
    if (!inbox.countStale || !token) return;
    void api<InboxPage>('/api/notifications', { token, query: { limit: 1 } }).then((p) => dispatch({ kind: 'count', unreadCount: p.unreadCount }), () => undefined);
  }, [inbox.countStale, token]);

  useEffect(
    () =>
      bus.on((e) => {
        if (!isRecord(e.data) && e.type !== 'reset') return;
        if (e.type === 'notification') dispatch({ kind: 'notification', data: e.data as unknown as NotificationEventData });
        else if (e.type === 'inbox.updated') dispatch({ kind: 'inbox', data: e.data as unknown as InboxUpdatedData });
        else if (e.type === 'notification.updated' && isRecord(e.data) && isRecord(e.data.notification)) {
          dispatch({ kind: 'updated', notification: e.data.notification as unknown as SentNotification });
        } else if (e.type === 'reset') void refresh();
      }),
    [bus, refresh],
  );

  const { unreadCount, countStale: _stale, ...rest } = inbox;
  return {
    ...rest,
    unread: unreadCount ?? 0,
    error,
    busy,
    results,
    refresh,
    loadMore: () =>
      run(async (t) => {
        if (!cursor.current) return;
        dispatch({ kind: 'loaded', page: await api<InboxPage>('/api/notifications', { token: t, query: { limit: PAGE, cursor: cursor.current } }), append: true });
      }),
    // Read and delete answers come back as `inbox.updated` too; applying them here as well keeps
    // the page right when the stream is disconnected.
    markRead: (id) =>
      run(async (t) => {
        const r = await api<{ unreadCount: number }>(`/api/notifications/${id}`, { method: 'PATCH', token: t, body: { read: true } });
        dispatch({ kind: 'inbox', data: { read: [id], unreadCount: r.unreadCount } });
      }),
    markAllRead: () =>
      run(async (t) => {
        const r = await api<{ unreadCount: number }>('/api/notifications', { method: 'PATCH', token: t, body: { all: true } });
        dispatch({ kind: 'inbox', data: { read: 'all', unreadCount: r.unreadCount } });
      }),
    remove: (id) =>
      run(async (t) => {
        const r = await api<{ unreadCount: number }>(`/api/notifications/${id}`, { method: 'DELETE', token: t });
        dispatch({ kind: 'inbox', data: { deleted: [id], unreadCount: r.unreadCount } });
      }),
    removeAll: () =>
      run(async (t) => {
        const r = await api<{ unreadCount: number }>('/api/notifications', { method: 'DELETE', token: t, query: { all: 'true' } });
        dispatch({ kind: 'inbox', data: { deleted: 'all', unreadCount: r.unreadCount } });
      }),
    press: (id, actionId) =>
      run(async (t) => {
        try {
          const r = await api<ActionResult>(`/api/notifications/${id}/actions/${encodeURIComponent(actionId)}`, { method: 'POST', token: t });
          dispatch({ kind: 'acted', id, actionId, at: new Date().toISOString() });
          setResults((m) => ({ ...m, [id]: { ok: true, text: `${r.result}: ${r.message}` } }));
        } catch (err) {
          setResults((m) => ({ ...m, [id]: { ok: false, text: describeError(err) } }));
        }
      }),
  };
}
