import { useCallback, useState } from 'react';
import { usePoll } from '../hooks/usePoll.js';
import { api, describeError } from '../lib/api.js';
import { dateTime, shortId } from '../lib/format.js';
import { sendToken, type Session } from '../lib/session.js';
import type { PushStats, PushSubscriptionView } from '../lib/types.js';
import { Card, Empty, Stat } from './ui.js';

export function SubscriptionsCard(props: { subs: PushSubscriptionView[]; error: string | null; current: string | null; onRemove(endpoint: string): void; onRefresh(): void }) {
  const { subs, error, current } = props;
  return (
    <Card title="Your subscriptions" className="push-subs" actions={<button type="button" className="btn btn-ghost" onClick={props.onRefresh}>Refresh</button>}>
      {error ? <p className="outcome outcome-error">{error}</p> : null}
      {subs.length === 0 ? (
        <Empty>No device of yours is subscribed.</Empty>
      ) : (
        <ul className="subs" aria-label="Push subscriptions">
          {subs.map((s) => (
            <li key={s.id}>
              <div>
                <code title={s.endpoint}>{new URL(s.endpoint).host}/{shortId(s.endpoint, 12)}</code> {s.endpoint === current ? <span className="chip">this browser</span> : null}
                <div className="muted small">
                  {s.topics.join(', ')} · since {dateTime(s.createdAt)}
                </div>
              </div>
              <button type="button" className="btn btn-ghost btn-small" onClick={() => props.onRemove(s.endpoint)}>Remove</button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

/** `GET /api/push/stats` (role service or admin), refreshed every 5 s. */
export function PushStatsCard({ session, available }: { session: Session; available: boolean }) {
  const [stats, setStats] = useState<PushStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const token = sendToken(session);
  const load = useCallback(async () => {
    try {
      setStats(await api<PushStats>('/api/push/stats', { token }));
      setError(null);
    } catch (err) {
      setError(describeError(err));
    }
  }, [token]);
  usePoll(load, 5000, available);

  return (
    <Card title="Push statistics" className="push-stats">
      {!available ? <p className="notice">This server has no <code>GET /api/push/stats</code>.</p> : null}
      {error ? <p className="outcome outcome-error">{error}</p> : null}
      {stats ? (
        <>
          <dl className="stats">
            <Stat label="Subscriptions" value={stats.subscriptions} />
            <Stat label="Users" value={stats.users} />
            {Object.entries(stats.deliveries).map(([k, v]) => (
              <Stat key={k} label={k} value={v} tone={(k === 'failed' || k === 'expired') && v > 0 ? 'error' : undefined} />
            ))}
          </dl>
          <table className="table" aria-label="Subscriptions by topic">
            <thead>
              <tr>
                <th>Topic</th>
                <th>Subscriptions</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(stats.byTopic).length === 0 ? (
                <tr>
                  <td colSpan={2} className="muted">none</td>
                </tr>
              ) : (
                Object.entries(stats.byTopic).map(([t, n]) => (
                  <tr key={t}>
                    <td>{t}</td>
                    <td>{n}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </>
      ) : null}
    </Card>
  );
}
