/**
 * The inbox a page shows, kept live by stream events (pure, so its rules are tested alone): the
 * loaded pages, the server's unread count (taken from the server's answers and events only, never
 * counted locally, so a badge cannot drift), and the page's optimistic changes, kept apart from
 * the server's items so that a failed call undoes its own change and nothing the stream brought meanwhile.
 */
import type { EventPayloads, Schema } from '@wardbell/client';

export type InboxItem = Schema<'InboxItem'>;
export type InboxPage = Schema<'InboxPage'>;
export type Notification = Schema<'Notification'>;
export type InboxFilter = { status?: 'unread' | 'read'; type?: Notification['type']; priority?: Notification['priority'] };

/** A change the page made that the server has not confirmed yet: shown over the server's items until its call answers. */
export type PendingChange =
  | { key: string; kind: 'set-read'; ids: string[]; read: boolean; at: string }
  | { key: string; kind: 'remove'; id: string };

export interface InboxState {
  /** What the page shows: the server's items with the pending changes applied. */
  items: InboxItem[];
  /** The items as the server has them, as far as its pages and events told (live events change these). */
  confirmed: InboxItem[];
  /** The page's own changes whose calls are in flight, oldest first. */
  pending: PendingChange[];
  /** The server's unread count; null until the first page (or count) arrived. */
  unreadCount: number | null;
  nextCursor: string | null;
  loaded: boolean;
  /** The count is known to be out of date (an event came without one): the hook asks the server. */
  countStale: boolean;
}

/**
 * With `pending` (a key of the caller's choosing), `set-read` and `remove` are optimistic: shown at
 * once, then `confirm` makes them the server's or `rollback` drops them. Dropping one undoes only
 * that change: what live events did meanwhile stays. Without `pending` they apply directly.
 */
export type InboxAction =
  | { kind: 'loaded'; page: InboxPage; append: boolean }
  | { kind: 'notification'; data: EventPayloads['notification'] }
  | { kind: 'updated'; notification: Notification }
  | { kind: 'inbox'; data: EventPayloads['inbox.updated'] }
  | { kind: 'count'; unreadCount: number }
  | { kind: 'set-read'; ids: string[] | 'all'; read: boolean; at: string; pending?: string }
  | { kind: 'remove'; id: string; pending?: string }
  | { kind: 'acted'; id: string; actionId: string; at: string }
  | { kind: 'confirm'; pending: string }
  | { kind: 'rollback'; pending: string };

export const EMPTY_INBOX: InboxState = { items: [], confirmed: [], pending: [], unreadCount: null, nextCursor: null, loaded: false, countStale: false };

const has = (ids: string[] | 'all' | undefined, id: string) => ids === 'all' || (Array.isArray(ids) && ids.includes(id));

/** Whether a notification belongs in a list with this filter. */
export function matchesFilter(n: Pick<InboxItem, 'type' | 'priority' | 'readAt'>, f: InboxFilter): boolean {
  if (f.type && n.type !== f.type) return false;
  if (f.priority && n.priority !== f.priority) return false;
  if (f.status === 'unread' && n.readAt !== null) return false;
  if (f.status === 'read' && n.readAt === null) return false;
  return true;
}

/** States of a notification's workflow after which its buttons answer nothing (a call filled or cancelled, a swap decided). */
const SETTLED: readonly string[] = ['filled', 'cancelled', 'approved', 'rejected', 'expired', 'closed'];

/** Whether the notification's workflow is over, so its actions are shown but not pressable (pure). */
export function isSettled(n: Pick<Notification, 'state'>): boolean {
  const status = n.state !== null && typeof n.state === 'object' ? (n.state as { status?: unknown }).status : undefined;
  return typeof status === 'string' && SETTLED.includes(status);
}

const setRead = (items: InboxItem[], ids: string[] | 'all', read: boolean, at: string): InboxItem[] =>
  items.map((i) => (has(ids, i.id) ? { ...i, readAt: read ? (i.readAt ?? at) : null } : i));

const applyChange = (items: InboxItem[], c: PendingChange): InboxItem[] => (c.kind === 'remove' ? items.filter((i) => i.id !== c.id) : setRead(items, c.ids, c.read, c.at));

