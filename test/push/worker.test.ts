import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ece from 'http_ece';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActionTokens, type Identity } from '../../packages/wardbell/src/auth/index.js';
import { createKeyBox } from '../../packages/wardbell/src/push/at-rest.js';
import { SubscriptionManager } from '../../packages/wardbell/src/push/manager.js';
import { pushMigrations } from '../../packages/wardbell/src/push/migrations.js';
import { claimDeliveries, expandOutbox } from '../../packages/wardbell/src/push/outbox.js';
import type { PushRequest } from '../../packages/wardbell/src/push/request.js';
import { PushSender } from '../../packages/wardbell/src/push/sender.js';
import { pushDb, type PushDb } from '../../packages/wardbell/src/push/store.js';
import type { PushResponse, PushTransport } from '../../packages/wardbell/src/push/transport.js';
import { generateVapidKeys, VapidSigner } from '../../packages/wardbell/src/push/vapid.js';
import { PushWorker } from '../../packages/wardbell/src/push/worker.js';
import { migrateToLatest, openSqlite, type Db } from '../../packages/wardbell/src/store/index.js';
import { tenantMigrations } from '../../packages/wardbell/src/tenants/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** A transport without sockets: records requests, answers from a script (default 201). */
class ScriptedTransport implements PushTransport {
  readonly sent: PushRequest[] = [];
  readonly answers: Array<Partial<PushResponse>> = [];
  async send(req: PushRequest): Promise<PushResponse> {
    this.sent.push(req);
    return { status: 201, detail: '', ...this.answers.shift() };
  }
  close() {}
}

const kek = randomBytes(32);
const keys = generateVapidKeys();
const policy = { allowedHosts: ['push.example'], allowPrivateNetworks: false };
const kim: Identity = { tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] };

let dir: string;
let raw: Db;
let db: PushDb;
let clock: FakeClock;
let transport: ScriptedTransport;
let manager: SubscriptionManager;

function open() {
  raw = openSqlite(join(dir, 'wardbell.sqlite'));
  db = pushDb(raw);
  manager = new SubscriptionManager({ db, keyBox: createKeyBox(kek), policy, now: () => clock.now(), resolve: async () => [{ address: '142.250.74.106' }] });
}

function worker(opts: { concurrency?: number } = {}) {
  const sender = new PushSender({ signer: new VapidSigner({ keys, subject: 'mailto:a@b.example', now: () => clock.now() }), transport, policy, now: () => clock.now(), random: () => 0.5 });
  return new PushWorker({
    db,
    sender,
    keyBox: createKeyBox(kek),
    actionTokens: createActionTokens(randomBytes(32), () => clock.now()),
    removeSubscriptions: (d, ids, count) => manager.remove(d, ids, count),
    clock,
    logger: pino({ level: 'silent' }),
    concurrency: opts.concurrency ?? 4,
  });
}

async function browser(identity = kim, topics?: string[]) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16).toString('base64url');
  const endpoint = `https://push.example/p/${randomUUID()}`;
  await manager.subscribe(identity, { endpoint, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth }, topics });
  return { endpoint, decrypt: (body: Buffer) => JSON.parse(ece.decrypt(body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString()) as Record<string, any> };
}

/** What the notification service writes in one transaction: the notification, the inbox row, the outbox row. */
async function notify(title: string, opts: { priority?: string; userId?: string; read?: boolean } = {}) {
  const id = randomUUID();
  const userId = opts.userId ?? 'kim';
  const now = clock.now();
  await raw.insertInto('notifications').values({ id, tenant_id: 'h1', type: 'general', priority: opts.priority ?? 'high', title, body: '', data: '{}', actions: '[]', audience: JSON.stringify({ kind: 'users', users: [userId] }), group_key: null, group_count: 1, sender_id: 'app', recipient_count: 1, state: null, workflow_kind: null, workflow_id: null, created_at: now, updated_at: now }).execute();
  await raw.insertInto('inbox').values({ tenant_id: 'h1', user_id: userId, notification_id: id, sort_at: now, type: 'general', priority: opts.priority ?? 'high', read_at: opts.read ? now : null, acted_action: null, acted_at: null }).execute();
  await db.insertInto('push_outbox').values({ id: randomUUID(), tenant_id: 'h1', user_id: userId, notification_id: id, priority: opts.priority ?? 'high', not_before: now, status: 'pending', attempts: 0, last_error: null, created_at: now }).execute();
  return id;
}

