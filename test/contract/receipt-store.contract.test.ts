import { contractDatabases, notificationStack } from './databases.js';
import { afterEach, describe, expect, it } from 'vitest';
import { pushMigrations } from '../../packages/wardbell/src/push/index.js';
import { receiptMigrations, ReceiptStore } from '../../packages/wardbell/src/receipts/index.js';

const adapters = contractDatabases({ poolSize: 4 });

/**
 * The receipts store's batched reads and claims (a round of the publisher takes every due
 * notification of a tenant at once) answer exactly what the one-notification forms answer, on
 * every database.
 */
for (const [name, make] of Object.entries(adapters)) {
  describe(`ReceiptStore contract: ${name}`, () => {
    let close: (() => Promise<void>) | null = null;
    afterEach(async () => {
      await close?.();
      close = null;
    });

    async function setup() {
      const { db, close: c } = await make();
      close = c;
      const { svc, directory, clock } = await notificationStack(db, [pushMigrations, receiptMigrations]);
      await directory.upsert('h1', ['a', 'b', 'c'].map((userId) => ({ userId, roles: ['nurse'], wards: ['3'] })));
      await directory.upsert('h2', [{ userId: 'a', roles: ['nurse'], wards: ['3'] }]);
      const send = async (tenantId: string, to: string[], title: string) =>
        (await svc.send({ tenantId, senderId: 'app', type: 'general', priority: 'medium', title, body: '', actions: [{ id: 'ok', label: 'OK' }], to: { users: to } })).notification.id;
      return { store: new ReceiptStore(db), svc, clock, send };
    }

    it('summarises several notifications in one call as each alone, and never another tenant\'s', async () => {
      const { store, svc, clock, send } = await setup();
      const n1 = await send('h1', ['a', 'b', 'c'], 'one');
      const n2 = await send('h1', ['a'], 'two');
      const other = await send('h2', ['a'], 'theirs');
      const t = clock.now();
      await store.record([
        { tenantId: 'h1', notificationId: n1, userId: 'a', kind: 'streamed', at: t },
        { tenantId: 'h1', notificationId: n1, userId: 'b', kind: 'pushed', at: t, detail: 'sub-1' },
        { tenantId: 'h1', notificationId: n1, userId: 'b', kind: 'displayed', at: t, detail: 'worker' },
        { tenantId: 'h1', notificationId: n2, userId: 'a', kind: 'opened', at: t, detail: 'page' },
        { tenantId: 'h2', notificationId: other, userId: 'a', kind: 'streamed', at: t },
      ]);
      await svc.pressAction({ tenantId: 'h1', userId: 'c', roles: ['nurse'], wards: ['3'] }, n1, 'ok');
      const many = await store.summaries('h1', [n1, n2, other, 'no-such-id']);
      expect([...many.keys()].sort()).toEqual([n1, n2].sort());
      expect(many.get(n1)).toEqual(await store.summary('h1', n1));
      expect(many.get(n2)).toEqual(await store.summary('h1', n2));
      expect(many.get(n1)).toEqual({ recipients: 3, reached: 2, streamed: 1, pushed: 1, displayed: 1, seen: 2, opened: 0, read: 1, acted: 1, actions: { ok: 1 } });
      expect(many.get(n2)).toMatchObject({ recipients: 1, reached: 0, opened: 1, seen: 1, actions: {} });
      expect(await store.summary('h1', 'no-such-id')).toMatchObject({ recipients: 0, actions: {} });
    });

    it('claims publications for several at once: taken where the interval passed, else the time of the last', async () => {
      const { store, send } = await setup();
      const [a, b, c] = [await send('h1', ['a'], 'a'), await send('h1', ['a'], 'b'), await send('h1', ['a'], 'c')];
      expect(await store.claimPublication('h1', a, 1_000, 1000)).toBe(true);
      expect(await store.claimPublication('h1', b, 1_500, 1000)).toBe(true);
      const claims = await store.claimPublications('h1', [a, b, c, a], 2_200, 1000);
      expect(Object.fromEntries(claims)).toEqual({ [a]: true, [b]: 1_500, [c]: true });
      // Another tenant's row of the same id is its own.
      expect(await store.claimPublication('h2', b, 2_300, 1000)).toBe(true);
      expect(await store.claimPublication('h1', b, 2_300, 1000)).toBe(1_500);
    });

    it('claims each first once across calls and processes, for several notifications at once', async () => {
      const { store, send } = await setup();
      const [a, b] = [await send('h1', ['a'], 'a'), await send('h1', ['a'], 'b')];
      expect([...(await store.claimFirsts('h1', 'reached', [{ notificationId: a, at: 10 }]))]).toEqual([a]);
      const won = await store.claimFirsts('h1', 'reached', [{ notificationId: a, at: 5 }, { notificationId: b, at: 20 }]);
      expect([...won]).toEqual([b]);
      // Seen is a first of its own; a publication's row does not count as either.
      expect(await store.claimPublication('h1', a, 5_000, 1000)).toBe(true);
      expect(await store.claimFirst('h1', a, 'seen', 40)).toBe(true);
      expect(await store.claimFirst('h1', a, 'seen', 41)).toBe(false);
      expect(await store.claimFirst('h1', a, 'reached', 1)).toBe(false);
    });

    it('reads the facts of several notifications of the tenant in one call', async () => {
      const { store, send } = await setup();
      const [a, theirs] = [await send('h1', ['a'], 'a'), await send('h2', ['a'], 'theirs')];
      const facts = await store.notifications('h1', [a, theirs]);
      expect([...facts.keys()]).toEqual([a]);
      expect(facts.get(a)).toMatchObject({ senderId: 'app', workflowKind: null, workflowId: null });
      expect(facts.get(a)).toEqual(await store.notification('h1', a));
    });
  });
}
