import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startService, type TestService } from '../helpers/service.js';
import { SseReader, sleep } from '../helpers/sse-reader.js';

let svc: TestService;
let service: string;
const tokens: Record<string, string> = {};
const staff = [
  { userId: 'kim', roles: ['nurse'], wards: ['3'] },
  { userId: 'lee', roles: ['nurse'], wards: ['3'] },
  { userId: 'park', roles: ['nurse'], wards: ['4'] },
  { userId: 'choi', roles: ['manager'], wards: ['3'] },
  { userId: 'never', roles: ['nurse'], wards: ['3'] },
];

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${svc.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}
const send = (body: unknown, token = service, headers: Record<string, string> = {}) => postJson(`${svc.url}/api/notifications`, body, token, headers);
const inbox = (user: string, query = '') => call('GET', `/api/notifications${query}`, tokens[user]!);

beforeAll(async () => {
  svc = await startService();
  service = await svc.token({ tenantId: 'h1', userId: 'scheduler', roles: ['service'] });
  const put = await call('PUT', '/api/directory/members', service, { members: staff });
  expect(put.status).toBe(200);
  for (const s of staff) tokens[s.userId] = await svc.token({ tenantId: 'h1', ...s });
  tokens.h2kim = await svc.token({ tenantId: 'h2', userId: 'kim', roles: ['nurse'], wards: ['3'] });
  tokens.h2svc = await svc.token({ tenantId: 'h2', userId: 'app', roles: ['service'] });
});
afterAll(() => svc.close());

