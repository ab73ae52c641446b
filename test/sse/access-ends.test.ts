/**
 * Access ends when it should, through the real service: a stream ends with `access-ended` when the
 * token that opened it (or obtained its ticket) stops being accepted, and when the user's sessions
 * are revoked or the user leaves the directory; their older tokens and tickets are refused after;
 * the client gets a fresh token at once and resumes from its Last-Event-ID, losing nothing.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionTokens } from '../../packages/wardbell/src/auth/index.js';
import { createSSEClient, type TokenRequest } from '../../packages/client/src/index.js';
import { eventually } from '../helpers/eventually.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { postJson, startService, TEST_SECRET, type TestService } from '../helpers/service.js';
import { SseReader } from '../helpers/sse-reader.js';

const SKEW_S = 30; // the clock skew the service allows past `exp`
const ACTION_SECRET = 'action-token-secret-for-access-tests-0123456789';

/**
 * A token with chosen `iat` and `exp`, in seconds from the service's (fake) now. The fake clock
 * only moves ahead of real time, so the real-time check of `exp` accepts whatever the hub still does.
 */
function tokenFor(userId: string, opts: { iatS?: number; expS?: number; roles?: string[] } = {}): Promise<string> {
  const now = Math.floor(clock.now() / 1000);
  return new SignJWT({ tid: 'h1', roles: opts.roles ?? ['nurse'], wards: ['3'] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt(now + (opts.iatS ?? -60))
    .setExpirationTime(now + (opts.expS ?? 3600))
    .sign(new TextEncoder().encode(TEST_SECRET));
}

let s: TestService;
let clock: FakeClock;
let service: string;
const open = (token: string) => SseReader.open(`${s.url}/api/sse`, { authorization: `Bearer ${token}` });
const connected = async (r: SseReader) => (await r.until((x) => x.lastEventId !== ''), r);
const ended = (r: SseReader) => r.of('access-ended').map((e) => JSON.parse(e.data) as { reason: string });

beforeAll(async () => {
  clock = new FakeClock(Date.now());
  s = await startService({ WARDBELL_ACTION_TOKEN_SECRET: ACTION_SECRET }, { clock });
  service = await tokenFor('scheduler', { roles: ['service'] });
  const put = await fetch(`${s.url}/api/directory/members`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${service}`, 'content-type': 'application/json' },
    body: JSON.stringify({ members: ['kim', 'lee', 'park', 'cho'].map((userId) => ({ userId, roles: ['nurse'], wards: ['3'] })) }),
  });
  expect(put.status).toBe(200);
});
afterAll(() => s.close());

describe('a stream ends with its credential', () => {
  it('ends when its token stops being accepted, telling the client why', async () => {
    // Expired 25 s ago: still accepted for 5 s (the allowed skew), then not.
    const stream = await connected(await open(await tokenFor('kim', { expS: -(SKEW_S - 5) })));
    const lasting = await connected(await open(await tokenFor('lee')));
    clock.advance(3_000);
    expect(ended(stream)).toEqual([]);
    clock.advance(3_000);
    await stream.until((r) => r.ended);
    expect(ended(stream)).toEqual([{ reason: 'token_expired' }]);
    // The last frame names the reason; nothing comes after it.
    expect(stream.body.trimEnd().endsWith('data: {"reason":"token_expired"}')).toBe(true);
    expect(lasting.ended).toBe(false);
    lasting.close();
  });

  it('ends a ticket\'s stream when the token that obtained the ticket expires, and never lets a ticket outlive it', async () => {
    const short = await tokenFor('kim', { expS: -(SKEW_S - 5) });
    const t = await postJson(`${s.url}/api/sse/ticket`, {}, short);
    expect(t.status).toBe(201);
    expect(Date.parse(t.json.expiresAt) - clock.now()).toBeLessThan(6_000);
    const stream = await connected(await SseReader.open(`${s.url}/api/sse?ticket=${t.json.ticket}`));
    clock.advance(6_000);
    await stream.until((r) => r.ended);
    expect(ended(stream)).toEqual([{ reason: 'token_expired' }]);
  });
});

describe('revoking sessions and removing staff', () => {
  it('ends the user\'s streams (token and ticket), refuses their older tokens and tickets, and leaves others alone', async () => {
    const old = await tokenFor('park');
    const viaToken = await connected(await open(old));
    const ticket = (await postJson(`${s.url}/api/sse/ticket`, {}, old)).json.ticket as string;
    const spareTicket = (await postJson(`${s.url}/api/sse/ticket`, {}, old)).json.ticket as string;
    const viaTicket = await connected(await SseReader.open(`${s.url}/api/sse?ticket=${ticket}`));
    const other = await connected(await open(await tokenFor('cho')));
    // A lock-screen button for park, as a push would carry it.
    const sent = await postJson(`${s.url}/api/notifications`, { title: 'Stay late?', actions: [{ id: 'yes', label: 'Yes' }], to: { users: ['park'] } }, service);
    expect(sent.status).toBe(201);
    const notificationId = sent.json.notification.id as string;
    const button = createActionTokens(new TextEncoder().encode(ACTION_SECRET), () => clock.now()).sign({ tenantId: 'h1', userId: 'park', notificationId }, 3600_000);

    const r = await postJson(`${s.url}/api/directory/revocations`, { userIds: ['park'] }, service);
    expect(r.status).toBe(200);
    expect(r.json.revoked).toBe(1);
    await viaToken.until((x) => x.ended, 2_000);
    await viaTicket.until((x) => x.ended, 2_000);
    expect(ended(viaToken)).toEqual([{ reason: 'sessions_revoked' }]);
    expect(ended(viaTicket)).toEqual([{ reason: 'sessions_revoked' }]);
    expect(other.ended).toBe(false);
    expect(ended(other)).toEqual([]);

    const refused = await fetch(`${s.url}/api/notifications`, { headers: { authorization: `Bearer ${old}` } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'invalid_token' } });
    expect((await postJson(`${s.url}/api/sse/ticket`, {}, old)).status).toBe(401);
    const press = await fetch(`${s.url}/api/notifications/${notificationId}/actions/yes`, { method: 'POST', headers: { 'x-wardbell-action-token': button } });
    expect(press.status).toBe(401);
    expect(await press.json()).toMatchObject({ error: { code: 'invalid_token' } });
    const ticketAfter = await SseReader.open(`${s.url}/api/sse?ticket=${spareTicket}`);
    await ticketAfter.until((x) => x.ended);
    expect(ticketAfter.status).toBe(401);
    // A token issued after the revocation works.
    const fresh = await connected(await open(await tokenFor('park', { iatS: 2 })));
    expect(fresh.status).toBe(200);
    fresh.close();
    other.close();
  });

  it('ends a removed member\'s streams and refuses their tokens', async () => {
    const tok = await tokenFor('lee');
    const stream = await connected(await open(tok));
    const r = await fetch(`${s.url}/api/directory/members`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${service}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userIds: ['lee'] }),
    });
    expect(r.status).toBe(200);
    await stream.until((x) => x.ended, 2_000);
    expect(ended(stream)).toEqual([{ reason: 'removed_from_directory' }]);
    expect((await fetch(`${s.url}/api/notifications`, { headers: { authorization: `Bearer ${tok}` } })).status).toBe(401);
    // Refused before the directory saw it: the removed member was not added back by calling.
    const members = (await (await fetch(`${s.url}/api/directory/members`, { headers: { authorization: `Bearer ${service}` } })).json()) as { members: Array<{ userId: string }> };
    expect(members.members.map((m) => m.userId)).not.toContain('lee');
  });

  it('refuses a revocation from a nurse, and an empty one', async () => {
    expect((await postJson(`${s.url}/api/directory/revocations`, { userIds: ['kim'] }, await tokenFor('cho'))).status).toBe(403);
    expect((await postJson(`${s.url}/api/directory/revocations`, { userIds: [] }, service)).status).toBe(400);
  });
});

describe('the client', () => {
  it('gets a fresh token when its access ends and resumes from its Last-Event-ID, losing nothing', async () => {
    const requests: TokenRequest[] = [];
    let releaseRefresh: () => void = () => {};
    const refreshGate = new Promise<void>((r) => (releaseRefresh = r));
    const client = createSSEClient({
      url: `${s.url}/api/sse`,
      async getToken(req) {
        requests.push(req);
        if (!req.refresh) return tokenFor('kim', { expS: -(SKEW_S - 5) });
        await refreshGate; // events are published while the client is away
        return tokenFor('kim');
      },
    });
    const got: string[] = [];
    const endings: unknown[] = [];
    client.on('schedule.published', (d) => got.push((d as { n: string }).n));
    client.on('access-ended', (d) => endings.push(d));
    client.connect();
    await eventually(() => client.state === 'open' && client.lastEventId !== '', { message: 'the client to connect' });
    const publish = (n: string) => postJson(`${s.url}/api/events`, { type: 'schedule.published', data: { n }, to: { users: ['kim'] } }, service);
    expect((await publish('before')).status).toBe(202);
    await eventually(() => got.includes('before'));

    clock.advance(6_000);
    await eventually(() => requests.some((r) => r.refresh), { message: 'a token refresh' });
    expect(requests.filter((r) => r.refresh)).toEqual([{ refresh: true, reason: 'token_expired' }]);
    expect(endings).toEqual([{ reason: 'token_expired' }]);
    for (const n of ['away-1', 'away-2']) expect((await publish(n)).status).toBe(202);
    releaseRefresh();
    await eventually(() => got.length === 3, { message: () => `all events (got ${JSON.stringify(got)})` });
    expect(got).toEqual(['before', 'away-1', 'away-2']);
    expect(client.state).toBe('open');
    expect((await publish('after')).status).toBe(202);
    await eventually(() => got.includes('after'));
    expect(got).toEqual(['before', 'away-1', 'away-2', 'after']);
    client.close();
  });

  it('asks once for a fresh token after a 401, and gives up if that one is refused too', async () => {
    const revoked = await tokenFor('cho');
    expect((await postJson(`${s.url}/api/directory/revocations`, { userIds: ['cho'] }, service)).status).toBe(200);
    const requests: TokenRequest[] = [];
    let fresh: string | null = null;
    const client = createSSEClient({ url: `${s.url}/api/sse`, getToken: (req) => (requests.push(req), req.refresh && fresh ? fresh : revoked) });
    fresh = await tokenFor('cho', { iatS: 2 });
    client.connect();
    await eventually(() => client.state === 'open', { message: 'the client to open with the fresh token' });
    expect(requests).toEqual([{ refresh: false }, { refresh: true, reason: 'unauthorized' }]);
    client.close();

    const stuck = createSSEClient({ url: `${s.url}/api/sse`, getToken: () => revoked });
    stuck.connect();
    await eventually(() => stuck.state === 'closed', { message: 'the client to give up' });
    expect(stuck.error?.status).toBe(401);
  });
});
