import { describe, expect, it } from 'vitest';
import { bellLabel, byUrgency, EMPTY_INBOX, inboxReducer, isSettled, type InboxItem, type InboxState } from '../../packages/react/src/index.js';

const item = (id: string, over: Partial<InboxItem> = {}): InboxItem => ({
  id, type: 'general', priority: 'medium', title: id, body: '', data: {}, actions: [], groupKey: null, groupCount: 1, senderId: 's', state: null,
  createdAt: '2026-12-03T08:00:00Z', updatedAt: '2026-12-03T08:00:00Z', readAt: null, actedAction: null, ...over,
});
const loaded = (items: InboxItem[], unreadCount: number): InboxState => inboxReducer(EMPTY_INBOX, { kind: 'loaded', page: { items, unreadCount, nextCursor: null }, append: false });

describe('the inbox state (pure)', () => {
  it('takes the unread count from the server only: an event without one marks it stale, never counts up', () => {
    const s = loaded([item('a')], 1);
    const { readAt: _r, actedAction: _a, ...b } = item('b');
    const withCount = inboxReducer(s, { kind: 'notification', data: { notification: b, unreadCount: 2 } });
    expect(withCount).toMatchObject({ unreadCount: 2, countStale: false });
    expect(withCount.items.map((i) => i.id)).toEqual(['b', 'a']);
    const without = inboxReducer(s, { kind: 'notification', data: { notification: b } });
    expect(without).toMatchObject({ unreadCount: 1, countStale: true });
  });

  it('applies changes from other devices: read, unread again, deleted', () => {
    let s = loaded([item('a'), item('b', { readAt: '2026-12-03T08:01:00Z' }), item('c')], 2);
    s = inboxReducer(s, { kind: 'inbox', data: { read: ['a'], unreadCount: 1 } });
    s = inboxReducer(s, { kind: 'inbox', data: { unread: ['b'], unreadCount: 2 } });
    s = inboxReducer(s, { kind: 'inbox', data: { deleted: ['c'], unreadCount: 1 } });
    expect(s.items.map((i) => [i.id, i.readAt === null])).toEqual([['a', false], ['b', true]]);
    expect(s.unreadCount).toBe(1);
    expect(inboxReducer(s, { kind: 'inbox', data: { read: 'all', unreadCount: 0 } }).items.every((i) => i.readAt !== null)).toBe(true);
  });

  it('keeps a filtered list to its filter, also for live events', () => {
    const urgentOnly = { priority: 'urgent' as const };
    const s = inboxReducer(EMPTY_INBOX, { kind: 'loaded', page: { items: [], unreadCount: 0, nextCursor: null }, append: false }, urgentOnly);
    const { readAt: _r, actedAction: _a, ...low } = item('low', { priority: 'low' });
    const { readAt: _r2, actedAction: _a2, ...urgent } = item('urgent', { priority: 'urgent' });
    const after = inboxReducer(inboxReducer(s, { kind: 'notification', data: { notification: low, unreadCount: 1 } }, urgentOnly), { kind: 'notification', data: { notification: urgent, unreadCount: 2 } }, urgentOnly);
    expect(after.items.map((i) => i.id)).toEqual(['urgent']);
    expect(after.unreadCount).toBe(2);
    const unreadOnly = { status: 'unread' as const };
    const u = inboxReducer(loaded([item('x')], 1), { kind: 'inbox', data: { read: ['x'], unreadCount: 0 } }, unreadOnly);
    expect(u.items).toEqual([]);
  });

  it('shows an optimistic change at once, keeps it when the server confirms, and drops it on rollback', () => {
    const s = loaded([item('a')], 1);
    const optimistic = inboxReducer(s, { kind: 'set-read', ids: ['a'], read: true, at: '2026-12-03T09:00:00Z', pending: 'p1' });
    expect(optimistic.items[0]?.readAt).toBe('2026-12-03T09:00:00Z');
    expect(optimistic.confirmed[0]?.readAt).toBeNull();
    expect(optimistic.unreadCount).toBe(1);
    const confirmed = inboxReducer(optimistic, { kind: 'confirm', pending: 'p1' });
    expect([confirmed.items[0]?.readAt, confirmed.confirmed[0]?.readAt, confirmed.pending]).toEqual(['2026-12-03T09:00:00Z', '2026-12-03T09:00:00Z', []]);
    const rolledBack = inboxReducer(optimistic, { kind: 'rollback', pending: 'p1' });
    expect([rolledBack.items[0]?.readAt, rolledBack.pending]).toEqual([null, []]);
    expect(inboxReducer(s, { kind: 'remove', id: 'a' }).items).toEqual([]);
    // An unknown key changes nothing.
    expect(inboxReducer(optimistic, { kind: 'rollback', pending: 'other' })).toBe(optimistic);
  });

  it('rolls back only its own change: live events that came while the call was in flight stay', () => {
    const { readAt: _r, actedAction: _a, ...fresh } = item('fresh', { createdAt: '2026-12-03T10:00:00Z' });
    // Mark all read, then a new notification and another device's read of 'b' arrive, then the call fails.
    let s = loaded([item('a'), item('b'), item('c')], 3);
    s = inboxReducer(s, { kind: 'set-read', ids: 'all', read: true, at: '2026-12-03T09:00:00Z', pending: 'all' });
    expect(s.items.every((i) => i.readAt !== null)).toBe(true);
    s = inboxReducer(s, { kind: 'notification', data: { notification: fresh, unreadCount: 4 } });
    // "All" meant what was shown: the new one arrives unread.
    expect(s.items.map((i) => [i.id, i.readAt === null])).toEqual([['fresh', true], ['a', false], ['b', false], ['c', false]]);
    s = inboxReducer(s, { kind: 'inbox', data: { read: ['b'], unreadCount: 3 } });
    s = inboxReducer(s, { kind: 'rollback', pending: 'all' });
    expect(s.items.map((i) => [i.id, i.readAt === null])).toEqual([['fresh', true], ['a', true], ['b', false], ['c', true]]);
    expect(s.unreadCount).toBe(3);

    // A removal in flight: a new notification and another device's deletion of 'c' come; the call fails.
    const { readAt: _r2, actedAction: _a2, ...newer } = item('newer');
    let r = loaded([item('a'), item('b'), item('c')], 3);
    r = inboxReducer(r, { kind: 'remove', id: 'b', pending: 'rm' });
    r = inboxReducer(r, { kind: 'set-read', ids: ['a'], read: true, at: '2026-12-03T09:00:00Z', pending: 'read-a' });
    expect(r.items.map((i) => i.id)).toEqual(['a', 'c']);
    r = inboxReducer(r, { kind: 'notification', data: { notification: newer, unreadCount: 4 } });
    r = inboxReducer(r, { kind: 'inbox', data: { deleted: ['c'], unreadCount: 3 } });
    r = inboxReducer(r, { kind: 'rollback', pending: 'rm' });
    // 'b' is back in its place, the live changes stay, and the other change in flight still shows.
    expect(r.items.map((i) => [i.id, i.readAt === null])).toEqual([['newer', true], ['a', false], ['b', true]]);
    expect(r.pending.map((p) => p.key)).toEqual(['read-a']);
  });

  it('keeps a confirmed read after a refetch, and lets a grouped repeat override a change in flight', () => {
    let s = inboxReducer(loaded([item('a'), item('b')], 2), { kind: 'set-read', ids: ['a'], read: true, at: '2026-12-03T09:00:00Z', pending: 'p' });
    // A refetch (after a reset) answered before the server applied the change: it still shows.
    s = inboxReducer(s, { kind: 'loaded', page: { items: [item('a'), item('b')], unreadCount: 2, nextCursor: null }, append: false });
    expect(s.items[0]?.readAt).toBe('2026-12-03T09:00:00Z');
    const { readAt: _r, actedAction: _a, ...repeat } = item('a', { groupCount: 2 });
    s = inboxReducer(s, { kind: 'notification', data: { notification: repeat, unreadCount: 2 } });
    expect(s.items.map((i) => [i.id, i.readAt])).toEqual([['a', null], ['b', null]]);
    expect(inboxReducer(s, { kind: 'confirm', pending: 'p' }).items[0]?.readAt).toBeNull();
  });

  it('orders urgent first, newest first within a priority, and names the bell by its count', () => {
    const list = [item('m1', { priority: 'medium', createdAt: '2026-12-03T08:00:00Z' }), item('u1', { priority: 'urgent', createdAt: '2026-12-03T07:00:00Z' }), item('m2', { priority: 'medium', createdAt: '2026-12-03T09:00:00Z' }), item('l1', { priority: 'low' }), item('h1', { priority: 'high' })];
    expect(byUrgency(list).map((i) => i.id)).toEqual(['u1', 'h1', 'm2', 'm1', 'l1']);
    expect(bellLabel(3)).toBe('Notifications, 3 unread');
    expect(bellLabel(0)).toBe('Notifications, none unread');
    expect(bellLabel(null)).toBe('Notifications');
  });
  it('moves a grouped repeat to the top, unread again, without a duplicate row', () => {
    const { readAt: _r, actedAction: _a, ...b } = item('b', { groupCount: 2 });
    const s = inboxReducer(loaded([item('a'), item('b', { readAt: '2026-12-03T09:00:00Z' })], 1), { kind: 'notification', data: { notification: b, unreadCount: 2 } });
    expect(s.items.map((i) => [i.id, i.readAt, i.groupCount])).toEqual([['b', null, 2], ['a', null, 1]]);
    expect(s.unreadCount).toBe(2);
  });

  it('updates shared state (a filled call) but keeps the user\'s own read state and answer', () => {
    const { readAt: _r, actedAction: _a, ...filled } = item('a', { state: { status: 'filled' } });
    const s = inboxReducer(loaded([item('a', { readAt: '2026-12-03T09:00:00Z', actedAction: 'accept' })], 0), { kind: 'updated', notification: filled });
    expect(s.items[0]).toMatchObject({ state: { status: 'filled' }, readAt: '2026-12-03T09:00:00Z', actedAction: 'accept' });
  });

  it('appends a further page without duplicates', () => {
    const s = inboxReducer(loaded([item('a'), item('b')], 2), { kind: 'loaded', page: { items: [item('b'), item('c')], unreadCount: 3, nextCursor: null }, append: true });
    expect(s.items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(s.unreadCount).toBe(3);
  });

  it('knows a settled workflow (a filled or cancelled call, a decided swap), whose buttons answer nothing', () => {
    expect(['filled', 'cancelled', 'approved', 'rejected'].map((status) => isSettled({ state: { status } }))).toEqual([true, true, true, true]);
    expect([{ status: 'open' }, { status: 'escalated' }, { status: 'pending' }, null, 'filled', { status: 3 }].map((state) => isSettled({ state }))).toEqual([false, false, false, false, false, false]);
  });
});
