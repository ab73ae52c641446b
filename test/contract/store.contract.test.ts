import { contractDatabases, notificationStack } from './databases.js';
import { afterEach, describe, expect, it } from 'vitest';
import { pushDb, pushMigrations } from '../../packages/wardbell/src/push/index.js';

const adapters = contractDatabases({ poolSize: 4 });

/** The Store contract: the notification queries behave the same on every database. */
for (const [name, make] of Object.entries(adapters)) {
  describe(`Store contract: ${name}`, () => {
    let close: (() => Promise<void>) | null = null;
    afterEach(async () => {
      await close?.();
      close = null;
    });

    async function service() {
      const { db, close: c } = await make();
      close = c;
      const { svc, directory, clock } = await notificationStack(db, [pushMigrations]);
      await directory.upsert('h1', [
        { userId: 'a', roles: ['nurse'], wards: ['3'] },
        { userId: 'b', roles: ['nurse'], wards: ['3', '4'] },
        { userId: 'c', roles: ['manager'], wards: ['4'] },
      ]);
      await directory.upsert('h2', [{ userId: 'a', roles: ['nurse'], wards: ['3'] }]);
      return { svc, directory, clock, db };
    }
    const base = { tenantId: 'h1', senderId: 'app', type: 'general' as const, priority: 'medium' as const, body: '' };

    it('resolves audiences from the directory within one tenant', async () => {
      const { directory } = await service();
      expect(await directory.resolve('h1', { kind: 'topic', topic: 'ward:3' })).toEqual(['a', 'b']);
      expect(await directory.resolve('h1', { kind: 'topic', topic: 'role:manager' })).toEqual(['c']);
      expect(await directory.resolve('h1', { kind: 'tenant' })).toEqual(['a', 'b', 'c']);
      expect(await directory.resolve('h2', { kind: 'tenant' })).toEqual(['a']);
      await directory.upsert('h1', [{ userId: 'a', roles: ['nurse'], wards: ['4'] }]);
      expect(await directory.resolve('h1', { kind: 'topic', topic: 'ward:3' })).toEqual(['b']);
    });

    it('writes one inbox entry per member and keeps unread counts exact through read and delete', async () => {
      const { svc, clock } = await service();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        clock.advance(1000);
        ids.push((await svc.send({ ...base, title: `n${i}`, to: { topic: 'ward:4' } })).notification.id);
      }
      expect((await svc.list('h1', 'b', { limit: 10 })).unreadCount).toBe(5);
      expect((await svc.markRead('h1', 'b', [ids[0]!, ids[1]!])).unreadCount).toBe(3);
      expect((await svc.remove('h1', 'b', [ids[2]!])).unreadCount).toBe(2);
      expect((await svc.remove('h1', 'b', [ids[0]!])).unreadCount).toBe(2);
      expect((await svc.list('h1', 'c', { limit: 10 })).unreadCount).toBe(5);
      expect((await svc.markRead('h1', 'c', 'all')).unreadCount).toBe(0);
      expect((await svc.list('h1', 'a', { limit: 10 })).items).toEqual([]);
      expect((await svc.list('h2', 'a', { limit: 10 })).items).toEqual([]);
    });

    it('pages newest first with a stable cursor, including equal timestamps', async () => {
      const { svc } = await service();
      for (let i = 0; i < 7; i++) await svc.send({ ...base, title: `same-ms ${i}`, to: { users: ['a'] } });
      const seen: string[] = [];
      let cursor: { sortAt: number; id: string } | undefined;
      const { decodeCursor } = await import('../../packages/wardbell/src/notifications/index.js');
      for (;;) {
        const page = await svc.list('h1', 'a', { limit: 3, cursor });
        seen.push(...page.items.map((i) => i.id));
        if (!page.nextCursor) break;
        cursor = decodeCursor(page.nextCursor) ?? undefined;
      }
      expect(seen).toHaveLength(7);
      expect(new Set(seen).size).toBe(7);
    });

    it('filters by status, type and priority', async () => {
      const { svc } = await service();
      const x = await svc.send({ ...base, title: 'x', priority: 'urgent', type: 'emergency_call', to: { users: ['a'] } });
      await svc.send({ ...base, title: 'y', to: { users: ['a'] } });
      await svc.markRead('h1', 'a', [x.notification.id]);
      expect((await svc.list('h1', 'a', { limit: 10, status: 'unread' })).items.map((i) => i.title)).toEqual(['y']);
      expect((await svc.list('h1', 'a', { limit: 10, status: 'read' })).items.map((i) => i.title)).toEqual(['x']);
      expect((await svc.list('h1', 'a', { limit: 10, type: 'emergency_call' })).items.map((i) => i.title)).toEqual(['x']);
      expect((await svc.list('h1', 'a', { limit: 10, priority: 'medium' })).items.map((i) => i.title)).toEqual(['y']);
    });

    it('honours an idempotency key once per tenant, also when two sends race', async () => {
      const { svc } = await service();
      const input = { ...base, title: 'once', to: { users: ['a'] }, idempotencyKey: 'k1' };
      const [r1, r2] = await Promise.all([svc.send(input), svc.send(input)]);
      expect(r1.notification.id).toBe(r2.notification.id);
      expect([r1.duplicate, r2.duplicate].filter(Boolean)).toHaveLength(1);
      expect((await svc.list('h1', 'a', { limit: 10 })).items).toHaveLength(1);
      const other = await svc.send({ ...input, tenantId: 'h2' });
      expect(other.duplicate).toBe(false);
    });

    it('groups repeats within the window and starts a new entry after it', async () => {
      const { svc, clock } = await service();
      const g = { ...base, to: { users: ['a'] }, groupKey: 'sched-12' };
      const first = await svc.send({ ...g, title: 'v1' });
      const second = await svc.send({ ...g, title: 'v2' });
      expect(second).toMatchObject({ grouped: true, notification: { id: first.notification.id, groupCount: 2, title: 'v2' } });
      clock.advance(11 * 60_000);
      const third = await svc.send({ ...g, title: 'v3' });
      expect(third.grouped).toBe(false);
      expect((await svc.list('h1', 'a', { limit: 10 })).unreadCount).toBe(2);
    });

    it('queues push only for those who want it, in the same transaction', async () => {
      const { svc, db } = await service();
      await svc.putPreferences('h1', 'b', { channels: { general: { inbox: true, push: false } }, quietHours: null });
      const r = await svc.send({ ...base, title: 'p', priority: 'high', to: { topic: 'ward:3' } });
      const rows = await pushDb(db).selectFrom('push_outbox').select(['user_id', 'status']).where('notification_id', '=', r.notification.id).orderBy('user_id').execute();
      expect(rows).toEqual([{ user_id: 'a', status: 'pending' }]);
    });
  });
}
