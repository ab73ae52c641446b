import { randomUUID } from 'node:crypto';
import { selectTopics, type Identity } from '../auth/index.js';
import { AppError } from '../shared/index.js';
import type { KeyBox } from './at-rest.js';
import { checkSubscriptionKeys } from './ece.js';
import { checkEndpointDns, checkEndpointUrl, type EndpointPolicy, type Resolver } from './endpoint.js';
import { bumpTenantStats, endpointHash, inChunks, ZERO_STATS, type PushDb, type PushSubscriptionsTable } from './store.js';

/** The seed's subscription record (section 3.1). */
export interface PushSubscriptionData {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  userId: string;
  tenantId: string;
  topics: string[];
  createdAt: Date;
  expirationTime?: number | null;
}

/** A subscription as the API shows it: the keys stay with the browser and the sealed store. */
export type SubscriptionView = Omit<PushSubscriptionData, 'keys' | 'createdAt'> & { id: string; createdAt: string };

export interface SubscribeInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** Requested topics; absent: every topic the identity is granted. */
  topics?: string[] | undefined;
  expirationTime?: number | null | undefined;
}

export interface SubscriptionManagerOptions {
  db: PushDb;
  keyBox: KeyBox;
  policy: EndpointPolicy;
  now: () => number;
  resolve?: Resolver | undefined;
  /** Subscriptions one user may keep (phones, laptops); past it the least recently renewed goes. Default 20. */
  maxPerUser?: number;
}

/** The unsealed keys of a subscription row, or null when they do not open (wrong key or tampered row). */
export function openKeys(box: KeyBox, row: Pick<PushSubscriptionsTable, 'tenant_id' | 'user_id' | 'endpoint' | 'keys'>): { p256dh: Buffer; auth: Buffer } | null {
  const text = box.open(row.keys, { tenantId: row.tenant_id, userId: row.user_id, endpoint: row.endpoint });
  if (text === null) return null;
  const k = JSON.parse(text) as { p256dh: string; auth: string };
  return { p256dh: Buffer.from(k.p256dh, 'base64url'), auth: Buffer.from(k.auth, 'base64url') };
}

export function toView(r: PushSubscriptionsTable): SubscriptionView {
  return {
    id: r.id,
    endpoint: r.endpoint,
    userId: r.user_id,
    tenantId: r.tenant_id,
    topics: JSON.parse(r.topics) as string[],
    createdAt: new Date(Number(r.created_at)).toISOString(),
    expirationTime: r.expiration_time === null ? null : Number(r.expiration_time),
  };
}

/**
 * The push subscription manager (seed 3.1): subscribe and unsubscribe (idempotent on the endpoint),
 * topic choice limited to what the identity is granted, the per-user index, cleanup of expired
 * subscriptions. Statistics and backup/restore are in `backup.ts`.
 */
export class SubscriptionManager {
  private readonly maxPerUser: number;
  constructor(private readonly opts: SubscriptionManagerOptions) {
    this.maxPerUser = opts.maxPerUser ?? 20;
  }

  /** Validates an endpoint for this deployment: the URL rules, then DNS. Throws a 400 AppError. */
  async checkEndpoint(endpoint: string): Promise<void> {
    const check = checkEndpointUrl(endpoint, this.opts.policy);
    if (!check.ok) throw new AppError('validation_failed', `Push endpoint refused: ${check.reason}.`, [{ path: 'endpoint', message: check.reason }]);
    const dns = await checkEndpointDns(check.url, this.opts.policy, this.opts.resolve);
    if (dns) throw new AppError('validation_failed', `Push endpoint refused: ${dns}.`, [{ path: 'endpoint', message: dns }]);
  }

