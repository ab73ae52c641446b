import { useEffect, useState, type ReactNode } from 'react';
import { ConnectionCard } from './components/ConnectionCard.js';
import { Dashboard } from './components/Dashboard.js';
import { DirectoryCard } from './components/DirectoryCard.js';
import { EventLog } from './components/EventLog.js';
import { IdentityCard } from './components/IdentityCard.js';
import { InboxPanel } from './components/InboxPanel.js';
import { PushPanel } from './components/PushPanel.js';
import { SendForm } from './components/SendForm.js';
import { SentList } from './components/SentList.js';
import { TestEventForm } from './components/TestEventForm.js';
import { StateBadge } from './components/ui.js';
import { WorkflowsPanel } from './components/WorkflowsPanel.js';
import { useArrivalToasts } from './hooks/useArrivalToasts.js';
import { useDirectory } from './hooks/useDirectory.js';
import { useEventLog } from './hooks/useEventLog.js';
import { useInbox } from './hooks/useInbox.js';
import { useOpened } from './hooks/useOpened.js';
import { useSent } from './hooks/useSent.js';
import { useStream } from './hooks/useStream.js';
import { describeError } from './lib/api.js';
import { useCapabilities } from './lib/capabilities.js';
import { mintDevSession, PRESETS } from './lib/dev.js';
import { grantedTopics } from './lib/jwt.js';
import { identityFromHash, loadSession, saveSession, type Session } from './lib/session.js';
import { useToast } from './hooks/useToasts.js';

const TABS = [
  { id: 'stream', label: 'Stream' },
  { id: 'inbox', label: 'Inbox' },
  { id: 'send', label: 'Send' },
  { id: 'workflows', label: 'Workflows' },
  { id: 'push', label: 'Push' },
  { id: 'dashboard', label: 'Dashboard' },
] as const;
type TabId = (typeof TABS)[number]['id'];

const TAB_KEY = 'wardbell.console.tab';
const initialTab = (): TabId => {
  const t = sessionStorage.getItem(TAB_KEY);
  return TABS.some((x) => x.id === t) ? (t as TabId) : 'stream';
};

