import { useEffect } from 'react';
import type { StreamBus } from '../lib/bus.js';
import { isRecord } from '../lib/format.js';
import { useToast, type Tone } from './useToasts.js';

const TONE: Record<string, Tone> = { urgent: 'urgent', high: 'warn', medium: 'info', low: 'info' };

/** Says out loud what matters as it arrives: new notifications, answers, decisions, resets. */
export function useArrivalToasts(bus: StreamBus): void {
  const notify = useToast();
  useEffect(
    () =>
      bus.on((e) => {
        const d = e.data;
        if (e.type === 'reset' && isRecord(d)) notify('warn', `Stream reset (${String(d.reason)}): state refetched.`);
        if (!isRecord(d)) return;
        if (e.type === 'notification' && isRecord(d.notification)) {
          const n = d.notification;
          notify(TONE[String(n.priority)] ?? 'info', `New ${String(n.priority)} notification: ${String(n.title)}`);
        } else if (e.type === 'notification.updated' && isRecord(d.action)) {
          notify('ok', `${String(d.action.by)} answered “${String(d.action.id)}”.`);
        } else if ((e.type === 'swap.approved' || e.type === 'swap.rejected') && isRecord(d.swap)) {
          notify(e.type === 'swap.approved' ? 'ok' : 'warn', `Swap ${String(d.swap.status)} by ${String(d.swap.targetId)}.`);
        }
      }),
    [bus, notify],
  );
}