/** The state with these confirmed items and pending changes, and the list they show. */
function shown(state: InboxState, confirmed: InboxItem[], pending: PendingChange[] = state.pending): InboxState {
  return { ...state, confirmed, pending, items: pending.reduce(applyChange, confirmed) };
}

export function inboxReducer(state: InboxState, a: InboxAction, filter: InboxFilter = {}): InboxState {
  switch (a.kind) {
    case 'loaded': {
      const confirmed = a.append ? [...state.confirmed, ...a.page.items.filter((i) => !state.confirmed.some((s) => s.id === i.id))] : a.page.items;
      return shown({ ...state, unreadCount: a.page.unreadCount, nextCursor: a.page.nextCursor, loaded: true, countStale: false }, confirmed);
    }
    case 'notification': {
      const n = a.data.notification;
      const before = state.confirmed.find((i) => i.id === n.id);
      // New, or a grouped repeat: at the top, unread again.
      const item: InboxItem = { ...n, readAt: null, actedAction: before?.actedAction ?? null };
      const rest = state.confirmed.filter((i) => i.id !== n.id);
      const confirmed = matchesFilter(item, filter) ? [item, ...rest] : rest;
      // The repeat is newer than the page's own changes to that item: they no longer hide it.
      const pending = state.pending.flatMap((c): PendingChange[] => (c.kind === 'remove' ? (c.id === n.id ? [] : [c]) : [{ ...c, ids: c.ids.filter((id) => id !== n.id) }]));
      const count = a.data.unreadCount;
      return shown({ ...state, unreadCount: count ?? state.unreadCount, countStale: count === undefined }, confirmed, pending);
    }
    case 'updated':
      return shown(state, state.confirmed.map((i) => (i.id === a.notification.id ? { ...i, ...a.notification, readAt: i.readAt, actedAction: i.actedAction } : i)));
    case 'inbox': {
      const d = a.data as { read?: string[] | 'all'; unread?: string[]; deleted?: string[] | 'all'; unreadCount: number };
      const now = new Date().toISOString();
      const confirmed = state.confirmed
        .filter((i) => !has(d.deleted, i.id))
        .map((i) => (i.readAt === null && has(d.read, i.id) ? { ...i, readAt: now } : i.readAt !== null && has(d.unread, i.id) ? { ...i, readAt: null } : i))
        .filter((i) => matchesFilter(i, filter));
      return shown({ ...state, unreadCount: d.unreadCount, countStale: false }, confirmed);
    }
    case 'count':
      return { ...state, unreadCount: a.unreadCount, countStale: false };
    case 'set-read': {
      if (a.pending === undefined) return shown(state, setRead(state.confirmed, a.ids, a.read, a.at));
      // "All" is what the page shows now: a notification arriving while the call is in flight is not part of it.
      const ids = a.ids === 'all' ? state.items.map((i) => i.id) : a.ids;
      return shown(state, state.confirmed, [...state.pending, { key: a.pending, kind: 'set-read', ids, read: a.read, at: a.at }]);
    }
    case 'remove':
      if (a.pending === undefined) return shown(state, state.confirmed.filter((i) => i.id !== a.id));
      return shown(state, state.confirmed, [...state.pending, { key: a.pending, kind: 'remove', id: a.id }]);
    case 'acted':
      // Pressing answers it and reads it (the server sends the new count).
      return shown(state, state.confirmed.map((i) => (i.id === a.id ? { ...i, actedAction: a.actionId, readAt: i.readAt ?? a.at } : i)));
    case 'confirm': {
      const c = state.pending.find((p) => p.key === a.pending);
      if (!c) return state;
      return shown(state, applyChange(state.confirmed, c), state.pending.filter((p) => p !== c));
    }
    case 'rollback':
      // Only this change goes: the confirmed items, with whatever the stream brought meanwhile, and the other pending changes stay.
      return state.pending.some((p) => p.key === a.pending) ? shown(state, state.confirmed, state.pending.filter((p) => p.key !== a.pending)) : state;
  }
}
