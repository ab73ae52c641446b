import { useState, type FormEvent } from 'react';
import { api, describeError } from '../lib/api.js';
import { grantedTopics } from '../lib/jwt.js';
import { sendToken, type Session } from '../lib/session.js';
import { DOMAIN_EVENT_TYPES } from '../lib/types.js';
import { Card, Field, OutcomeLine, type Outcome } from './ui.js';

type Audience = 'me' | 'topic' | 'tenant';

/** `POST /api/events`: publish any event type to me, a topic or the whole tenant. */
export function TestEventForm({ session }: { session: Session }) {
  const [type, setType] = useState<string>('schedule.updated');
  const [audience, setAudience] = useState<Audience>('me');
  const [topic, setTopic] = useState(grantedTopics(session.claims)[1] ?? `user:${session.claims.userId}`);
  const [data, setData] = useState('{\n  "hello": "from the console"\n}');
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let parsed: unknown;
    try {
      parsed = data.trim() === '' ? null : (JSON.parse(data) as unknown);
    } catch {
      return setOutcome({ ok: false, text: 'Data must be JSON.' });
    }
    const to = audience === 'me' ? { users: [session.claims.userId] } : audience === 'topic' ? { topic: topic.trim() } : { tenant: true };
    setBusy(true);
    try {
      const r = await api<{ id: string }>('/api/events', { method: 'POST', token: sendToken(session), body: { type, data: parsed, to } });
      setOutcome({ ok: true, text: `Published ${type} as ${r.id}` });
    } catch (err) {
      setOutcome({ ok: false, text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Send a test event" className="test-event-card">
      <form className="form" onSubmit={(e) => void submit(e)} aria-label="Send a test event">
        <Field label="Event type">
          {(id) => (
            <select id={id} value={type} onChange={(e) => setType(e.target.value)}>
              {DOMAIN_EVENT_TYPES.map((t) => <option key={t}>{t}</option>)}
            </select>
          )}
        </Field>
        <fieldset className="radios">
          <legend>Send to</legend>
          {(['me', 'topic', 'tenant'] as const).map((a) => (
            <label key={a} className="check">
              <input type="radio" name="event-audience" checked={audience === a} onChange={() => setAudience(a)} />
              {a === 'me' ? `Me (${session.claims.userId})` : a === 'topic' ? 'A topic' : 'The whole tenant'}
            </label>
          ))}
        </fieldset>
        {audience === 'topic' ? (
          <Field label="Topic" hint="user:<id>, ward:<id> or role:<name>">
            {(id) => <input id={id} value={topic} onChange={(e) => setTopic(e.target.value)} list="my-topics" spellCheck={false} />}
          </Field>
        ) : null}
        <Field label="Data (JSON)">{(id) => <textarea id={id} rows={4} value={data} onChange={(e) => setData(e.target.value)} spellCheck={false} className="mono" />}</Field>
        <button type="submit" className="btn btn-primary" disabled={busy}>Send test event</button>
        <p className="hint">Needs role service or admin{session.senderClaims ? ' (the console sends with its service token).' : '.'}</p>
        <OutcomeLine outcome={outcome} label="Test event result" />
      </form>
    </Card>
  );
}
