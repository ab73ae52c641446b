import { useState, type FormEvent } from 'react';
import { api, describeError } from '../lib/api.js';
import { ACTION_PRESETS, parseActions, recipientsOf, type AudienceKind } from '../lib/recipients.js';
import { sendToken, type Session } from '../lib/session.js';
import { NOTIFICATION_TYPES, PRIORITIES, type NotificationType, type Priority, type SendResult } from '../lib/types.js';
import { Card, Field, OutcomeLine, type Outcome } from './ui.js';

interface Props {
  session: Session;
  onSent(r: SendResult): void;
}

function describeSend(r: SendResult): string {
  const n = r.notification;
  if (r.duplicate) return `Duplicate idempotency key: nothing sent again (first send was ${n.id}).`;
  if (r.grouped) return `Grouped into “${n.title}” (now ×${n.groupCount}) for ${r.recipients} recipient(s).`;
  return `Sent “${n.title}” to ${r.recipients} recipient(s).`;
}

/** `POST /api/notifications` with every field: type, priority, audience, actions, grouping, idempotency. */
export function SendForm({ session, onSent }: Props) {
  const me = session.claims;
  const [type, setType] = useState<NotificationType>('general');
  const [priority, setPriority] = useState<Priority>('medium');
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [kind, setKind] = useState<AudienceKind>('users');
  const [users, setUsers] = useState(me.userId);
  const [topic, setTopic] = useState(me.wards[0] ? `ward:${me.wards[0]}` : `user:${me.userId}`);
  const [preset, setPreset] = useState('ack');
  const [custom, setCustom] = useState('ack:Acknowledge, later:Later:secondary');
  const [groupKey, setGroupKey] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState('');
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);

  const send = async (overrides: { priority: Priority; title: string }[]) => {
    const parsed = preset === 'custom' ? parseActions(custom) : { actions: ACTION_PRESETS[preset] ?? [], error: null };
    if (parsed.error) return setOutcome({ ok: false, text: parsed.error });
    setBusy(true);
    const texts: string[] = [];
    try {
      for (const o of overrides) {
        const payload = {
          type,
          priority: o.priority,
          title: o.title,
          body,
          to: recipientsOf(kind, users, topic),
          ...(parsed.actions.length ? { actions: parsed.actions } : {}),
          ...(groupKey.trim() ? { groupKey: groupKey.trim() } : {}),
          ...(idempotencyKey.trim() && overrides.length === 1 ? { idempotencyKey: idempotencyKey.trim() } : {}),
        };
        const r = await api<SendResult>('/api/notifications', { method: 'POST', token: sendToken(session), body: payload });
        onSent(r);
        texts.push(describeSend(r));
      }
      setOutcome({ ok: true, text: texts.join(' ') });
    } catch (err) {
      setOutcome({ ok: false, text: [...texts, describeError(err)].join(' ') });
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send([{ priority, title: title.trim() || `Test ${priority} ${type}` }]);
  };
  const sampleSet = () => void send(PRIORITIES.map((p) => ({ priority: p, title: `${p[0]?.toUpperCase()}${p.slice(1)} priority sample` })));

  return (
    <Card title="Send a notification" className="send-card">
      <form className="form" onSubmit={submit} aria-label="Send a notification">
        <div className="grid-2">
          <Field label="Type">
            {(id) => (
              <select id={id} value={type} onChange={(e) => setType(e.target.value as NotificationType)}>
                {NOTIFICATION_TYPES.map((t) => <option key={t}>{t}</option>)}
              </select>
            )}
          </Field>
          <fieldset className="radios priorities">
            <legend>Priority</legend>
            {PRIORITIES.map((p) => (
              <label key={p} className={`prio-radio prio-${p}`}>
                <input type="radio" name="priority" checked={priority === p} onChange={() => setPriority(p)} /> {p}
              </label>
            ))}
          </fieldset>
        </div>
        <Field label="Title">{(id) => <input id={id} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} placeholder={`Test ${priority} ${type}`} />}</Field>
        <Field label="Body">{(id) => <textarea id={id} value={body} onChange={(e) => setBody(e.target.value)} rows={2} maxLength={4000} />}</Field>
        <fieldset className="radios">
          <legend>Recipients</legend>
          {(['users', 'topic', 'tenant'] as const).map((k) => (
            <label key={k} className="check">
              <input type="radio" name="send-audience" checked={kind === k} onChange={() => setKind(k)} />
              {k === 'users' ? 'Users' : k === 'topic' ? 'Topic' : 'Whole tenant'}
            </label>
          ))}
        </fieldset>
        {kind === 'users' ? (
          <Field label="User ids" hint="comma-separated; they must be in the staff directory">
            {(id) => <input id={id} value={users} onChange={(e) => setUsers(e.target.value)} list="known-users" spellCheck={false} />}
          </Field>
        ) : kind === 'topic' ? (
          <Field label="Topic" hint="ward:<id>, role:<name> or user:<id>">
            {(id) => <input id={id} value={topic} onChange={(e) => setTopic(e.target.value)} list="my-topics" spellCheck={false} />}
          </Field>
        ) : null}
        <Field label="Action buttons">
          {(id) => (
            <select id={id} value={preset} onChange={(e) => setPreset(e.target.value)}>
              <option value="none">None</option>
              <option value="ack">Acknowledge</option>
              <option value="accept">Accept / Decline</option>
              <option value="approve">Approve / Reject</option>
              <option value="custom">Custom…</option>
            </select>
          )}
        </Field>
        {preset === 'custom' ? (
          <Field label="Custom actions" hint="id:Label[:primary|secondary|danger], up to 3">
            {(id) => <input id={id} value={custom} onChange={(e) => setCustom(e.target.value)} spellCheck={false} />}
          </Field>
        ) : null}
        <details className="advanced">
          <summary>Grouping and idempotency</summary>
          <div className="grid-2">
            <Field label="Group key" hint="repeats within 10 min collapse into one entry">{(id) => <input id={id} value={groupKey} onChange={(e) => setGroupKey(e.target.value)} />}</Field>
            <Field label="Idempotency key" hint="the same key within 24 h sends nothing again">{(id) => <input id={id} value={idempotencyKey} onChange={(e) => setIdempotencyKey(e.target.value)} />}</Field>
          </div>
        </details>
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={busy}>Send notification</button>
          <button type="button" className="btn" disabled={busy} onClick={sampleSet}>Send one of each priority</button>
        </div>
        <OutcomeLine outcome={outcome} label="Send result" />
      </form>
    </Card>
  );
}
