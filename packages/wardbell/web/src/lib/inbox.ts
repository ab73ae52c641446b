/**
 * The inbox as the console keeps it: the loaded page, kept live by stream events. Pure, so the
 * rules (a grouped repeat moves to the top, counts come from the server) are testable alone.
 */
import type { InboxItem, InboxPage, InboxUpdatedData, NotificationEventData, SentNotification } from './types.js';

export interface InboxState {
  items: InboxItem[];
  unread: number;
  nextCursor: string | null;
  loaded: boolean;
}

export type InboxAction =
  | { kind: 'loaded'; page: InboxPage; append: boolean }
  | { kind: 'notification'; data: NotificationEventData }
  | { kind: 'updated'; notification: SentNotification }
  | { kind: 'inbox'; data: InboxUpdatedData }
  | { kind: 'acted'; id: string; actionId: string }
  | { kind: 'clear' };

export const EMPTY_INBOX: InboxState = { items: [], unread: 0, nextCursor: null, loaded: false };

const matches = (ids: 'all' | string[] | undefined, id: string): boolean => ids === 'all' || (Array.isArray(ids) && ids.includes(id));

export function inboxReducer(state: InboxState, a: InboxAction): InboxState {
  switch (a.kind) {
    case 'clear':
      return EMPTY_INBOX;
    case 'loaded': {
      if (!a.append) return { items: a.page.items, unread: a.page.unreadCount, nextCursor: a.page.nextCursor, loaded: true };
      const seen = new Set(state.items.map((i) => i.id));
      return { items: [...state.items, ...a.page.items.filter((i) => !seen.has(i.id))], unread: a.page.unreadCount, nextCursor: a.page.nextCursor, loaded: true };
    }
    case 'notification': {
      const n = a.data.notification;
      const before = state.items.find((i) => i.id === n.id);
      // New, or a grouped repeat: at the top, unread again.
      const item: InboxItem = { ...n, readAt: null, actedAction: before?.actedAction ?? null };
      const unread = a.data.unreadCount ?? (before && before.readAt === null ? state.unread : state.unread + 1);
      return { ...state, items: [item, ...state.items.filter((i) => i.id !== n.id)], unread };
    }
    case 'updated':
      return {
        ...state,
        items: state.items.map((i) => (i.id === a.notification.id ? { ...i, ...a.notification, readAt: i.readAt, actedAction: i.actedAction } : i)),
      };
    case 'inbox': {
      // One of read, unread (again) or deleted, with the new count.
      const { read, unread, deleted, unreadCount } = a.data as { read?: 'all' | string[]; unread?: string[]; deleted?: 'all' | string[]; unreadCount: number };
      const now = new Date().toISOString();
      const items = state.items
        .filter((i) => !matches(deleted, i.id))
        .map((i) => (i.readAt === null && matches(read, i.id) ? { ...i, readAt: now } : i.readAt !== null && matches(unread, i.id) ? { ...i, readAt: null } : i));
      return { ...state, items, unread: unreadCount };
    }
    case 'acted':
      return { ...state, items: state.items.map((i) => (i.id === a.id ? { ...i, actedAction: a.actionId, readAt: i.readAt ?? new Date().toISOString() } : i)) };
  }
}
