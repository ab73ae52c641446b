'use client';
/**
 * The signed-in frame of every page: one WardbellProvider (one API client and one event stream,
 * shared by this browser's tabs), the bell with the inbox panel it opens, the switch for push on
 * this device, and sign-out. The browser talks to Wardbell directly (`baseUrl`, allowed by
 * Wardbell's WARDBELL_CORS_ORIGINS) with tokens this app mints (`/api/wardbell/token`).
 */
import { PushUnavailableError, subscribeToPush, type SharedSSEClient, type TokenProvider } from '@wardbell/client';
import { Inbox, NotificationBell, WardbellProvider, useAction, useNotificationArrivals, useOpenedNotification, useReceipts, useStreamState, useWardbell } from '@wardbell/react';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { signOut } from './actions';

export interface ShellUser {
  tenantId: string;
  userId: string;
  displayName: string;
  hospitalName: string;
  wards: string[];
}

/** Tokens from this app's token route: reused until a minute before they expire, fetched anew when Wardbell refused the last. */
function useTokenSource(): TokenProvider {
  const cached = useRef<{ token: string; expiresAt: number } | null>(null);
  const inFlight = useRef<Promise<string | null> | null>(null);
  return useCallback(({ refresh }) => {
    const c = cached.current;
    if (!refresh && c && c.expiresAt - Date.now() > 60_000) return c.token;
    inFlight.current ??= (async () => {
      try {
        const res = await fetch('/api/wardbell/token', { method: 'POST', credentials: 'same-origin', cache: 'no-store' });
        if (res.status === 401) {
          // The session is over: back to the sign-in page.
          window.location.assign('/sign-in');
          return null;
        }
        if (!res.ok) throw new Error(`the token route answered ${res.status}`);
        const { token, expiresAt } = (await res.json()) as { token: string; expiresAt: string };
        cached.current = { token, expiresAt: Date.parse(expiresAt) };
        return token;
      } finally {
        inFlight.current = null;
      }
    })();
    return inFlight.current;
  }, []);
}

export function WardbellShell(props: { baseUrl: string; user: ShellUser; children: ReactNode }) {
  const getToken = useTokenSource();
  const { user } = props;
  return (
    // shareKey: tabs share a stream only when signed in as the same person.
    <WardbellProvider baseUrl={props.baseUrl} getToken={getToken} shareKey={`${user.tenantId}/${user.userId}`}>
      <header className="topbar">
        <div className="brand">
          <strong>Ward roster</strong>
          <span className="who" data-testid="who">
            {user.displayName} · {user.hospitalName} · ward {user.wards.join(', ')}
          </span>
        </div>
        <div className="topbar-tools">
          <PushSwitch />
          <BellWithInbox />
          <form action={signOut}>
            <button type="submit" className="link-button">Sign out</button>
          </form>
        </div>
      </header>
      <OpenedNotification />
      <main className="content">{props.children}</main>
      <Arrivals />
      <StreamNote />
    </WardbellProvider>
  );
}

/** The bell (its accessible name says the unread count) and the inbox panel it opens; the inbox stays live while closed. */
function BellWithInbox() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  return (
    <div className="bell-area">
      <NotificationBell onClick={() => setOpen((o) => !o)} expanded={open} />
      <div className="inbox-panel" hidden={!open}>
        <Inbox />
      </div>
    </div>
  );
}

/**
 * The notification a tap on a push opened this page at (`/?notification=<id>`) or brought it to
 * the front for: fetched with the signed-in user's token. With a hospital's generic lock screen
 * the phone showed only "Urgent call, Ward 3"; the details appear here, after unlocking.
 */
function OpenedNotification() {
  const opened = useOpenedNotification();
  const action = useAction();
  if (opened.id === null) return null;
  const n = opened.notification;
  return (
    <section className="opened" aria-label="Opened from a notification">
      <div className="opened-head">
        <strong>{n ? n.title : opened.error ? 'This notification is not in your inbox' : 'Opening…'}</strong>
        <button type="button" className="link-button" onClick={opened.close}>
          Close
        </button>
      </div>
      {n ? (
        <>
          {n.body ? <p>{n.body}</p> : null}
          <div className="opened-actions">
            {n.actedAction
              ? <span>You answered “{n.actions.find((a) => a.id === n.actedAction)?.label ?? n.actedAction}”.</span>
              : n.actions.map((a) => (
                  <button key={a.id} type="button" disabled={action.pending !== null} onClick={() => void action.press(n.id, a.id)}>
                    {a.label}
                  </button>
                ))}
          </div>
          {action.error ? <p role="alert">{action.error.message}</p> : null}
        </>
      ) : null}
    </section>
  );
}

