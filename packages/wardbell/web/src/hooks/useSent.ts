import { useCallback, useEffect, useState } from 'react';
import type { StreamBus } from '../lib/bus.js';
import { isRecord } from '../lib/format.js';
import type { SendResult } from '../lib/types.js';

export interface Answer {
  by: string;
  actionId: string;
  at: number;
}

export interface SentEntry {
  id: string;
  title: string;
  priority: string;
  type: string;
  recipients: number;
  grouped: boolean;
  duplicate: boolean;
  at: number;
  answers: Answer[];
}

/**
 * What this page sent, and the answers that come back: a press on a notification without a
 * workflow is sent to its sender as `notification.updated` `{id, action: {id, by}}`.
 */
export function useSent(bus: StreamBus, identityKey: string): { sent: SentEntry[]; add(r: SendResult): void; clear(): void } {
  const [sent, setSent] = useState<SentEntry[]>([]);

  useEffect(() => setSent([]), [identityKey]);

  useEffect(
    () =>
      bus.on((e) => {
        if (e.type !== 'notification.updated' || !isRecord(e.data)) return;
        const { id, action } = e.data;
        if (typeof id !== 'string' || !isRecord(action) || typeof action.id !== 'string' || typeof action.by !== 'string') return;
        const answer: Answer = { by: action.by, actionId: action.id, at: e.receivedAt };
        setSent((list) => {
          if (!list.some((s) => s.id === id)) {
            // Sent from another page of the same user: still show the answer.
            return [{ id, title: '(sent elsewhere)', priority: '', type: '', recipients: 0, grouped: false, duplicate: false, at: e.receivedAt, answers: [answer] }, ...list];
          }
          return list.map((s) => (s.id === id ? { ...s, answers: [...s.answers, answer] } : s));
        });
      }),
    [bus],
  );

  const add = useCallback((r: SendResult) => {
    const n = r.notification;
    setSent((list) => [
      { id: n.id, title: n.title, priority: n.priority, type: n.type, recipients: r.recipients, grouped: r.grouped, duplicate: r.duplicate, at: Date.now(), answers: list.find((s) => s.id === n.id)?.answers ?? [] },
      ...list.filter((s) => s.id !== n.id),
    ].slice(0, 50));
  }, []);

  return { sent, add, clear: () => setSent([]) };
}
