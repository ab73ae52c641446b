import { useState, type FormEvent } from 'react';
import type { DirectoryState } from '../hooks/useDirectory.js';
import { splitList } from '../lib/session.js';
import { Card, Empty, Field, OutcomeLine, type Outcome } from './ui.js';

/** The staff directory: who can be addressed. Users are added when they connect, or here. */
export function DirectoryCard({ directory }: { directory: DirectoryState }) {
  const [userId, setUserId] = useState('');
  const [roles, setRoles] = useState('nurse');
  const [wards, setWards] = useState('3');
  const [outcome, setOutcome] = useState<Outcome>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const err = await directory.upsert({ userId: userId.trim(), roles: splitList(roles), wards: splitList(wards) });
    setOutcome(err ? { ok: false, text: err } : { ok: true, text: `${userId.trim()} is in the directory.` });
  };
  return (
    <Card title="Staff directory" className="directory-card" actions={<button type="button" className="btn btn-ghost" onClick={() => void directory.refresh()}>Refresh</button>}>
      <p className="hint">Recipients must be here. Anyone who opens the console or the stream is added automatically.</p>
      {directory.error ? <p className="outcome outcome-error">{directory.error}</p> : null}
      {directory.members.length === 0 ? (
        <Empty>No members yet.</Empty>
      ) : (
        <ul className="members" aria-label="Directory members">
          {directory.members.map((m) => (
            <li key={m.userId}>
              <strong>{m.userId}</strong> <span className="muted small">{[...(m.roles ?? []).map((r) => `role:${r}`), ...(m.wards ?? []).map((w) => `ward:${w}`)].join(' ')}</span>
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Add a staff member">
        <Field label="Member id">{(id) => <input id={id} value={userId} onChange={(e) => setUserId(e.target.value)} required />}</Field>
        <Field label="Member roles">{(id) => <input id={id} value={roles} onChange={(e) => setRoles(e.target.value)} />}</Field>
        <Field label="Member wards">{(id) => <input id={id} value={wards} onChange={(e) => setWards(e.target.value)} />}</Field>
        <button type="submit" className="btn">Add member</button>
      </form>
      <OutcomeLine outcome={outcome} />
    </Card>
  );
}
