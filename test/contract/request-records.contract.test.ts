/**
 * The request records behind `Idempotency-Key` behave the same on every database: one of racing
 * requests begins, the rest find it in flight; a stored answer is given again; another request
 * with the key is a reuse; a lease that ran out is taken over once; keys expire after 24 h.
 */
import { contractDatabases } from './databases.js';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprint, idempotencyMigrations, IDEMPOTENCY_WINDOW_MS, IN_FLIGHT_LEASE_MS, RequestRecords } from '../../packages/wardbell/src/idempotency/index.js';
import { migrateToLatest } from '../../packages/wardbell/src/store/index.js';

const adapters = contractDatabases({ poolSize: 8 });

const print = (body: unknown, caller = 'app') => fingerprint({ method: 'POST', path: '/api/notifications', caller, body });

for (const [name, make] of Object.entries(adapters)) {
  describe(`request records contract: ${name}`, () => {
    let close: (() => Promise<void>) | null = null;
    let t = Date.UTC(2026, 11, 2, 8, 0, 0);
    afterEach(async () => {
      await close?.();
      close = null;
    });

    async function records() {
      const { db, close: c } = await make();
      close = c;
      await migrateToLatest(db, [idempotencyMigrations]);
      return new RequestRecords(db, () => t);
    }

    it('begins once, is in flight meanwhile, then answers the stored success again', async () => {
      const r = await records();
      expect(await r.begin('h1', 'k', print({ a: 1 }))).toEqual({ kind: 'new' });
      expect(await r.begin('h1', 'k', print({ a: 1 }))).toEqual({ kind: 'in_flight' });
      expect(await r.begin('h1', 'k', print({ a: 2 }))).toEqual({ kind: 'reused' });
      await r.complete('h1', 'k', { status: 201, body: '{"id":"n-1"}' });
      expect(await r.begin('h1', 'k', print({ a: 1 }))).toEqual({ kind: 'replay', answer: { status: 201, body: '{"id":"n-1"}' } });
      expect(await r.begin('h1', 'k', print({ a: 2 }))).toEqual({ kind: 'reused' });
      // Another tenant's key of the same name is another key.
      expect(await r.begin('h2', 'k', print({ a: 2 }))).toEqual({ kind: 'new' });
    });

    it('lets exactly one of many racing requests begin', async () => {
      const r = await records();
      const outcomes = await Promise.all(Array.from({ length: 12 }, () => r.begin('h1', 'race', print({ n: 1 }))));
      expect(outcomes.filter((o) => o.kind === 'new')).toHaveLength(1);
      expect(outcomes.filter((o) => o.kind === 'in_flight')).toHaveLength(11);
    });

    it('frees a released key, but never a completed one', async () => {
      const r = await records();
      await r.begin('h1', 'k', print({ a: 1 }));
      await r.release('h1', 'k');
      expect(await r.begin('h1', 'k', print({ a: 2 }))).toEqual({ kind: 'new' });
      await r.complete('h1', 'k', { status: 202, body: '{}' });
      await r.release('h1', 'k');
      expect((await r.begin('h1', 'k', print({ a: 2 }))).kind).toBe('replay');
    });

    it('hands a key whose lease ran out to exactly one of the racing retries', async () => {
      const r = await records();
      await r.begin('h1', 'k', print({ a: 1 }));
      t += IN_FLIGHT_LEASE_MS - 1;
      expect((await r.begin('h1', 'k', print({ a: 1 }))).kind).toBe('in_flight');
      t += 2;
      const outcomes = await Promise.all(Array.from({ length: 6 }, () => r.begin('h1', 'k', print({ a: 1 }))));
      expect(outcomes.filter((o) => o.kind === 'new')).toHaveLength(1);
      // A reuse stays a reuse, in flight or not.
      expect((await r.begin('h1', 'k', print({ a: 9 }))).kind).toBe('reused');
    });

    it('forgets keys after 24 hours, and sweeps them', async () => {
      const r = await records();
      await r.begin('h1', 'old', print({ a: 1 }));
      await r.complete('h1', 'old', { status: 201, body: '{}' });
      await r.begin('h1', 'older', print({ a: 1 }));
      await r.complete('h1', 'older', { status: 201, body: '{}' });
      t += IDEMPOTENCY_WINDOW_MS + 1;
      expect(await r.begin('h1', 'old', print({ a: 2 }))).toEqual({ kind: 'new' });
      expect(await r.sweep()).toBe(1);
      expect(await r.begin('h1', 'older', print({ a: 3 }))).toEqual({ kind: 'new' });
    });

    it('releases everything in flight at once (an embedded process starting), but no stored answer', async () => {
      const r = await records();
      await r.begin('h1', 'a', print({ a: 1 }));
      await r.begin('h2', 'b', print({ a: 1 }));
      await r.begin('h1', 'done', print({ a: 1 }));
      await r.complete('h1', 'done', { status: 201, body: '{}' });
      expect(await r.releaseAllInFlight()).toBe(2);
      expect((await r.begin('h1', 'a', print({ a: 1 }))).kind).toBe('new');
      expect((await r.begin('h1', 'done', print({ a: 1 }))).kind).toBe('replay');
    });
  });
}

describe('request fingerprints', () => {
  it('ignore key order and the body\'s own idempotencyKey, but not the route, the caller or a value', () => {
    const base = print({ title: 'x', to: { users: ['a', 'b'] } });
    expect(print({ to: { users: ['a', 'b'] }, title: 'x' })).toBe(base);
    expect(print({ to: { users: ['a', 'b'] }, title: 'x', idempotencyKey: 'k' })).toBe(base);
    expect(print({ title: 'x', to: { users: ['b', 'a'] } })).not.toBe(base);
    expect(print({ title: 'x', to: { users: ['a', 'b'] } }, 'someone-else')).not.toBe(base);
    expect(fingerprint({ method: 'POST', path: '/api/events', caller: 'app', body: { title: 'x', to: { users: ['a', 'b'] } } })).not.toBe(base);
    expect(print({ title: 'x', to: { users: ['a', 'b'] }, extra: null })).not.toBe(base);
    expect(print(undefined)).toBe(print(null));
  });
});
