import { useEffect, useState, type FormEvent } from 'react';
import { usePoll } from '../hooks/usePoll.js';
import { api, describeError } from '../lib/api.js';
import type { StreamBus } from '../lib/bus.js';
import { isRecord, time } from '../lib/format.js';
import { recipientsOf, type AudienceKind } from '../lib/recipients.js';
import { sendToken, type Session } from '../lib/session.js';
import type { EmergencyCall } from '../lib/types.js';
import { CallTimeline } from './CallTimeline.js';
import { Card, Empty, Field, OutcomeLine, type Outcome } from './ui.js';

const isOpen = (c: EmergencyCall) => c.status === 'open' || c.status === 'escalated';

/**
 * Emergency calls end to end: an urgent call with "Accept now" to a ward or to chosen staff;
 * accepts are counted until `needed`; progress shows live (`emergency.updated`, and polled while open),
 * and each call's timeline (who was reached, who saw it, who answered) opens beside it.
 */
export function EmergencyCard({ session, bus }: { session: Session; bus: StreamBus }) {
  const me = session.claims;
  const [kind, setKind] = useState<AudienceKind>('topic');
  const [topic, setTopic] = useState(me.wards[0] ? `ward:${me.wards[0]}` : 'role:nurse');
  const [users, setUsers] = useState('');
  const [needed, setNeeded] = useState(1);
  const [title, setTitle] = useState('Emergency call');
  const [message, setMessage] = useState('Two patients incoming; one more nurse needed now.');
  const [calls, setCalls] = useState<EmergencyCall[]>([]);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const token = sendToken(session);

  const upsert = (c: EmergencyCall) => setCalls((l) => (l.some((x) => x.id === c.id) ? l.map((x) => (x.id === c.id ? { ...x, ...c } : x)) : [c, ...l]));

  useEffect(
    () =>
      bus.on((e) => {
        if (!e.type.startsWith('emergency.') || !isRecord(e.data) || !isRecord(e.data.call)) return;
        const c = e.data.call as unknown as EmergencyCall;
        if (c.callerId === me.userId) upsert(c);
      }),
    [bus, me.userId],
  );

  const open = calls.filter(isOpen);
  usePoll(
    async () => {
      for (const c of open) {
        try {
          upsert((await api<{ call: EmergencyCall }>(`/api/emergency-calls/${c.id}`, { token })).call);
        } catch {
          // Shown on the next explicit action; polling stays quiet.
        }
      }
    },
    2000,
    open.length > 0,
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const r = await api<{ call: EmergencyCall; recipients: number }>('/api/emergency-calls', {
        method: 'POST',
        token,
        body: { to: recipientsOf(kind, users, topic), needed, title: title.trim() || 'Emergency call', message },
      });
      upsert(r.call);
      setOutcome({ ok: true, text: `Called ${r.recipients} staff; ${r.call.needed} needed.` });
    } catch (err) {
      setOutcome({ ok: false, text: describeError(err) });
    }
  };

  const cancel = async (id: string) => {
    try {
      upsert((await api<{ call: EmergencyCall }>(`/api/emergency-calls/${id}/cancel`, { method: 'POST', token })).call);
    } catch (err) {
      setOutcome({ ok: false, text: describeError(err) });
    }
  };

  return (
    <Card title="Emergency call" className="emergency-card">
      <form className="form" onSubmit={(e) => void submit(e)} aria-label="Make an emergency call">
        <fieldset className="radios">
          <legend>Call</legend>
          <label className="check"><input type="radio" name="call-audience" checked={kind === 'topic'} onChange={() => setKind('topic')} /> A ward or role</label>
          <label className="check"><input type="radio" name="call-audience" checked={kind === 'users'} onChange={() => setKind('users')} /> Chosen staff</label>
        </fieldset>
        <div className="grid-2">
          {kind === 'topic' ? (
            <Field label="Call topic">{(id) => <input id={id} value={topic} onChange={(e) => setTopic(e.target.value)} list="my-topics" />}</Field>
          ) : (
            <Field label="Call staff" hint="comma-separated user ids">{(id) => <input id={id} value={users} onChange={(e) => setUsers(e.target.value)} list="known-users" />}</Field>
          )}
          <Field label="People needed">{(id) => <input id={id} type="number" min={1} max={100} value={needed} onChange={(e) => setNeeded(Math.max(1, Number(e.target.value) || 1))} />}</Field>
        </div>
        <Field label="Call title">{(id) => <input id={id} value={title} onChange={(e) => setTitle(e.target.value)} />}</Field>
        <Field label="Message">{(id) => <input id={id} value={message} onChange={(e) => setMessage(e.target.value)} />}</Field>
        <button type="submit" className="btn btn-urgent">Call now</button>
        <OutcomeLine outcome={outcome} label="Call result" />
      </form>
      {calls.length === 0 ? (
        <Empty>Your calls and who accepted appear here.</Empty>
      ) : (
        <ul className="wf-list" aria-label="Emergency calls">
          {calls.map((c) => (
            <li key={c.id} className="wf-item wf-call">
              <span className={`chip state-chip state-chip-${c.status}`} data-testid="call-status">{c.status}</span>
              <div className="call-progress">
                <strong>{c.title}</strong>
                <progress max={c.needed} value={c.accepted} aria-label={`${c.accepted} of ${c.needed} accepted`} />
                <span className="muted small">
                  {c.accepted}/{c.needed} accepted{c.acceptedBy?.length ? `: ${c.acceptedBy.map((a) => `${a.userId} (${time(a.acceptedAt)})`).join(', ')}` : ''}
                </span>
                <CallTimeline callId={c.id} token={token} bus={bus} version={`${c.status}/${c.accepted}/${c.declined}/${c.stepsRun}`} />
              </div>
              {isOpen(c) ? <button type="button" className="btn btn-ghost btn-small" onClick={() => void cancel(c.id)}>Cancel call</button> : null}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
