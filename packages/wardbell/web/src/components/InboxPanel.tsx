import { useState } from 'react';
import type { Inbox, ItemResult } from '../hooks/useInbox.js';
import type { Opened } from '../hooks/useOpened.js';
import { dateTime, isRecord } from '../lib/format.js';
import type { InboxItem } from '../lib/types.js';
import { Card, Empty, PriorityChip, TypeChip } from './ui.js';

/** The inbox: live list, unread badge, read / delete / action buttons and their answers. */
export function InboxPanel({ inbox, opened }: { inbox: Inbox; opened?: Opened }) {
  const [unreadOnly, setUnreadOnly] = useState(false);
  // The notification a push tap opened: the live row once the list has it, else as fetched.
  const openedItem = opened?.id ? (inbox.items.find((i) => i.id === opened.id) ?? opened.item) : null;
  const [confirmDelete, setConfirmDelete] = useState(false);
  const items = unreadOnly ? inbox.items.filter((i) => i.readAt === null) : inbox.items;

  return (
    <Card
      title={
        <>
          Inbox{' '}
          <span className={`badge${inbox.unread ? ' badge-hot' : ''}`} data-testid="unread-count" aria-label={`${inbox.unread} unread`}>
            {inbox.unread}
          </span>
        </>
      }
      className="inbox-card"
      actions={
        <button type="button" className="btn btn-ghost" onClick={() => void inbox.refresh()} disabled={inbox.busy}>
          Refresh
        </button>
      }
    >
      <div className="toolbar">
        <label className="check">
          <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} /> Unread only
        </label>
        <span className="spacer" />
        <button type="button" className="btn" onClick={() => void inbox.markAllRead()} disabled={inbox.unread === 0}>
          Mark all read
        </button>
        {confirmDelete ? (
          <>
            <button type="button" className="btn btn-danger" onClick={() => void inbox.removeAll().then(() => setConfirmDelete(false))}>
              Confirm delete all
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setConfirmDelete(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="btn" onClick={() => setConfirmDelete(true)} disabled={inbox.items.length === 0}>
            Delete all
          </button>
        )}
      </div>
      {opened?.id ? (
        <section className="opened" aria-label="Opened from a notification">
          <div className="toolbar">
            <strong>Opened from a notification</strong>
            <span className="spacer" />
            <button type="button" className="btn btn-ghost btn-small" onClick={opened.close}>
              Close
            </button>
          </div>
          {openedItem ? (
            <ul className="inbox-list">
              <InboxRow item={openedItem} result={inbox.results[openedItem.id]} inbox={inbox} />
            </ul>
          ) : opened.error ? (
            <p className="outcome outcome-error" role="alert">
              Could not open it: {opened.error}
            </p>
          ) : (
            <Empty>Loading…</Empty>
          )}
        </section>
      ) : null}
      {inbox.error ? <p className="outcome outcome-error" role="alert">{inbox.error}</p> : null}
      {items.length === 0 ? (
        <Empty>{!inbox.loaded ? 'Loading…' : unreadOnly ? 'Nothing unread.' : 'The inbox is empty. Send yourself something from the Send tab, or open a second tab as another user.'}</Empty>
      ) : (
        <ul className="inbox-list" aria-label="Notifications">
          {items.map((item) => (
            <InboxRow key={item.id} item={item} result={inbox.results[item.id]} inbox={inbox} />
          ))}
        </ul>
      )}
      {inbox.nextCursor ? (
        <button type="button" className="btn btn-ghost" onClick={() => void inbox.loadMore()} disabled={inbox.busy}>
          Load more
        </button>
      ) : null}
    </Card>
  );
}

/** The shared state workflows put on a notification (`{status: 'filled'}`, `{status: 'approved'}`). */
function stateText(state: unknown): string | null {
  return isRecord(state) && typeof state.status === 'string' ? state.status : null;
}

function InboxRow({ item, result, inbox }: { item: InboxItem; result: ItemResult | undefined; inbox: Inbox }) {
  const unread = item.readAt === null;
  const status = stateText(item.state);
  return (
    <li className={`inbox-item prio-border-${item.priority}${unread ? ' unread' : ''}`}>
      <article aria-label={item.title}>
        <header className="inbox-head">
          {unread ? <span className="unread-dot" title="Unread" aria-label="Unread" /> : null}
          <PriorityChip priority={item.priority} />
          <TypeChip type={item.type} />
          {item.groupCount > 1 ? <span className="chip chip-count" title="Grouped repeats">×{item.groupCount}</span> : null}
          {status ? <span className={`chip state-chip state-chip-${status}`}>{status}</span> : null}
          <span className="spacer" />
          <time className="muted small" dateTime={item.updatedAt}>{dateTime(item.updatedAt)}</time>
        </header>
        <h3 className="inbox-title">{item.title}</h3>
        {item.body ? <p className="inbox-body">{item.body}</p> : null}
        <p className="muted small">from {item.senderId}{item.actedAction ? ` · you answered “${item.actedAction}”` : ''}</p>
        <div className="inbox-actions">
          {item.actions.map((a) => (
            <button key={a.id} type="button" className={`btn btn-${a.style ?? 'secondary'}`} onClick={() => void inbox.press(item.id, a.id)}>
              {a.label}
            </button>
          ))}
          <span className="spacer" />
          {unread ? (
            <button type="button" className="btn btn-ghost btn-small" onClick={() => void inbox.markRead(item.id)}>
              Mark read
            </button>
          ) : null}
          <button type="button" className="btn btn-ghost btn-small" aria-label={`Delete ${item.title}`} onClick={() => void inbox.remove(item.id)}>
            Delete
          </button>
        </div>
        {result ? (
          <p className={`outcome ${result.ok ? 'outcome-ok' : 'outcome-error'}`} role="status" aria-label="Action result">
            {result.text}
          </p>
        ) : null}
      </article>
    </li>
  );
}