const deliveries = () => db.selectFrom('push_deliveries').selectAll().execute();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wardbell-push-worker-'));
  clock = new FakeClock();
  transport = new ScriptedTransport();
  open();
  // The tenants' tables too: the worker asks what each notification's lock screen may show.
  await migrateToLatest(raw, [pushMigrations, tenantMigrations]);
});
afterEach(async () => {
  await raw.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('the durable outbox', () => {
  it('loses nothing when the process dies between accepting a notification and sending it', async () => {
    const phone = await browser();
    await notify('Before the crash');
    await raw.destroy(); // the process is gone; the outbox row is on disk
    open();
    await worker().drain();
    expect(transport.sent).toHaveLength(1);
    expect(phone.decrypt(transport.sent[0]!.body).title).toBe('Before the crash');
  });

  it('sends again, once, what a dead worker had claimed but not settled, after its lease runs out', async () => {
    const phone = await browser();
    await notify('In flight');
    await expandOutbox(db, clock.now(), 100);
    expect(await claimDeliveries(db, clock.now(), 100, 120_000)).toHaveLength(1); // claimed, then the process dies
    await worker().drain();
    expect(transport.sent).toHaveLength(0); // still leased to the dead worker
    clock.advance(120_001);
    await worker().drain();
    expect(transport.sent).toHaveLength(1);
    expect(phone.decrypt(transport.sent[0]!.body).title).toBe('In flight');
    expect((await deliveries())[0]).toMatchObject({ status: 'done', attempts: 2 });
    await worker().drain();
    expect(transport.sent).toHaveLength(1);
  });

  it('expands an outbox row only once, however many workers race for it', async () => {
    await browser();
    await notify('Once');
    const results = await Promise.all([expandOutbox(db, clock.now(), 100), expandOutbox(db, clock.now(), 100), expandOutbox(db, clock.now(), 100)]);
    expect(results.reduce((n, r) => n + r.deliveries, 0)).toBe(1);
    expect(await deliveries()).toHaveLength(1);
  });

  it('does not push a notification the user already read in the app (it waited for quiet hours)', async () => {
    await browser();
    await notify('Read at breakfast', { read: true });
    const w = worker();
    await w.drain();
    expect(transport.sent).toHaveLength(0);
    expect(w.stats.alreadyRead).toBe(1);
  });

  it('marks a push whose TTL ran out before it could go as expired, and does not send it', async () => {
    await browser();
    await notify('Emergency an hour ago', { priority: 'urgent' });
    await expandOutbox(db, clock.now(), 100);
    clock.advance(3600_000 + 1);
    const w = worker();
    await w.drain();
    expect(transport.sent).toHaveLength(0);
    expect((await deliveries())[0]?.status).toBe('expired');
    expect(w.stats.final.expired).toBe(1);
  });

  it('sends the remaining TTL, so a push delayed in our queue does not outlive its notification', async () => {
    await browser();
    await notify('Urgent', { priority: 'urgent' });
    clock.advance(600_000);
    await worker().drain();
    expect(transport.sent[0]?.headers.TTL).toBe('3000');
  });

  it('gives a push enqueued again later (an emergency call\'s repeat) a lifetime from then, not from the notification', async () => {
    await browser();
    const id = await notify('Still nobody', { priority: 'urgent' });
    await worker().drain();
    clock.advance(2 * 3600_000); // past the urgent TTL of 1 h, counted from the notification
    await db.insertInto('push_outbox').values({ id: randomUUID(), tenant_id: 'h1', user_id: 'kim', notification_id: id, priority: 'urgent', not_before: clock.now(), status: 'pending', attempts: 0, last_error: null, created_at: clock.now() }).execute();
    await worker().drain();
    expect(transport.sent.map((x) => x.headers.TTL)).toEqual(['3600', '3600']);
  });

  it('gives up after 8 attempts of 5xx and records the last answer', async () => {
    await browser();
    await notify('Never');
    for (let i = 0; i < 10; i++) transport.answers.push({ status: 502, detail: 'bad gateway' });
    const w = worker();
    for (let i = 0; i < 12; i++) {
      await w.drain();
      clock.advance(10 * 60_000);
    }
    expect(transport.sent).toHaveLength(8);
    expect((await deliveries())[0]).toMatchObject({ status: 'failed', attempts: 8, last_status: 502, last_result: 'server_error' });
    expect((await deliveries())[0]?.last_error).toMatch(/gave up after 8 attempts.*bad gateway/);
    expect(w.stats.retriesScheduled).toBe(7);
  });

  it('fails a send refused because the host resolved to a private address, and keeps trying nothing', async () => {
    await browser();
    await notify('Rebound');
    transport.answers.push({ status: null, detail: 'resolves only to non-public addresses', forbiddenAddress: true });
    const w = worker();
    await w.drain();
    clock.advance(3600_000);
    await w.drain();
    expect(transport.sent).toHaveLength(1);
    expect((await deliveries())[0]).toMatchObject({ status: 'failed', last_result: 'forbidden_address' });
  });

  it('never sends a queued push to the next owner of a subscription that moved to another user', async () => {
    const phone = await browser();
    await notify('For kim only');
    await expandOutbox(db, clock.now(), 100);
    const lee: Identity = { tenantId: 'h1', userId: 'lee', roles: [], wards: [] };
    const row = await db.selectFrom('push_subscriptions').select(['endpoint']).executeTakeFirstOrThrow();
    await manager.subscribe(lee, { endpoint: row.endpoint, keys: { p256dh: createECDH('prime256v1').generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') } });
    await worker().drain();
    expect(transport.sent).toHaveLength(0);
    expect(phone.endpoint).toBe(row.endpoint);
  });

  it('sends urgent pushes first', async () => {
    await browser();
    await notify('low one', { priority: 'low' });
    await notify('medium one', { priority: 'medium' });
    await notify('urgent one', { priority: 'urgent' });
    await worker({ concurrency: 1 }).drain();
    expect(transport.sent.map((r) => r.headers.Urgency)).toEqual(['high', 'normal', 'low']);
  });

  it('settles an outbox row without subscriptions as such, and one whose notification is gone', async () => {
    await notify('Nobody subscribed');
    const w = worker();
    await w.drain();
    expect(w.stats.withoutSubscription).toBe(1);
    await browser();
    const gone = await notify('Deleted before it went');
    await raw.deleteFrom('notifications').where('id', '=', gone).execute();
    await w.drain();
    expect(transport.sent).toHaveLength(0);
    const statuses = await db.selectFrom('push_outbox').select('status').orderBy('created_at').execute();
    expect(statuses.map((s) => s.status).sort()).toEqual(['gone', 'no_subscription']);
  });

  it('keeps at most 20 subscriptions per user, dropping the least recently renewed', async () => {
    const first = await browser();
    for (let i = 0; i < 20; i++) {
      clock.advance(1000);
      await browser();
    }
    const list = await manager.listForUser('h1', 'kim');
    expect(list).toHaveLength(20);
    expect(list.map((s) => s.endpoint)).not.toContain(first.endpoint);
  });
});
