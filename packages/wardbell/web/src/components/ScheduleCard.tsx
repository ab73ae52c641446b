import { useState, type FormEvent } from 'react';
import { api, describeError } from '../lib/api.js';
import { sendToken, type Session } from '../lib/session.js';
import { Card, Field, OutcomeLine, type Outcome } from './ui.js';

/** Schedule published / updated, and a shift reminder a minute from now. */
export function ScheduleCard({ session, canSchedule, canRemind }: { session: Session; canSchedule: boolean; canRemind: boolean }) {
  const me = session.claims;
  const [topic, setTopic] = useState(me.wards[0] ? `ward:${me.wards[0]}` : `user:${me.userId}`);
  const [scheduleId, setScheduleId] = useState(() => `sched-${new Date().toISOString().slice(0, 7)}`);
  const [minutes, setMinutes] = useState(1);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const token = sendToken(session);

  const run = async (fn: () => Promise<string>) => {
    try {
      setOutcome({ ok: true, text: await fn() });
    } catch (err) {
      setOutcome({ ok: false, text: describeError(err) });
    }
  };
  const schedule = (kind: 'published' | 'updated') =>
    run(async () => {
      const body = kind === 'published' ? { scheduleId, to: { topic } } : { scheduleId, to: { topic }, summary: 'Changed from the console', changes: [{ note: 'test change' }] };
      const r = await api<{ recipients: number; grouped: boolean }>(`/api/schedules/${kind}`, { method: 'POST', token, body });
      return `Schedule ${kind}: ${r.recipients} recipient(s)${r.grouped ? ', grouped with the last update' : ''}.`;
    });
  const remind = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const at = new Date(Date.now() + minutes * 60_000);
      const startsAt = new Date(at.getTime() + 60 * 60_000);
      const r = await api<{ reminder: { runAt: string } }>('/api/reminders', {
        method: 'POST',
        token,
        body: { shiftId: `shift-${Date.now().toString(36)}`, shiftStartsAt: startsAt.toISOString(), remindAt: at.toISOString(), to: { users: [me.userId] }, title: 'Shift reminder (console test)' },
      });
      return `Reminder scheduled for ${new Date(r.reminder.runAt).toLocaleTimeString()}: it arrives in your inbox then.`;
    });
  };

  return (
    <Card title="Schedules and reminders" className="schedule-card">
      {canSchedule ? (
        <div className="form">
          <div className="grid-2">
            <Field label="Schedule id">{(id) => <input id={id} value={scheduleId} onChange={(e) => setScheduleId(e.target.value)} />}</Field>
            <Field label="Affected staff (topic)">{(id) => <input id={id} value={topic} onChange={(e) => setTopic(e.target.value)} list="my-topics" />}</Field>
          </div>
          <div className="row">
            <button type="button" className="btn" onClick={() => void schedule('published')}>Publish schedule</button>
            <button type="button" className="btn" onClick={() => void schedule('updated')}>Update schedule</button>
          </div>
        </div>
      ) : (
        <p className="notice">Schedule routes are not on this server.</p>
      )}
      {canRemind ? (
        <form className="inline-form" onSubmit={remind} aria-label="Schedule a shift reminder">
          <Field label="Remind me in (minutes)">{(id) => <input id={id} type="number" min={1} max={1440} value={minutes} onChange={(e) => setMinutes(Math.max(1, Number(e.target.value) || 1))} />}</Field>
          <button type="submit" className="btn">Schedule reminder</button>
        </form>
      ) : null}
      <OutcomeLine outcome={outcome} label="Schedule result" />
    </Card>
  );
}
