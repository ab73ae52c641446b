import { useRef, useState } from 'react';
import { usePoll } from '../hooks/usePoll.js';
import { api, describeError } from '../lib/api.js';
import { byLabel, metricsRefusal, parseMetrics, rate, total, uptimeSeconds, type Scrape } from '../lib/metrics.js';
import { Sparkline } from './Sparkline.js';
import { Card, Stat } from './ui.js';

interface Point {
  at: number;
  connections: number;
  eventsPerS: number;
  deliveriesPerS: number;
}

interface Ready {
  status: string;
  checks: Record<string, string>;
}

const HISTORY = 60;
const fmt = (n: number, digits = 1) => (Number.isInteger(n) ? String(n) : n.toFixed(digits));
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
const sumOf = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** A live dashboard from /metrics (every 2 s) and /readyz: connections, rates, push outcomes, errors. */
export function Dashboard({ active }: { active: boolean }) {
  const [scrape, setScrape] = useState<Scrape | null>(null);
  const [history, setHistory] = useState<Point[]>([]);
  const [ready, setReady] = useState<Ready | null>(null);
  const [error, setError] = useState<string | null>(null);
  const prev = useRef<{ at: number; events: number; deliveries: number } | null>(null);

  usePoll(
    async () => {
      try {
        const res = await fetch('/metrics', { headers: { accept: 'text/plain' } });
        if (!res.ok) throw new Error(metricsRefusal(res.status));
        const s = parseMetrics(await res.text());
        const at = Date.now();
        const events = total(s, 'wardbell_events_published_total');
        const deliveries = total(s, 'wardbell_sse_events_delivered_total');
        const p = prev.current;
        const secs = p ? (at - p.at) / 1000 : 0;
        const point: Point = { at, connections: total(s, 'wardbell_sse_connections'), eventsPerS: rate(p?.events, events, secs), deliveriesPerS: rate(p?.deliveries, deliveries, secs) };
        prev.current = { at, events, deliveries };
        setScrape(s);
        setHistory((h) => [...h, point].slice(-HISTORY));
        setError(null);
      } catch (err) {
        setError(describeError(err));
      }
    },
    2000,
    active,
  );
  usePoll(
    async () => {
      try {
        setReady(await api<Ready>('/readyz'));
      } catch (err) {
        setReady({ status: 'unavailable', checks: { error: describeError(err) } });
      }
    },
    5000,
    active,
  );

  const last = history[history.length - 1];
  const s = scrape ?? new Map();
  const resets = byLabel(s, 'wardbell_sse_resets_total', 'reason');
  const deliveriesByStatus = byLabel(s, 'wardbell_push_deliveries_total', 'status');
  const attempts = byLabel(s, 'wardbell_push_attempts_total', 'result');
  const failedAttempts = sumOf(attempts) - (attempts.delivered ?? 0);
  const published = byLabel(s, 'wardbell_events_published_total', 'type');

  return (
    <div className="dashboard">
      {error ? <p className="outcome outcome-error" role="alert">{error}</p> : null}
      <div className="tiles">
        <Tile title="Open connections" value={last ? fmt(last.connections) : '…'} series={history.map((p) => p.connections)} />
        <Tile title="Events / s" value={last ? fmt(last.eventsPerS) : '…'} series={history.map((p) => p.eventsPerS)} />
        <Tile title="Deliveries / s" value={last ? fmt(last.deliveriesPerS) : '…'} series={history.map((p) => p.deliveriesPerS)} />
        <div className={`tile tile-ready ${ready?.status === 'ready' ? 'ok' : 'bad'}`}>
          <h3>Readiness</h3>
          <p className="tile-value">{ready?.status ?? '…'}</p>
          <p className="muted small">{ready ? Object.entries(ready.checks).map(([k, v]) => `${k}: ${v}`).join(' · ') : ''}</p>
        </div>
      </div>
      <div className="panel-grid">
        <Card title="Realtime">
          <dl className="stats">
            <Stat label="Connections opened" value={total(s, 'wardbell_sse_connections_opened_total')} />
            <Stat label="Events published" value={total(s, 'wardbell_events_published_total')} />
            <Stat label="Events delivered" value={total(s, 'wardbell_sse_events_delivered_total')} />
            <Stat label="Replays" value={total(s, 'wardbell_sse_replays_total')} hint="Reconnects served from Last-Event-ID" />
            <Stat label="Replayed events" value={total(s, 'wardbell_sse_replayed_events_total')} />
            <Stat label="Heartbeats" value={total(s, 'wardbell_sse_heartbeats_total')} />
          </dl>
          <p className="muted small">By type: {Object.entries(published).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(' · ') || 'nothing yet'}</p>
        </Card>
        <Card title="Notifications">
          <dl className="stats">
            <Stat label="Sent" value={total(s, 'wardbell_notifications_sent_total')} />
            <Stat label="Inbox rows" value={total(s, 'wardbell_notifications_inbox_rows_total')} />
            <Stat label="Grouped" value={total(s, 'wardbell_notifications_grouped_total')} />
            <Stat label="Idempotent repeats" value={total(s, 'wardbell_notifications_idempotent_repeats_total')} />
            <Stat label="Actions pressed" value={total(s, 'wardbell_notifications_actions_total')} />
            <Stat label="Push queued" value={total(s, 'wardbell_notifications_push_queued_total')} />
          </dl>
        </Card>
        <Card title="Push outcomes">
          <dl className="stats">
            <Stat label="Delivered" value={deliveriesByStatus.delivered ?? 0} tone="ok" />
            <Stat label="Failed" value={deliveriesByStatus.failed ?? 0} tone={(deliveriesByStatus.failed ?? 0) > 0 ? 'error' : undefined} />
            <Stat label="Pruned (gone)" value={deliveriesByStatus.pruned ?? 0} />
            <Stat label="Expired" value={deliveriesByStatus.expired ?? 0} tone={(deliveriesByStatus.expired ?? 0) > 0 ? 'warn' : undefined} />
            <Stat label="Retries scheduled" value={total(s, 'wardbell_push_retries_scheduled_total')} />
            <Stat label="In flight" value={total(s, 'wardbell_push_in_flight')} />
            <Stat label="Subscriptions" value={total(s, 'wardbell_push_subscriptions')} />
          </dl>
        </Card>
        <Card title="Errors">
          <dl className="stats">
            <Stat label="Resets" value={sumOf(resets)} tone={sumOf(resets) > 0 ? 'warn' : 'ok'} hint={Object.entries(resets).map(([k, v]) => `${k}: ${v}`).join(', ')} />
            <Stat label="Slow-client disconnects" value={total(s, 'wardbell_sse_slow_client_disconnects_total')} tone={total(s, 'wardbell_sse_slow_client_disconnects_total') > 0 ? 'warn' : 'ok'} />
            <Stat label="Events dropped" value={total(s, 'wardbell_sse_events_dropped_total')} tone={total(s, 'wardbell_sse_events_dropped_total') > 0 ? 'error' : 'ok'} />
            <Stat label="Streams refused" value={total(s, 'wardbell_sse_streams_refused_total')} tone={total(s, 'wardbell_sse_streams_refused_total') > 0 ? 'warn' : 'ok'} hint="A user already held the most streams allowed (WARDBELL_MAX_CONNECTIONS_PER_USER)" />
            <Stat label="Bus gaps filled" value={total(s, 'wardbell_bus_gaps_filled_total')} tone={total(s, 'wardbell_bus_gaps_filled_total') > 0 ? 'warn' : 'ok'} hint="Events the bus skipped, fetched from the log instead" />
            <Stat label="Push attempts failed" value={failedAttempts} tone={failedAttempts > 0 ? 'warn' : 'ok'} hint={Object.entries(attempts).map(([k, v]) => `${k}: ${v}`).join(', ')} />
            <Stat label="Push worker errors" value={total(s, 'wardbell_push_worker_errors_total')} tone={total(s, 'wardbell_push_worker_errors_total') > 0 ? 'error' : 'ok'} />
          </dl>
          <p className="muted small">Resets by reason: {Object.entries(resets).map(([k, v]) => `${k} ${v}`).join(' · ') || '—'}</p>
        </Card>
        <Card title="Process">
          <dl className="stats">
            <Stat label="Memory (RSS)" value={mb(total(s, 'process_resident_memory_bytes'))} />
            <Stat label="Heap used" value={mb(total(s, 'nodejs_heap_size_used_bytes'))} />
            <Stat label="CPU seconds" value={fmt(total(s, 'process_cpu_seconds_total'))} />
            <Stat label="Event-loop lag (p99)" value={`${fmt(total(s, 'nodejs_eventloop_lag_p99_seconds') * 1000)} ms`} hint="How late timers and I/O callbacks run: CPU-bound work shows here first" />
            <Stat label="Uptime" value={`${Math.round(uptimeSeconds(s, last?.at ?? Date.now()) / 60)} min`} />
          </dl>
          <p className="muted small">
            Raw: <a href="/metrics" target="_blank" rel="noreferrer">/metrics</a> · <a href="/api/openapi.json" target="_blank" rel="noreferrer">/api/openapi.json</a>
          </p>
        </Card>
      </div>
    </div>
  );
}

function Tile({ title, value, series }: { title: string; value: string; series: number[] }) {
  return (
    <div className="tile">
      <h3>{title}</h3>
      <p className="tile-value" aria-label={`${title}: ${value}`}>
        {value}
      </p>
      <Sparkline values={series} label={title} />
    </div>
  );
}
