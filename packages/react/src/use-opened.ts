import { watchOpenedNotifications } from '@wardbell/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { InboxItem } from './inbox-state.js';
import { useStreamEvent, useWardbell } from './provider.js';

export interface UseOpenedNotificationResult {
  /** The id of the notification a tap opened, until `close()`. */
  id: string | null;
  /** That notification as the user's own inbox has it, fetched with their credentials; null while loading or when it failed. */
  notification: InboxItem | null;
  loading: boolean;
  /** Why it could not be fetched (not in this user's inbox: 404). */
  error: Error | null;
  close(): void;
}

/**
 * The notification a tap on a push opened (the service worker opens or focuses the page with
 * `?notification=<id>`), fetched with the signed-in user's credentials. With a hospital's generic
 * lock screen the push carried only the generic text and the id: this is where the details
 * appear, on the page, after the device is unlocked. Updates to it on the stream (read, answered,
 * a call filled) apply while it is open. Nothing runs during render (SSR-safe).
 */
export function useOpenedNotification(): UseOpenedNotificationResult {
  const { api } = useWardbell();
  const [id, setId] = useState<string | null>(null);
  const [notification, setNotification] = useState<InboxItem | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const latest = useRef<string | null>(null);

  const fetchIt = useCallback(
    (opened: string) => {
      api.notifications.get(opened).then(
        (n) => {
          if (latest.current === opened) {
            setNotification(n as InboxItem);
            setError(null);
          }
        },
        (e: unknown) => {
          if (latest.current === opened) setError(e instanceof Error ? e : new Error(String(e)));
        },
      );
    },
    [api],
  );

  useEffect(
    () =>
      watchOpenedNotifications((opened) => {
        latest.current = opened;
        setId(opened);
        setNotification(null);
        setError(null);
        fetchIt(opened);
      }),
    [fetchIt],
  );

  // Read from the service again when it changes (answered, read, a call filled) or the stream was reset.
  const again = () => {
    if (latest.current !== null) fetchIt(latest.current);
  };
  useStreamEvent('notification.updated', (data) => {
    if ('notification' in data && data.notification.id === latest.current) again();
  });
  useStreamEvent('inbox.updated', again);
  useStreamEvent('reset', again);

  const close = useCallback(() => {
    latest.current = null;
    setId(null);
    setNotification(null);
    setError(null);
  }, []);

  return { id, notification, loading: id !== null && notification === null && error === null, error, close };
}
