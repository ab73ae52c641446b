import { useCallback, useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import type { ReceiptReporter } from '@wardbell/client';
import { isSettled, type InboxFilter, type InboxItem } from './inbox-state.js';
import { useInbox, useUnreadCount } from './use-inbox.js';
import { useReceipts } from './provider.js';

const PRIORITY_RANK: Record<InboxItem['priority'], number> = { urgent: 0, high: 1, medium: 2, low: 3 };

/** Urgent first, then high, medium, low; newest first within each (pure). */
export function byUrgency(items: readonly InboxItem[]): InboxItem[] {
  return [...items].sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || b.createdAt.localeCompare(a.createdAt));
}

/** The bell's accessible name (pure): "Notifications, 3 unread", "Notifications, none unread". */
export function bellLabel(unread: number | null): string {
  if (unread === null) return 'Notifications';
  return unread > 0 ? `Notifications, ${unread} unread` : 'Notifications, none unread';
}

/** A bell drawn in SVG (an emoji depends on the device's fonts), in the text colour. */
function BellIcon() {
  return (
    <svg aria-hidden="true" className="wardbell-bell-icon" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </svg>
  );
}

export interface NotificationBellProps {
  onClick?: () => void;
  /** Whether the panel it opens is showing (`aria-expanded`). */
  expanded?: boolean;
  className?: string;
  children?: ReactNode;
}

/** A button whose accessible name says the unread count; the count is the server's. */
export function NotificationBell(props: NotificationBellProps) {
  const unread = useUnreadCount();
  return (
    <button type="button" className={`wardbell-bell ${props.className ?? ''}`.trim()} aria-label={bellLabel(unread)} onClick={props.onClick} {...(props.expanded === undefined ? {} : { 'aria-expanded': props.expanded })}>
      {props.children ?? <BellIcon />}
      {unread ? (
        <span aria-hidden="true" className="wardbell-bell-count">
          {unread > 99 ? '99+' : unread}
        </span>
      ) : null}
    </button>
  );
}

export interface InboxProps {
  filter?: InboxFilter;
  pageSize?: number;
  /** Called when a notification is opened (its title pressed); it is marked read first. */
  onOpen?: (item: InboxItem) => void;
  /** What to render for a time (default: the browser's locale, hours and minutes). */
  formatTime?: (iso: string) => string;
  /** `failed` heads the line shown when a change, a press or a further page failed; `dismiss` closes it. */
  labels?: Partial<Record<'title' | 'empty' | 'loading' | 'error' | 'failed' | 'dismiss' | 'markAllRead' | 'markRead' | 'markUnread' | 'remove' | 'more' | 'unread' | 'retry', string>>;
  className?: string;
}

const DEFAULT_LABELS = {
  title: 'Notifications', empty: 'Nothing here yet.', loading: 'Loading…', error: 'The notifications could not be loaded.', failed: 'That did not go through:', dismiss: 'Dismiss', markAllRead: 'Mark all read',
  markRead: 'Mark read', markUnread: 'Mark unread', remove: 'Remove', more: 'Show more', unread: 'Unread', retry: 'Try again',
};

/**
 * Reports each item as displayed once at least half of it is on screen in a visible page (an
 * inbox kept mounted in a closed panel shows nothing). The returned ref goes on each item, which
 * carries `data-notification-id`. Without IntersectionObserver nothing is reported.
 */
function useDisplayReports(receipts: ReceiptReporter): (el: HTMLElement | null) => void {
  const tracked = useRef(new Set<HTMLElement>());
  const observer = useRef<IntersectionObserver | null>(null);
  useEffect(() => {
    if (typeof IntersectionObserver === 'undefined' || typeof document === 'undefined') return;
    const io = new IntersectionObserver(
      (entries) => {
        if (document.visibilityState === 'hidden') return;
        for (const e of entries) {
          const id = (e.target as HTMLElement).dataset.notificationId;
          if (!e.isIntersecting || !id) continue;
          receipts.displayed(id);
          io.unobserve(e.target);
          tracked.current.delete(e.target as HTMLElement);
        }
      },
      { threshold: 0.5 },
    );
    observer.current = io;
    for (const el of tracked.current) io.observe(el);
    // Back in front: look again (an observer reports the current state of what it starts observing).
    const onVisible = () => {
      if (document.visibilityState !== 'visible') return;
      for (const el of tracked.current) (io.unobserve(el), io.observe(el));
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      io.disconnect();
      observer.current = null;
    };
  }, [receipts]);
  return useCallback((el: HTMLElement | null) => {
    if (!el) return;
    tracked.current.add(el);
    observer.current?.observe(el);
  }, []);
}

/**
 * Keeps the keyboard's place when a row goes: `removing(id, next)` before removing it names the
 * row to move to (the next one, else the previous); once the row has left the list, focus moves to
 * that row's title, or to the heading when none is left, unless the focus is somewhere else by then.
 */
