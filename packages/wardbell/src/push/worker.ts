import type { Logger } from 'pino';
import type { ActionTokens } from '../auth/index.js';
import type { Clock } from '../shared/index.js';
import type { KeyBox } from './at-rest.js';
import { openKeys } from './manager.js';
import type { AttemptResult } from './outcome.js';
import { claimDeliveries, expandOutbox, type ClaimedDelivery } from './outbox.js';
import { buildPayload, topicOf, urgencyOf } from './payload.js';
import { Limiter, type PushSender } from './sender.js';
import { settleDeliveries, type RemoveSubscriptions, type Settlement } from './settle.js';
import { OPEN_DELIVERY, type PushDb } from './store.js';

export interface PushWorkerOptions {
  db: PushDb;
  sender: PushSender;
  keyBox: KeyBox;
  actionTokens: ActionTokens;
  removeSubscriptions: RemoveSubscriptions;
  clock: Clock;
  logger: Logger;
  /** Sends at once (WARDBELL_PUSH_CONCURRENCY). Default 64. */
  concurrency?: number;
  /** How often the outbox is polled. Default 250 ms. */
  pollMs?: number;
  /** Deliveries claimed per round. Default max(256, 4 x concurrency). */
  batchSize?: number;
  /** How long a claimed delivery is ours before another worker may take it over. Default 120000 ms. */
  leaseMs?: number;
  /** An action token outlives the push's TTL by this much, so a tap on an old notification still works. Default 48 h. */
  actionTokenGraceMs?: number;
  /** Told when a delivery is settled for good: its final status and the seconds since the push was due. */
  onSettled?: (status: FinalStatus, seconds: number) => void;
  /** Told when a push service accepted a push for a device (delivery receipts). */
  onAccepted?: (d: { tenantId: string; userId: string; notificationId: string; subscriptionId: string; at: number }) => void;
}

export type FinalStatus = 'delivered' | 'failed' | 'pruned' | 'expired' | 'dropped';

/** Plain counters read by `/metrics` at scrape time. */
export interface PushWorkerStats {
  attempts: Record<AttemptResult, number>;
  final: Record<FinalStatus, number>;
  retriesScheduled: number;
  outboxExpanded: number;
  deliveriesQueued: number;
  withoutSubscription: number;
  alreadyRead: number;
  /** Subscriptions removed because their expirationTime passed, found when a push was due. */
  subscriptionsExpired: number;
  sendSeconds: number;
  errors: number;
}

function zeroStats(): PushWorkerStats {
  return {
    attempts: { delivered: 0, gone: 0, rate_limited: 0, server_error: 0, network_error: 0, too_large: 0, rejected: 0, forbidden_address: 0, invalid: 0 },
    final: { delivered: 0, failed: 0, pruned: 0, expired: 0, dropped: 0 },
    retriesScheduled: 0,
    outboxExpanded: 0,
    deliveriesQueued: 0,
    withoutSubscription: 0,
    alreadyRead: 0,
    subscriptionsExpired: 0,
    sendSeconds: 0,
    errors: 0,
  };
}

/**
 * Drains the push outbox: expands due outbox rows into deliveries, claims deliveries (urgent
 * first), sends them with bounded concurrency, and writes the outcomes back in batches. Polls on an
 * interval and can be nudged. Stopping waits for the sends in flight and writes their outcomes.
 */
export class PushWorker {
  readonly stats = zeroStats();
  private readonly limiter: Limiter;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly graceMs: number;
  private timer: unknown;
  private running: Promise<void> | null = null;
  private again = false;
  private stopping = false;
  private buffer: Settlement[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: PushWorkerOptions) {
    const concurrency = opts.concurrency ?? 64;
    this.limiter = new Limiter(concurrency);
    this.pollMs = opts.pollMs ?? 250;
    this.batchSize = opts.batchSize ?? Math.max(256, concurrency * 4);
    this.leaseMs = opts.leaseMs ?? 120_000;
    this.graceMs = opts.actionTokenGraceMs ?? 48 * 3600_000;
  }

  get inFlight(): number {
    return this.limiter.inFlight;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.stopping = false;
    const t = this.opts.clock.setInterval(() => this.nudge(), this.pollMs);
    if (typeof t === 'object' && t.unref) t.unref();
    this.timer = t;
    this.nudge();
  }