describe('sending', () => {
  it('delivers a ward notification live with each recipient\'s unread count, and into every member\'s inbox', async () => {
    const kim = await SseReader.open(`${svc.url}/api/sse`, { authorization: `Bearer ${tokens.kim}` });
    await kim.until((r) => r.lastEventId !== '');
    const before = (await inbox('never')).json.unreadCount as number;
    const r = await send({ type: 'schedule_published', priority: 'high', title: 'December schedule', body: 'Published', data: { month: '2026-12' }, to: { topic: 'ward:3' } });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ recipients: 4, grouped: false, duplicate: false, notification: { type: 'schedule_published', priority: 'high', title: 'December schedule' } });
    await kim.until((x) => x.of('notification').length === 1);
    const ev = JSON.parse(kim.of('notification')[0]!.data);
    expect(ev.notification.id).toBe(r.json.notification.id);
    expect(ev.unreadCount).toBe((await inbox('kim')).json.unreadCount);
    // A member who never connected has it in the inbox too, with their own read state.
    const never = await inbox('never');
    expect(never.json.unreadCount).toBe(before + 1);
    expect(never.json.items[0]).toMatchObject({ id: r.json.notification.id, readAt: null });
    // Ward 4 does not.
    expect((await inbox('park')).json.items.map((i: { id: string }) => i.id)).not.toContain(r.json.notification.id);
    kim.close();
  });

  it('lets a manager send to their own ward only', async () => {
    expect((await send({ title: 'Team meeting', to: { topic: 'ward:3' } }, tokens.choi)).status).toBe(201);
    const other = await send({ title: 'Not my ward', to: { topic: 'ward:4' } }, tokens.choi);
    expect(other.status).toBe(403);
    expect((await send({ title: 'Everyone', to: { tenant: true } }, tokens.choi)).status).toBe(403);
    expect((await send({ title: 'Nurse cannot', to: { topic: 'ward:3' } }, tokens.kim)).status).toBe(403);
  });

  it('refuses to send to users of another tenant', async () => {
    const r = await send({ title: 'x', to: { users: ['kim', 'someone-of-h2'] } });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: { code: 'unknown_recipients', details: { unknownUsers: ['someone-of-h2'] } } });
  });

  it('returns the first result for a repeated idempotency key and sends nothing again', async () => {
    const body = { title: 'Once only', to: { users: ['park'] }, idempotencyKey: 'req-42' };
    const count0 = (await inbox('park')).json.unreadCount as number;
    const a = await send(body);
    const b = await send(body);
    const c = await send({ ...body, idempotencyKey: undefined }, service, { 'idempotency-key': 'req-42' });
    // The first answer again, status and body, marked as a replay; the header and the field are one key.
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.json).toEqual(a.json);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(a.headers.get('idempotent-replayed')).toBeNull();
    expect(c.status).toBe(201);
    expect(c.json).toEqual(a.json);
    expect((await inbox('park')).json.unreadCount).toBe(count0 + 1);
    // The same key in another tenant is another key.
    await call('PUT', '/api/directory/members', tokens.h2svc!, { members: [{ userId: 'kim', roles: ['nurse'], wards: ['3'] }] });
    const other = await send(body.to.users ? { ...body, to: { users: ['kim'] } } : body, tokens.h2svc);
    expect(other.status).toBe(201);
  });

  it('collapses repeats with one group key into one entry with a count', async () => {
    const body = (n: number) => ({ type: 'schedule_updated', title: `Schedule changed (${n})`, to: { users: ['lee'] }, groupKey: 'schedule:2026-12' });
    const a = await send(body(1));
    await call('PATCH', `/api/notifications/${a.json.notification.id}`, tokens.lee!, { read: true });
    const unread0 = (await inbox('lee')).json.unreadCount as number;
    const b = await send(body(2));
    const c = await send(body(3));
    expect(b.json).toMatchObject({ grouped: true, notification: { id: a.json.notification.id, groupCount: 2 } });
    expect(c.json.notification.groupCount).toBe(3);
    const page = await inbox('lee', '?type=schedule_updated');
    expect(page.json.items).toHaveLength(1);
    expect(page.json.items[0]).toMatchObject({ title: 'Schedule changed (3)', groupCount: 3, readAt: null });
    expect(page.json.unreadCount).toBe(unread0 + 1);
  });

  it.each([
    ['an unknown type', { type: 'party', title: 'x', to: { tenant: true } }],
    ['an unknown priority', { priority: 'critical', title: 'x', to: { tenant: true } }],
    ['an empty title', { title: '   ', to: { tenant: true } }],
    ['too many actions', { title: 'x', to: { tenant: true }, actions: [1, 2, 3, 4].map((i) => ({ id: `a${i}`, label: 'A' })) }],
    ['an action without label', { title: 'x', to: { tenant: true }, actions: [{ id: 'ok' }] }],
    ['data that is not an object', { title: 'x', to: { tenant: true }, data: 'text' }],
    ['a tenant field', { title: 'x', to: { tenant: true }, tenantId: 'h2' }],
    ['no audience', { title: 'x' }],
  ])('refuses %s with 400 and writes nothing', async (_n, body) => {
    const before = (await inbox('kim')).json.unreadCount;
    const r = await send(body);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('validation_failed');
    expect((await inbox('kim')).json.unreadCount).toBe(before);
  });

  it('refuses a body of megabytes with 413', async () => {
    const r = await send({ title: 'x', body: 'y'.repeat(2_000_000), to: { tenant: true } });
    expect(r.status).toBe(413);
  });
});

