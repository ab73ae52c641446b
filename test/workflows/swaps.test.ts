import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, dataOf, hospital, postJson, send, start, type Hospital } from './helpers.js';

afterEach(closeAll);

const shift = { id: 'shift-0412', startsAt: '2026-12-04T07:00:00+09:00', endsAt: '2026-12-04T15:00:00+09:00', ward: '3', label: 'Day, 4 Dec' };

async function requestSwap(h: Hospital, body: Record<string, unknown> = {}) {
  const r = await postJson(h.url('/api/swaps'), { requesterId: 'n1', targetId: 'n2', shift, note: 'family visit', ...body }, h.service);
  expect(r.status).toBe(201);
  return r.json.swap as Record<string, any>;
}

describe('shift swaps, end to end', () => {
  it('tells the target with Approve and Reject, and the requester and the service the approval', async () => {
    const s = await start();
    const h = await hospital(s);
    const target = await h.stream('n2');
    const requester = await h.stream('n1');
    const service = await h.stream('service');

    const swap = await requestSwap(h, { inReturn: { id: 'shift-0415', startsAt: '2026-12-07T07:00:00+09:00' } });
    expect(swap).toMatchObject({ status: 'pending', requesterId: 'n1', targetId: 'n2', decidedBy: null });
    await target.until((x) => x.of('notification').length === 1 && x.of('swap.requested').length === 1);
    const n = dataOf(target.of('notification')[0]!).notification;
    expect(n).toMatchObject({ type: 'swap_requested', priority: 'high', state: { status: 'pending' } });
    expect(n.actions.map((a: { id: string }) => a.id)).toEqual(['approve', 'reject']);
    expect(n.body).toContain('shift-0415');

    const press = await h.press('n2', n.id, 'approve');
    expect(press.status).toBe(200);
    expect(press.json).toMatchObject({ result: 'approved', notificationId: n.id, actionId: 'approve', details: { swap: { status: 'approved', decidedBy: 'n2' } } });

    await requester.until((x) => x.of('swap.approved').length === 1 && x.of('notification').length === 1);
    expect(dataOf(requester.of('swap.approved')[0]!).swap).toMatchObject({ id: swap.id, status: 'approved' });
    expect(dataOf(requester.of('notification')[0]!).notification).toMatchObject({ type: 'swap_approved', data: { swapId: swap.id } });
    await service.until((x) => x.of('swap.approved').length === 1);
    expect(dataOf(service.of('swap.approved')[0]!).swap).toMatchObject({ id: swap.id, status: 'approved', decidedBy: 'n2' });
    // The target's own pages see the request change state.
    await target.until((x) => x.of('notification.updated').length === 1);
    expect(dataOf(target.of('notification.updated')[0]!).notification.state).toMatchObject({ status: 'approved', decidedBy: 'n2' });

    const got = await send('GET', h.url(`/api/swaps/${swap.id}`), h.service);
    expect(got.status).toBe(200);
    expect(got.json.swap).toMatchObject({ status: 'approved', decidedBy: 'n2', notificationId: n.id });
    expect(got.json.swap.decidedAt).toEqual(expect.any(String));
    for (const r of [target, requester, service]) r.close();
  });

  it('sends swap_rejected and swap.rejected when the target rejects', async () => {
    const s = await start();
    const h = await hospital(s);
    const requester = await h.stream('n1');
    const service = await h.stream('service');
    const swap = await requestSwap(h);
    const [item] = await h.inbox('n2');
    expect((await h.press('n2', item!.id, 'reject')).json).toMatchObject({ result: 'rejected' });
    await requester.until((x) => x.of('swap.rejected').length === 1);
    await service.until((x) => x.of('swap.rejected').length === 1);
    expect((await h.inbox('n1'))[0]).toMatchObject({ type: 'swap_rejected', data: { swapId: swap.id, status: 'rejected' } });
    expect(requester.of('swap.approved')).toEqual([]);
    requester.close();
    service.close();
  });

  it('records the decision once: a second press, the same or the other button, is a 409', async () => {
    const s = await start();
    const h = await hospital(s);
    await requestSwap(h);
    const [item] = await h.inbox('n2');
    expect((await h.press('n2', item!.id, 'approve')).status).toBe(200);
    for (const action of ['approve', 'reject']) {
      const again = await h.press('n2', item!.id, action);
      expect(again.status).toBe(409);
      expect(again.json.error).toMatchObject({ code: 'conflict', details: { status: 'approved', decidedBy: 'n2' } });
      expect(again.json.error.message).toMatch(/already approved by n2/);
    }
    // The requester heard exactly once.
    expect((await h.inbox('n1')).filter((i) => i.type === 'swap_approved')).toHaveLength(1);
  });

  it('decides once when both buttons are pressed at the same instant', async () => {
    const s = await start();
    const h = await hospital(s);
    const swap = await requestSwap(h);
    const [item] = await h.inbox('n2');
    const presses = await Promise.all(['approve', 'reject', 'approve', 'reject'].map((a) => h.press('n2', item!.id, a)));
    expect(presses.filter((p) => p.status === 200)).toHaveLength(1);
    expect(presses.filter((p) => p.status === 409)).toHaveLength(3);
    const final = (await send('GET', h.url(`/api/swaps/${swap.id}`), h.service)).json.swap;
    expect(final.status).toBe(presses.find((p) => p.status === 200)!.json.result);
    expect((await h.inbox('n1')).filter((i) => i.type === 'swap_approved' || i.type === 'swap_rejected')).toHaveLength(1);
  });

  it('refuses a press by anyone but the target (the request is not in their inbox)', async () => {
    const s = await start();
    const h = await hospital(s);
    await requestSwap(h);
    const [item] = await h.inbox('n2');
    for (const other of ['n1', 'n3', 'mgr3']) {
      const r = await h.press(other, item!.id, 'approve');
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('not_found');
    }
    expect((await h.press('n2', item!.id, 'approve')).status).toBe(200);
  });

  it('hides other tenants\' swaps behind the same 404 as unknown ids', async () => {
    const s = await start();
    const h = await hospital(s);
    const swap = await requestSwap(h);
    const otherService = await s.token({ tenantId: 'h2', userId: 'scheduler', roles: ['service'] });
    const foreign = await send('GET', h.url(`/api/swaps/${swap.id}`), otherService);
    const unknown = await send('GET', h.url('/api/swaps/6f1c1c1e-8a3e-4f7e-9a59-5a4f3c2b1a00'), h.service);
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    // Told apart by nothing but the request's own id.
    const { requestId: a, ...foreignError } = foreign.json.error as { requestId: string };
    const { requestId: b, ...unknownError } = unknown.json.error as { requestId: string };
    expect(foreignError).toEqual(unknownError);
    expect(a).not.toBe(b);
  });
});
