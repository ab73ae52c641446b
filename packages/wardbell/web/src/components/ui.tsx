/** Small shared pieces: cards, fields, badges, result lines. Styling lives in styles.css. */
import { useId, type ReactElement, type ReactNode } from 'react';
import type { ConnectionState } from '@wardbell/client';

export function Card({ title, actions, children, className, labelledBy, id: anchor }: { title: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; labelledBy?: string; id?: string }) {
  const id = useId();
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={labelledBy ?? id} id={anchor}>
      <header className="card-head">
        <h2 id={id}>{title}</h2>
        {actions ? <div className="card-actions">{actions}</div> : null}
      </header>
      <div className="card-body">{children}</div>
    </section>
  );
}

/** A labelled control: the label is tied to the one child control through `id`. */
export function Field({ label, hint, children, wide }: { label: string; hint?: ReactNode; children: (id: string) => ReactElement; wide?: boolean }) {
  const id = useId();
  return (
    <div className={`field${wide ? ' field-wide' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint ? <small className="hint">{hint}</small> : null}
    </div>
  );
}

const STATE_TEXT: Record<ConnectionState, string> = { open: 'Live', connecting: 'Connecting', reconnecting: 'Reconnecting', closed: 'Disconnected' };

export function StateBadge({ state }: { state: ConnectionState }) {
  return (
    <span className={`state state-${state}`} data-state={state}>
      <span className="dot" aria-hidden="true" />
      {STATE_TEXT[state]}
    </span>
  );
}

export function PriorityChip({ priority }: { priority: string }) {
  return <span className={`chip prio-${priority}`}>{priority}</span>;
}

export function TypeChip({ type }: { type: string }) {
  return <span className={`chip type-chip type-${type.replace(/[^a-z]/gi, '-')}`}>{type}</span>;
}

/** The outcome of the last call a form made. */
export type Outcome = { ok: boolean; text: string } | null;

export function OutcomeLine({ outcome, label }: { outcome: Outcome; label?: string }) {
  if (!outcome) return null;
  return (
    <p className={`outcome ${outcome.ok ? 'outcome-ok' : 'outcome-error'}`} role={outcome.ok ? 'status' : 'alert'} aria-label={label}>
      {outcome.text}
    </p>
  );
}

export function Missing({ what, route }: { what: string; route: string }) {
  return (
    <p className="notice">
      {what} is not available on this server: <code>{route}</code> is not in its API description. The rest of the console works without it.
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Stat({ label, value, tone, hint }: { label: string; value: ReactNode; tone?: 'ok' | 'warn' | 'error' | 'muted'; hint?: string }) {
  return (
    <div className={`stat${tone ? ` stat-${tone}` : ''}`} title={hint}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
