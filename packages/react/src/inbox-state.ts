/**
 * The inbox a page shows, kept live by stream events (pure, so its rules are tested alone): the
 * loaded pages, the server's unread count (taken from the server's answers and events only, never
 * counted locally, so a badge cannot drift), and optimistic changes that a failed call rolls back.
 */
import type { EventPayloads, Schema } from '@wardbell/client';

export type InboxItem = Schema<'InboxItem'>;
export type InboxPage = Schema<'InboxPage'>;
export type Notification = Schema<'Notification'>;
export type InboxFilter = { status?: 'unread' | 'read'; type?: Notification['type']; priority?: Notification['priority'] };

export interface InboxState {
  items: InboxItem[];
  /** The server's unread count; null until the first page (or count) arrived. */
  unreadCount: number | null;
  nextCursor: string | null;
  loaded: boolean;
  /** The count is known to be out of date (an event came without one): the hook asks the server. */
  countStale: boolean;
}

export type InboxAction =
  | { kind: 'loaded'; page: InboxPage; append: boolean }
  | { kind: 'notification'; data: EventPayloads['notification'] }
  | { kind: 'updated'; notification: Notification }
  | { kind: 'inbox'; data: EventPayloads['inbox.updated'] }
  | { kind: 'count'; unreadCount: number }
  | { kind: 'set-read'; ids: string[] | 'all'; read: boolean; at: string }
  | { kind: 'remove'; id: string }
  | { kind: 'acted'; id: string; actionId: string; at: string }
  | { kind: 'restore'; items: InboxItem[] };

export const EMPTY_INBOX: InboxState = { items: [], unreadCount: null, nextCursor: null, loaded: false, countStale: false };

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

export function inboxReducer(state: InboxState, a: InboxAction, filter: InboxFilter = {}): InboxState {
  switch (a.kind) {
    case 'loaded': {
      const items = a.append ? [...state.items, ...a.page.items.filter((i) => !state.items.some((s) => s.id === i.id))] : a.page.items;
      return { items, unreadCount: a.page.unreadCount, nextCursor: a.page.nextCursor, loaded: true, countStale: false };
    }
    case 'notification': {
      const n = a.data.notification;
      const before = state.items.find((i) => i.id === n.id);
      // New, or a grouped repeat: at the top, unread again.
      const item: InboxItem = { ...n, readAt: null, actedAction: before?.actedAction ?? null };
      const items = matchesFilter(item, filter) ? [item, ...state.items.filter((i) => i.id !== n.id)] : state.items.filter((i) => i.id !== n.id);
      const count = a.data.unreadCount;
      return { ...state, items, unreadCount: count ?? state.unreadCount, countStale: count === undefined };
    }
    case 'updated':
      return { ...state, items: state.items.map((i) => (i.id === a.notification.id ? { ...i, ...a.notification, readAt: i.readAt, actedAction: i.actedAction } : i)) };
    case 'inbox': {
      const d = a.data as { read?: string[] | 'all'; unread?: string[]; deleted?: string[] | 'all'; unreadCount: number };
      const now = new Date().toISOString();
      const items = state.items
        .filter((i) => !has(d.deleted, i.id))
        .map((i) => (i.readAt === null && has(d.read, i.id) ? { ...i, readAt: now } : i.readAt !== null && has(d.unread, i.id) ? { ...i, readAt: null } : i))
        .filter((i) => matchesFilter(i, filter));
      return { ...state, items, unreadCount: d.unreadCount, countStale: false };
    }
    case 'count':
      return { ...state, unreadCount: a.unreadCount, countStale: false };
    case 'set-read':
      return { ...state, items: state.items.map((i) => (has(a.ids, i.id) ? { ...i, readAt: a.read ? (i.readAt ?? a.at) : null } : i)) };
    case 'remove':
      return { ...state, items: state.items.filter((i) => i.id !== a.id) };
    case 'acted':
      // Pressing answers it and reads it (the server sends the new count).
      return { ...state, items: state.items.map((i) => (i.id === a.id ? { ...i, actedAction: a.actionId, readAt: i.readAt ?? a.at } : i)) };
    case 'restore':
      return { ...state, items: a.items };
  }
}
