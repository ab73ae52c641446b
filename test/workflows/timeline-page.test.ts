import { describe, expect, it } from 'vitest';
import { mergeTimeline, timelinePage, type DeliveryEntry } from '../../packages/wardbell/src/workflows/index.js';
import { AppError } from '../../packages/wardbell/src/shared/index.js';

const T0 = Date.parse('2026-12-04T02:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const own = [
  { seq: 1, at: at(0), kind: 'created' as const, actor: 'charge', data: {} },
  { seq: 2, at: at(0), kind: 'notified' as const, actor: null, data: { notificationId: 'n-1', recipients: 2 } },
  { seq: 3, at: at(40), kind: 'accepted' as const, actor: 'lee', data: {} },
];
const delivered = (user: string, s: number, channel: 'stream' | 'push'): DeliveryEntry => ({ at: T0 + s * 1000, kind: 'delivered', userId: user, data: { notificationId: 'n-1', channel } });

describe('a call\'s timeline, merged and paged (pure)', () => {
  it('puts the call\'s own events before deliveries of the same instant, then orders by who and channel', () => {
    const merged = mergeTimeline(own, [delivered('lee', 0, 'stream'), delivered('kim', 0, 'push'), delivered('kim', 0, 'stream'), delivered('kim', 5, 'stream')]);
    expect(merged.map((e) => [e.kind, e.actor, e.data.channel ?? null])).toEqual([
      ['created', 'charge', null],
      ['notified', null, null],
      ['delivered', 'kim', 'push'],
      ['delivered', 'kim', 'stream'],
      ['delivered', 'lee', 'stream'],
      ['delivered', 'kim', 'stream'],
      ['accepted', 'lee', null],
    ]);
  });

  it('pages by where the last entry sorts, so an entry added meanwhile before the cursor does not shift the next page', () => {
    const before = mergeTimeline(own, [delivered('kim', 10, 'stream'), delivered('lee', 20, 'stream')]);
    const first = timelinePage(before, 3);
    expect(first.entries.map((e) => e.kind)).toEqual(['created', 'notified', 'delivered']);
    expect(first.nextCursor).not.toBeNull();
    // Kim's phone reports a push delivery at 1 s (before the cursor) between the two reads.
    const after = mergeTimeline(own, [delivered('kim', 1, 'push'), delivered('kim', 10, 'stream'), delivered('lee', 20, 'stream')]);
    const second = timelinePage(after, 3, first.nextCursor!);
    expect(second.entries.map((e) => [e.kind, e.actor])).toEqual([
      ['delivered', 'lee'],
      ['accepted', 'lee'],
    ]);
    expect(second.nextCursor).toBeNull();
    // Past the end: empty, no cursor.
    expect(timelinePage(before, 5, timelinePage(before, 5).nextCursor ?? first.nextCursor!)).toMatchObject({ nextCursor: null });
    expect(timelinePage([], 5)).toEqual({ entries: [], nextCursor: null });
  });

  it('refuses a cursor it did not issue', () => {
    for (const c of ['', 'not base64 json', Buffer.from('[1,2]').toString('base64url'), Buffer.from('[1.5,0,0,"a","b","c"]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
      expect(() => timelinePage(mergeTimeline(own, []), 2, c), c).toThrow(AppError);
    }
  });
});
