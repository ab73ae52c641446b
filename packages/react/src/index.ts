'use client';
/**
 * `@wardbell/react`: the provider that shares one API client and one stream, the headless hooks
 * over them (inbox, unread count, actions, preferences), and `useSSE` for a stream of one's own.
 * React is a peer dependency.
 */
export { useSSE, type SSEHandlers, type SSELastEvent, type UseSSEOptions, type UseSSEResult } from './use-sse.js';
export { WardbellProvider, useWardbell, useStreamEvent, useStreamState, useNotificationArrivals, useReceipts, type WardbellContextValue, type WardbellProviderProps } from './provider.js';
export { useInbox, useUnreadCount, type UseInboxOptions, type UseInboxResult } from './use-inbox.js';
export { useAction, usePreferences, type Preferences, type UseActionResult } from './use-action.js';
export { EMPTY_INBOX, inboxReducer, isSettled, matchesFilter, type InboxAction, type InboxFilter, type InboxItem, type InboxState } from './inbox-state.js';
export { Inbox, NotificationBell, bellLabel, byUrgency, type InboxProps, type NotificationBellProps } from './components.js';
export { NotificationPreferences, type NotificationPreferencesProps } from './preferences.js';
export { useOpenedNotification, type UseOpenedNotificationResult } from './use-opened.js';
