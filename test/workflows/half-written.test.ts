// Before any schema exists (see src/workflows/index.ts): the routes extend the notification model's.
import '@hono/zod-openapi';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Directory, type NotificationService } from '../../src/notifications/index.js';
import type { EventManager } from '../../src/sse/index.js';
import { migrateToLatest, openSqlite, type Db } from '../../src/store/index.js';
import { EmergencyCalls } from '../../src/workflows/emergency.js';
import { Scheduler, type WorkflowTables } from '../../src/workflows/index.js';
import { Swaps } from '../../src/workflows/swaps.js';
import { FakeClock } from '../helpers/fake-clock.js';

// The notification's send is the last step that can fail after a workflow wrote its own rows;
// these play it failing (a database error, a recipient removed meanwhile) and look for leftovers.
let raw: Db;
const clock = new FakeClock();
const caller = { tenantId: 'h1', userId: 'scheduler', roles: ['service'], wards: [] };
const failingSend = { send: async () => Promise.reject(new Error('database is locked')) } as unknown as NotificationService;
const noEvents = {} as EventManager;

beforeEach(async () => {
  raw = openSqlite(':memory:');
  await migrateToLatest(raw);
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
  const scheduler = new Scheduler({ db, clock, logger: pino({ level: 'silent' }) });
  const deps = { db, clock, events: noEvents, notifications: failingSend, directory, scheduler };
  return { db, swaps: new Swaps(deps), emergency: new EmergencyCalls({ ...deps, escalateAfterSeconds: 600, escalateTo: { topic: 'role:nurse' } }) };
}

describe('nothing half-written when the notification cannot be sent', () => {
  it('removes the swap again', async () => {
    const { db, swaps } = services();
    await expect(swaps.request(caller, { requesterId: 'n1', targetId: 'n2', shift: { id: 's', startsAt: '2026-12-04T07:00:00+09:00' } })).rejects.toThrow('database is locked');
    expect(await db.selectFrom('swaps').selectAll().execute()).toEqual([]);
  });

  it('removes the emergency call and its escalation job again', async () => {
    const { db, emergency } = services();
    await expect(emergency.create(caller, { to: { topic: 'ward:3' }, needed: 2, title: 'ICU', message: '' })).rejects.toThrow('database is locked');
    expect(await db.selectFrom('emergency_calls').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('scheduled_jobs').selectAll().execute()).toEqual([]);
  });
});