describe('the inbox', () => {
  it('pages newest first with a cursor and filters by status, type and priority', async () => {
    for (let i = 0; i < 5; i++) await send({ title: `Page ${i}`, priority: i % 2 ? 'low' : 'high', to: { users: ['park'] } });
    const first = await inbox('park', '?limit=2');
    expect(first.json.items.map((i: { title: string }) => i.title)).toEqual(['Page 4', 'Page 3']);
    const second = await inbox('park', `?limit=2&cursor=${first.json.nextCursor}`);
    expect(second.json.items.map((i: { title: string }) => i.title)).toEqual(['Page 2', 'Page 1']);
    const low = await inbox('park', '?priority=low&limit=100');
    expect(low.json.items.every((i: { priority: string }) => i.priority === 'low')).toBe(true);
    expect(low.json.items.length).toBeGreaterThanOrEqual(2);
    expect((await inbox('park', '?cursor=bogus')).status).toBe(400);
    expect((await inbox('park', '?limit=1000')).status).toBe(400);
    expect((await inbox('park', '?status=archived')).status).toBe(400);
  });

  it('marks one, some and all read, keeping the unread count exact and telling other tabs', async () => {
    const tab = await SseReader.open(`${svc.url}/api/sse`, { authorization: `Bearer ${tokens.park}` });
    await tab.until((r) => r.lastEventId !== '');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await send({ title: `Read ${i}`, to: { users: ['park'] } })).json.notification.id);
    const start = (await inbox('park')).json.unreadCount as number;
    const one = await call('PATCH', `/api/notifications/${ids[0]}`, tokens.park!, { read: true });
    expect(one.json).toEqual({ updated: 1, unreadCount: start - 1 });
    const again = await call('PATCH', `/api/notifications/${ids[0]}`, tokens.park!, { read: true });
    expect(again.json).toEqual({ updated: 0, unreadCount: start - 1 });
    const some = await call('PATCH', '/api/notifications', tokens.park!, { ids: [ids[1], ids[2]] });
    expect(some.json).toEqual({ updated: 2, unreadCount: start - 3 });
    await tab.until((r) => r.of('inbox.updated').length === 2);
    expect(JSON.parse(tab.of('inbox.updated')[1]!.data)).toEqual({ read: [ids[1], ids[2]], unreadCount: start - 3 });
    const all = await call('PATCH', '/api/notifications', tokens.park!, { all: true });
    expect(all.json.unreadCount).toBe(0);
    expect((await inbox('park', '?status=unread')).json.items).toEqual([]);
    tab.close();
  });

  it('deletes one and then all of the caller\'s notifications only', async () => {
    const n = (await send({ title: 'Delete me', to: { topic: 'ward:3' } })).json.notification.id as string;
    const del = await call('DELETE', `/api/notifications/${n}`, tokens.kim!);
    expect(del.json.deleted).toBe(1);
    expect((await call('GET', `/api/notifications/${n}`, tokens.kim!)).status).toBe(404);
    // Lee still has it.
    expect((await call('GET', `/api/notifications/${n}`, tokens.lee!)).status).toBe(200);
    // Deleting everything must be said: without ids or all=true nothing is deleted.
    for (const q of ['', '?ids=', '?all=false', `?all=true&ids=${n}`]) {
      const refused = await call('DELETE', `/api/notifications${q}`, tokens.kim!);
      expect(refused.status).toBe(400);
      expect(refused.json.error.code).toBe('validation_failed');
    }
    const kept = (await inbox('kim')).json.items.length as number;
    expect(kept).toBeGreaterThan(0);
    const all = await call('DELETE', '/api/notifications?all=true', tokens.kim!);
    expect(all.json).toMatchObject({ deleted: kept, unreadCount: 0 });
    expect((await inbox('kim')).json.items).toEqual([]);
    expect((await call('GET', `/api/notifications/${n}`, tokens.lee!)).status).toBe(200);
  });

  it('answers other users\' and other tenants\' ids with 404, never the notification', async () => {
    const n = (await send({ title: 'Private to lee', to: { users: ['lee'] } })).json.notification.id as string;
    for (const [who, method, path, body] of [
      ['kim', 'GET', `/api/notifications/${n}`, undefined],
      ['kim', 'PATCH', `/api/notifications/${n}`, { read: true }],
      ['kim', 'DELETE', `/api/notifications/${n}`, undefined],
      ['h2kim', 'GET', `/api/notifications/${n}`, undefined],
      ['h2kim', 'POST', `/api/notifications/${n}/actions/ok`, undefined],
    ] as const) {
      const r = await call(method, path, tokens[who]!, body);
      expect(r.status).toBe(404);
      expect(JSON.stringify(r.json)).not.toContain('Private to lee');
    }
    // Bulk operations with someone else's id change nothing of theirs.
    await call('PATCH', '/api/notifications', tokens.kim!, { ids: [n] });
    expect((await call('GET', `/api/notifications/${n}`, tokens.lee!)).json.readAt).toBeNull();
  });
});

