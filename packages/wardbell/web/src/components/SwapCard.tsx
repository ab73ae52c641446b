import { useEffect, useState, type FormEvent } from 'react';
import { api, describeError } from '../lib/api.js';
import type { StreamBus } from '../lib/bus.js';
import { isoWithOffset, isRecord, localInputValue, time } from '../lib/format.js';
import { sendToken, type Session } from '../lib/session.js';
import type { Swap } from '../lib/types.js';
import { Card, Empty, Field, OutcomeLine, type Outcome } from './ui.js';

/**
 * Shift swaps end to end: this user asks another to take a shift; the other sees "Shift swap
 * request" with Approve / Reject in their inbox; the decision comes back here live (`swap.approved`
 * or `swap.rejected`) and as a notification.
 */
export function SwapCard({ session, bus }: { session: Session; bus: StreamBus }) {
  const me = session.claims;
  const [target, setTarget] = useState('');
  const [shiftId, setShiftId] = useState(() => `shift-${Date.now().toString(36)}`);
  const [startsAt, setStartsAt] = useState(() => localInputValue(24 * 60));
  const [label, setLabel] = useState('Day shift');
  const [note, setNote] = useState('');
  const [swaps, setSwaps] = useState<Swap[]>([]);
  const [outcome, setOutcome] = useState<Outcome>(null);

  const upsert = (s: Swap) => setSwaps((l) => (l.some((x) => x.id === s.id) ? l.map((x) => (x.id === s.id ? s : x)) : [s, ...l]));

  useEffect(
    () =>
      bus.on((e) => {
        if (!e.type.startsWith('swap.') || !isRecord(e.data) || !isRecord(e.data.swap)) return;
        const s = e.data.swap as unknown as Swap;
        if (s.requesterId === me.userId) upsert(s);
      }),
    [bus, me.userId],
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const shift = { id: shiftId.trim(), startsAt: isoWithOffset(startsAt), ...(label.trim() ? { label: label.trim() } : {}), ...(me.wards[0] ? { ward: me.wards[0] } : {}) };
      const r = await api<{ swap: Swap }>('/api/swaps', { method: 'POST', token: sendToken(session), body: { requesterId: me.userId, targetId: target.trim(), shift, ...(note.trim() ? { note: note.trim() } : {}) } });
      upsert(r.swap);
      setOutcome({ ok: true, text: `Asked ${r.swap.targetId}; waiting for their answer.` });
      setShiftId(`shift-${Date.now().toString(36)}`);
    } catch (err) {
      setOutcome({ ok: false, text: describeError(err) });
    }
  };

  const refresh = async (id: string) => {
    try {
      upsert((await api<{ swap: Swap }>(`/api/swaps/${id}`, { token: sendToken(session) })).swap);
    } catch (err) {
      setOutcome({ ok: false, text: describeError(err) });
    }
  };

  return (
    <Card title="Shift swap" className="swap-card">
      <form className="form" onSubmit={(e) => void submit(e)} aria-label="Request a shift swap">
        <div className="grid-2">
          <Field label="Ask (user id)" hint="who should take your shift">
            {(id) => <input id={id} value={target} onChange={(e) => setTarget(e.target.value)} list="known-users" required spellCheck={false} />}
          </Field>
          <Field label="Shift starts">{(id) => <input id={id} type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} required />}</Field>
          <Field label="Shift id">{(id) => <input id={id} value={shiftId} onChange={(e) => setShiftId(e.target.value)} required />}</Field>
          <Field label="Shift label">{(id) => <input id={id} value={label} onChange={(e) => setLabel(e.target.value)} />}</Field>
        </div>
        <Field label="Note">{(id) => <input id={id} value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} />}</Field>
        <button type="submit" className="btn btn-primary">Request swap</button>
        <OutcomeLine outcome={outcome} label="Swap result" />
      </form>
      {swaps.length === 0 ? (
        <Empty>Your swap requests and their answers appear here.</Empty>
      ) : (
        <ul className="wf-list" aria-label="Swap requests">
          {swaps.map((s) => (
            <li key={s.id} className="wf-item">
              <span className={`chip state-chip state-chip-${s.status}`} data-testid="swap-status">{s.status}</span>
              <span>
                {s.shift.label ?? s.shift.id} → <strong>{s.targetId}</strong>
                {s.decidedAt ? <span className="muted small"> · decided {time(s.decidedAt)}</span> : null}
              </span>
              <span className="spacer" />
              <button type="button" className="btn btn-ghost btn-small" onClick={() => void refresh(s.id)}>Refresh</button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
