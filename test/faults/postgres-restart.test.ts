import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { startProcess, type ServiceProcess } from '../helpers/process.js';
import { REDIS_URL, testPrefix } from '../helpers/scale.js';
import { SseReader } from '../helpers/sse-reader.js';
import { call, FAULT_SECRET, isAnswer, postgresBin, PrivatePostgres, token } from './helpers.js';
import type { ApiBody } from '../helpers/api-body.js';

/**
 * A scale-out service process (PostgreSQL + Redis) under steady traffic — sends, publishes, inbox
 * reads — while its PostgreSQL (a private server of this test, never the machine's shared one) is
 * stopped and started again on the same port and data, once with a fast shutdown and once with an
 * immediate one (a crash: the next start replays the WAL).
 *
 * While it is down, every request that needs it fails fast with 503, the error envelope (`unavailable`,
 * with the request id) and `Retry-After`: never a 500, never a hang, never a dropped connection;
 * `/readyz` says not ready, and the process keeps running (its scheduler and push worker log their
 * failed rounds). Once it is back everything works again, nothing answered 2xx before is lost
 * (notifications in the inboxes, events replayable), a send that was refused is completed exactly
 * once by its retry with the same Idempotency-Key, and the background loops pick up where they
 * stopped (a notification scheduled to go out during the outage goes out after it; the push outbox
 * drains).
 */

const bin = postgresBin();
const TENANT = 'h1';
const NURSES = Array.from({ length: 12 }, (_, i) => `nurse-${i}`);
/** A request that takes longer than this counts as hung. */
const DEADLINE_MS = 8000;

type Kind = 'send' | 'publish' | 'read';
type Phase = 'up' | 'stopping' | 'down' | 'starting' | 'back';

interface Rec {
  kind: Kind;
  /** The phase when the request left and when its answer came. */
  from: Phase;
  to: Phase;
  ms: number;
  status?: number;
  error?: string;
  hung?: boolean;
  json?: ApiBody;
  retryAfter?: string | null;
  /** Sends: the recipient, title and key; publishes: the event id. */
  user: string;
  title?: string;
  key?: string;
  eventId?: string;
}

/** Numbers every request of the suite (titles and keys never repeat across outages). */
let seq = 0;

/** Steady traffic: a few workers, each doing sends, publishes and inbox reads in turn. */
class Traffic {
  phase: Phase = 'up';
  readonly recs: Rec[] = [];
  private running = true;
  private readonly workers: Promise<void>[] = [];
  constructor(
    private readonly url: string,
    private readonly app: string,
    private readonly nurse: Map<string, string>,
  ) {}

  start(workers: number): void {
    for (let w = 0; w < workers; w++) this.workers.push(this.work(w));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  count(pred: (r: Rec) => boolean): number {
    return this.recs.filter(pred).length;
  }

  private async work(w: number): Promise<void> {
    const kinds: Kind[] = ['send', 'publish', 'read'];
    for (let i = w; this.running; i++) {
      const kind = kinds[i % 3]!;
      const n = seq++;
      const user = NURSES[n % NURSES.length]!;
      const from = this.phase;
      let rec: Rec;
      if (kind === 'send') {
        const title = `traffic ${n}`;
        const key = `traffic-${n}`;
        const r = await call(`${this.url}/api/notifications`, { token: this.app, body: { title, priority: 'medium', to: { users: [user] } }, headers: { 'idempotency-key': key }, deadlineMs: DEADLINE_MS });
        rec = { kind, from, to: this.phase, ms: r.ms, user, title, key, ...outcome(r) };
      } else if (kind === 'publish') {
        const r = await call(`${this.url}/api/events`, { token: this.app, body: { type: 'schedule.updated', data: { n }, to: { tenant: true } }, deadlineMs: DEADLINE_MS });
        rec = { kind, from, to: this.phase, ms: r.ms, user, ...outcome(r) };
        if (rec.status === 202) rec.eventId = rec.json!.id;
      } else {
        const r = await call(`${this.url}/api/notifications?limit=5`, { token: this.nurse.get(user)!, deadlineMs: DEADLINE_MS });
        rec = { kind, from, to: this.phase, ms: r.ms, user, ...outcome(r) };
      }
      this.recs.push(rec);
      // The traffic's pace (about 100 requests a second in all), not a wait for anything: a refused
      // request returns in a millisecond, and unpaced workers would only burn the machine's CPU.
      await new Promise((r) => setTimeout(r, 30));
    }
  }
}

function outcome(r: Awaited<ReturnType<typeof call>>): Pick<Rec, 'status' | 'json' | 'retryAfter' | 'error' | 'hung'> {
  if (isAnswer(r)) return { status: r.status, json: r.json, retryAfter: r.headers.get('retry-after') };
  return { error: `${r.error.name}: ${r.error.message}`, hung: r.hung };
}

/** The service's JSON log lines with this message, as parsed objects. */
function logLines(svc: ServiceProcess, msg: string): Array<{ time: number; msg: string; err?: { message?: string } }> {
  return svc
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l));
}

