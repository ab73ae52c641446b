import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Publisher } from '../../packages/wardbell/src/events/index.js';
import { Directory, NotificationService, type PushQueue } from '../../packages/wardbell/src/notifications/index.js';
import { migrateToLatest, openSqlite, type Db } from '../../packages/wardbell/src/store/index.js';
import { EmergencyCalls } from '../../packages/wardbell/src/workflows/emergency.js';
import { RepeatDelivery } from '../../packages/wardbell/src/workflows/repeat-delivery.js';
import { Scheduler, workflowMigrations, type WorkflowTables } from '../../packages/wardbell/src/workflows/index.js';
import { Swaps } from '../../packages/wardbell/src/workflows/swaps.js';
import { FakeClock } from '../helpers/fake-clock.js';

// A workflow's own rows are written in the transaction of its notification's send. These make the
// last write of that transaction fail (the push outbox: a database error) and look for leftovers.
let raw: Db;
const clock = new FakeClock();
const caller = { tenantId: 'h1', userId: 'scheduler', roles: ['service'], wards: [] };
const failingPushQueue: PushQueue = { enqueue: () => Promise.reject(new Error('database is locked')) };
let published: string[];
const events: Publisher = {
  publish: async (tenantId, type) => {
    published.push(type);
    return { id: 'e-1', tenantId, offset: 1, type, data: null, audience: { kind: 'tenant' }, createdAt: clock.now() };
  },
};

beforeEach(async () => {
  published = [];
  raw = openSqlite(':memory:');
  await migrateToLatest(raw, [workflowMigrations]);
  await new Directory(raw, () => clock.now()).upsert('h1', [
    { userId: 'n1', roles: ['nurse'], wards: ['3'] },
    { userId: 'n2', roles: ['nurse'], wards: ['3'] },
  ]);
});
afterEach(async () => {
  await raw.destroy();
});

function services() {
  const db = raw.withTables<WorkflowTables>();
  const directory = new Directory(raw, () => clock.now());
  const notifications = new NotificationService({ db: raw, clock, events, directory, pushQueue: failingPushQueue });
  const scheduler = new Scheduler({ db, clock, logger: pino({ level: 'silent' }) });
  const deps = { db, clock, events, notifications, directory, scheduler };
  return { db, swaps: new Swaps(deps), emergency: new EmergencyCalls({ ...deps, delivery: new RepeatDelivery({ db, events, notifications, pushQueue: null }), escalateAfterSeconds: 600, escalateTo: { topic: 'role:nurse' } }) };
}

async function leftovers(db: ReturnType<typeof services>['db']) {
  return {
    notifications: await db.selectFrom('notifications').selectAll().execute(),
    inbox: await db.selectFrom('inbox').selectAll().execute(),
    idempotencyKeys: await db.selectFrom('idempotency_keys').selectAll().execute(),
  };
}

describe('nothing half-written when the notification cannot be sent', () => {
  it('leaves no swap and no notification', async () => {
    const { db, swaps } = services();
    await expect(swaps.request(caller, { requesterId: 'n1', targetId: 'n2', shift: { id: 's', startsAt: '2026-12-04T07:00:00+09:00' } })).rejects.toThrow('database is locked');
    expect(await db.selectFrom('swaps').selectAll().execute()).toEqual([]);
    expect(await leftovers(db)).toEqual({ notifications: [], inbox: [], idempotencyKeys: [] });
    expect(published).toEqual([]);
  });

  it('leaves no emergency call, no escalation job, no link and no notification', async () => {
    const { db, emergency } = services();
    await expect(emergency.create(caller, { to: { topic: 'ward:3' }, needed: 2, title: 'ICU', message: '' })).rejects.toThrow('database is locked');
    expect(await db.selectFrom('emergency_calls').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('scheduled_jobs').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('emergency_notices').selectAll().execute()).toEqual([]);
    expect(await leftovers(db)).toEqual({ notifications: [], inbox: [], idempotencyKeys: [] });
    expect(published).toEqual([]);
  });
});
