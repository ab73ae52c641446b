import { createECDH } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Identity } from '../../packages/wardbell/src/auth/index.js';
import type { Clock } from '../../packages/wardbell/src/shared/index.js';
import { openSqlite } from '../../packages/wardbell/src/store/index.js';
import { readCallEvents, type CallEvent, type WorkflowTables } from '../../packages/wardbell/src/workflows/index.js';
import { eventually } from '../helpers/eventually.js';
import type { FakeClock } from '../helpers/fake-clock.js';
import { postJson, startService, type TestService } from '../helpers/service.js';
import { SseReader } from '../helpers/sse-reader.js';

export { postJson, SseReader };

/**
 * A valid VAPID pair for every service these tests start. Generated keys are checked for exactly
 * 32 octets, and Node's ECDH drops a leading zero byte of the private key (1 start in 256 fails);
 * a pair made here, retried until it is 32 octets, keeps that out of the workflow tests.
 */
function vapidPair(): Record<string, string> {
  for (;;) {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const priv = ecdh.getPrivateKey();
    if (priv.length === 32) return { WARDBELL_VAPID_PUBLIC_KEY: ecdh.getPublicKey().toString('base64url'), WARDBELL_VAPID_PRIVATE_KEY: priv.toString('base64url') };
  }
}
export const VAPID = vapidPair();

/** Services started by a test file; `closeAll` in afterEach. */
const started: Array<{ close(): Promise<void> }> = [];
const dirs: string[] = [];

/** A service of this file; with `opts.clock` (a FakeClock) its scheduler polls only when the test moves time. */
export async function start(opts: { clock?: Clock } = {}): Promise<TestService> {
  const s = await startService(VAPID, opts);
  started.push(s);
  return s;
}

export async function closeAll(): Promise<void> {
  for (const s of started.splice(0).reverse()) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function newDataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'wardbell-wf-'));
  dirs.push(d);
  return d;
}

/**
 * A service on a given data directory that leaves the directory in place when closed, so the next
 * one (a "restart") finds the same database. The directory is removed by `closeAll`.
 */
export async function startAt(dataDir: string, opts: { clock?: Clock } = {}): Promise<TestService> {
  const s = await startService(VAPID, { dataDir, ...opts });
  started.push(s);
  return s;
}

/** Direct access to a stopped service's database (playing a crashed process). */
export function openData(dataDir: string) {
  return openSqlite(join(dataDir, 'wardbell.sqlite')).withTables<WorkflowTables>();
}

/** A call's timeline as the service recorded it (read from its database file). */
export async function callTimeline(s: TestService, tenantId: string, callId: string): Promise<CallEvent[]> {
  const db = openData(s.dataDir);
  try {
    return await readCallEvents(db, tenantId, callId);
  } finally {
    await db.destroy();
  }
}

export async function send(method: 'GET' | 'DELETE' | 'POST', url: string, token: string, body?: unknown) {
  if (method === 'POST') return postJson(url, body ?? {}, token);
  const res = await fetch(url, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
}

export interface Staff {
  userId: string;
  roles: string[];
  wards: string[];
}

/**
 * One hospital: ten nurses on ward 3 (n1..n10), two on ward 5 (w5a, w5b), a manager of ward 3,
 * and the scheduling application's service identity. Everyone is in the directory.
 */
export async function hospital(s: TestService, tenantId = 'h1') {
  const staff: Staff[] = [
    ...Array.from({ length: 10 }, (_, i) => ({ userId: `n${i + 1}`, roles: ['nurse'], wards: ['3'] })),
    { userId: 'w5a', roles: ['nurse'], wards: ['5'] },
    { userId: 'w5b', roles: ['nurse'], wards: ['5'] },
    { userId: 'mgr3', roles: ['manager'], wards: ['3'] },
  ];
  const service = await s.token({ tenantId, userId: 'scheduler', roles: ['service'] });
  const put = await fetch(`${s.url}/api/directory/members`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${service}` },
    body: JSON.stringify({ members: staff }),
  });
  if (put.status !== 200) throw new Error(`directory seed failed: ${put.status} ${await put.text()}`);
  const tokens: Record<string, string> = {};
  for (const m of staff) tokens[m.userId] = await s.token({ tenantId, ...m });
  const tok = (userId: string): string => {
    const t = tokens[userId];
    if (!t) throw new Error(`no token for ${userId}`);
    return t;
  };
  return {
    tenantId,
    service,
    tok,
    url: (path: string) => `${s.url}${path}`,
    /** The caller's inbox items (newest first). */
    async inbox(userId: string, query = 'limit=100'): Promise<Array<Record<string, any>>> {
      const r = await send('GET', `${s.url}/api/notifications?${query}`, tok(userId));
      return r.json.items as Array<Record<string, any>>;
    },
    press(userId: string, notificationId: string, actionId: string) {
      return postJson(`${s.url}/api/notifications/${notificationId}/actions/${actionId}`, {}, tok(userId));
    },
    /** An SSE stream of this identity (service: the scheduling application), already connected. */
    async stream(userId: string | 'service'): Promise<SseReader> {
      const token = userId === 'service' ? service : tok(userId);
      const r = await SseReader.open(`${s.url}/api/sse`, { authorization: `Bearer ${token}` });
      await r.until((x) => x.lastEventId !== '');
      return r;
    },
  };
}

export type Hospital = Awaited<ReturnType<typeof hospital>>;

/**
 * A positive barrier for "nothing else arrives": publishes a marker event to the reader's user and
 * waits until the reader has it. A stream is ordered, so whatever was sent to it before the marker
 * (a duplicate, a leak) has arrived by then.
 */
export async function barrier(h: Hospital, reader: SseReader, userId: string): Promise<void> {
  const marker = `barrier-${Math.random().toString(36).slice(2)}`;
  const r = await postJson(h.url('/api/events'), { type: 'swap.approved', data: { marker }, to: { users: [userId] } }, h.service);
  if (r.status !== 202) throw new Error(`barrier publish failed: ${r.status} ${JSON.stringify(r.json)}`);
  await reader.until((x) => x.of('swap.approved').some((e) => e.data.includes(marker)));
}

/**
 * A positive barrier for "a timed job did not run" on a fake clock: moves time past `at` and waits
 * until a notification scheduled (to n9) just after `at` is in n9's inbox. The scheduler runs due
 * jobs in time order, so by then every job due by `at` has run (or was rightly skipped).
 */
export async function schedulerPassed(h: Hospital, clock: FakeClock, at: number): Promise<void> {
  const sendAt = Math.max(at, clock.now()) + 1;
  const title = `Scheduler barrier ${sendAt}`;
  const r = await postJson(h.url('/api/notifications/scheduled'), { title, body: '-', priority: 'low', to: { users: ['n9'] }, sendAt: new Date(sendAt).toISOString() }, h.service);
  if (r.status !== 201) throw new Error(`barrier scheduling failed: ${r.status} ${JSON.stringify(r.json)}`);
  await clock.advanceAsync(sendAt - clock.now() + 500); // past it, and one poll more
  await eventually(async () => (await h.inbox('n9')).some((i) => i.title === title), { message: 'the scheduler barrier to arrive' });
}

export const dataOf = (e: { data: string }) => JSON.parse(e.data) as Record<string, any>;
export const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
export type { Identity };
