import type { Identity } from '../auth/index.js';
import { toTopic, toUser, type Publisher } from '../events/index.js';
import { AppError, type Clock } from '../shared/index.js';
import type { Db } from '../store/index.js';
import { ReceiptStore, type NotificationFacts, type ReceiptKind, type ReceiptMark, type ReceiptSummary, type ReceiptVia, type RecipientReceipt } from './store.js';

export interface ReceiptsOptions {
  db: Db;
  clock: Clock;
  events: Publisher;
  /** How often buffered marks are written and due publications sent. Default 200 ms. */
  flushMs?: number;
  /** At most one `receipts.updated` per notification per this many ms. Default 1000. */
  publishEveryMs?: number;
  /** `false`: no `receipts.updated` at all (WARDBELL_RECEIPT_EVENTS=off). Default true. */
  live?: boolean;
  onError?: (err: unknown) => void;
  /**
   * Who started a workflow's notification, as the workflow knows it (the caller of an emergency
   * call, and whether a service made it); null when it does not say. Wired by the composition
   * root, so receipts read no other module's tables.
   */
  workflowSender?: WorkflowSender;
  /** The repeats of an urgent notification (the workflows' record), for the sender's view. Wired by the composition root. */
  repeatsOf?: (tenantId: string, notificationId: string) => Promise<Array<{ n: number; at: number; reached: number }>>;
  /** Told once per notification, across processes: seconds from its creation to the first recipient reached, and seen. */
  onFirst?: (kind: 'reached' | 'seen', tenantId: string, seconds: number) => void;
}

export type WorkflowSender = (tenantId: string, workflow: { kind: string; id: string }) => Promise<{ userId: string; isService: boolean } | null>;

/** A report from a page or the service worker. */
export interface ReceiptReport {
  id: string;
  kind: Extract<ReceiptKind, 'displayed' | 'opened'>;
  via: ReceiptVia;
  /** When it happened on the device (ms); clamped to [the notification's creation, now]. */
  at?: number | undefined;
}

export interface ReceiptsView {
  notificationId: string;
  summary: ReceiptSummary;
  repeats: Array<{ n: number; at: string; reached: number }>;
  recipients: RecipientReceipt[];
  nextCursor: string | null;
}

/** How many notifications' facts, and senders' answers, a process keeps. */
const FACTS_KEPT = 10_000;
/** How long a sender's answer (staff or service) is trusted: a change of the directory shows within it. */
const SENDER_KEPT_MS = 60_000;

const SERVICE_TOPIC = 'role:service';
const MAX_BUFFER = 5000;
/** Who may read a notification's receipts besides its sender. */
const readsAll = (id: Identity) => id.roles.includes('service') || id.roles.includes('admin');

/**
 * Delivery receipts: who a notification reached, on which channel, who saw it, opened, read and
 * answered it. The server's own marks (written to a stream, accepted by a push service) and the
 * clients' reports (displayed, opened) are buffered and written together every `flushMs`, the
 * earliest time of each step kept; read and acted are the inbox's. After a change the sender (and
 * `role:service`) get `receipts.updated` with the summary, at most once a second per notification
 * across processes (a conditional upsert of the last publication), and the last change always
 * makes it out.
 */
