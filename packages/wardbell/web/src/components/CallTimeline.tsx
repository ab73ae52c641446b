import { useCallback, useEffect, useRef, useState } from 'react';
import { api, describeError } from '../lib/api.js';
import type { StreamBus } from '../lib/bus.js';
import { isRecord, time } from '../lib/format.js';
import type { Schema } from '@wardbell/client';

type Entry = Schema<'EmergencyCallTimelineEntry'>;

/** One line of the timeline in words (pure). */
export function describeEntry(e: Entry): string {
  const d = e.data as Record<string, unknown>;
  const who = e.actor ?? 'Wardbell';
  switch (e.kind) {
    case 'created':
      return `${who} called for ${String(d.needed ?? '?')}`;
    case 'notified':
      return `notified ${String(d.recipients ?? '?')} staff${Number(d.wave) > 0 ? ` (step ${String(d.wave)})` : ''}`;
    case 'delivered':
      return `reached ${who} by ${d.channel === 'push' ? 'push' : 'stream'}`;
    case 'displayed':
      return `shown to ${who}${d.via === 'worker' ? ' on the lock screen' : ''}`;
    case 'seen':
      return `${who} ${d.how === 'read' ? 'read it' : 'opened it'}`;
    case 'accepted':
      return `${who} accepted`;
    case 'declined':
      return `${who} can't come${d.everyoneDeclined ? ': everyone reached declined, next step now' : ''}`;
    case 'repeated':
      return `repeated to ${String(d.reached ?? '?')} who had not answered`;
    case 'escalated':
      return `step ${String(d.step ?? '?')}: ${String(d.added ?? 0)} more staff`;
    case 'filled':
      return 'filled';
    case 'cancelled':
      return `cancelled by ${who}`;
    case 'expired':
      return 'expired unfilled';
  }
}

/**
 * A call's timeline (GET /api/emergency-calls/{id}/timeline), read when opened and again whenever
 * the call or the receipts of its notifications change (`emergency.updated`, `receipts.updated`,
 * or `version`: the call as its card last read it, by event or by poll).
 */
export function CallTimeline({ callId, token, bus, version }: { callId: string; token: string; bus: StreamBus; version?: string }) {
  const [open, setOpen] = useState(false);
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Reads overlap when events come quickly: only the latest started may show (an older answer
  // arriving last would put a stale timeline back).
  const latest = useRef(0);
  const load = useCallback(async () => {
    const mine = ++latest.current;
    try {
      // Every page (a call to a whole hospital has thousands of entries), at most ten.
      const all: Entry[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 10; i++) {
        const page: { entries: Entry[]; nextCursor: string | null } = await api(`/api/emergency-calls/${callId}/timeline`, { token, query: cursor ? { cursor } : {} });
        all.push(...page.entries);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      if (mine !== latest.current) return;
      setEntries(all);
      setError(null);
    } catch (err) {
      if (mine === latest.current) setError(describeError(err));
    }
  }, [callId, token]);
  useEffect(() => {
    if (open) void load();
  }, [open, load, version]);
  useEffect(() => {
    if (!open) return;
    return bus.on((e) => {
      const mine = e.type === 'emergency.updated' && isRecord(e.data) && isRecord(e.data.call) && e.data.call.id === callId;
      if (mine || e.type === 'receipts.updated') void load();
    });
  }, [open, load, bus, callId]);
  return (
    <details className="call-timeline" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>Timeline</summary>
      {error ? <p className="muted small" role="alert">{error}</p> : null}
      {entries ? (
        <ol aria-label="Call timeline" className="timeline-list">
          {entries.map((e, i) => (
            <li key={`${e.seq ?? 'd'}-${i}`} data-kind={e.kind}>
              <time dateTime={e.at}>{time(e.at)}</time> {describeEntry(e)}
            </li>
          ))}
        </ol>
      ) : null}
    </details>
  );
}
