import { useMemo, useState } from 'react';
import type { StreamEvent } from '../lib/bus.js';
import { oneLine, pretty, shortId, time } from '../lib/format.js';
import { summarize } from '../lib/summary.js';
import { DOMAIN_EVENT_TYPES } from '../lib/types.js';
import { Card, Empty, TypeChip } from './ui.js';

const KNOWN = [...DOMAIN_EVENT_TYPES, 'ping', 'reset'];

/** The live event log with filters by type and a text search. */
export function EventLog({ entries, onClear }: { entries: StreamEvent[]; onClear(): void }) {
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [query, setQuery] = useState('');

  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const e of entries) m.set(e.type, (m.get(e.type) ?? 0) + 1);
    return m;
  }, [entries]);
  const types = useMemo(() => [...KNOWN, ...[...counts.keys()].filter((t) => !KNOWN.includes(t as (typeof KNOWN)[number]))], [counts]);

  const q = query.trim().toLowerCase();
  const shown = entries.filter((e) => !hidden.has(e.type) && (q === '' || `${e.type} ${e.id ?? ''} ${summarize(e.type, e.data)} ${oneLine(e.data, 4000)}`.toLowerCase().includes(q)));

  const toggle = (t: string) =>
    setHidden((h) => {
      const n = new Set(h);
      if (n.has(t)) n.delete(t);
      else n.add(t);
      return n;
    });

  return (
    <Card
      title="Event log"
      className="log-card"
      actions={
        <button type="button" className="btn btn-ghost" onClick={onClear}>
          Clear log
        </button>
      }
    >
      <fieldset className="filters">
        <legend>Show event types</legend>
        <div className="filter-chips">
          {types.map((t) => (
            <label key={t} className={`filter-chip${hidden.has(t) ? ' off' : ''}`}>
              <input type="checkbox" checked={!hidden.has(t)} onChange={() => toggle(t)} />
              {t}
              <span className="count" aria-hidden="true">
                {counts.get(t) ?? 0}
              </span>
            </label>
          ))}
        </div>
        <div className="row">
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setHidden(new Set())}>
            All types
          </button>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setHidden(new Set(types))}>
            No types
          </button>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setHidden(new Set(['ping']))}>
            Hide heartbeats
          </button>
          <input className="search" type="search" aria-label="Search events" placeholder="Search type, id or data…" value={query} onChange={(e) => setQuery(e.target.value)} />
        </div>
      </fieldset>
      <p className="muted small" aria-live="polite">
        Showing {shown.length} of {entries.length} events
      </p>
      {shown.length === 0 ? (
        <Empty>{entries.length === 0 ? 'No events yet. They appear here the moment the server sends them.' : 'No event matches the filters.'}</Empty>
      ) : (
        <ol className="log" role="log" aria-label="Event log">
          {shown.map((e) => (
            <li key={e.seq} className={`log-entry log-${e.type.replace(/[^a-z]/gi, '-')}`} data-type={e.type}>
              <details>
                <summary>
                  <span className="log-time">{time(e.receivedAt)}</span>
                  <TypeChip type={e.type} />
                  <span className="log-data">{summarize(e.type, e.data)}</span>
                  <span className="log-meta" title={e.id ?? ''}>
                    {e.id ? shortId(e.id) : ''} <span className="muted" title={`delivered on connection ${e.conn}`}>#{e.conn}</span>
                  </span>
                </summary>
                <pre>{pretty({ type: e.type, id: e.id ?? null, connection: e.conn, data: e.data })}</pre>
              </details>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