describe('action buttons', () => {
  it('records a generic answer once, marks it read and tells the sender', async () => {
    const senderTab = await SseReader.open(`${svc.url}/api/sse`, { authorization: `Bearer ${service}` });
    await senderTab.until((r) => r.lastEventId !== '');
    const n = (await send({ title: 'Can you stay late?', actions: [{ id: 'yes', label: 'Yes', style: 'primary' }, { id: 'no', label: 'No' }], to: { users: ['kim'] } })).json.notification.id as string;
    const press = await call('POST', `/api/notifications/${n}/actions/yes`, tokens.kim!);
    expect(press.status).toBe(200);
    expect(press.json).toMatchObject({ notificationId: n, actionId: 'yes', result: 'recorded' });
    await senderTab.until((r) => r.of('notification.updated').length === 1);
    expect(JSON.parse(senderTab.of('notification.updated')[0]!.data)).toEqual({ id: n, action: { id: 'yes', by: 'kim' } });
    const item = (await call('GET', `/api/notifications/${n}`, tokens.kim!)).json;
    expect(item).toMatchObject({ actedAction: 'yes' });
    expect(item.readAt).not.toBeNull();
    const second = await call('POST', `/api/notifications/${n}/actions/no`, tokens.kim!);
    expect(second.status).toBe(409);
    expect((await call('POST', `/api/notifications/${n}/actions/maybe`, tokens.kim!)).status).toBe(404);
    senderTab.close();
  });
});

describe('action tokens from a push', () => {
  it('let a service worker press a button of that one notification without the page token', async () => {
    const n = (await send({ title: 'From the lock screen', actions: [{ id: 'ack', label: 'OK' }], to: { users: ['park'] } })).json.notification.id as string;
    const other = (await send({ title: 'Another', actions: [{ id: 'ack', label: 'OK' }], to: { users: ['park'] } })).json.notification.id as string;
    const { createActionTokens } = await import('../../packages/wardbell/src/auth/index.js');
    const { readFileSync } = await import('node:fs');
    const secret = readFileSync(`${svc.dataDir}/action-token-secret`, 'utf8').trim();
    const token = createActionTokens(new TextEncoder().encode(secret)).sign({ tenantId: 'h1', userId: 'park', notificationId: n }, 60_000);
    const press = (id: string, t: string) => fetch(`${svc.url}/api/notifications/${id}/actions/ack`, { method: 'POST', headers: { 'x-wardbell-action-token': t } });
    expect((await press(n, token)).status).toBe(200);
    expect((await press(other, token)).status).toBe(401);
    expect((await press(n, `${token}x`)).status).toBe(401);
    expect((await call('GET', `/api/notifications/${n}`, tokens.park!)).json.actedAction).toBe('ack');
  });
});

describe('preferences', () => {
  it('reads defaults, saves valid preferences and refuses invalid ones', async () => {
    // Besides what was saved, `locked`: what cannot be switched off (test/notifications/urgent.test.ts).
    const locked = expect.objectContaining({ priorities: expect.objectContaining({ urgent: true }) });
    expect((await call('GET', '/api/notifications/preferences', tokens.lee!)).json).toEqual({ channels: {}, quietHours: null, locked });
    const prefs = { channels: { general: { inbox: false, push: false } }, quietHours: { enabled: true, start: '22:00', end: '07:00', timeZone: 'Asia/Seoul' } };
    expect((await call('PUT', '/api/notifications/preferences', tokens.lee!, prefs)).json).toEqual({ ...prefs, locked });
    expect((await call('GET', '/api/notifications/preferences', tokens.lee!)).json).toEqual({ ...prefs, locked });
    expect((await call('PUT', '/api/notifications/preferences', tokens.lee!, { quietHours: { enabled: true, start: '9', end: '07:00', timeZone: 'UTC' } })).status).toBe(400);
  });

  it('keeps a muted type out of the inbox but lets urgent through', async () => {
    await call('PUT', '/api/notifications/preferences', tokens.lee!, { channels: { general: { inbox: false, push: false } } });
    const muted = await send({ title: 'Muted general', to: { users: ['lee'] } });
    expect(muted.json.recipients).toBe(0);
    const urgent = await send({ title: 'Urgent general', priority: 'urgent', to: { users: ['lee'] } });
    expect(urgent.json.recipients).toBe(1);
    const titles = (await inbox('lee', '?limit=100')).json.items.map((i: { title: string }) => i.title);
    expect(titles).toContain('Urgent general');
    expect(titles).not.toContain('Muted general');
  });
});

describe('tenant isolation', () => {
  it('keeps inboxes of the same user id in two tenants apart', async () => {
    await send({ title: 'For h1 kim', to: { users: ['kim'] } });
    const h2 = await call('GET', '/api/notifications?limit=100', tokens.h2kim!);
    expect(h2.json.items.map((i: { title: string }) => i.title)).not.toContain('For h1 kim');
    await sleep(1);
  });
});
