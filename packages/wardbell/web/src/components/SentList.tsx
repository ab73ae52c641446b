import type { SentEntry } from '../hooks/useSent.js';
import { time } from '../lib/format.js';
import { Card, Empty, PriorityChip } from './ui.js';

/** What this page sent and the answers coming back live (`notification.updated` to the sender). */
export function SentList({ sent, onClear }: { sent: SentEntry[]; onClear(): void }) {
  return (
    <Card
      title="Sent from this page"
      className="sent-card"
      actions={sent.length ? <button type="button" className="btn btn-ghost" onClick={onClear}>Clear</button> : null}
    >
      {sent.length === 0 ? (
        <Empty>Notifications you send appear here, with the answers recipients give as they press buttons.</Empty>
      ) : (
        <ul className="sent-list" aria-label="Sent notifications">
          {sent.map((s) => (
            <li key={s.id}>
              <article aria-label={s.title}>
                <div className="row">
                  {s.priority ? <PriorityChip priority={s.priority} /> : null}
                  <strong>{s.title}</strong>
                  <span className="spacer" />
                  <span className="muted small">
                    {time(s.at)} · {s.recipients} recipient{s.recipients === 1 ? '' : 's'}
                    {s.grouped ? ' · grouped' : ''}
                    {s.duplicate ? ' · duplicate' : ''}
                  </span>
                </div>
                {s.answers.length ? (
                  <ul className="answers" aria-label="Answers">
                    {s.answers.map((a, i) => (
                      <li key={`${a.by}-${a.at}-${i}`}>
                        <strong>{a.by}</strong> pressed <code>{a.actionId}</code> <span className="muted small">at {time(a.at)}</span>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="muted small">No answer yet.</p>
                )}
              </article>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