  /**
   * Registers (or renews) the browser's subscription for the caller. The endpoint names the
   * browser: subscribing it again replaces keys, topics and owner (a shared ward workstation now
   * used by another nurse pushes to the nurse logged in last). Returns whether it was new.
   */
  async subscribe(identity: Identity, input: SubscribeInput): Promise<{ subscription: SubscriptionView; created: boolean }> {
    const now = this.opts.now();
    await this.checkEndpoint(input.endpoint);
    const keyProblem = checkSubscriptionKeys(Buffer.from(input.keys.p256dh, 'base64url'), Buffer.from(input.keys.auth, 'base64url'));
    if (keyProblem) throw new AppError('validation_failed', `Push subscription refused: ${keyProblem}.`, [{ path: 'keys', message: keyProblem }]);
    const selection = selectTopics(identity, input.topics);
    if (!selection.ok) {
      const what = [...selection.invalid.map((t) => `${t} (not a topic)`), ...selection.forbidden.map((t) => `${t} (not granted)`)];
      throw new AppError(selection.invalid.length ? 'validation_failed' : 'forbidden_topic', `You may not subscribe to: ${what.join(', ')}.`, selection);
    }
    if (input.expirationTime !== undefined && input.expirationTime !== null && input.expirationTime <= now) {
      throw new AppError('validation_failed', 'expirationTime has passed: the browser must subscribe afresh.');
    }
    const { tenantId, userId } = identity;
    const hash = endpointHash(input.endpoint);
    const sealed = this.opts.keyBox.seal(JSON.stringify({ p256dh: input.keys.p256dh, auth: input.keys.auth }), { tenantId, userId, endpoint: input.endpoint });
    const row = await this.opts.db.transaction().execute(async (trx) => {
      const prior = await trx.selectFrom('push_subscriptions').selectAll().where('endpoint_hash', '=', hash).executeTakeFirst();
      const values: PushSubscriptionsTable = {
        id: prior?.id ?? randomUUID(),
        endpoint: input.endpoint,
        endpoint_hash: hash,
        tenant_id: tenantId,
        user_id: userId,
        topics: JSON.stringify(selection.topics),
        keys: sealed,
        expiration_time: input.expirationTime ?? null,
        created_at: prior ? Number(prior.created_at) : now,
        updated_at: now,
      };
      if (prior) {
        await trx.updateTable('push_subscriptions').set(values).where('id', '=', prior.id).execute();
        // Pushes queued for the previous owner stay queued: the worker drops a delivery whose
        // subscription no longer belongs to its user, so they never reach the new owner.
      } else {
        await trx.insertInto('push_subscriptions').values(values).execute();
      }
      await this.evictBeyondLimit(trx, tenantId, userId);
      return { values, created: !prior };
    });
    return { subscription: toView(row.values), created: row.created };
  }

  private async evictBeyondLimit(db: PushDb, tenantId: string, userId: string): Promise<void> {
    const rows = await db.selectFrom('push_subscriptions').select(['id']).where('tenant_id', '=', tenantId).where('user_id', '=', userId).orderBy('updated_at', 'desc').orderBy('id').offset(this.maxPerUser).limit(1000).execute();
    if (rows.length) await this.remove(db, rows.map((r) => r.id), 'pruned');
  }

  /** Removes the caller's subscription of this endpoint; false when the caller has none there. */
  async unsubscribe(identity: Identity, endpoint: string): Promise<boolean> {
    const hash = endpointHash(endpoint);
    const row = await this.opts.db.selectFrom('push_subscriptions').select(['id']).where('endpoint_hash', '=', hash).where('tenant_id', '=', identity.tenantId).where('user_id', '=', identity.userId).executeTakeFirst();
    if (!row) return false;
    await this.opts.db.transaction().execute((trx) => this.remove(trx, [row.id], null));
    return true;
  }

  /** The per-user index: a user's subscriptions, newest first. */
  async listForUser(tenantId: string, userId: string): Promise<SubscriptionView[]> {
    const rows = await this.opts.db.selectFrom('push_subscriptions').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).orderBy('updated_at', 'desc').execute();
    return rows.map(toView);
  }

  /** Deletes subscriptions whose `expirationTime` has passed; returns how many. */
  async cleanupExpired(): Promise<number> {
    const rows = await this.opts.db.selectFrom('push_subscriptions').select(['id', 'tenant_id']).where('expiration_time', 'is not', null).where('expiration_time', '<=', this.opts.now()).limit(5000).execute();
    if (!rows.length) return 0;
    await this.opts.db.transaction().execute((trx) => this.remove(trx, rows.map((r) => r.id), 'pruned'));
    return rows.length;
  }

  /**
   * Deletes subscriptions. `count`: add them to the tenants' pruned counters (404/410, expiry,
   * eviction), or not (the user unsubscribed). Their queued deliveries are dropped when they come due
   * (the worker finds no subscription), which keeps this cheap and the deliveries table unindexed
   * by subscription.
   */
  async remove(db: PushDb, ids: readonly string[], count: 'pruned' | null): Promise<void> {
    await inChunks(ids, 500, async (chunk) => {
      if (count) {
        const perTenant = await db.selectFrom('push_subscriptions').select(['tenant_id']).select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', chunk).groupBy('tenant_id').execute();
        for (const t of perTenant) await bumpTenantStats(db, t.tenant_id, { ...ZERO_STATS, pruned: Number(t.n) });
      }
      await db.deleteFrom('push_subscriptions').where('id', 'in', chunk).execute();
    });
  }
}