export class Receipts {
  private readonly store: ReceiptStore;
  private readonly buffer = new Map<string, ReceiptMark>();
  /** Notifications whose receipts changed, by `tenant\0id`: when their publication is due. */
  private readonly due = new Map<string, { tenantId: string; notificationId: string; at: number }>();
  /** Read or acted since the last round (they are first sightings too). */
  private readonly firstSeen = new Map<string, { tenantId: string; notificationId: string; at: number }>();
  private readonly timer: unknown;
  private readonly publishEveryMs: number;
  /** Facts of notifications published or observed lately, oldest first (see factsOf). */
  private readonly facts = new Map<string, NotificationFacts>();
  /** Whether a sender hears their receipts, and until when that is trusted. */
  private readonly hears = new Map<string, { yes: boolean; until: number }>();
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly o: ReceiptsOptions) {
    this.store = new ReceiptStore(o.db);
    this.publishEveryMs = o.publishEveryMs ?? 1000;
    const t = o.clock.setInterval(() => void this.tick(), o.flushMs ?? 200);
    (t as { unref?: () => unknown }).unref?.();
    this.timer = t;
  }

  /** A server-side mark (hot path: a map write; the database sees it at the next flush). */
  mark(m: ReceiptMark): void {
    if (this.closed) return;
    const key = `${m.tenantId}\0${m.notificationId}\0${m.userId}\0${m.kind}`;
    const had = this.buffer.get(key);
    if (!had || m.at < had.at) this.buffer.set(key, m);
    if (this.buffer.size >= MAX_BUFFER) void this.tick();
  }

  /** Something the receipts read elsewhere changed (read, acted: `seenAt`): publish the summary. */
  touch(tenantId: string, notificationIds: Iterable<string>, seenAt?: number): void {
    const now = this.o.clock.now();
    for (const id of notificationIds) {
      if (seenAt !== undefined && this.o.onFirst) this.firstSeen.set(`${tenantId}\0${id}`, { tenantId, notificationId: id, at: seenAt });
      if (this.o.live === false) continue;
      const key = `${tenantId}\0${id}`;
      if (!this.due.has(key)) this.due.set(key, { tenantId, notificationId: id, at: now });
    }
  }

  /**
   * A page's or service worker's reports for `identity`'s notifications. With an action token the
   * identity is bound to one notification (`only`) and nothing else is accepted. Reports for
   * notifications the user did not receive are answered as unknown, never recorded.
   */
  async report(identity: Identity, reports: readonly ReceiptReport[], only: string | null): Promise<{ recorded: number; unknown: string[] }> {
    if (only !== null && reports.some((r) => r.id !== only)) {
      throw new AppError('forbidden', 'An action token reports for its own notification only.');
    }
    const ids = [...new Set(reports.map((r) => r.id))];
    const received = await this.store.receivedBy(identity.tenantId, identity.userId, ids);
    const now = this.o.clock.now();
    let recorded = 0;
    for (const r of reports) {
      const createdAt = received.get(r.id);
      if (createdAt === undefined) continue;
      // A device's clock may be off: never before the notification existed, never in the future.
      const at = r.at === undefined ? now : Math.min(now, Math.max(createdAt, r.at));
      this.mark({ tenantId: identity.tenantId, notificationId: r.id, userId: identity.userId, kind: r.kind, at, detail: r.via });
      recorded++;
    }
    return { recorded, unknown: ids.filter((id) => !received.has(id)) };
  }

  /** The receipts of a notification, for its sender, role service or admin; 404 for anyone else. */
  async view(identity: Identity, notificationId: string, page: { limit: number; cursor?: string | undefined }): Promise<ReceiptsView> {
    const n = await this.store.notification(identity.tenantId, notificationId);
    // Someone else's notification reads as missing: its existence is not disclosed.
    if (!n || (n.senderId !== identity.userId && !readsAll(identity))) throw new AppError('not_found', 'No such notification sent by you.');
    await this.flush(); // what this process has buffered is part of the answer
    const [summary, recipients, repeats] = await Promise.all([
      this.store.summary(identity.tenantId, notificationId),
      this.store.recipients(identity.tenantId, notificationId, { limit: page.limit, after: page.cursor }),
      this.o.repeatsOf ? this.o.repeatsOf(identity.tenantId, notificationId) : Promise.resolve([]),
    ]);
    return { notificationId, summary, repeats: repeats.map((r) => ({ n: r.n, at: new Date(r.at).toISOString(), reached: r.reached })), recipients: recipients.items, nextCursor: recipients.next };
  }

  /** Timeline entries of these notifications' recipients (delivered, displayed, seen), with what this process buffered. */
  async entriesFor(tenantId: string, notificationIds: readonly string[]) {
    await this.flush();
    return this.store.entriesFor(tenantId, notificationIds);
  }

  /** Writes the buffered marks now (and schedules their publications). */
  async flush(): Promise<void> {
    if (!this.buffer.size) {
      if (this.firstSeen.size) await this.observeFirsts([]);
      return;
    }
    const marks = [...this.buffer.values()];
    this.buffer.clear();
    await this.store.record(marks);
    await this.observeFirsts(marks);
    const byTenant = new Map<string, Set<string>>();
    for (const m of marks) {
      const s = byTenant.get(m.tenantId) ?? new Set<string>();
      s.add(m.notificationId);
      byTenant.set(m.tenantId, s);
    }
    for (const [tenantId, ids] of byTenant) this.touch(tenantId, ids);
  }

  /** The first reached and first seen of each notification in `marks`, observed once across processes. */
  private async observeFirsts(marks: readonly ReceiptMark[]): Promise<void> {
    const onFirst = this.o.onFirst;
    if (!onFirst) return;
    const firsts = new Map<string, { tenantId: string; notificationId: string; kind: 'reached' | 'seen'; at: number }>();
    const note = (tenantId: string, notificationId: string, kind: 'reached' | 'seen', at: number) => {
      const key = `${tenantId}\0${notificationId}\0${kind}`;
      const had = firsts.get(key);
      if (!had || at < had.at) firsts.set(key, { tenantId, notificationId, kind, at });
    };
    for (const m of marks) note(m.tenantId, m.notificationId, m.kind === 'streamed' || m.kind === 'pushed' ? 'reached' : 'seen', m.at);
    for (const s of this.firstSeen.values()) note(s.tenantId, s.notificationId, 'seen', s.at);
    this.firstSeen.clear();
    // One claim per tenant and kind for all of its notifications.
    const groups = new Map<string, { tenantId: string; kind: 'reached' | 'seen'; items: Array<{ notificationId: string; at: number }> }>();
    for (const f of firsts.values()) {
      const key = `${f.tenantId}\0${f.kind}`;
      const g = groups.get(key) ?? { tenantId: f.tenantId, kind: f.kind, items: [] };
      g.items.push({ notificationId: f.notificationId, at: f.at });
      groups.set(key, g);
    }
    for (const g of groups.values()) {
      const won = await this.store.claimFirsts(g.tenantId, g.kind, g.items);
      if (!won.size) continue;
      const facts = await this.factsOf(g.tenantId, [...won]);
      for (const f of g.items) {
        const n = won.has(f.notificationId) ? facts.get(f.notificationId) : undefined;
        if (n) onFirst(g.kind, g.tenantId, Math.max(0, (f.at - n.createdAt) / 1000));
      }
    }
  }

  /** One round: write the marks, send the publications that are due. Serialised. */
  tick(): Promise<void> {
    this.running ??= this.round()
      .catch((err: unknown) => this.o.onError?.(err))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async round(): Promise<void> {
    await this.flush();
    const now = this.o.clock.now();
    // The publications due, by tenant: one claim, one read of the facts and one of the summaries for each tenant's batch.
    const byTenant = new Map<string, Array<[string, { tenantId: string; notificationId: string; at: number }]>>();
    for (const entry of this.due) {
      if (entry[1].at > now) continue;
      const list = byTenant.get(entry[1].tenantId) ?? [];
      list.push(entry);
      byTenant.set(entry[1].tenantId, list);
    }
    for (const [tenantId, entries] of byTenant) {
      const claims = await this.store.claimPublications(tenantId, entries.map(([, d]) => d.notificationId), now, this.publishEveryMs);
      const taken: string[] = [];
      for (const [key, d] of entries) {
        const claim = claims.get(d.notificationId) ?? now;
        if (claim !== true) {
          // Another process (or this one) published within the interval: try again when it ends.
          d.at = claim + this.publishEveryMs;
          continue;
        }
        this.due.delete(key);
        taken.push(d.notificationId);
      }
      if (taken.length) await this.publish(tenantId, taken, now);
    }
  }

  private async publish(tenantId: string, notificationIds: readonly string[], now: number): Promise<void> {
    const facts = await this.factsOf(tenantId, notificationIds);
    const summaries = await this.store.summaries(tenantId, notificationIds.filter((id) => facts.has(id)));
    const at = new Date(now).toISOString();
    for (const notificationId of notificationIds) {
      const n = facts.get(notificationId);
      const summary = summaries.get(notificationId);
      if (!n || !summary) continue;
      const data = { notificationId, summary, at };
      await this.o.events.publish(tenantId, 'receipts.updated', data, toTopic(SERVICE_TOPIC));
      // A sender who is staff hears it on their own stream; a service hears it on role:service.
      if (await this.senderHears(tenantId, n, now)) await this.o.events.publish(tenantId, 'receipts.updated', data, toUser(n.senderId));
    }
  }

  /** Notifications' sender, creation time and workflow: they never change, so they are kept (the most recent {@link FACTS_KEPT}); the rest in one read. */
  private async factsOf(tenantId: string, ids: readonly string[]): Promise<Map<string, NotificationFacts>> {
    const out = new Map<string, NotificationFacts>();
    const missing: string[] = [];
    for (const id of ids) {
      const had = this.facts.get(`${tenantId}\0${id}`);
      if (had) out.set(id, had);
      else missing.push(id);
    }
    if (!missing.length) return out;
    for (const [id, n] of await this.store.notifications(tenantId, missing)) {
      if (this.facts.size >= FACTS_KEPT) this.facts.delete(this.facts.keys().next().value as string);
      this.facts.set(`${tenantId}\0${id}`, n);
      out.set(id, n);
    }
    return out;
  }

  /** Whether the sender hears it on their own stream; kept for {@link SENDER_KEPT_MS} per notification's sender and workflow. */
  private async senderHears(tenantId: string, n: NotificationFacts, now: number): Promise<boolean> {
    const key = `${tenantId}\0${n.senderId}\0${n.workflowKind ?? ''}\0${n.workflowId ?? ''}`;
    const had = this.hears.get(key);
    if (had && had.until > now) return had.yes;
    const started = n.workflowKind !== null && n.workflowId !== null && this.o.workflowSender ? await this.o.workflowSender(tenantId, { kind: n.workflowKind, id: n.workflowId }) : null;
    const yes = await this.store.senderIsStaff(tenantId, n, started);
    if (this.hears.size >= FACTS_KEPT) this.hears.delete(this.hears.keys().next().value as string);
    this.hears.set(key, { yes, until: now + SENDER_KEPT_MS });
    return yes;
  }

  /** Stops the timer and writes what is buffered. */
  async close(): Promise<void> {
    this.closed = true;
    this.o.clock.clearInterval(this.timer);
    await this.running;
    await this.round().catch((err: unknown) => this.o.onError?.(err));
  }
}
