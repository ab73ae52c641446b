/**
 * Lock-screen privacy for emergency calls made through `POST /api/emergency-calls`: in a tenant
 * set to `lockScreen: generic`, every push of the call (the first, each repeat, and the pushes of
 * an escalation step and its repeats) is decrypted at the fake push service and holds only the
 * generic text and the ids: none of the call's title, message, details, the caller's id or name,
 * or the button labels. The same call in a tenant on full lock screens carries them (so the check
 * looks where the words would be). On a FakeClock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { api } from './helpers/push-service.js';
import { startPushHospital, type PushHospital } from './helpers/push-hospital.js';
import { schedulerPassed } from '../workflows/helpers.js';

let ph: PushHospital | null = null;
afterEach(async () => {
  await ph?.close();
  ph = null;
});

const SECRET = {
  title: 'Cardiac arrest in bed 12: Quokka Tanaka',
  message: 'Dr Walrus asks for two nurses. Room 4711, bring the crash cart.',
  details: { patient: 'Quokka Tanaka', mrn: 'MRN-0042-ZEBRA', note: 'allergic to penicillin' },
};
/** Every distinctive word of the call and its caller (id `dr-walrus`, name "Wilma Walrus"). */
const WORDS = ['Cardiac', 'bed 12', 'Quokka', 'Tanaka', 'Walrus', 'Wilma', '4711', 'crash cart', 'MRN-0042', 'ZEBRA', 'penicillin', 'Escalated', 'Accept now', "Can't come", 'two nurses'];
const leaks = (v: unknown) => {
  const s = JSON.stringify(v).toLowerCase();
  return WORDS.filter((w) => s.includes(w.toLowerCase()));
};

const WARD3 = ['n1', 'n2'];
const WARD5 = ['w5a', 'w5b'];

/** The caller: a charge nurse with role admin, in the directory with a display name. */
async function caller(p: PushHospital): Promise<string> {
  const a = api(p.s.url);
  const put = await a.call('PUT', '/api/directory/members', p.h.service, { members: [{ userId: 'dr-walrus', roles: ['charge_nurse', 'admin'], wards: [], displayName: 'Wilma Walrus' }] });
  expect(put.status).toBe(200);
  return p.s.token({ tenantId: p.h.tenantId, userId: 'dr-walrus', roles: ['charge_nurse', 'admin'], wards: [] });
}

/** A call to ward 3 with a step to ward 5 after 60 s, repeats every 30 s (one each); every push of it has arrived. */
async function callAndEscalate(p: PushHospital, token: string) {
  const { h, clock, at } = p;
  const a = api(p.s.url);
  const body = { to: { topic: 'ward:3' }, needed: 2, ...SECRET, policy: { steps: [{ afterSeconds: 60, to: { ward: '5' } }], repeatEverySeconds: 30, maxRepeats: 1 } };
  const r = await a.call('POST', '/api/emergency-calls', token, body);
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  const id = r.json.notificationId as string;
  await p.pushRound(() => WARD3.every((u) => at(u, id).length === 1), 'the call at ward 3');
  await clock.advanceAsync(30_000); // the call's repeat
  await p.pushRound(() => WARD3.every((u) => at(u, id).length === 2), 'the repeat at ward 3');
  await clock.advanceAsync(30_000); // the step to ward 5
  const call = (await a.call('GET', `/api/emergency-calls/${r.json.call.id as string}`, token)).json.call as { notificationIds: string[]; stepsRun: number };
  expect(call.stepsRun).toBe(1);
  const stepId = call.notificationIds.find((n) => n !== id)!;
  expect(stepId).toBeDefined();
  await p.pushRound(() => WARD5.every((u) => at(u, stepId).length === 1), 'the step at ward 5');
  await clock.advanceAsync(30_000); // the step's repeat (ward 5; ward 3 has had its one)
  await p.pushRound(() => WARD5.every((u) => at(u, stepId).length === 2), "the step's repeat at ward 5");
  await schedulerPassed(h, clock, clock.now() + 120_000);
  await p.pushBarrier([...WARD3, ...WARD5]);
  return { callId: r.json.call.id as string, id, stepId };
}

describe('generic lock screens for emergency calls', () => {
  it('pushes the call, its repeats, the escalation step and its repeats with the generic text and the id only', async () => {
    ph = await startPushHospital([...WARD3, ...WARD5]);
    const a = api(ph.s.url);
    const admin = await ph.s.token({ tenantId: ph.h.tenantId, userId: 'boss', roles: ['admin'] });
    const set = await a.call('PUT', '/api/tenant/settings', admin, { lockScreen: 'generic' });
    expect([set.status, set.json]).toEqual([200, { lockScreen: 'generic' }]);
    const { id, stepId } = await callAndEscalate(ph, await caller(ph));

    const pushes = [...WARD3, ...WARD5].flatMap((u) => ph!.at(u).filter((p) => p.payload?.type === 'emergency_call'));
    // The call twice at each of ward 3 (first, repeat), the step twice at each of ward 5.
    expect(pushes).toHaveLength(8);
    for (const p of pushes) {
      expect(p.vapid.ok).toBe(true);
      expect(p.headers.urgency).toBe('high');
      const payload = p.payload!;
      expect(leaks(payload), JSON.stringify(payload)).toEqual([]);
      expect(Object.keys(payload).sort()).toEqual(['actions', 'body', 'createdAt', 'data', 'id', 'lockScreen', 'priority', 'tag', 'title', 'token', 'type', 'url', 'v']);
      expect(payload).toMatchObject({
        lockScreen: 'generic',
        type: 'emergency_call',
        priority: 'urgent',
        body: 'Open the app to see the details.',
        actions: [{ id: 'accept', label: 'Accept', style: 'primary' }, { id: 'decline', label: 'Decline' }],
        data: {},
        url: `/api-test/realtime?notification=${payload.id as string}`,
      });
    }
    for (const u of WARD3) for (const p of ph.at(u, id)) expect(p.payload!.title).toBe('Urgent call, Ward 3');
    // The step went to the staff of ward 5 not reached yet, by name: its generic title names the
    // ward that calls for help (ward 3), no person.
    const stepTitles = new Set(WARD5.flatMap((u) => ph!.at(u, stepId).map((p) => p.payload!.title as string)));
    expect([...stepTitles]).toEqual(['Urgent call, Ward 3']);
    // The app, signed in, still gets everything.
    const item = await a.call('GET', `/api/notifications/${id}`, ph.h.tok('n1'));
    expect(item.json).toMatchObject({ title: SECRET.title, senderId: 'dr-walrus' });
  });

  it('carries the words on full lock screens (the check above would see them)', async () => {
    ph = await startPushHospital([...WARD3, ...WARD5]);
    const { id, stepId } = await callAndEscalate(ph, await caller(ph));
    const full = ph.at('n1', id)[0]!.payload!;
    expect(full.lockScreen).toBeUndefined();
    expect(leaks(full)).toEqual(expect.arrayContaining(['Cardiac', 'Quokka', 'Walrus', '4711', 'MRN-0042', 'Accept now', "Can't come"]));
    expect(leaks(ph.at('w5a', stepId)[0]!.payload)).toEqual(expect.arrayContaining(['Escalated', 'Quokka']));
  });
});