  /** Runs a round now (or right after the current one). */
  nudge(): void {
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round()
      .catch((err: unknown) => {
        this.stats.errors++;
        this.opts.logger.error({ err }, 'push worker round failed');
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.nudge();
        }
      });
  }

  /** Runs rounds until nothing is due and every send has settled (tests, benchmarks). */
  async drain(): Promise<void> {
    for (;;) {
      await this.round();
      await this.limiter.idle();
      await this.flush();
      const now = this.opts.clock.now();
      const more = await this.opts.db.selectFrom('push_deliveries').select('id').where(OPEN_DELIVERY).where('not_before', '<=', now).limit(1).executeTakeFirst();
      const outbox = await this.opts.db.selectFrom('push_outbox').select('id').where('status', '=', 'pending').where('not_before', '<=', now).limit(1).executeTakeFirst();
      if (!more && !outbox) return;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) this.opts.clock.clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.limiter.idle();
    await this.flush();
  }

  private async round(): Promise<void> {
    const db = this.opts.db;
    for (;;) {
      const e = await expandOutbox(db, this.opts.clock.now(), 500);
      this.stats.outboxExpanded += e.outboxRows;
      this.stats.deliveriesQueued += e.deliveries;
      this.stats.withoutSubscription += e.withoutSubscription;
      this.stats.alreadyRead += e.alreadyRead;
      if (e.expiredSubscriptions.length) {
        await db.transaction().execute((trx) => this.opts.removeSubscriptions(trx, e.expiredSubscriptions, 'pruned'));
        this.stats.subscriptionsExpired += e.expiredSubscriptions.length;
      }
      if (e.outboxRows < 500) break;
    }
    while (!this.stopping) {
      const batch = await claimDeliveries(db, this.opts.clock.now(), this.batchSize, this.leaseMs);
      if (!batch.length) return;
      for (const d of batch) {
        await this.limiter.acquire();
        void this.deliver(d).finally(() => this.limiter.release());
      }
    }
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    const s = await this.attempt(d);
    if (s.kind === 'done' && d.subscription) this.opts.onAccepted?.({ tenantId: d.tenantId, userId: d.userId, notificationId: d.notificationId, subscriptionId: d.subscription.id, at: this.opts.clock.now() });
    this.settle(s, d.dueAt);
  }

  /** Sends one claimed delivery (unless it cannot or need not go); what became of it. */
  private async attempt(d: ClaimedDelivery): Promise<Settlement> {
    const now = this.opts.clock.now();
    const base = { id: d.id, claim: d.claim, tenantId: d.tenantId };
    const sub = d.subscription;
    const n = d.notification;
    if (!n) return { ...base, kind: 'drop', error: 'notification no longer exists' };
    // Defence in depth: a delivery only ever goes to a subscription of its own tenant and user.
    if (!sub || sub.tenant_id !== d.tenantId || sub.user_id !== d.userId) return { ...base, kind: 'drop', error: 'subscription removed or moved to another user' };
    if (sub.expiration_time !== null && sub.expiration_time <= now) {
      return { ...base, kind: 'prune', subscriptionId: sub.id, status: null, result: 'expired_subscription', error: 'subscription expirationTime passed' };
    }
    const ttl = Math.ceil((d.expiresAt - now) / 1000);
    if (ttl <= 0) return { ...base, kind: 'expired' };
    const keys = openKeys(this.opts.keyBox, sub);
    if (!keys) return { ...base, kind: 'fail', status: null, result: 'invalid', error: 'subscription keys do not open with the configured key' };
    let payload: Buffer;
    try {
      const token = this.opts.actionTokens.sign({ tenantId: d.tenantId, userId: d.userId, notificationId: n.id }, ttl * 1000 + this.graceMs);
      payload = buildPayload(n, token);
    } catch (err) {
      return { ...base, kind: 'fail', status: null, result: 'invalid', error: err instanceof Error ? err.message : String(err) };
    }
    const t0 = performance.now();
    const r = await this.opts.sender.send({ endpoint: sub.endpoint, p256dh: keys.p256dh, auth: keys.auth }, { payload, ttl, urgency: urgencyOf(n.priority), topic: topicOf(n), attempt: d.attempt });
    this.stats.sendSeconds += (performance.now() - t0) / 1000;
    this.stats.attempts[r.outcome.result]++;
    const o = r.outcome;
    switch (o.kind) {
      case 'done':
        return { ...base, kind: 'done', status: r.status ?? 201 };
      case 'prune':
        return { ...base, kind: 'prune', subscriptionId: sub.id, status: r.status, result: o.result, error: `${r.status ?? ''} ${r.detail}`.trim() };
      case 'retry':
        return { ...base, kind: 'retry', at: o.at, status: r.status, result: o.result, error: r.detail };
      case 'fail':
        return { ...base, kind: 'fail', status: r.status, result: o.result, error: o.reason };
    }
  }

  private settle(s: Settlement, dueAt: number): void {
    if (s.kind === 'retry') this.stats.retriesScheduled++;
    else {
      const status = s.kind === 'done' ? 'delivered' : s.kind === 'fail' ? 'failed' : s.kind === 'prune' ? 'pruned' : s.kind === 'drop' ? 'dropped' : 'expired';
      this.stats.final[status]++;
      this.opts.onSettled?.(status, (this.opts.clock.now() - dueAt) / 1000);
    }
    this.buffer.push(s);
    if (this.buffer.length >= 256) void this.flush();
    else if (!this.flushTimer) {
      // Outcomes are written in batches: one transaction per ~256 deliveries or 20 ms.
      this.flushTimer = setTimeout(() => void this.flush(), 20);
      this.flushTimer.unref();
    }
  }

  /** Writes the buffered outcomes (serialised: one batch at a time). */
  flush(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    const items = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing
      .then(() => settleDeliveries(this.opts.db, items, this.opts.clock.now(), this.opts.removeSubscriptions))
      .catch((err: unknown) => {
        // The deliveries stay `sending` until their lease runs out, then go out again: nothing is lost.
        this.stats.errors++;
        this.opts.logger.error({ err, count: items.length }, 'recording push outcomes failed');
      });
    return this.flushing;
  }
}
