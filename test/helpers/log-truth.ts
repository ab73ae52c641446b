import { createSSEClient, type SSEClient } from '../../packages/client/src/index.js';
import { parseEventId, type EventLog } from '../../packages/wardbell/src/events/index.js';

/** What one real client received: its events (id and data) and each `reset` (its position, and how many events had come before it). */
export interface ClientRecord {
  readonly tenantId: string;
  readonly client: SSEClient;
  readonly events: Array<{ id: string; data: unknown }>;
  readonly resets: Array<{ lastEventId: string; after: number }>;
}

/** A real SSE client of `type` events whose every event and reset is recorded. */
export function recordingClient(opts: { tenantId: string; token: string; type: string; fetch: typeof fetch }): ClientRecord {
  const events: ClientRecord['events'] = [];
  const resets: ClientRecord['resets'] = [];
  const client = createSSEClient({
    url: 'http://placeholder/api/sse',
    fetch: opts.fetch,
    getToken: () => opts.token,
    reconnect: { baseDelayMs: 50, maxDelayMs: 300, maxAttempts: 500 },
  });
  client.on(opts.type, (data, ev) => events.push({ id: ev.id ?? '', data }));
  client.on('reset', (r) => resets.push({ lastEventId: (r as { lastEventId: string }).lastEventId, after: events.length }));
  client.connect();
  return { tenantId: opts.tenantId, client, events, resets };
}

/**
 * The client against the durable log: after its last reset (or from the start of the log when it
 * had none), it must hold exactly the log's events after that position, in order, none twice.
 * `got` and `want` as `<id> <data>` lines, for one `toEqual`.
 */
export async function againstLog(log: EventLog, rec: ClientRecord): Promise<{ got: string[]; want: string[] }> {
  const last = rec.resets.at(-1);
  const got = rec.events.slice(last?.after ?? 0).map((e) => `${e.id} ${JSON.stringify(e.data)}`);
  const from = last ? parseEventId(last.lastEventId) : { epoch: (await log.head(rec.tenantId)).epoch, offset: 0 };
  if (!from) return { got, want: [`an unreadable reset position: ${last?.lastEventId}`] };
  const r = await log.readSince(rec.tenantId, from, 1_000_000);
  const want = r.continuity === 'intact' ? r.events.map((e) => `${e.id} ${JSON.stringify(e.data)}`) : [`the log cannot continue from ${last?.lastEventId ?? 'its start'}: ${r.reason}`];
  return { got, want };
}
