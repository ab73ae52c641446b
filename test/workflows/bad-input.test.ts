import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/service.js';
import { closeAll, hospital, inSeconds, openData, postJson, send, start, type Hospital } from './helpers.js';

let s: TestService;
let h: Hospital;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};
const shift = { id: 'shift-1', startsAt: '2026-12-04T07:00:00+09:00' };
const UNKNOWN = '6f1c1c1e-8a3e-4f7e-9a59-5a4f3c2b1a00';

beforeAll(async () => {
  s = await start();
  h = await hospital(s);
  tokens.service = h.service;
  tokens.nurse = h.tok('n1');
  tokens.manager = h.tok('mgr3');
  tokens.otherTenant = await s.token({ tenantId: 'h2', userId: 'scheduler', roles: ['service'] });
  ids.swap = (await postJson(h.url('/api/swaps'), { requesterId: 'n1', targetId: 'n2', shift }, h.service)).json.swap.id;
  ids.call = (await postJson(h.url('/api/emergency-calls'), { to: { topic: 'ward:3' }, needed: 1, escalateTo: null }, h.service)).json.call.id;
  ids.reminder = (await postJson(h.url('/api/reminders'), { shiftId: 's1', shiftStartsAt: inSeconds(7200), to: { users: ['n1'] } }, h.service)).json.reminder.id;
  ids.scheduled = (await postJson(h.url('/api/notifications/scheduled'), { title: 'Later', to: { topic: 'ward:3' }, sendAt: inSeconds(3600) }, h.service)).json.scheduled.id;
});
afterAll(closeAll);

type Case = [name: string, method: 'GET' | 'POST' | 'DELETE', path: string, who: keyof typeof tokens | 'nobody', body: unknown, status: number, code: string];

const swap = { requesterId: 'n1', targetId: 'n2', shift };
const call = { to: { topic: 'ward:3' }, needed: 2 };
const remind = { shiftId: 's1', shiftStartsAt: inSeconds(7200), to: { users: ['n1'] } };
const later = { title: 'Later', to: { topic: 'ward:3' }, sendAt: inSeconds(3600) };