export function App() {
  const caps = useCapabilities();
  const notify = useToast();
  const [session, setSessionState] = useState<Session | null>(loadSession);
  const [tab, setTabState] = useState<TabId>(initialTab);
  const stream = useStream(session);
  const identityKey = session ? `${session.claims.tenantId}/${session.claims.userId}/${session.token.slice(-16)}` : '';
  const log = useEventLog(stream.bus, identityKey);
  const inbox = useInbox(session, stream.bus, stream.status.state);
  const sent = useSent(stream.bus, identityKey);
  const directory = useDirectory(session);
  useArrivalToasts(stream.bus);
  const devAvailable = caps.status === 'ready' ? caps.routes.has('POST /api/dev/token') : caps.status === 'error' ? false : null;

  const setSession = (s: Session | null) => {
    saveSession(s);
    setSessionState(s);
  };
  const setTab = (t: TabId) => {
    sessionStorage.setItem(TAB_KEY, t);
    setTabState(t);
  };
  const opened = useOpened(session, () => setTab('inbox'));

  // `#as=nurse-lee&...` (the "open a second tab as" link): sign in as that identity.
  useEffect(() => {
    if (devAvailable !== true) return;
    const wanted = identityFromHash(window.location.hash);
    if (!wanted) return;
    history.replaceState(null, '', window.location.pathname);
    mintDevSession(wanted).then(setSession, (err: unknown) => notify('error', `Could not sign in as ${wanted.userId}: ${describeError(err)}`));
  }, [devAvailable, notify]);

  useEffect(() => {
    document.title = `${inbox.unread ? `(${inbox.unread}) ` : ''}${session ? `${session.claims.userId} · ` : ''}Wardbell console`;
  }, [inbox.unread, session]);

  const panel = (id: TabId, children: ReactNode) => (
    <div role="tabpanel" id={`panel-${id}`} aria-labelledby={`tab-${id}`} hidden={tab !== id} className="tabpanel">
      {children}
    </div>
  );
  const needsSession = (children: ReactNode) => (session ? children : <Welcome />);

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="#0b2233" />
            <path d="M16 6a7 7 0 0 0-7 7v5l-2 3h18l-2-3v-5a7 7 0 0 0-7-7zm-3 17a3 3 0 0 0 6 0z" fill="#38bdf8" />
          </svg>
          <span className="brand-name">Wardbell</span>
          <span className="brand-sub">realtime console{caps.version ? ` · v${caps.version}` : ''}</span>
        </div>
        {session ? (
          <div className="topbar-status">
            <a href="#connection" className="state-link" aria-label={`Connection: ${stream.status.state}; details`}>
              <StateBadge state={stream.status.state} />
            </a>
            <span className="who-chip" title={`${session.claims.userId} @ ${session.claims.tenantId}`}>
              {session.claims.userId}
              <span className="muted"> @ {session.claims.tenantId}</span>
            </span>
          </div>
        ) : null}
      </header>
      <div className={`layout${session ? ' signed-in' : ''}`}>
        <aside className="sidebar">
          <IdentityCard session={session} devAvailable={devAvailable} onSession={setSession} />
          {session ? <ConnectionCard status={stream.status} control={stream.control} session={session} /> : null}
        </aside>
        <main className="main">
          <nav className="tabs" role="tablist" aria-label="Console views">
            {TABS.map((t) => (
              <button key={t.id} type="button" role="tab" id={`tab-${t.id}`} aria-selected={tab === t.id} aria-controls={`panel-${t.id}`} className="tab" onClick={() => setTab(t.id)}>
                {t.label}
                {t.id === 'inbox' && inbox.unread > 0 ? (
                  <span className="badge badge-hot" aria-label={`${inbox.unread} unread`}>
                    {inbox.unread}
                  </span>
                ) : null}
              </button>
            ))}
          </nav>
          {panel(
            'stream',
            needsSession(
              session ? (
                <div className="split">
                  <EventLog entries={log.entries} onClear={log.clear} />
                  <TestEventForm session={session} />
                </div>
              ) : null,
            ),
          )}
          {panel('inbox', needsSession(<InboxPanel inbox={inbox} opened={opened} />))}
          {panel(
            'send',
            needsSession(
              session ? (
                <div className="split">
                  <SendForm session={session} onSent={sent.add} />
                  <div className="stack">
                    <SentList sent={sent.sent} onClear={sent.clear} />
                    <DirectoryCard directory={directory} />
                  </div>
                </div>
              ) : null,
            ),
          )}
          {panel('workflows', needsSession(session ? <WorkflowsPanel session={session} bus={stream.bus} caps={caps} /> : null))}
          {panel('push', needsSession(session ? <PushPanel session={session} caps={caps} /> : null))}
          {panel('dashboard', <Dashboard active={tab === 'dashboard'} />)}
        </main>
      </div>
      {stream.host}
      <datalist id="known-users">
        {[...new Set([...directory.members.map((m) => m.userId), ...PRESETS.map((p) => p.userId)])].map((u) => (
          <option key={u} value={u} />
        ))}
      </datalist>
      <datalist id="my-topics">
        {(session ? grantedTopics(session.claims) : []).map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
    </div>
  );
}

function Welcome() {
  return (
    <div className="welcome">
      <h2>One page to see what Wardbell is doing, and to try all of it</h2>
      <ol>
        <li>Choose who to be under <strong>Identity</strong>: in development, pick a user and press <em>Get token</em>; otherwise paste a token.</li>
        <li>The stream connects at once: every event shows in the <strong>Stream</strong> log, the <strong>Inbox</strong> stays live.</li>
        <li>Open a second tab as another user and send between them: notifications, swaps, emergency calls.</li>
        <li>The <strong>Dashboard</strong> shows the service's own metrics, live.</li>
      </ol>
    </div>
  );
}
