import { useState, type FormEvent } from 'react';
import { describeError } from '../lib/api.js';
import { mintDevSession, PRESETS } from '../lib/dev.js';
import { dateTime } from '../lib/format.js';
import { hashFor, makeSession, splitList, type DevIdentity, type Session } from '../lib/session.js';
import { Card, Field, OutcomeLine, type Outcome } from './ui.js';

interface Props {
  session: Session | null;
  /** Whether POST /api/dev/token exists; null while the API description is being read. */
  devAvailable: boolean | null;
  onSession(s: Session | null): void;
}

/** Who the console acts as: a development token for any identity, or a pasted token. */
export function IdentityCard({ session, devAvailable, onSession }: Props) {
  const [editing, setEditing] = useState(session === null);
  const [mode, setMode] = useState<'dev' | 'token' | null>(null);
  const showForm = editing || session === null;
  const effectiveMode = devAvailable === false ? 'token' : (mode ?? 'dev');
  const done = (s: Session) => {
    onSession(s);
    setEditing(false);
  };

  return (
    <Card
      title="Identity"
      className="identity-card"
      actions={session && !showForm ? <button type="button" className="btn btn-ghost" onClick={() => setEditing(true)}>Change</button> : null}
    >
      {session ? <Who session={session} devAvailable={devAvailable === true} /> : null}
      {showForm ? (
        <>
          <div className="segmented" role="radiogroup" aria-label="How to get a token">
            <button type="button" role="radio" aria-checked={effectiveMode === 'dev'} disabled={devAvailable === false} onClick={() => setMode('dev')}>
              Development
            </button>
            <button type="button" role="radio" aria-checked={effectiveMode === 'token'} onClick={() => setMode('token')}>
              Paste a token
            </button>
          </div>
          {devAvailable === false ? <p className="hint">This server has no <code>POST /api/dev/token</code> (a key is configured): paste a token signed for it.</p> : null}
          {effectiveMode === 'dev' ? <DevForm onDone={done} /> : <PasteForm onDone={done} />}
          {session ? (
            <div className="row">
              <button type="button" className="btn btn-ghost" onClick={() => setEditing(false)}>Cancel</button>
              <button type="button" className="btn btn-ghost" onClick={() => onSession(null)}>Sign out</button>
            </div>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}

function Who({ session, devAvailable }: { session: Session; devAvailable: boolean }) {
  const c = session.claims;
  const expired = c.expiresAt !== null && c.expiresAt < Date.now();
  return (
    <div className="who">
      <p className="who-name">
        <strong data-testid="who-user">{c.userId}</strong> <span className="muted">@ {c.tenantId}</span>
      </p>
      <dl className="kv">
        <dt>Roles</dt>
        <dd>{c.roles.join(', ') || '—'}</dd>
        <dt>Wards</dt>
        <dd>{c.wards.join(', ') || '—'}</dd>
        <dt>Token</dt>
        <dd className={expired ? 'bad' : ''}>
          {session.mode === 'dev' ? 'development' : 'pasted'}
          {c.expiresAt ? `, ${expired ? 'expired' : 'expires'} ${dateTime(c.expiresAt)}` : ''}
        </dd>
        <dt>Sends as</dt>
        <dd>{session.senderClaims ? `${session.senderClaims.userId} (${session.senderClaims.roles.join(', ')})` : 'this token'}</dd>
      </dl>
      {devAvailable && session.mode === 'dev' ? <SecondTab session={session} /> : null}
    </div>
  );
}

/** Opens another tab signed in as someone else, to try two-person flows. */
function SecondTab({ session }: { session: Session }) {
  const other = PRESETS.find((p) => p.userId !== session.claims.userId && p.roles.includes('nurse')) ?? PRESETS[1];
  const [user, setUser] = useState(other?.userId ?? 'nurse-lee');
  const open = () => {
    const preset = PRESETS.find((p) => p.userId === user);
    const id: DevIdentity = { tenantId: session.claims.tenantId, userId: user, roles: preset?.roles ?? ['nurse'], wards: preset?.wards ?? session.claims.wards };
    window.open(`${window.location.pathname}${hashFor(id)}`, '_blank', 'noopener');
  };
  return (
    <div className="second-tab">
      <Field label="Open a second tab as">
        {(id) => <input id={id} value={user} onChange={(e) => setUser(e.target.value)} list="known-users" />}
      </Field>
      <button type="button" className="btn" onClick={open}>Open tab</button>
    </div>
  );
}

function DevForm({ onDone }: { onDone(s: Session): void }) {
  const first = PRESETS[0];
  const [tenantId, setTenant] = useState(first?.tenantId ?? 'hospital-a');
  const [userId, setUser] = useState(first?.userId ?? 'nurse-kim');
  const [roles, setRoles] = useState(first?.roles.join(', ') ?? 'nurse');
  const [wards, setWards] = useState(first?.wards.join(', ') ?? '3');
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      onDone(await mintDevSession({ tenantId: tenantId.trim(), userId: userId.trim(), roles: splitList(roles), wards: splitList(wards) }));
      setOutcome(null);
    } catch (err) {
      setOutcome({ ok: false, text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };
  const pick = (p: DevIdentity) => {
    setTenant(p.tenantId);
    setUser(p.userId);
    setRoles(p.roles.join(', '));
    setWards(p.wards.join(', '));
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="form">
      <div className="presets" aria-label="Quick identities">
        {PRESETS.map((p) => (
          <button key={p.userId} type="button" className="btn btn-small btn-ghost" onClick={() => pick(p)}>
            {p.userId}
          </button>
        ))}
      </div>
      <div className="grid-2">
        <Field label="Tenant">{(id) => <input id={id} value={tenantId} onChange={(e) => setTenant(e.target.value)} required />}</Field>
        <Field label="User">{(id) => <input id={id} value={userId} onChange={(e) => setUser(e.target.value)} list="known-users" required />}</Field>
        <Field label="Roles" hint="comma-separated">{(id) => <input id={id} value={roles} onChange={(e) => setRoles(e.target.value)} />}</Field>
        <Field label="Wards" hint="comma-separated">{(id) => <input id={id} value={wards} onChange={(e) => setWards(e.target.value)} />}</Field>
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? 'Getting token…' : 'Get token'}
      </button>
      <OutcomeLine outcome={outcome} />
    </form>
  );
}

function PasteForm({ onDone }: { onDone(s: Session): void }) {
  const [token, setToken] = useState('');
  const [sender, setSender] = useState('');
  const [outcome, setOutcome] = useState<Outcome>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const s = makeSession('token', token, sender.trim() || null);
    if (!s) return setOutcome({ ok: false, text: 'That is not a Wardbell token (a JWT with sub and tid claims).' });
    if (sender.trim() && !s.senderClaims) return setOutcome({ ok: false, text: 'The publisher token is not a Wardbell token.' });
    setOutcome(null);
    onDone(s);
  };
  return (
    <form onSubmit={submit} className="form">
      <Field label="Token" hint="A JWT for this service: claims sub (user), tid (tenant), roles, wards.">
        {(id) => <textarea id={id} value={token} onChange={(e) => setToken(e.target.value)} rows={3} required spellCheck={false} placeholder="eyJhbGciOi…" />}
      </Field>
      <Field label="Publisher token (optional)" hint="Role service or admin, used to send events, notifications and workflows. Without it the console sends with the token above.">
        {(id) => <textarea id={id} value={sender} onChange={(e) => setSender(e.target.value)} rows={2} spellCheck={false} />}
      </Field>
      <button type="submit" className="btn btn-primary">Use token</button>
      <OutcomeLine outcome={outcome} />
    </form>
  );
}
