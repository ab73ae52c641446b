import type { Schema } from '@wardbell/client';
import { useCallback, useEffect, useState } from 'react';
import { useWardbell } from './provider.js';

export interface UseActionResult {
  /** Presses an action button of a notification; resolves with the service's answer, or null when it failed. */
  press(notificationId: string, actionId: string): Promise<Schema<'ActionResult'> | null>;
  /** The press in flight, as `notificationId/actionId`. */
  pending: string | null;
  error: Error | null;
}

/** Pressing action buttons (accept, approve, ...), with the pending press and the last error. */
export function useAction(): UseActionResult {
  const { api } = useWardbell();
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const press = useCallback(
    async (notificationId: string, actionId: string) => {
      setPending(`${notificationId}/${actionId}`);
      try {
        const r = await api.notifications.press(notificationId, actionId);
        setError(null);
        return r as Schema<'ActionResult'>;
      } catch (e) {
        setError(e as Error);
        return null;
      } finally {
        setPending(null);
      }
    },
    [api],
  );
  return { press, pending, error };
}

/**
 * A user's delivery preferences. As read, `locked` says what cannot be switched off (emergency
 * calls, urgent notifications of any kind); `save` may send it back, the service ignores it.
 */
export type Preferences = Schema<'Preferences'>;

/** The user's delivery preferences: read on mount (with `locked`), replaced with `save` (the answer: what is in force). */
export function usePreferences(): { preferences: Preferences | null; save(p: Preferences): Promise<boolean>; saving: boolean; error: Error | null } {
  const { api } = useWardbell();
  const [preferences, setPreferences] = useState<Preferences | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    let live = true;
    api.notifications.preferences.get().then((p) => live && setPreferences(p as Preferences), (e: Error) => live && setError(e));
    return () => {
      live = false;
    };
  }, [api]);
  const save = useCallback(
    async (p: Preferences) => {
      setSaving(true);
      try {
        setPreferences((await api.notifications.preferences.replace(p)) as Preferences);
        setError(null);
        return true;
      } catch (e) {
        setError(e as Error);
        return false;
      } finally {
        setSaving(false);
      }
    },
    [api],
  );
  return { preferences, save, saving, error };
}