/** Where this tab's live updates come from: its own connection, or the one another tab holds for all. */
function StreamNote() {
  const { stream } = useWardbell();
  const state = useStreamState(); // re-renders on every change, a handover included
  const role = (stream as Partial<SharedSSEClient>).role ?? 'solo';
  const text =
    state !== 'open' ? (state === 'closed' ? 'Live updates off' : 'Connecting…') : role === 'leader' ? 'Live: this tab holds the connection for every tab' : role === 'follower' ? 'Live through another tab' : 'Live';
  return (
    <p className="stream-note" data-testid="stream" data-role={role} data-state={state}>
      {text}
    </p>
  );
}

/**
 * A toast per new notification, in one tab of the browser only: the stream is shared by the tabs,
 * and useNotificationArrivals fires in the one in front (or, with none in front, the one holding
 * the stream).
 */
function Arrivals() {
  const [toasts, setToasts] = useState<Array<{ id: string; title: string; priority: string }>>([]);
  const receipts = useReceipts();
  useNotificationArrivals(({ notification: n }) => {
    receipts.displayed(n.id); // the sender sees it was shown
    setToasts((t) => [{ id: n.id, title: n.title, priority: n.priority }, ...t.filter((x) => x.id !== n.id)].slice(0, 3));
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== n.id)), 8000);
  });
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <p key={t.id} className={`toast toast-${t.priority}`}>
          {t.title}
        </p>
      ))}
    </div>
  );
}

/** "Turn on notifications on this device": asks for permission, subscribes with Wardbell (through /sw.js, which every page registers as it loads). */
function PushSwitch() {
  const { api } = useWardbell();
  const [state, setState] = useState<{ kind: 'unknown' | 'off' | 'working' | 'on' | 'unavailable'; note?: string }>({ kind: 'unknown' });

  const turnOn = useCallback(async () => {
    setState({ kind: 'working' });
    try {
      await subscribeToPush({ api, serviceWorkerUrl: '/sw.js' });
      setState({ kind: 'on' });
    } catch (err) {
      // Refused (the user can allow it and try again) or failed: the button stays; no push here at all: a note instead.
      const unavailable = err instanceof PushUnavailableError && err.reason !== 'denied';
      setState({ kind: unavailable ? 'unavailable' : 'off', note: err instanceof Error ? err.message : String(err) });
    }
  }, [api]);

  useEffect(() => {
    const sw = typeof navigator === 'undefined' ? undefined : navigator.serviceWorker;
    if (!sw || typeof PushManager === 'undefined') {
      setState({ kind: 'unavailable', note: 'push needs service workers and the page on https (or localhost).' });
      return;
    }
    let live = true;
    void sw.getRegistration('/').then(async (reg) => {
      const sub = await reg?.pushManager.getSubscription();
      if (!live) return;
      // Subscribed before: keep the worker current and the service told (an idempotent register).
      if (sub && Notification.permission === 'granted') void turnOn();
      else setState({ kind: 'off' });
    });
    // The browser replaced the subscription: the worker asks the pages to register the new one.
    const onMessage = (e: MessageEvent) => {
      if ((e.data as { type?: string } | null)?.type === 'wardbell:resubscribe') void turnOn();
    };
    sw.addEventListener('message', onMessage);
    return () => {
      live = false;
      sw.removeEventListener('message', onMessage);
    };
  }, [turnOn]);

  if (state.kind === 'on') return <span className="push-state" title="Pushes reach this device when no page is open">Push on</span>;
  if (state.kind === 'unavailable') return <span className="push-state" role="status">No push on this device: {state.note}</span>;
  return (
    <>
      <button type="button" className="push-button" onClick={() => void turnOn()} disabled={state.kind === 'working' || state.kind === 'unknown'}>
        {state.kind === 'working' ? 'Turning on…' : 'Turn on notifications on this device'}
      </button>
      {state.note ? <span className="push-state" role="status">Push not on: {state.note}</span> : null}
    </>
  );
}