describe.skipIf(!REDIS_URL || !bin)('PostgreSQL stopped and started again under traffic (scale-out)', () => {
  let pgsrv: PrivatePostgres;
  let svc: ServiceProcess;
  let dataDir: string;
  let app: string;
  let firstEventId: string;
  const nurse = new Map<string, string>();
  const all: Rec[] = [];
  const summary: string[] = [];

  beforeAll(async () => {
    pgsrv = await PrivatePostgres.create(bin!);
    dataDir = mkdtempSync(join(tmpdir(), 'wardbell-pgr-'));
    svc = await startProcess({
      DATABASE_URL: pgsrv.url,
      REDIS_URL: REDIS_URL!,
      WARDBELL_REDIS_PREFIX: testPrefix(),
      WARDBELL_JWT_SECRET: FAULT_SECRET,
      WARDBELL_DATA_DIR: dataDir,
      WARDBELL_SCHEDULER_POLL_MS: '200',
      WARDBELL_REPLAY_LIMIT: '10000',
    }, 30_000);
    app = await token({ tenantId: TENANT, userId: 'scheduling-app', roles: ['service'] });
    for (const u of NURSES) nurse.set(u, await token({ tenantId: TENANT, userId: u, roles: ['nurse'], wards: ['3'] }));
    const put = await call(`${svc.url}/api/directory/members`, { method: 'PUT', token: app, body: { members: NURSES.map((userId) => ({ userId, roles: ['nurse'], wards: ['3'] })) } });
    expect(isAnswer(put) && put.status).toBe(200);
    // Where the replay check starts: the id a fresh stream is given before any traffic.
    const r = await SseReader.open(`${svc.url}/api/sse`, { authorization: `Bearer ${nurse.get(NURSES[0]!)}` });
    await r.until((x) => x.lastEventId !== '');
    firstEventId = r.lastEventId;
    r.close();
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
    await pgsrv?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (summary.length) console.log(summary.join('\n'));
  });

  /** Every title in a nurse's inbox, all pages. */
  async function inboxTitles(u: string): Promise<string[]> {
    const titles: string[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const r = await call(`${svc.url}/api/notifications?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: nurse.get(u)! });
      if (!isAnswer(r) || r.status !== 200) throw new Error(`inbox of ${u}: ${JSON.stringify(r)}`);
      titles.push(...(r.json.items as Array<{ title: string }>).map((i) => i.title));
      cursor = r.json.nextCursor ?? null;
    }
    return titles;
  }

  async function outage(mode: 'fast' | 'immediate', traffic: Traffic): Promise<void> {
    traffic.start(3);
    const ok = (kind: Kind, phase: Phase) => traffic.count((r) => r.kind === kind && r.from === phase && r.to === phase && r.status !== undefined && r.status < 300);
    await eventually(() => ok('send', 'up') >= 3 && ok('publish', 'up') >= 3 && ok('read', 'up') >= 3, { timeout: 15_000, message: 'traffic to flow' });

    // A notification due while PostgreSQL will be down, and push work queued for the worker.
    const dueAt = Date.now() + 2500;
    const scheduledTitle = `scheduled during the ${mode} outage`;
    const scheduled = await call(`${svc.url}/api/notifications/scheduled`, { token: app, body: { title: scheduledTitle, priority: 'medium', to: { users: [NURSES[1]!] }, sendAt: new Date(dueAt).toISOString() } });
    expect(isAnswer(scheduled) && scheduled.status, JSON.stringify(scheduled)).toBe(201);
    const pollFailuresBefore = logLines(svc, 'scheduler poll failed').length;
    const pushFailuresBefore = logLines(svc, 'push worker round failed').length;

    traffic.phase = 'stopping';
    await pgsrv.stop(mode);
    traffic.phase = 'down';
    const downAt = Date.now();
    expect(Date.now()).toBeLessThan(dueAt); // the job falls due while the database is down

    // Refused quickly, as 503s, for a while; readiness says so; the loops notice.
    const refused = (kind: Kind) => traffic.count((r) => r.kind === kind && r.from === 'down' && r.to === 'down' && r.status === 503);
    await eventually(() => refused('send') >= 3 && refused('read') >= 3, {
      timeout: 15_000,
      message: () => `sends and reads to be refused with 503 (answers while down: ${JSON.stringify(traffic.recs.filter((r) => r.from === 'down').slice(-6).map((r) => [r.kind, r.status ?? r.error]))})`,
    });
    const ready = await call(`${svc.url}/readyz`, { deadlineMs: 5000 });
    expect(isAnswer(ready) && ready.status).toBe(503);
    if (isAnswer(ready)) {
      expect(ready.json.status).toBe('unavailable');
      expect(ready.json.checks!.storage).not.toBe('ok');
      expect(ready.json.checks!.redis).toBe('ok');
    }
    const health = await call(`${svc.url}/healthz`, { deadlineMs: 5000 });
    expect(isAnswer(health) && health.status).toBe(200);
    await eventually(() => logLines(svc, 'scheduler poll failed').slice(pollFailuresBefore).some((l) => l.time > dueAt), { timeout: 15_000, message: 'the scheduler to fail a poll after the job fell due' });
    await eventually(() => logLines(svc, 'push worker round failed').length > pushFailuresBefore, { timeout: 15_000, message: 'the push worker to fail a round' });
    expect(svc.child.exitCode).toBeNull();
    const downForMs = Date.now() - downAt;

    traffic.phase = 'starting';
    await pgsrv.start();
    traffic.phase = 'back';
    const backAt = Date.now();
    await eventually(async () => {
      const r = await call(`${svc.url}/readyz`, { deadlineMs: 5000 });
      return isAnswer(r) && r.status === 200;
    }, { timeout: 15_000, message: '/readyz to say ready again' });
    await eventually(() => ok('send', 'back') >= 3 && ok('publish', 'back') >= 3 && ok('read', 'back') >= 3, { timeout: 15_000, message: 'traffic to succeed again' });
    await traffic.stop();
    all.push(...traffic.recs);

    // Every answer: a 2xx, or a 503 with the envelope and Retry-After. No 500, no other 5xx, no
    // dropped connection, no request past the deadline.
    const bad = traffic.recs.filter((r) => r.status === undefined || (r.status >= 300 && r.status !== 503));
    expect(bad.slice(0, 5), `${bad.length} requests neither 2xx nor 503`).toEqual([]);
    for (const r of traffic.recs.filter((x) => x.status === 503)) {
      expect(r.json?.error?.code).toBe('unavailable');
      expect(typeof r.json?.error?.requestId).toBe('string');
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
    }
    // While it was down, nothing that needs it succeeded, and nothing waited long to be refused.
    const down = traffic.recs.filter((r) => r.from === 'down' && r.to === 'down');
    expect(down.filter((r) => r.kind !== 'publish').every((r) => r.status === 503)).toBe(true);
    const slowest = Math.max(...down.map((r) => r.ms));
    expect(slowest).toBeLessThan(3000);

    // The scheduled notification went out after the database came back, once.
    const inbox1 = await eventually(async () => {
      const r = await call(`${svc.url}/api/notifications?limit=100`, { token: nurse.get(NURSES[1]!)! });
      const hits = isAnswer(r) && r.status === 200 ? (r.json.items as Array<{ title: string; createdAt: string }>).filter((i) => i.title === scheduledTitle) : [];
      return hits.length ? hits : null;
    }, { timeout: 15_000, message: 'the scheduled notification to go out' });
    expect(inbox1).toHaveLength(1);
    expect(Date.parse(inbox1[0]!.createdAt)).toBeGreaterThanOrEqual(backAt - 1000);

    // The push worker caught up: no due outbox row is left pending.
    const c = new pg.Client({ connectionString: pgsrv.url });
    await c.connect();
    try {
      await eventually(async () => {
        const r = await c.query<{ n: string }>('select count(*) as n from push_outbox where status = $1 and not_before <= $2', ['pending', Date.now()]);
        return Number(r.rows[0]!.n) === 0;
      }, { timeout: 15_000, message: 'the push outbox to drain' });
    } finally {
      await c.end();
    }
    expect(svc.child.exitCode).toBeNull();

    const by = (k: Kind, pred: (r: Rec) => boolean) => traffic.count((r) => r.kind === k && pred(r));
    summary.push(
      `${mode} shutdown: down ${downForMs} ms; ${traffic.recs.length} requests; while down: ` +
        (['send', 'read', 'publish'] as Kind[]).map((k) => `${k} ${by(k, (r) => r.from === 'down' && r.to === 'down' && r.status === 503)}x503/${by(k, (r) => r.from === 'down' && r.to === 'down' && (r.status ?? 0) < 300)}x2xx`).join(', ') +
        `; slowest refusal ${slowest} ms; 503 in all ${traffic.count((r) => r.status === 503)}`,
    );
  }

  /** One outage; a failed one still stops its traffic and starts the server again, so the next test is not a cascade. */
  async function outageThenUp(mode: 'fast' | 'immediate'): Promise<void> {
    const traffic = new Traffic(svc.url, app, nurse);
    try {
      await outage(mode, traffic);
    } finally {
      await traffic.stop();
      if (!(await pgsrv.isUp())) await pgsrv.start();
    }
  }

  it('fast shutdown: 503 with Retry-After while down, never 500 or a hang; then everything works again', async () => {
    await outageThenUp('fast');
  }, 120_000);

  it('immediate shutdown (a crash): the same, and the restart recovers what was committed', async () => {
    await outageThenUp('immediate');
  }, 120_000);

  it('nothing answered 2xx is lost: every acknowledged send is in its inbox, every acknowledged event replays', async () => {
    expect(all.length).toBeGreaterThan(0);
    const sent = all.filter((r) => r.kind === 'send' && r.status !== undefined && r.status < 300);
    for (const u of NURSES) {
      const titles = await inboxTitles(u);
      const mine = sent.filter((s) => s.user === u).map((s) => s.title!);
      expect(titles.filter((t) => mine.includes(t)).sort()).toEqual([...mine].sort());
      expect(new Set(titles).size).toBe(titles.length);
    }

    // A send refused with 503 may or may not have committed (the commit's answer can be what was
    // lost): its retry with the same key completes it, exactly once.
    const refused = all.filter((r) => r.kind === 'send' && r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    const retried = new Map<Rec, number>();
    const retry = async (s: Rec) => {
      const r = await call(`${svc.url}/api/notifications`, { token: app, body: { title: s.title, priority: 'medium', to: { users: [s.user] } }, headers: { 'idempotency-key': s.key! } });
      if (!isAnswer(r)) throw r.error;
      retried.set(s, r.status);
      // A request already running when the database went away could not free its key either (that
      // write failed too): it stays in flight until its lease lapses, and the retry is told so.
      if (r.status === 409) {
        expect(r.json.error!.code).toBe('idempotency_key_in_flight');
        expect(s.from).not.toBe('down');
      } else expect([200, 201], JSON.stringify(r.json)).toContain(r.status);
    };
    for (let i = 0; i < refused.length; i += 10) await Promise.all(refused.slice(i, i + 10).map(retry));
    const held = [...retried].filter(([, st]) => st === 409).map(([s]) => s);
    summary.push(`refused sends retried: ${refused.length - held.length} completed, ${held.length} told their key is still in flight (${held.map((s) => `${s.from}->${s.to}`).join(', ')})`);
    for (const u of [...new Set(refused.map((s) => s.user))]) {
      const titles = await inboxTitles(u);
      for (const s of refused.filter((x) => x.user === u)) {
        const n = titles.filter((t) => t === s.title).length;
        // Completed by the retry: exactly once. Still held: once if it had committed, else not yet.
        if (retried.get(s) === 409) expect(n, s.title).toBeLessThanOrEqual(1);
        else expect(n, s.title).toBe(1);
      }
    }

    // Every acknowledged event comes back to a stream resuming from before the traffic.
    const published = all.filter((r) => r.eventId).map((r) => r.eventId!);
    expect(published.length).toBeGreaterThan(0);
    const replay = await SseReader.open(`${svc.url}/api/sse`, { authorization: `Bearer ${nurse.get(NURSES[0]!)}`, 'last-event-id': firstEventId });
    try {
      await replay.until((x) => {
        const ids = new Set(x.of('schedule.updated').map((e) => e.id));
        return published.every((id) => ids.has(id));
      }, 15_000);
      expect(replay.of('reset')).toEqual([]);
    } finally {
      replay.close();
    }
  }, 60_000);
});
