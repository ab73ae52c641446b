import { useState, type FormEvent } from 'react';
import type { StreamControl, StreamStatus } from '../hooks/useStream.js';
import { shortId, time } from '../lib/format.js';
import type { Session } from '../lib/session.js';
import { grantedTopics } from '../lib/jwt.js';
import { Card, Field, StateBadge, Stat } from './ui.js';

/** The stream's health at a glance: state, position, retries, resets; and its controls. */
export function ConnectionCard({ status, control, session }: { status: StreamStatus; control: StreamControl; session: Session }) {
  const lastReset = status.resets[0];
  return (
    <Card
      title="Connection"
      id="connection"
      className="connection-card"
      actions={
        control.enabled ? (
          <button type="button" className="btn" onClick={control.disconnect}>Disconnect</button>
        ) : (
          <button type="button" className="btn btn-primary" onClick={control.connect}>Connect</button>
        )
      }
    >
      <div className="conn-state" aria-live="polite" aria-label={`Connection state: ${status.state}`}>
        <StateBadge state={status.state} />
        {status.state === 'reconnecting' && status.nextAttemptAt ? <span className="muted"> next attempt {time(status.nextAttemptAt)}</span> : null}
      </div>
      {status.error ? <p className={status.state === 'closed' ? 'outcome outcome-error' : 'notice'}>{status.error}</p> : null}
      <dl className="stats stats-compact">
        <Stat label="Last event id" value={<code title={status.lastEventId} data-testid="last-event-id">{status.lastEventId ? shortId(status.lastEventId, 14) : '—'}</code>} />
        <Stat label="Connections opened" value={<span data-testid="opened">{status.opened}</span>} />
        <Stat label="Failed attempts" value={<span data-testid="attempts">{status.attempts}</span>} tone={status.attempts > 0 ? 'warn' : undefined} hint="Consecutive failed attempts; back to 0 once a connection delivers." />
        <Stat label="Auto reconnects" value={status.retries} hint="Reconnects the client started by itself (backoff with jitter)." />
        <Stat label="Resets" value={<span data-testid="resets">{status.resets.length}</span>} tone={status.resets.length ? 'warn' : undefined} hint="The server could not replay from our position and said so: the console refetched." />
      </dl>
      {lastReset ? (
        <p className="reset-banner" role="alert">
          Reset at {time(lastReset.at)}: <strong>{lastReset.reason}</strong>. The server could not replay from our position; the stream continues from{' '}
          <code>{shortId(lastReset.lastEventId, 14)}</code> and the inbox was refetched.
        </p>
      ) : null}
      <details className="advanced">
        <summary>Advanced: resume point, topics, history</summary>
        <ResumeForm onResume={control.resumeFrom} current={status.lastEventId} />
        <Topics session={session} control={control} />
        <ol className="transitions" aria-label="State changes">
          {status.transitions.map((t, i) => (
            <li key={`${t.at}-${i}`}>
              <span className="muted">{time(t.at)}</span> {t.from} → <strong>{t.to}</strong> <span className="muted">({t.reason}{t.delayMs !== undefined ? `, retry in ${(t.delayMs / 1000).toFixed(1)} s` : ''})</span>
            </li>
          ))}
        </ol>
      </details>
    </Card>
  );
}

function ResumeForm({ onResume, current }: { onResume(id: string): void; current: string }) {
  const [id, setId] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onResume(id);
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <Field label="Resume from event id" hint="Reconnects sending this Last-Event-ID: the server replays what came after it, or answers with a reset. Empty: from now.">
        {(fid) => <input id={fid} value={id} onChange={(e) => setId(e.target.value)} placeholder={current || 'epoch-000000000001'} spellCheck={false} />}
      </Field>
      <button type="submit" className="btn">Reconnect from id</button>
    </form>
  );
}

function Topics({ session, control }: { session: Session; control: StreamControl }) {
  const all = grantedTopics(session.claims);
  const chosen = new Set(control.topics ?? all);
  const toggle = (t: string) => {
    const next = new Set(chosen);
    if (next.has(t)) next.delete(t);
    else next.add(t);
    control.setTopics(next.size === all.length ? null : [...next]);
  };
  return (
    <fieldset className="topics">
      <legend>Stream topics</legend>
      <p className="hint">Narrow the stream (a new connection). Your own user topic always stays; tenant-wide events always arrive.</p>
      {all.map((t) => (
        <label key={t} className="check">
          <input type="checkbox" checked={chosen.has(t)} disabled={t.startsWith('user:')} onChange={() => toggle(t)} /> {t}
        </label>
      ))}
    </fieldset>
  );
}
