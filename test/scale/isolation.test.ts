/**
 * Multi-tenant isolation across two service processes on one PostgreSQL and Redis, on a random
 * scenario made from a seed (`isolation-model.ts`): 4 to 6 hospitals whose staff and ward ids
 * overlap (`kim` of h0 is not `kim` of h1), streams opened on either process (bearer, single-use
 * ticket, spoofed gateway headers, narrowed topics, Last-Event-ID of their own tenant, of another
 * tenant, from the future, garbage), events published and notifications sent through either
 * process to every audience kind (users, `user:`, `ward:`, `role:`, the whole tenant), inbox reads,
 * deletes and action presses, push subscriptions at a fake push service, and requests that try to
 * cross a tenant on purpose (other tenants' notification ids and event ids, ungranted topics,
 * forged, tampered and expired tokens, a tenant named in a body, foreign action tokens and backups).
 *
 * What each stream, inbox and push subscription must get is computed from the scenario alone;
 * the test fails when anything reaches the wrong tenant or user, and when an intended recipient
 * misses something. A new seed each local run, one fixed seed in CI; the seed is printed, and
 * `WARDBELL_PROPERTY_SEED=<seed> npx vitest run test/scale/isolation.test.ts` replays it.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../packages/wardbell/src/auth/index.js';
import type { BackupFile } from '../../packages/wardbell/src/push/index.js';
import { parseBody, type ApiBody } from '../helpers/api-body.js';
import { eventually } from '../helpers/eventually.js';
import { startProcess, type ServiceProcess } from '../helpers/process.js';
import { createTestDatabase, REDIS_URL, scaleOut, testPrefix } from '../helpers/scale.js';
import { SseReader, type ReadEvent } from '../helpers/sse-reader.js';
import { FakePushService, type FakeSubscription } from '../push/helpers/fake-push-service.js';
import { fakePushEnv } from '../push/helpers/push-service.js';
import {
  APP,
  expectedPushes,
  expectedStream,
  eventKey,
  listOf,
  makeScenario,
  markOf,
  MUTED_TYPE,
  USER_POOL,
  WARD_POOL,
  type ListExpect,
  type NotifRef,
  type Person,
  type Scenario,
  type Step,
  type StreamSpec,
  type TenantScenario,
  type Via,
} from './isolation-model.js';

const SECRET = 'isolation-test-secret-0123456789abcdef-xyz';
const KEY = new TextEncoder().encode(SECRET);
const seed = process.env.WARDBELL_PROPERTY_SEED ? Number(process.env.WARDBELL_PROPERTY_SEED) : process.env.CI ? 20_261_203 : randomInt(2 ** 31);

const fmtId = (epoch: string, offset: number) => `${epoch}-${String(offset).padStart(12, '0')}`;
const offsetOf = (id: string | undefined) => (id ? Number(id.slice(id.lastIndexOf('-') + 1)) : -1);
const epochOf = (id: string | undefined) => (id ? id.slice(0, id.lastIndexOf('-')) : '');
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe.skipIf(!scaleOut)('tenant isolation on two processes, random scenario', () => {
  let scenario: Scenario;
  let procs: Record<Via, ServiceProcess>;
  let database: { url: string; drop(): Promise<void> };
  let dataDir: string;
  let fake: FakePushService;
  let db: pg.Client;

  const epochs = new Map<string, string>();
  const idByMark = new Map<string, string>();
  const markById = new Map<string, string>();
  const readers = new Map<string, SseReader>();
  const tickets = new Map<string, string>();
  const fakeSubs = new Map<string, FakeSubscription>();
  const subByFakeId = new Map<string, string>();
  const tokens = new Map<string, Promise<string>>();
  let scenarioRan = false;

  const tenantOf = (id: string) => scenario.tenants.find((t) => t.id === id) as TenantScenario;
  const tokenOf = (tenant: string, p: Person) => {
    const k = `${tenant}\0${p.userId}`;
    let t = tokens.get(k);
    if (!t) tokens.set(k, (t = signDevToken({ tenantId: tenant, userId: p.userId, roles: p.roles, wards: p.wards }, KEY, 3600)));
    return t;
  };
  const idOf = (r: NotifRef) => {
    const id = idByMark.get(markOf(r));
    if (!id) throw new Error(`seed ${seed}: notification ${markOf(r)} has no id (its send did not succeed)`);
    return id;
  };
  async function call(via: Via, method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${procs[via].url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: parseBody(await res.text()), headers: res.headers };
  }
  const subscribe = (via: Via, token: string, s: FakeSubscription, extra: Record<string, unknown> = {}) =>
    call(via, 'POST', '/api/push/subscribe', token, { endpoint: s.endpoint, keys: s.keys, expirationTime: null, ...extra });

  beforeAll(async () => {
    scenario = makeScenario(seed);
    const size = scenario.tenants.map((t) => `${t.id}: ${t.members.length} staff, ${t.streams.length} streams, ${t.subs.length} push subscriptions, ${t.phases.flat().length} steps, ${t.events.length} events, ${t.notifications.length} notifications`);
    const frames = scenario.tenants.reduce((n, t) => n + t.streams.reduce((m, s) => m + expectedStream(t, s).length, 0), 0);
    const pushes = scenario.tenants.flatMap(expectedPushes);
    console.log(
      `tenant isolation: seed ${seed} (replay: WARDBELL_PROPERTY_SEED=${seed} npx vitest run test/scale/isolation.test.ts)\n  ${size.join('\n  ')}\n` +
        `  expected: ${frames} stream frames, ${pushes.filter((p) => p.required).length} pushes required, ${pushes.length} allowed`,
    );
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'wardbell-isolation-'));
    fake = await FakePushService.start();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: REDIS_URL as string,
      WARDBELL_REDIS_PREFIX: testPrefix().replace(/:/g, '-'),
      WARDBELL_JWT_SECRET: SECRET,
      WARDBELL_DATA_DIR: dataDir,
      // The model counts each tenant's log exactly, event by event; the receipts' summaries are
      // appended on their own schedule (test/receipts covers them, and their tenant).
      WARDBELL_RECEIPT_EVENTS: 'off',
      ...fakePushEnv(fake),
    };
    // One after the other: the first migrates and writes the shared keys (VAPID, sealing, action tokens).
    const a = await startProcess(env);
    const b = await startProcess(env);
    procs = { a, b };
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    for (const r of readers.values()) r.close();
    await db?.end();
    await Promise.all([procs?.a.stop(), procs?.b.stop()]);
    await fake?.close();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function setUp(t: TenantScenario) {
    const app = await tokenOf(t.id, APP);
    const put = await call('a', 'PUT', '/api/directory/members', app, { members: t.members.map((m) => ({ userId: m.userId, roles: m.roles, wards: m.wards })) });
    expect(put.status, `seed ${seed}: directory of ${t.id}`).toBe(200);
    for (const m of t.members.filter((x) => x.muted)) {
      const r = await call('b', 'PUT', '/api/notifications/preferences', await tokenOf(t.id, m), { channels: { [MUTED_TYPE]: { inbox: false, push: false } } });
      expect(r.status, `seed ${seed}: preferences of ${m.userId}@${t.id}`).toBe(200);
    }
    for (const s of t.subs) {
      const device = fake.subscription();
      fakeSubs.set(s.name, device);
      subByFakeId.set(device.id, s.name);
      const member = t.members.find((m) => m.userId === s.userId) as Person;
      const r = await subscribe(s.via, await tokenOf(t.id, member), device, s.requested ? { topics: s.requested } : {});
      expect(r.status, `seed ${seed}: subscription ${s.name}: ${JSON.stringify(r.json)}`).toBe(201);
      expect([...r.json.subscription!.topics].sort(), `seed ${seed}: topics stored for ${s.name}`).toEqual([...s.topics].sort());
    }
  }

  function leiText(s: StreamSpec): string | undefined {
    const l = s.lastEventId;
    if (!l) return undefined;
    if (l.kind === 'garbage') return l.raw;
    const epoch = epochs.get(l.kind === 'foreign' ? l.tenant : s.tenant);
    if (!epoch) throw new Error(`seed ${seed}: no epoch known for ${l.kind === 'foreign' ? l.tenant : s.tenant}`);
    return fmtId(epoch, l.offset);
  }

  async function openStream(s: StreamSpec) {
    const token = await tokenOf(s.tenant, s.who);
    const q = new URLSearchParams();
    const headers: Record<string, string> = {};
    if (s.requested) q.set('topics', s.requested.join(','));
    const lei = leiText(s);
    if (s.auth === 'ticket') {
      const r = await call(s.ticketVia, 'POST', '/api/sse/ticket', token);
      expect(r.status, `seed ${seed}: ticket for ${s.name}`).toBe(201);
      tickets.set(s.name, r.json.ticket!);
      q.set('ticket', r.json.ticket!);
      // A native EventSource cannot set headers: the position goes in the query.
      if (lei !== undefined) q.set('lastEventId', lei);
    } else {
      headers.authorization = `Bearer ${token}`;
      if (lei !== undefined) headers['last-event-id'] = lei;
    }
    if (s.auth === 'spoofed-headers') {
      // Gateway headers are ignored unless the service runs in trusted-proxy mode.
      const other = scenario.tenants.find((t) => t.id !== s.tenant) as TenantScenario;
      Object.assign(headers, { 'x-tenant-id': other.id, 'x-user-id': other.members[0]?.userId ?? 'kim', 'x-user-roles': 'service,admin', 'x-user-wards': WARD_POOL.join(',') });
    }
    const r = await SseReader.open(`${procs[s.via].url}/api/sse${q.size ? `?${q}` : ''}`, headers);
    readers.set(s.name, r);
    expect(r.status, `seed ${seed}: stream ${s.name} (${s.who.userId}@${s.tenant}) opened: ${r.body}`).toBe(200);
    const e = s.expect;
    if (e.mode === 'fresh') {
      await r.until((x) => x.lastEventId !== '');
      const known = epochs.get(s.tenant);
      if (!known) epochs.set(s.tenant, epochOf(r.lastEventId));
      expect(r.lastEventId, `seed ${seed}: stream ${s.name} starts at the tenant's head`).toBe(fmtId(epochs.get(s.tenant) as string, e.head));
    } else if (e.mode === 'replay') {
      // Wait for the end of the replay, so the next step's events come live.
      if (e.waitFor !== null) await r.until((x) => offsetOf(x.lastEventId) >= (e.waitFor as number));
    } else {
      await r.until((x) => x.of('reset').length > 0);
    }
  }

  const is = (got: { status: number; json: ApiBody }, status: number, what: string) => expect(got.status, `seed ${seed}: ${what}: ${JSON.stringify(got.json).slice(0, 300)}`).toBe(status);

  async function runStep(t: TenantScenario, step: Step, where: string) {
    switch (step.kind) {
      case 'stream':
        return openStream(step.stream);
      case 'publish': {
        const r = await call(step.via, 'POST', '/api/events', await tokenOf(t.id, step.who), { type: step.type, data: { mark: step.mark }, to: step.to });
        is(r, step.expect.status, where);
        if (step.expect.status === 202) expect(r.json.id, `seed ${seed}: ${where}: the event's id`).toBe(fmtId(epochs.get(t.id) as string, step.expect.offset));
        return;
      }
      case 'send': {
        const r = await call(step.via, 'POST', '/api/notifications', await tokenOf(t.id, step.who), step.body);
        const ex = step.expect;
        is(r, ex.status, where);
        if (ex.status === 201) {
          const mark = markOf({ tenant: t.id, idx: ex.notif });
          expect({ replayed: r.headers.get('idempotent-replayed') === 'true', recipients: r.json.recipients }, `seed ${seed}: ${where}`).toEqual({ replayed: ex.replayed, recipients: ex.recipients });
          if (!ex.replayed) {
            idByMark.set(mark, r.json.notification!.id);
            markById.set(r.json.notification!.id, mark);
          } else expect(r.json.notification!.id, `seed ${seed}: ${where}: the first send's notification`).toBe(idByMark.get(mark));
        } else expect(r.json.error?.code, `seed ${seed}: ${where}`).toBe(ex.code);
        return;
      }
      case 'list':
        return expect(await inboxOf(step.via, t.id, step.who), `seed ${seed}: ${where}: inbox of ${step.who.userId}@${t.id}`).toEqual(step.expect);
      case 'get': {
        const r = await call(step.via, 'GET', `/api/notifications/${idOf(step.ref)}`, await tokenOf(t.id, step.who));
        is(r, step.expect.status, where);
        if (r.status === 200) expect(r.json.data?.mark, `seed ${seed}: ${where}`).toBe(markOf(step.ref));
        return;
      }
      case 'read': {
        const token = await tokenOf(t.id, step.who);
        const r =
          step.form === 'one'
            ? await call(step.via, 'PATCH', `/api/notifications/${idOf(step.refs[0] as NotifRef)}`, token, { read: true })
            : await call(step.via, 'PATCH', '/api/notifications', token, step.form === 'all' ? { all: true } : { ids: step.refs.map(idOf) });
        is(r, step.expect.status, where);
        if (r.status === 200) expect(r.json, `seed ${seed}: ${where}`).toEqual({ updated: step.expect.updated, unreadCount: step.expect.unread });
        return;
      }
      case 'delete': {
        const token = await tokenOf(t.id, step.who);
        const r =
          step.form === 'one'
            ? await call(step.via, 'DELETE', `/api/notifications/${idOf(step.refs[0] as NotifRef)}`, token)
            : await call(step.via, 'DELETE', `/api/notifications?ids=${step.refs.map(idOf).join(',')}`, token);
        is(r, step.expect.status, where);
        if (r.status === 200) expect(r.json, `seed ${seed}: ${where}`).toEqual({ deleted: step.expect.deleted, unreadCount: step.expect.unread });
        return;
      }
      case 'press': {
        const r = await call(step.via, 'POST', `/api/notifications/${idOf(step.ref)}/actions/${step.action}`, await tokenOf(t.id, step.who));
        is(r, step.expect.status, where);
        if (r.status === 200) expect(r.json.result, `seed ${seed}: ${where}`).toBe('recorded');
        return;
      }
      case 'attack':
        return attack(t, step, where);
    }
  }

  async function attack(t: TenantScenario, step: Extract<Step, { kind: 'attack' }>, where: string) {
    const other = tenantOf(step.foreign);
    const own = await tokenOf(t.id, step.who);
    const tamper = (token: string, patch: Record<string, unknown>) => {
      const [h, p, s] = token.split('.') as [string, string, string];
      return `${h}.${b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString('utf8')), ...patch })}.${s}`;
    };
    const missingWard = WARD_POOL.find((w) => !step.who.wards.includes(w)) ?? '9';
    let r: { status: number; json: ApiBody; headers?: Headers };
    switch (step.what) {
      case 'wrong-secret-publish': {
        const forged = await signDevToken({ tenantId: t.id, userId: 'app', roles: ['service'], wards: [] }, new TextEncoder().encode('not-the-secret-but-long-enough-0123456789'), 600);
        r = await call(step.via, 'POST', '/api/events', forged, { type: 'schedule.updated', data: { mark: 'forged' }, to: { tenant: true } });
        break;
      }
      case 'alg-none-publish': {
        const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'app', tid: t.id, roles: ['service'], wards: [], exp: Math.floor(Date.now() / 1000) + 600 })}.`;
        r = await call(step.via, 'POST', '/api/events', none, { type: 'schedule.updated', data: { mark: 'none' }, to: { tenant: true } });
        break;
      }
      case 'expired-inbox':
        r = await call(step.via, 'GET', '/api/notifications', await signDevToken({ tenantId: t.id, userId: step.who.userId, roles: step.who.roles, wards: step.who.wards }, KEY, -3600));
        break;
      case 'tampered-tenant-inbox':
        r = await call(step.via, 'GET', '/api/notifications', tamper(own, { tid: other.id }));
        break;
      case 'tampered-tenant-stream': {
        const s = await SseReader.open(`${procs[step.via].url}/api/sse`, { authorization: `Bearer ${tamper(own, { tid: other.id, wards: WARD_POOL })}` });
        s.close();
        r = { status: s.status, json: parseBody(s.body) };
        break;
      }
      case 'publish-names-tenant':
        r = await call(step.via, 'POST', '/api/events', own, { type: 'schedule.updated', data: { mark: 'named' }, to: { tenant: true }, tenantId: other.id });
        break;
      case 'send-names-tenant':
        r = await call(step.via, 'POST', '/api/notifications', own, { title: 'named', to: { tenant: true }, tenantId: other.id });
        break;
      case 'send-foreign-users': {
        const stranger = other.members.find((m) => !t.members.some((x) => x.userId === m.userId)) as Person;
        r = await call(step.via, 'POST', '/api/notifications', own, { title: 'to a stranger', to: { users: [stranger.userId] } });
        expect(r.json.error?.code, `seed ${seed}: ${where}`).toBe('unknown_recipients');
        break;
      }
      case 'stream-foreign-ward': {
        const s = await SseReader.open(`${procs[step.via].url}/api/sse?topics=ward:${missingWard}`, { authorization: `Bearer ${own}` });
        s.close();
        r = { status: s.status, json: parseBody(s.body) };
        break;
      }
      case 'push-foreign-topic':
      case 'push-claims-tenant': {
        const device = fake.subscription();
        subByFakeId.set(device.id, `refused-${device.id}`);
        r = await subscribe(step.via, own, device, step.what === 'push-foreign-topic' ? { topics: [`ward:${missingWard}`] } : { tenantId: other.id });
        break;
      }
      case 'push-unsubscribe-foreign': {
        const victim = fakeSubs.get((other.subs[0] as { name: string }).name) as FakeSubscription;
        r = await call(step.via, 'DELETE', '/api/push/subscribe', own, { endpoint: victim.endpoint });
        break;
      }
      case 'ticket-reuse': {
        const used = tickets.get((t.streams.find((s) => s.auth === 'ticket') as StreamSpec).name) as string;
        const s = await SseReader.open(`${procs[step.via].url}/api/sse?ticket=${used}`);
        s.close();
        r = { status: s.status, json: parseBody(s.body) };
        break;
      }
    }
    is(r, step.expect.status, `${where} (${step.what})`);
  }

  /** The fields of the frames' data that `keyOf` reads (one type for every event type it sees). */
  interface FrameData {
    reason?: string;
    notification?: { data?: { mark?: string } };
    unreadCount?: number;
    read?: string[] | 'all';
    deleted?: string[] | 'all';
    id?: string;
    action?: { id: string; by: string };
    mark?: string;
  }

  async function inboxOf(via: Via, tenant: string, who: Person): Promise<ListExpect> {
    const r = await call(via, 'GET', '/api/notifications?limit=100', await tokenOf(tenant, who));
    expect(r.status, `seed ${seed}: inbox of ${who.userId}@${tenant}`).toBe(200);
    const items = r.json.items!.map((i) => {
      const mark = markById.get(i.id) ?? `unknown:${i.id}`;
      // The content is the notification's own (not another tenant's under the same id).
      expect(i.data?.mark, `seed ${seed}: inbox item ${i.id} of ${who.userId}@${tenant}`).toBe(mark);
      return { mark, read: i.readAt !== null, acted: i.actedAction };
    });
    return { unread: r.json.unreadCount!, items: items.sort((a, b) => a.mark.localeCompare(b.mark)) };
  }

  /** A received frame as the model writes it: `offset|type|label`. */
  function keyOf(e: ReadEvent): string {
    const d = JSON.parse(e.data) as FrameData;
    const marks = (x: string[] | 'all' | undefined) => (x === 'all' ? 'all' : (x ?? []).map((id) => markById.get(id) ?? `unknown:${id}`).join(','));
    let label: string;
    if (e.event === 'reset') label = `reset:${d.reason}`;
    else if (e.event === 'notification') label = `${d.notification?.data?.mark}#${d.unreadCount ?? '-'}`;
    else if (e.event === 'inbox.updated') label = `inbox:${'read' in d ? 'read' : 'deleted'}:${marks(d.read ?? d.deleted)}#${d.unreadCount}`;
    else if (e.event === 'notification.updated') label = `upd:${markById.get(d.id ?? '') ?? `unknown:${d.id}`}:${d.action?.id}:${d.action?.by}`;
    else label = String(d?.mark);
    return eventKey(offsetOf(e.id), e.event, label);
  }

  it('runs the scenario through both processes, every answer as the model says', async () => {
    try {
      await runScenario();
    } catch (err) {
      // What the processes logged (warnings and errors) belongs with the failure.
      if (err instanceof Error) err.message += `\n--- process a ---\n${procs.a.output().slice(-3000)}\n--- process b ---\n${procs.b.output().slice(-3000)}`;
      throw err;
    }
    scenarioRan = true;
  }, 60_000);

  async function runScenario() {
    await Promise.all(scenario.tenants.map(setUp));
    // Phases: 1 streams, 2 a first send per tenant, 3 the mix, 4 attacks, 5 the closing event.
    // Tenants run in parallel; one tenant's steps run in order, so its event offsets are known.
    for (let phase = 1; phase <= 5; phase++) {
      await Promise.all(
        scenario.tenants.map(async (t) => {
          const steps = t.phases[phase] ?? [];
          for (let i = 0; i < steps.length; i++) await runStep(t, steps[i] as Step, `${t.id} phase ${phase} step ${i} (${(steps[i] as Step).kind} via ${(steps[i] as { via?: string }).via ?? (steps[i] as { stream?: StreamSpec }).stream?.via})`);
        }),
      );
    }
  }

  it('delivers to every stream exactly the events its identity grants, in order, and nothing of another tenant', async () => {
    expect(scenarioRan).toBe(true);
    for (const t of scenario.tenants) {
      const last = t.events.length;
      for (const s of t.streams) {
        const r = readers.get(s.name) as SseReader;
        // The tenant's closing event is for every stream of the tenant: once it is in, all before it is.
        await r.until((x) => offsetOf(x.lastEventId) >= last, 10_000);
        const got = r.events.filter((e) => e.event !== 'ping');
        const what = `seed ${seed}: stream ${s.name} of ${s.who.userId}@${t.id} on ${s.via} (${s.auth}, topics ${s.topics.join(',')}, ${JSON.stringify(s.lastEventId ?? null)})`;
        expect(got.map((e) => epochOf(e.id)).filter((ep) => ep !== epochs.get(t.id)), `${what}: ids of another log`).toEqual([]);
        expect(got.map(keyOf), what).toEqual(expectedStream(t, s));
        r.close();
      }
    }
  }, 30_000);

  it('pushes each notification to the subscriptions of its recipients that want it, and to no other', async () => {
    expect(scenarioRan).toBe(true);
    const expected = scenario.tenants.flatMap((t) => expectedPushes(t).map((p) => ({ ...p, tenant: t.id })));
    const key = (sub: string, mark: string) => `${sub}|${mark}`;
    const allowed = new Set(expected.map((p) => key(p.sub, p.mark)));
    const required = expected.filter((p) => p.required).map((p) => key(p.sub, p.mark));
    const received = () => new Set(fake.received.map((r) => key(subByFakeId.get(r.subscriptionId) ?? `unknown:${r.subscriptionId}`, markById.get(String(r.payload?.id)) ?? `unknown:${String(r.payload?.id)}`)));
    await eventually(() => expect(required.filter((k) => !received().has(k))).toEqual([]), { timeout: 20_000, message: `seed ${seed}: every required push arrived` });
    // Then nothing is left to send: every outbox row expanded, every delivery settled.
    await eventually(
      async () => {
        const r = await db.query("select (select count(*) from push_outbox where status = 'pending') + (select count(*) from push_deliveries where status in ('pending', 'sending')) as n");
        return Number(r.rows[0].n) === 0;
      },
      { timeout: 20_000, message: `seed ${seed}: every push settled` },
    ).catch(async (err: Error) => {
      const open = await db.query("select 'outbox' as t, status, not_before, attempts, last_error from push_outbox where status = 'pending' union all select 'delivery', status, not_before, attempts, last_error from push_deliveries where status in ('pending', 'sending')");
      err.message += `\nstill open: ${JSON.stringify(open.rows.slice(0, 10))} (now ${Date.now()})`;
      throw err;
    });
    const problems: string[] = [];
    for (const r of fake.received) {
      const sub = subByFakeId.get(r.subscriptionId) ?? `unknown:${r.subscriptionId}`;
      const owner = scenario.tenants.flatMap((t) => t.subs).find((s) => s.name === sub);
      const mark = markById.get(String(r.payload?.id)) ?? `unknown:${String(r.payload?.id)}`;
      if (!r.vapid.ok || !r.payload) problems.push(`${sub}: push not verified or not decrypted`);
      if (!allowed.has(key(sub, mark))) problems.push(`${sub}: got ${mark}, not for it`);
      if (r.payload && r.payload.data?.mark !== mark) problems.push(`${sub}: payload of ${r.payload.id} carries ${JSON.stringify(r.payload.data)}`);
      const claims = r.payload ? JSON.parse(Buffer.from(String(r.payload.token).split('.')[0] ?? '', 'base64url').toString('utf8') || '{}') : {};
      if (!owner || claims.t !== owner.tenant || claims.u !== owner.userId || claims.n !== r.payload?.id) problems.push(`${sub}: action token for ${JSON.stringify(claims)}`);
    }
    expect(problems, `seed ${seed}`).toEqual([]);
  }, 45_000);

  it('refuses action tokens, push backups and unsubscribes outside their tenant and user', async () => {
    expect(scenarioRan).toBe(true);
    // An action token from a push: good only for its own notification, user and tenant.
    const withToken = fake.received.filter((r) => r.payload?.token).slice(0, 4);
    for (const r of withToken) {
      const mark = markById.get(String(r.payload?.id)) as string;
      const tenant = mark.slice(0, mark.indexOf('-'));
      const foreign = [...markById.entries()].find(([, m]) => !m.startsWith(`${tenant}-`)) as [string, string];
      const token = String(r.payload?.token);
      const other = await call('b', 'POST', `/api/notifications/${foreign[0]}/actions/ack`, undefined, undefined, { 'x-wardbell-action-token': token });
      is(other, 401, `action token of ${mark} used on ${foreign[1]}`);
      const [p, sig] = token.split('.') as [string, string];
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
      const moved = await call('a', 'POST', `/api/notifications/${String(r.payload?.id)}/actions/ack`, undefined, undefined, { 'x-wardbell-action-token': `${b64({ ...claims, t: foreign[1].slice(0, foreign[1].indexOf('-')) })}.${sig}` });
      is(moved, 401, `action token of ${mark} edited to another tenant`);
    }
    for (const t of scenario.tenants) {
      const app = await tokenOf(t.id, APP);
      const stats = await call('a', 'GET', '/api/push/stats', app);
      is(stats, 200, `push stats of ${t.id}`);
      expect({ subscriptions: stats.json.subscriptions, users: stats.json.users }, `seed ${seed}: push stats of ${t.id}`).toEqual({ subscriptions: t.subs.length, users: new Set(t.subs.map((s) => s.userId)).size });
      const backup = await call('b', 'GET', '/api/push/backup', app);
      is(backup, 200, `push backup of ${t.id}`);
      expect((backup.json.subscriptions as BackupFile['subscriptions']).map((s) => s.endpoint).sort(), `seed ${seed}: backup of ${t.id}`).toEqual(t.subs.map((s) => (fakeSubs.get(s.name) as FakeSubscription).endpoint).sort());
      if (!t.subs.length) continue;
      const other = scenario.tenants.find((x) => x.id !== t.id) as TenantScenario;
      const otherApp = await tokenOf(other.id, APP);
      is(await call('a', 'POST', '/api/push/restore', otherApp, backup.json), 403, `${t.id}'s backup restored by ${other.id}`);
      // Edited to name the other tenant, or another user: the sealed keys do not open, nothing is written.
      const renamed = await call('b', 'POST', '/api/push/restore', otherApp, { ...backup.json, tenantId: other.id });
      is(renamed, 200, `${t.id}'s backup renamed to ${other.id}`);
      expect(renamed.json.restored, `seed ${seed}: ${t.id}'s backup renamed to ${other.id}`).toBe(0);
      const colleague = t.members.find((m) => m.userId !== t.subs[0]?.userId);
      if (colleague) {
        const reowned = await call('a', 'POST', '/api/push/restore', app, { ...backup.json, subscriptions: (backup.json.subscriptions as BackupFile['subscriptions']).map((s) => ({ ...s, userId: s.userId === colleague.userId ? (t.subs[0]?.userId as string) : colleague.userId })) });
        is(reowned, 200, `${t.id}'s backup with owners swapped`);
        expect(reowned.json.restored, `seed ${seed}: ${t.id}'s backup with owners swapped`).toBe(0);
      }
    }
    for (const t of scenario.tenants) {
      const stats = await call('b', 'GET', '/api/push/stats', await tokenOf(t.id, APP));
      expect(stats.json.subscriptions, `seed ${seed}: push subscriptions of ${t.id} after the refused restores`).toBe(t.subs.length);
      for (const s of t.subs) {
        const member = t.members.find((m) => m.userId === s.userId) as Person;
        const mine = await call('a', 'GET', '/api/push/subscriptions', await tokenOf(t.id, member));
        expect((mine.json.subscriptions as BackupFile['subscriptions']).map((x) => x.endpoint), `seed ${seed}: ${s.name} still belongs to ${s.userId}@${t.id}`).toContain((fakeSubs.get(s.name) as FakeSubscription).endpoint);
      }
    }
  }, 30_000);

  it('leaves every inbox exactly as the model says, also the inboxes of staff of other tenants', async () => {
    expect(scenarioRan).toBe(true);
    for (const t of scenario.tenants) {
      const model = { id: t.id, rowsOf: (u: string) => t.inbox.get(u) ?? new Map() };
      const members: Person[] = [...t.members, APP];
      // Staff of other hospitals whose tokens name this tenant (last: their calls add them to its directory).
      const strangers = USER_POOL.filter((u) => !t.members.some((m) => m.userId === u)).slice(0, 2).map((userId) => ({ userId, roles: ['nurse'], wards: ['1'] }));
      for (const [i, who] of [...members, ...strangers].entries()) {
        const via: Via = i % 2 ? 'a' : 'b';
        expect(await inboxOf(via, t.id, who), `seed ${seed}: inbox of ${who.userId}@${t.id}`).toEqual(listOf(model, who.userId));
      }
    }
  }, 30_000);
});
