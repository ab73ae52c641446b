import { useCallback, useEffect, useState } from 'react';
import { api, describeError } from '../lib/api.js';
import { has, type Capabilities } from '../lib/capabilities.js';
import { shortId, time } from '../lib/format.js';
import { grantedTopics } from '../lib/jwt.js';
import { createApiClient, subscribeToPush, unsubscribeFromPush } from '@wardbell/client';
import { existingRegistration, isWorkerMessage, permission, pushSupport, registerWorker } from '../lib/push.js';
import type { Session } from '../lib/session.js';
import type { PushSubscriptionView } from '../lib/types.js';
import { PushStatsCard, SubscriptionsCard } from './PushServerCards.js';
import { Card, Missing, OutcomeLine, type Outcome } from './ui.js';

/** The typed client the push helpers take, with this session's token, on the console's origin. */
const pushApi = (token: string) => createApiClient({ baseUrl: location.origin, getToken: () => token, retries: 0 });

interface LogLine {
  at: number;
  text: string;
  ok: boolean;
}

/** Web Push: this browser's subscription (service worker /sw.js), topics, a test push, the server's view. */
export function PushPanel({ session, caps }: { session: Session; caps: Capabilities }) {
  const support = pushSupport();
  const [endpoint, setEndpoint] = useState<string | null>(null);
  const [worker, setWorker] = useState<string>('not registered');
  const [topics, setTopics] = useState<string[]>(() => grantedTopics(session.claims));
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [log, setLog] = useState<LogLine[]>([]);
  const [subs, setSubs] = useState<PushSubscriptionView[]>([]);
  const [subsError, setSubsError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const token = session.token;
  const addLog = (text: string, ok = true) => setLog((l) => [{ at: Date.now(), text, ok }, ...l].slice(0, 50));

  const loadSubs = useCallback(async () => {
    try {
      setSubs((await api<{ subscriptions: PushSubscriptionView[] }>('/api/push/subscriptions', { token })).subscriptions);
      setSubsError(null);
    } catch (err) {
      setSubsError(describeError(err));
    }
  }, [token]);

  useEffect(() => {
    void loadSubs();
    void existingRegistration().then(async (reg) => {
      if (!reg) return;
      setWorker(`active (scope ${new URL(reg.scope).pathname})`);
      const sub = await reg.pushManager?.getSubscription();
      setEndpoint(sub?.endpoint ?? null);
    });
  }, [loadSubs]);

  const subscribe = useCallback(async () => {
    setBusy(true);
    try {
      // The worker first, so the panel shows it even when the user then refuses notifications.
      const reg = await registerWorker();
      setWorker(`active (scope ${new URL(reg.scope).pathname})`);
      // The same call an app makes (@wardbell/client): permission, VAPID key, subscription, registration.
      const r = await subscribeToPush({ api: pushApi(token), serviceWorkerUrl: '/sw.js', topics });
      setEndpoint(r.endpoint);
      setOutcome({ ok: true, text: `Subscribed: ${shortId(r.subscription.endpoint, 24)} for ${r.subscription.topics.join(', ')}` });
      addLog('subscribed this browser');
      await loadSubs();
    } catch (err) {
      const noService = err instanceof DOMException && (err.name === 'AbortError' || err.name === 'NotAllowedError' || err.name === 'NotSupportedError');
      setOutcome({
        ok: false,
        text: `Could not subscribe: ${describeError(err)}${noService ? '. This browser may have no push service (headless, or a Chromium build without one) or notifications are blocked for this site.' : ''}`,
      });
      addLog(`subscribe failed: ${describeError(err)}`, false);
    } finally {
      setBusy(false);
    }
  }, [token, topics, loadSubs]);

  // The worker reports pushes and taps, and asks for a new subscription when the browser replaced it.
  useEffect(() => {
    if (!support.serviceWorker) return;
    const onMessage = (e: MessageEvent) => {
      if (!isWorkerMessage(e.data)) return;
      const m = e.data;
      if (m.type === 'wardbell:push') addLog(`push shown: ${m.title ?? m.id ?? ''} (${m.priority ?? ''})`);
      else if (m.type === 'wardbell:notification-click') addLog(`tapped ${m.action ? `“${m.action}”` : 'the notification'}${m.result ? ` → ${m.result.status}` : ''}`, m.result ? m.result.ok : true);
      else if (m.type === 'wardbell:resubscribe') void subscribe();
    };
    navigator.serviceWorker.addEventListener('message', onMessage);
    return () => navigator.serviceWorker.removeEventListener('message', onMessage);
  }, [support.serviceWorker, subscribe]);

  if (!has(caps, 'POST /api/push/subscribe')) return <Missing what="Web Push" route="POST /api/push/subscribe" />;

  const unsubscribe = async (target?: string) => {
    const ep = target ?? endpoint;
    if (!ep) return;
    try {
      if (ep === endpoint) {
        await unsubscribeFromPush({ api: pushApi(token) });
        setEndpoint(null);
      } else await api('/api/push/subscribe', { method: 'DELETE', token, body: { endpoint: ep } });
      setOutcome({ ok: true, text: 'Unsubscribed.' });
      addLog(`unsubscribed ${shortId(ep, 24)}`);
    } catch (err) {
      setOutcome({ ok: false, text: describeError(err) });
    }
    await loadSubs();
  };

  const testPush = async () => {
    try {
      const r = await api<{ results: Array<{ endpoint: string; result: string; status: number | null }> }>('/api/push/test', { method: 'POST', token });
      const text = r.results.length ? r.results.map((x) => `${shortId(x.endpoint, 20)}: ${x.result}${x.status ? ` (${x.status})` : ''}`).join('; ') : 'No subscriptions for you: subscribe first.';
      setOutcome({ ok: r.results.every((x) => x.result === 'delivered'), text: `Test push: ${text}` });
      addLog(`test push: ${text}`, r.results.length > 0);
      await loadSubs();
    } catch (err) {
      setOutcome({ ok: false, text: describeError(err) });
    }
  };

  const allTopics = grantedTopics(session.claims);
  const check = (ok: boolean, text: string) => <li className={ok ? 'ok' : 'bad'}>{ok ? '✓' : '✗'} {text}</li>;

  return (
    <div className="panel-grid">
      <Card title="This browser" className="push-browser">
        <ul className="checks" aria-label="Push support">
          {check(support.secureContext, 'secure context (https or localhost)')}
          {check(support.serviceWorker, 'service workers')}
          {check(support.pushManager, 'Push API')}
          {check(support.notifications, `notifications (permission: ${permission()})`)}
        </ul>
        <dl className="kv">
          <dt>Service worker</dt>
          <dd>{worker}</dd>
          <dt>Subscription</dt>
          <dd title={endpoint ?? ''}>{endpoint ? shortId(endpoint, 32) : 'none'}</dd>
        </dl>
        <fieldset className="topics">
          <legend>Push topics</legend>
          {allTopics.map((t) => (
            <label key={t} className="check">
              <input type="checkbox" checked={topics.includes(t)} onChange={() => setTopics((l) => (l.includes(t) ? l.filter((x) => x !== t) : [...l, t]))} /> {t}
            </label>
          ))}
          <p className="hint">Urgent notifications always come through.</p>
        </fieldset>
        <div className="row">
          <button type="button" className="btn btn-primary" disabled={busy || !support.pushManager} onClick={() => void subscribe()}>
            {endpoint ? 'Update subscription' : 'Subscribe this browser'}
          </button>
          <button type="button" className="btn" disabled={!endpoint} onClick={() => void unsubscribe()}>Unsubscribe</button>
          <button type="button" className="btn" onClick={() => void testPush()}>Send test push</button>
        </div>
        <OutcomeLine outcome={outcome} label="Push result" />
      </Card>
      <SubscriptionsCard subs={subs} error={subsError} current={endpoint} onRemove={(ep) => void unsubscribe(ep)} onRefresh={() => void loadSubs()} />
      <PushStatsCard session={session} available={has(caps, 'GET /api/push/stats')} />
      <Card title="Push log" className="push-log">
        {log.length === 0 ? (
          <p className="empty">Pushes shown by the service worker and taps on their buttons appear here.</p>
        ) : (
          <ol className="plain-log" aria-label="Push log">
            {log.map((l, i) => (
              <li key={`${l.at}-${i}`} className={l.ok ? '' : 'bad'}>
                <span className="muted">{time(l.at)}</span> {l.text}
              </li>
            ))}
          </ol>
        )}
      </Card>
    </div>
  );
}
