import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../packages/wardbell/src/auth/index.js';
import { openPostgres } from '../../packages/wardbell/src/store/index.js';
import { readCallEvents, type WorkflowTables } from '../../packages/wardbell/src/workflows/index.js';
import { startProcess, type ServiceProcess } from '../helpers/process.js';
import { createTestDatabase, REDIS_URL, scaleOut, testPrefix } from '../helpers/scale.js';
import { eventually } from '../helpers/eventually.js';
import { SseReader } from '../helpers/sse-reader.js';
import { dataOf, inSeconds, postJson, send, VAPID } from './helpers.js';

const SECRET = 'workflow-multi-process-secret-0123456789abcdef';
const token = (userId: string, roles: string[] = [], wards: string[] = []) => signDevToken({ tenantId: 'h1', userId, roles, wards }, new TextEncoder().encode(SECRET), 3600);
const nurses = Array.from({ length: 10 }, (_, i) => `n${i + 1}`);

/** The workflows' guarantees with two real processes sharing one PostgreSQL and one Redis. */
describe.skipIf(!scaleOut)('workflows across two processes on one PostgreSQL', () => {
  let a: ServiceProcess;
  let b: ServiceProcess;
  let database: { url: string; drop(): Promise<void> };
  let dataDir: string;
  let svc: string;
  const inbox = async (p: ServiceProcess, userId: string) => (await send('GET', `${p.url}/api/notifications?limit=100`, await token(userId, ['nurse'], ['3']))).json.items as Array<Record<string, any>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'wardbell-wf-mp-'));
    const env = { DATABASE_URL: database.url, REDIS_URL: REDIS_URL as string, WARDBELL_REDIS_PREFIX: testPrefix().replace(/:/g, '-'), WARDBELL_JWT_SECRET: SECRET, WARDBELL_DATA_DIR: dataDir, ...VAPID };
    a = await startProcess(env);
    b = await startProcess(env);
    svc = await token('scheduler', ['service']);
    const put = await fetch(`${a.url}/api/directory/members`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${svc}` },
      body: JSON.stringify({ members: nurses.map((userId) => ({ userId, roles: ['nurse'], wards: ['3'] })) }),
    });
    expect(put.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fires a reminder once though both processes poll for it', async () => {
    const r = await postJson(`${a.url}/api/reminders`, { shiftId: 's1', shiftStartsAt: inSeconds(3600), remindAt: inSeconds(0.5), to: { users: ['n1'] } }, svc);
    expect(r.status).toBe(201);
    const reminder = async (id: string) => (await send('GET', `${b.url}/api/reminders/${id}`, svc)).json.reminder as Record<string, any>;
    await eventually(async () => (await reminder(r.json.reminder.id)).status === 'done', { timeout: 10_000 });
    // A barrier: a second reminder, due after the first, sent by a later poll of either process.
    const marker = await postJson(`${a.url}/api/reminders`, { shiftId: 'marker', shiftStartsAt: inSeconds(3600), remindAt: inSeconds(0.5), to: { users: ['n2'] } }, svc);
    expect(marker.status).toBe(201);
    await eventually(async () => (await reminder(marker.json.reminder.id)).status === 'done', { timeout: 10_000 });
    expect((await inbox(b, 'n1')).filter((i) => i.type === 'shift_reminder')).toHaveLength(1);
    expect((await send('GET', `${b.url}/api/reminders/${r.json.reminder.id}`, svc)).json.reminder).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('never overfills a call whose accepts arrive at both processes at once, and tells the service on the other', async () => {
    const service = await SseReader.open(`${b.url}/api/sse`, { authorization: `Bearer ${svc}` });
    await service.until((x) => x.lastEventId !== '');
    const c = await postJson(`${a.url}/api/emergency-calls`, { to: { topic: 'ward:3' }, needed: 3, escalateTo: null }, svc);
    expect(c.status).toBe(201);
    const presses = await Promise.all(
      nurses.map(async (u, i) => postJson(`${(i % 2 ? a : b).url}/api/notifications/${c.json.notificationId}/actions/accept`, {}, await token(u, ['nurse'], ['3']))),
    );
    expect(presses.filter((p) => p.status === 200)).toHaveLength(3);
    expect(presses.filter((p) => p.status === 409)).toHaveLength(7);
    expect((await send('GET', `${b.url}/api/emergency-calls/${c.json.call.id}`, svc)).json.call).toMatchObject({ status: 'filled', accepted: 3 });
    await service.until((x) => x.of('emergency.updated').some((e) => dataOf(e).call.status === 'filled'));
    service.close();
  });

  it('runs a three-step policy once per step, in order, though both processes poll for every step', async () => {
    const policy = { steps: [{ afterSeconds: 1, to: { users: ['n2'] } }, { afterSeconds: 1, to: { users: ['n3', 'n4'] } }, { afterSeconds: 1, to: { topic: 'ward:3' } }] };
    const c = await postJson(`${a.url}/api/emergency-calls`, { to: { users: ['n1'] }, needed: 1, title: 'ICU', policy }, svc);
    expect(c.status).toBe(201);
    const callOn = async (p: ServiceProcess) => (await send('GET', `${p.url}/api/emergency-calls/${c.json.call.id}`, svc)).json.call as Record<string, any>;
    await eventually(async () => (await callOn(b)).stepsRun === 3, { timeout: 15_000 });
    const db = openPostgres(database.url, { max: 1 }).withTables<WorkflowTables>();
    try {
      const events = await readCallEvents(db, 'h1', c.json.call.id);
      const steps = events.filter((e) => e.kind === 'escalated');
      expect(steps.map((e) => [e.data.step, e.data.added])).toEqual([
        [1, 1],
        [2, 2],
        [3, 6],
      ]);
      expect(steps.map((e) => Date.parse(e.at))).toEqual(steps.map((e) => Date.parse(e.at)).sort((x, y) => x - y));
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    } finally {
      await db.destroy();
    }
    // Everyone on the ward has the call once, whichever process ran each step.
    for (const u of nurses) expect((await inbox(u === 'n1' ? a : b, u)).filter((i) => i.type === 'emergency_call' && i.data.callId === c.json.call.id), u).toHaveLength(1);
    expect(await callOn(a)).toMatchObject({ stepsRun: 3, stepsTotal: 3, nextStepAt: null, status: 'escalated' });
  }, 30_000);
});
