import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../packages/client/src/index.js';
import { createReceiptReporter } from '../../packages/client/src/receipts.js';

/** A fetch that records the bodies sent and answers as the service does. */
function recording(fail = false) {
  const bodies: unknown[] = [];
  const fetch = async (_url: string, init: RequestInit) => {
    bodies.push(JSON.parse(String(init.body)));
    if (fail) return new Response(JSON.stringify({ error: { code: 'unavailable', message: 'down' } }), { status: 503, headers: { 'content-type': 'application/json' } });
    return new Response(JSON.stringify({ recorded: 1, unknown: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { bodies, api: createApiClient({ baseUrl: 'https://wardbell.test', getToken: () => 't', fetch, retries: 0 }) };
}

function timers() {
  const pending: Array<() => void> = [];
  return { pending, setTimeout: (fn: () => void) => (pending.push(fn), pending.length), clearTimeout: () => void pending.splice(0) };
}

describe('createReceiptReporter', () => {
  it('gathers reports into one call, each (notification, kind) once', async () => {
    const r = recording();
    const t = timers();
    const rep = createReceiptReporter({ api: r.api, setTimeout: t.setTimeout, clearTimeout: t.clearTimeout, now: () => Date.UTC(2026, 11, 3, 9) });
    rep.displayed('a');
    rep.displayed('b');
    rep.displayed('a');
    rep.opened('a');
    expect(r.bodies).toEqual([]);
    expect(t.pending).toHaveLength(1);
    await rep.flush();
    expect(r.bodies).toEqual([{ receipts: [
      { id: 'a', kind: 'displayed', via: 'page', at: '2026-12-03T09:00:00.000Z' },
      { id: 'b', kind: 'displayed', via: 'page', at: '2026-12-03T09:00:00.000Z' },
      { id: 'a', kind: 'opened', via: 'page', at: '2026-12-03T09:00:00.000Z' },
    ] }]);
    rep.displayed('a');
    await rep.flush();
    expect(r.bodies).toHaveLength(1);
  });

  it('sends at most 100 per call, and drops a failed call instead of retrying', async () => {
    const r = recording(true);
    const t = timers();
    const rep = createReceiptReporter({ api: r.api, setTimeout: t.setTimeout, clearTimeout: t.clearTimeout });
    for (let i = 0; i < 150; i++) rep.displayed(`n${i}`);
    await rep.flush();
    expect(r.bodies.map((b) => (b as { receipts: unknown[] }).receipts.length)).toEqual([100, 50]);
    await rep.flush();
    expect(r.bodies).toHaveLength(2);
  });
});