const cases: Case[] = [
  // wrong roles and no identity
  ['a nurse requesting a swap', 'POST', '/api/swaps', 'nurse', swap, 403, 'forbidden'],
  ['a manager requesting a swap', 'POST', '/api/swaps', 'manager', swap, 403, 'forbidden'],
  ['no token', 'POST', '/api/swaps', 'nobody', swap, 401, 'unauthenticated'],
  ['a nurse calling an emergency', 'POST', '/api/emergency-calls', 'nurse', call, 403, 'forbidden'],
  ['a nurse publishing a schedule', 'POST', '/api/schedules/published', 'nurse', { scheduleId: 'x', to: { topic: 'ward:3' } }, 403, 'forbidden'],
  ['a nurse reading a swap', 'GET', '/api/swaps/:swap', 'nurse', undefined, 403, 'forbidden'],
  ['a nurse scheduling a reminder', 'POST', '/api/reminders', 'nurse', remind, 403, 'forbidden'],
  ['a nurse scheduling a notification', 'POST', '/api/notifications/scheduled', 'nurse', later, 403, 'forbidden'],
  ['a manager scheduling for another ward', 'POST', '/api/notifications/scheduled', 'manager', { ...later, to: { topic: 'ward:5' } }, 403, 'forbidden'],
  // malformed bodies
  ['a tenant in the body', 'POST', '/api/swaps', 'service', { ...swap, tenantId: 'h2' }, 400, 'validation_failed'],
  ['a swap with oneself', 'POST', '/api/swaps', 'service', { ...swap, targetId: 'n1' }, 400, 'validation_failed'],
  ['a swap without a shift', 'POST', '/api/swaps', 'service', { requesterId: 'n1', targetId: 'n2' }, 400, 'validation_failed'],
  ['a shift time without a zone', 'POST', '/api/swaps', 'service', { ...swap, shift: { id: 's', startsAt: '2026-12-04T07:00:00' } }, 400, 'validation_failed'],
  ['no emergency headcount', 'POST', '/api/emergency-calls', 'service', { to: { topic: 'ward:3' } }, 400, 'validation_failed'],
  ['needed 0', 'POST', '/api/emergency-calls', 'service', { ...call, needed: 0 }, 400, 'validation_failed'],
  ['needed 101', 'POST', '/api/emergency-calls', 'service', { ...call, needed: 101 }, 400, 'validation_failed'],
  ['escalating after 0 seconds', 'POST', '/api/emergency-calls', 'service', { ...call, escalateAfterSeconds: 0 }, 400, 'validation_failed'],
  ['a topic that is not one', 'POST', '/api/emergency-calls', 'service', { ...call, to: { topic: 'everyone' } }, 400, 'validation_failed'],
  ['a period that is not dates', 'POST', '/api/schedules/published', 'service', { scheduleId: 'x', to: { topic: 'ward:3' }, period: { from: 'soon', to: 'later' } }, 400, 'validation_failed'],
  ['not JSON', 'POST', '/api/swaps', 'service', '{"requesterId":', 400, 'invalid_json'],
  ['a swap id that is not one', 'GET', '/api/swaps/42', 'service', undefined, 400, 'validation_failed'],
  // unknown staff
  ['an unknown swap target', 'POST', '/api/swaps', 'service', { ...swap, targetId: 'ghost' }, 400, 'unknown_recipients'],
  ['an unknown emergency recipient', 'POST', '/api/emergency-calls', 'service', { ...call, to: { users: ['n1', 'ghost'] } }, 400, 'unknown_recipients'],
  ['an unknown escalation recipient', 'POST', '/api/emergency-calls', 'service', { ...call, escalateTo: { users: ['ghost'] } }, 400, 'unknown_recipients'],
  ['an unknown reminder recipient', 'POST', '/api/reminders', 'service', { ...remind, to: { users: ['ghost'] } }, 400, 'unknown_recipients'],
  // times
  ['a reminder in the past', 'POST', '/api/reminders', 'service', { ...remind, remindAt: inSeconds(-60) }, 400, 'validation_failed'],
  ['a reminder whose hour-before is past', 'POST', '/api/reminders', 'service', { ...remind, shiftStartsAt: inSeconds(1800) }, 400, 'validation_failed'],
  ['a reminder after the shift starts', 'POST', '/api/reminders', 'service', { ...remind, remindAt: inSeconds(7300) }, 400, 'validation_failed'],
  ['a reminder two years ahead', 'POST', '/api/reminders', 'service', { ...remind, shiftStartsAt: inSeconds(2 * 366 * 86400) }, 400, 'validation_failed'],
  ['a scheduled notification in the past', 'POST', '/api/notifications/scheduled', 'service', { ...later, sendAt: inSeconds(-1) }, 400, 'validation_failed'],
  // other tenants' and unknown ids: the same 404
  ['another tenant reading a swap', 'GET', '/api/swaps/:swap', 'otherTenant', undefined, 404, 'not_found'],
  ['another tenant reading a call', 'GET', '/api/emergency-calls/:call', 'otherTenant', undefined, 404, 'not_found'],
  ['another tenant cancelling a call', 'POST', '/api/emergency-calls/:call/cancel', 'otherTenant', {}, 404, 'not_found'],
  ['another tenant reading a reminder', 'GET', '/api/reminders/:reminder', 'otherTenant', undefined, 404, 'not_found'],
  ['another tenant cancelling a reminder', 'DELETE', '/api/reminders/:reminder', 'otherTenant', undefined, 404, 'not_found'],
  ['another tenant cancelling a scheduled notification', 'DELETE', '/api/notifications/scheduled/:scheduled', 'otherTenant', undefined, 404, 'not_found'],
  ['a reminder id on the scheduled-notification route', 'GET', '/api/notifications/scheduled/:reminder', 'service', undefined, 404, 'not_found'],
  ['an unknown call', 'GET', `/api/emergency-calls/${UNKNOWN}`, 'service', undefined, 404, 'not_found'],
  ['an unknown reminder', 'DELETE', `/api/reminders/${UNKNOWN}`, 'service', undefined, 404, 'not_found'],
];

describe('bad input gets a clear 4xx in the error envelope', () => {
  it.each(cases)('%s', async (_name, method, rawPath, who, body, status, code) => {
    const path = rawPath.replace(/:(\w+)/g, (_m, k: string) => ids[k] ?? `:${k}`);
    const url = h.url(path);
    let r;
    if (who === 'nobody') r = await postJson(url, body);
    else r = await send(method, url, tokens[who]!, body);
    expect(r.status).toBe(status);
    expect(r.json.error.code).toBe(code);
    expect(r.json.error.message).toEqual(expect.any(String));
  });

  it('wrote nothing for any of them', async () => {
    const db = openData(s.dataDir);
    const count = async (table: 'swaps' | 'emergency_calls' | 'scheduled_jobs') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    try {
      expect(await count('swaps')).toBe(1);
      expect(await count('emergency_calls')).toBe(1);
      // The reminder, the scheduled notification; the call had no escalation; the swap no decision.
      expect(await count('scheduled_jobs')).toBe(2);
      expect((await h.inbox('n2')).filter((i) => i.type === 'swap_requested')).toHaveLength(1);
      expect((await send('GET', h.url(`/api/reminders/${ids.reminder}`), h.service)).json.reminder.status).toBe('pending');
      expect((await send('GET', h.url(`/api/emergency-calls/${ids.call}`), h.service)).json.call.status).toBe('open');
    } finally {
      await db.destroy();
    }
  });
});
