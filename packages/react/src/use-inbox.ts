import type { ApiClient, Schema, WardbellApiError } from '@wardbell/client';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { EMPTY_INBOX, inboxReducer, type InboxAction, type InboxFilter, type InboxItem, type InboxState } from './inbox-state.js';
import { useStreamEvent, useWardbell } from './provider.js';
import { useAction } from './use-action.js';

/** The user's unread count as the server has it (one page of one item carries it). */
const unreadOf = (api: ApiClient) => api.notifications.list({ limit: 1 }).then((p) => p.unreadCount);

export interface UseInboxOptions {
  /** Which notifications the list holds (server-side filter; live events are filtered the same way). */
  filter?: InboxFilter;
  /** Items per page. Default 20. */
  pageSize?: number;
}

export interface UseInboxResult {
  items: InboxItem[];
  /** The server's unread count (null before the first answer). */
  unreadCount: number | null;
  loading: boolean;
  /** The last failure (loading, or a change that was rolled back). */
  error: WardbellApiError | Error | null;
  hasMore: boolean;
  loadMore(): Promise<void>;
  refresh(): Promise<void>;
  markRead(id: string): Promise<void>;
  markUnread(id: string): Promise<void>;
  markAllRead(): Promise<void>;
  remove(id: string): Promise<void>;
  /** Presses an action button of an item; the item shows it as answered. The service's answer, or null on failure. */
  press(id: string, actionId: string): Promise<Schema<'ActionResult'> | null>;
  /** The press in flight, as `id/actionId`. */
  pending: string | null;
}

/**
 * The user's inbox, live: the first page on mount, new notifications at the top as they arrive,
 * changes from other devices applied, a refetch after the stream's `reset`. Read state and
 * removal change the list at once; when the call fails only that change is undone (what arrived
 * meanwhile stays). The unread count is the server's, from its answers and events.
 */
export function useInbox(options: UseInboxOptions = {}): UseInboxResult {
  const { api } = useWardbell();
  const filterKey = JSON.stringify(options.filter ?? {});
  const filterRef = useRef<InboxFilter>(options.filter ?? {});
  filterRef.current = options.filter ?? {};
  const pageSize = options.pageSize ?? 20;
  const [state, dispatch] = useReducer((s: InboxState, a: InboxAction) => inboxReducer(s, a, filterRef.current), EMPTY_INBOX);
  const stateRef = useRef(state);
  stateRef.current = state;
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | null>(null);
  const generation = useRef(0);

  const load = useCallback(
    async (append: boolean) => {
      const gen = append ? generation.current : ++generation.current;
      setLoading(true);
      try {
        const cursor = append ? (stateRef.current.nextCursor ?? undefined) : undefined;
        const page = await api.notifications.list({ limit: pageSize, ...JSON.parse(filterKey), ...(cursor ? { cursor } : {}) });
        if (gen === generation.current) dispatch({ kind: 'loaded', page, append });
        setError(null);
      } catch (e) {
        setError(e as Error);
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [api, filterKey, pageSize],
  );

  useEffect(() => {
    void load(false);
  }, [load]);

  useStreamEvent('notification', (data) => dispatch({ kind: 'notification', data }));
  useStreamEvent('notification.updated', (data) => {
    if ('notification' in data) dispatch({ kind: 'updated', notification: data.notification });
  });
  useStreamEvent('inbox.updated', (data) => dispatch({ kind: 'inbox', data }));
  useStreamEvent('reset', () => void load(false));

  // An event without the count: ask the server for it (never count locally).
  useEffect(() => {
    if (!state.countStale) return;
    void unreadOf(api).then((unreadCount) => dispatch({ kind: 'count', unreadCount }), () => undefined);
  }, [api, state.countStale]);

  /**
   * Shows `change` at once, runs `call`, takes the count it answers; on failure undoes that change
   * only (live events that came meanwhile, and other changes in flight, stay).
   */
  const changes = useRef(0);
  const change = useCallback(async (optimistic: Extract<InboxAction, { kind: 'set-read' | 'remove' }>, call: () => Promise<{ unreadCount: number }>) => {
    const pending = `change-${++changes.current}`;
    dispatch({ ...optimistic, pending });
    try {
      const r = await call();
      dispatch({ kind: 'confirm', pending });
      dispatch({ kind: 'count', unreadCount: r.unreadCount });
      setError(null);
    } catch (e) {
      dispatch({ kind: 'rollback', pending });
      setError(e as Error);
    }
  }, []);

  const action = useAction();
  const pressAction = action.press;
  const press = useCallback(
    async (id: string, actionId: string) => {
      const r = await pressAction(id, actionId);
      if (r) {
        dispatch({ kind: 'acted', id, actionId, at: new Date().toISOString() });
        setError(null);
      }
      return r;
    },
    [pressAction],
  );
  // A refused press is the inbox's latest failure too (and the next success clears it).
  useEffect(() => {
    if (action.error) setError(action.error);
  }, [action.error]);

  const at = () => new Date().toISOString();
  return {
    press,
    pending: action.pending,
    items: state.items,
    unreadCount: state.unreadCount,
    loading,
    error,
    hasMore: state.nextCursor !== null,
    loadMore: () => (state.nextCursor ? load(true) : Promise.resolve()),
    refresh: () => load(false),
    markRead: (id) => change({ kind: 'set-read', ids: [id], read: true, at: at() }, () => api.notifications.markRead(id, { read: true })),
    markUnread: (id) => change({ kind: 'set-read', ids: [id], read: false, at: at() }, () => api.notifications.markRead(id, { read: false })),
    markAllRead: () => change({ kind: 'set-read', ids: 'all', read: true, at: at() }, () => api.notifications.markManyRead({ all: true })),
    remove: (id) => change({ kind: 'remove', id }, () => api.notifications.remove(id)),
  };
}

/**
 * The user's unread count, as the server keeps it: read once, then from the stream's events (each
 * new notification carries the recipient's count, each inbox change the new one); refetched after
 * a `reset`. Never counted locally, so it cannot drift.
 */
export function useUnreadCount(): number | null {
  const { api } = useWardbell();
  const [count, setCount] = useState<number | null>(null);
  const refetch = useCallback(() => void unreadOf(api).then(setCount, () => undefined), [api]);
  useEffect(refetch, [refetch]);
  useStreamEvent('notification', (d) => (d.unreadCount === undefined ? refetch() : setCount(d.unreadCount)));
  useStreamEvent('inbox.updated', (d) => setCount(d.unreadCount));
  useStreamEvent('reset', refetch);
  return count;
}
