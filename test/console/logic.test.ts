/** The console's pure logic (the live inbox rules are @wardbell/react's, tested there): the metrics parser, token claims, event summaries. */
import { describe, expect, it } from 'vitest';
import { byLabel, metricsRefusal, parseMetrics, rate, total, uptimeSeconds } from '../../packages/wardbell/web/src/lib/metrics.js';
import { parseActions } from '../../packages/wardbell/web/src/lib/recipients.js';
import { summarize } from '../../packages/wardbell/web/src/lib/summary.js';
import type { SentNotification } from '../../packages/wardbell/web/src/lib/types.js';

const n = (id: string, extra: Partial<SentNotification> = {}): SentNotification => ({
  id,
  type: 'general',
  priority: 'medium',
  title: `title ${id}`,
  body: '',
  actions: [],
  groupKey: null,
  groupCount: 1,
  senderId: 'svc',
  createdAt: '2026-11-26T00:00:00Z',
  updatedAt: '2026-11-26T00:00:00Z',
  ...extra,
});

describe('metrics parser', () => {
  const text = [
    '# HELP wardbell_sse_connections Open SSE connections.',
    '# TYPE wardbell_sse_connections gauge',
    'wardbell_sse_connections 3',
    'wardbell_events_published_total{type="notification"} 5',
    'wardbell_events_published_total{type="schedule.updated"} 2',
    'wardbell_sse_resets_total{reason="trimmed"} 1',
    'wardbell_sse_resets_total{reason="a \\"quoted\\" reason"} 4',
    'process_cpu_seconds_total 1.25',
    'garbage line',
  ].join('\n');

  it('reads gauges, counters and labels', () => {
    const s = parseMetrics(text);
    expect(total(s, 'wardbell_sse_connections')).toBe(3);
    expect(total(s, 'wardbell_events_published_total')).toBe(7);
    expect(total(s, 'wardbell_events_published_total', ['type', 'notification'])).toBe(5);
    expect(byLabel(s, 'wardbell_sse_resets_total', 'reason')).toEqual({ trimmed: 1, 'a "quoted" reason': 4 });
    expect(total(s, 'process_cpu_seconds_total')).toBe(1.25);
    expect(total(s, 'missing')).toBe(0);
  });

  it('computes rates and treats a counter that went back (restart) as 0', () => {
    expect(rate(10, 20, 2)).toBe(5);
    expect(rate(undefined, 20, 2)).toBe(0);
    expect(rate(20, 3, 2)).toBe(0);
  });

  it('reads the uptime from the process start time, never below 0', () => {
    const s = parseMetrics('process_start_time_seconds 1796000000\nnodejs_heap_size_used_bytes 4.2e+7');
    expect(uptimeSeconds(s, 1796000600_000)).toBe(600);
    expect(uptimeSeconds(s, 1795999990_000)).toBe(0);
    expect(uptimeSeconds(parseMetrics(''), 1796000600_000)).toBe(0);
    expect(total(s, 'nodejs_heap_size_used_bytes')).toBe(42_000_000);
  });

  it('says why /metrics cannot be read when it is protected or elsewhere', () => {
    expect(metricsRefusal(401)).toContain('WARDBELL_METRICS_TOKEN');
    expect(metricsRefusal(404)).toContain('WARDBELL_METRICS_PORT');
    expect(metricsRefusal(503)).toBe('/metrics answered 503');
  });
});

describe('custom actions and event summaries', () => {
  it('parses id:Label:style lists and reports mistakes', () => {
    expect(parseActions('ack:Acknowledge, later:Later:secondary')).toEqual({
      actions: [{ id: 'ack', label: 'Acknowledge' }, { id: 'later', label: 'Later', style: 'secondary' }],
      error: null,
    });
    expect(parseActions('Bad Id:x').error).toContain('lowercase');
    expect(parseActions('a:A:loud').error).toContain('style');
    expect(parseActions('a, b, c, d').error).toBe('At most 3 actions.');
  });

  it('summarises the known event types in one line', () => {
    expect(summarize('notification', { notification: n('a', { priority: 'urgent', title: 'Code blue' }), unreadCount: 4 })).toBe('[urgent] Code blue — from svc · unread 4');
    expect(summarize('notification.updated', { id: 'abc', action: { id: 'ack', by: 'nurse-lee' } })).toContain('nurse-lee answered “ack”');
    expect(summarize('inbox.updated', { read: 'all', unreadCount: 0 })).toBe('read all · unread 0');
    expect(summarize('reset', { reason: 'trimmed', lastEventId: 'e-1' })).toContain('reason trimmed');
    expect(summarize('schedule.updated', { a: 1 })).toBe('{"a":1}');
  });
});
