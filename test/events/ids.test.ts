import { describe, expect, it } from 'vitest';
import { formatEventId, newEpoch, parseEventId } from '../../packages/wardbell/src/events/index.js';

describe('event ids', () => {
  it('round-trip epoch and offset', () => {
    const id = formatEventId('abc123defg', 42);
    expect(id).toBe('abc123defg-000000000042');
    expect(parseEventId(id)).toEqual({ epoch: 'abc123defg', offset: 42 });
  });

  it('sort as strings within one epoch', () => {
    const ids = [9, 10, 100, 2].map((n) => formatEventId('e0e0e0e0e0', n));
    expect([...ids].sort()).toEqual([2, 9, 10, 100].map((n) => formatEventId('e0e0e0e0e0', n)));
  });

  it.each([
    ['empty', ''],
    ['no offset', 'abcdef'],
    ['non-ASCII', 'abcdéf-000000000001'],
    ['negative', 'abcdef--1'],
    ['uppercase epoch', 'ABCDEF-1'],
    ['too long', `abcdef-${'9'.repeat(40)}`],
    ['unsafe integer', 'abcdef-999999999999999'.replace(/-.*/, '-9999999999999999')],
    ['injection', 'abcdef-1\nevent: x'],
  ])('rejects %s', (_n, raw) => {
    expect(parseEventId(raw)).toBeNull();
  });

  it('makes distinct ASCII epochs', () => {
    const a = newEpoch();
    const b = newEpoch();
    expect(a).toMatch(/^[a-z0-9]{10}$/);
    expect(a).not.toBe(b);
  });
});