function useFocusAfterRemoval(root: RefObject<HTMLElement | null>, ids: readonly string[]): (id: string, next: string | null) => void {
  const target = useRef<{ removed: string; next: string | null } | null>(null);
  useEffect(() => {
    const t = target.current;
    if (!t || ids.includes(t.removed)) return;
    target.current = null;
    const active = typeof document === 'undefined' ? null : document.activeElement;
    if (!root.current || (active && active !== document.body && active.isConnected)) return;
    const row = [...root.current.querySelectorAll<HTMLElement>('[data-notification-id]')].find((el) => el.dataset.notificationId === t.next);
    (row?.querySelector<HTMLElement>('.wardbell-item-title') ?? root.current.querySelector<HTMLElement>('h2'))?.focus();
  }, [root, ids]);
  return useCallback((removed: string, next: string | null) => {
    target.current = { removed, next };
  }, []);
}

/**
 * The inbox: urgent first, each with its priority, time, read state and action buttons; mark read
 * or unread, remove, mark all read, more pages. Plain buttons and a list in the reading order, so
 * Tab reaches each row's buttons and Enter or Space presses them; removing a row moves the focus to
 * the next one, and an answered action keeps its focus (it is `aria-disabled`, not `disabled`).
 * A failed change, press or page shows a line with `role="alert"`. Styled by class names and CSS
 * variables (`@wardbell/react/styles.css`).
 */
export function Inbox(props: InboxProps) {
  const inbox = useInbox({ ...(props.filter ? { filter: props.filter } : {}), ...(props.pageSize ? { pageSize: props.pageSize } : {}) });
  const t = { ...DEFAULT_LABELS, ...props.labels };
  const time = props.formatTime ?? ((iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  const items = byUrgency(inbox.items);
  const receipts = useReceipts();
  const track = useDisplayReports(receipts);
  const root = useRef<HTMLElement>(null);
  const removing = useFocusAfterRemoval(root, items.map((n) => n.id));
  const [dismissed, setDismissed] = useState<Error | null>(null);
  const failure = inbox.error && items.length > 0 && inbox.error !== dismissed ? inbox.error : null;
  return (
    <section ref={root} className={`wardbell-inbox ${props.className ?? ''}`.trim()} aria-label={t.title}>
      <header className="wardbell-inbox-header">
        <h2 tabIndex={-1}>{t.title}</h2>
        <button type="button" onClick={() => void inbox.markAllRead()} disabled={!inbox.unreadCount}>
          {t.markAllRead}
        </button>
      </header>
      {inbox.error && !inbox.items.length ? (
        <p role="alert" className="wardbell-inbox-error">
          {t.error} <button type="button" onClick={() => void inbox.refresh()}>{t.retry}</button>
        </p>
      ) : null}
      {failure ? (
        <p role="alert" className="wardbell-inbox-error">
          {t.failed} <span className="wardbell-inbox-error-detail">{failure.message}</span> <button type="button" onClick={() => setDismissed(failure)}>{t.dismiss}</button>
        </p>
      ) : null}
      {inbox.loading && !inbox.items.length ? <p className="wardbell-inbox-loading" aria-live="polite">{t.loading}</p> : null}
      {!inbox.loading && !inbox.error && !items.length ? <p className="wardbell-inbox-empty">{t.empty}</p> : null}
      <ul className="wardbell-inbox-list">
        {items.map((n, index) => {
          const unread = n.readAt === null;
          // Answered, or a press in flight: still focusable (the focus stays where it was), not pressable.
          const unavailable = inbox.pending !== null || n.actedAction !== null;
          return (
            <li key={n.id} ref={track} data-notification-id={n.id} className={`wardbell-item wardbell-priority-${n.priority}${unread ? ' wardbell-unread' : ''}`} data-priority={n.priority}>
              <div className="wardbell-item-head">
                <span className="wardbell-item-priority">{n.priority}</span>
                {unread ? <span className="wardbell-item-dot">{t.unread}</span> : null}
                <time dateTime={n.createdAt}>{time(n.createdAt)}</time>
              </div>
              <button type="button" className="wardbell-item-title" onClick={() => { receipts.opened(n.id); if (unread) void inbox.markRead(n.id); props.onOpen?.(n); }}>
                {n.title}
              </button>
              {n.body ? <p className="wardbell-item-body">{n.body}</p> : null}
              {n.actions.length ? (
                <div className="wardbell-item-actions">
                  {n.actions.map((a) => (
                    <button key={a.id} type="button" className={`wardbell-action wardbell-action-${a.style ?? 'secondary'}`} disabled={isSettled(n)} aria-disabled={unavailable || undefined} aria-pressed={n.actedAction === a.id} onClick={() => void (unavailable || inbox.press(n.id, a.id))}>
                      {a.label}
                    </button>
                  ))}
                </div>
              ) : null}
              <div className="wardbell-item-tools">
                <button type="button" onClick={() => void (unread ? inbox.markRead(n.id) : inbox.markUnread(n.id))}>{unread ? t.markRead : t.markUnread}</button>
                <button type="button" onClick={() => { removing(n.id, (items[index + 1] ?? items[index - 1])?.id ?? null); void inbox.remove(n.id); }}>{t.remove}</button>
              </div>
            </li>
          );
        })}
      </ul>
      {inbox.hasMore ? <button type="button" className="wardbell-inbox-more" onClick={() => void inbox.loadMore()}>{t.more}</button> : null}
    </section>
  );
}
