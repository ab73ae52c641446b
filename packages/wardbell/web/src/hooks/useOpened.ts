import { useCallback, useEffect, useRef, useState } from 'react';
import { watchOpenedNotifications } from '@wardbell/client';
import { api, describeError } from '../lib/api.js';
import type { Session } from '../lib/session.js';
import type { InboxItem } from '../lib/types.js';

export interface Opened {
  /** The notification a push tap opened (`?notification=<id>`), until closed. */
  id: string | null;
  /** As the signed-in user's inbox has it (fetched with their token); null until fetched. */
  item: InboxItem | null;
  error: string | null;
  close(): void;
}

/**
 * The notification a tap on a push opened this console at (or focused it for): fetched with the
 * signed-in user's token, so a generic lock screen's push shows its details here. `onOpen` runs
 * for each (the console switches to the inbox).
 */
export function useOpened(session: Session | null, onOpen: () => void): Opened {
  const [id, setId] = useState<string | null>(null);
  const [item, setItem] = useState<InboxItem | null>(null);
  const [error, setError] = useState<string | null>(null);
  const openRef = useRef(onOpen);
  openRef.current = onOpen;
  const token = session?.token ?? null;

  useEffect(
    () =>
      watchOpenedNotifications((opened) => {
        setId(opened);
        setItem(null);
        setError(null);
        openRef.current();
      }),
    [],
  );

  useEffect(() => {
    if (id === null || token === null) return;
    const ctl = new AbortController();
    api<InboxItem>(`/api/notifications/${encodeURIComponent(id)}`, { token, signal: ctl.signal }).then(
      (n) => setItem(n),
      (err: unknown) => {
        if (!ctl.signal.aborted) setError(describeError(err));
      },
    );
    return () => ctl.abort();
  }, [id, token]);

  const close = useCallback(() => {
    setId(null);
    setItem(null);
    setError(null);
  }, []);
  return { id, item, error, close };
}
