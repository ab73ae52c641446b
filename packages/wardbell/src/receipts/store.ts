import { sql, type Kysely } from 'kysely';
import type { Database, Db } from '../store/index.js';

export interface NotificationReceiptsTable {
  tenant_id: string;
  notification_id: string;
  user_id: string;
  streamed_at: number | null;
  pushed_at: number | null;
  push_subscription_id: string | null;
  displayed_at: number | null;
  displayed_via: string | null;
  opened_at: number | null;
  opened_via: string | null;
}

export interface ReceiptProgressTable {
  tenant_id: string;
  notification_id: string;
  /** When its last `receipts.updated` went out (0: never). */
  published_at: number;
  first_reached_at: number | null;
  first_seen_at: number | null;
}

// A type alias, not an interface: `withTables` needs an indexable record type.
type Tables = { notification_receipts: NotificationReceiptsTable; receipt_progress: ReceiptProgressTable };
export type ReceiptDb = Kysely<Database & Tables>;

/** What happened to a notification for one recipient, as one channel saw it. */
export type ReceiptKind = 'streamed' | 'pushed' | 'displayed' | 'opened';
/** Who saw a `displayed` or `opened`: a page of the app, or its service worker (the lock screen). */
export type ReceiptVia = 'page' | 'worker';

export interface ReceiptMark {
  tenantId: string;
  notificationId: string;
  userId: string;
  kind: ReceiptKind;
  at: number;
  /** The push subscription (`pushed`), or page / worker (`displayed`, `opened`). */
  detail?: string | undefined;
}

/** Per kind: the column of its time and the column of its detail. */
const COLUMNS = {
  streamed: ['streamed_at', null],
  pushed: ['pushed_at', 'push_subscription_id'],
  displayed: ['displayed_at', 'displayed_via'],
  opened: ['opened_at', 'opened_via'],
} as const satisfies Record<ReceiptKind, readonly [keyof NotificationReceiptsTable, keyof NotificationReceiptsTable | null]>;

const CHUNK = 300;

/** One recipient's receipt: every step with its first time (ISO), null until it happened. */
export interface RecipientReceipt {
  userId: string;
  streamedAt: string | null;
  pushedAt: string | null;
  pushSubscriptionId: string | null;
  displayedAt: string | null;
  displayedVia: ReceiptVia | null;
  openedAt: string | null;
  openedVia: ReceiptVia | null;
  readAt: string | null;
  actedAt: string | null;
  action: string | null;
}

/** How far a notification got, over all its recipients. */
export interface ReceiptSummary {
  recipients: number;
  /** Written to one of their streams or accepted by a push service for one of their devices. */
  reached: number;
  streamed: number;
  pushed: number;
  displayed: number;
  /** Displayed, opened, read or acted: the recipient has seen it. */
  seen: number;
  opened: number;
  read: number;
  acted: number;
  /** Recipients per action pressed, e.g. `{ accept: 2, decline: 1 }`. */
  actions: Record<string, number>;
}

const iso = (ms: number | string | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

/** What a receipt reader needs of a notification: its sender, creation time and workflow (they never change). */
export interface NotificationFacts {
  senderId: string;
  createdAt: number;
  workflowKind: string | null;
  workflowId: string | null;
}

const emptySummary = (): ReceiptSummary => ({ recipients: 0, reached: 0, streamed: 0, pushed: 0, displayed: 0, seen: 0, opened: 0, read: 0, acted: 0, actions: {} });

/**
 * The receipts tables (this module's): the first time each thing happened to each recipient,
 * written in batches by upserts that keep the earliest time, so marks from several processes and
 * retried reports merge in any order. Read and acted come from the inbox rows (the notification
 * service's), joined on read.
 */
export class ReceiptStore {
  readonly db: ReceiptDb;

  constructor(db: Db) {
    this.db = db.withTables<Tables>();
  }

  /** Every recipient of the tenant's notifications (inbox rows) with their receipt, if any. */
  private recipientRows(tenantId: string) {
    return this.db
      .selectFrom('inbox as i')
      .leftJoin('notification_receipts as r', (j) => j.onRef('r.tenant_id', '=', 'i.tenant_id').onRef('r.notification_id', '=', 'i.notification_id').onRef('r.user_id', '=', 'i.user_id'))
      .where('i.tenant_id', '=', tenantId);
  }

  /** Records marks (one statement per kind and chunk); the earliest time of each step stays. */
  async record(marks: readonly ReceiptMark[]): Promise<void> {
    for (const kind of Object.keys(COLUMNS) as ReceiptKind[]) {
      const of = marks.filter((m) => m.kind === kind);
      const [col, detail] = COLUMNS[kind];
      for (let i = 0; i < of.length; i += CHUNK) {
        const rows = of.slice(i, i + CHUNK).map((m) => ({ tenant_id: m.tenantId, notification_id: m.notificationId, user_id: m.userId, [col]: m.at, ...(detail ? { [detail]: m.detail ?? null } : {}) }));
        await this.db
          .insertInto('notification_receipts')
          .values(rows as never)
          .onConflict((oc) =>
            oc.columns(['tenant_id', 'notification_id', 'user_id']).doUpdateSet({
              // The earlier time wins, and the detail that came with it.
              [col]: sql`case when notification_receipts.${sql.ref(col)} is null or excluded.${sql.ref(col)} < notification_receipts.${sql.ref(col)} then excluded.${sql.ref(col)} else notification_receipts.${sql.ref(col)} end`,
              ...(detail
                ? { [detail]: sql`case when notification_receipts.${sql.ref(col)} is null or excluded.${sql.ref(col)} < notification_receipts.${sql.ref(col)} then excluded.${sql.ref(detail)} else notification_receipts.${sql.ref(detail)} end` }
                : {}),
            } as never),
          )
          .execute();
      }
    }
  }

  /** Of `ids`, those `userId` received (has an inbox row for) in the tenant, with their creation times. */
  async receivedBy(tenantId: string, userId: string, ids: readonly string[]): Promise<Map<string, number>> {
    if (!ids.length) return new Map();
    const rows = await this.db
      .selectFrom('inbox as i')
      .innerJoin('notifications as n', 'n.id', 'i.notification_id')
      .select(['i.notification_id', 'n.created_at'])
      .where('i.tenant_id', '=', tenantId)
      .where('i.user_id', '=', userId)
      .where('n.tenant_id', '=', tenantId)
      .where('i.notification_id', 'in', [...ids])
      .execute();
    return new Map(rows.map((r) => [r.notification_id, Number(r.created_at)]));
  }

  /** The notification's sender and creation time in the tenant, or null. */
  async notification(tenantId: string, id: string): Promise<NotificationFacts | null> {
    return (await this.notifications(tenantId, [id])).get(id) ?? null;
  }

  /** Every recipient's receipt, in user id order, from after `cursor` (a user id). */
  async recipients(tenantId: string, notificationId: string, opts: { limit: number; after?: string | undefined }): Promise<{ items: RecipientReceipt[]; next: string | null }> {
    let q = this.recipientRows(tenantId)
      .select(['i.user_id', 'i.read_at', 'i.acted_at', 'i.acted_action', 'r.streamed_at', 'r.pushed_at', 'r.push_subscription_id', 'r.displayed_at', 'r.displayed_via', 'r.opened_at', 'r.opened_via'])
      .where('i.notification_id', '=', notificationId);
    if (opts.after !== undefined) q = q.where('i.user_id', '>', opts.after);
    const rows = await q.orderBy('i.user_id').limit(opts.limit + 1).execute();
    const more = rows.length > opts.limit;
    const page = more ? rows.slice(0, opts.limit) : rows;
    return {
      items: page.map((r) => ({
        userId: r.user_id,
        streamedAt: iso(r.streamed_at),
        pushedAt: iso(r.pushed_at),
        pushSubscriptionId: r.push_subscription_id,
        displayedAt: iso(r.displayed_at),
        displayedVia: r.displayed_via as ReceiptVia | null,
        openedAt: iso(r.opened_at),
        openedVia: r.opened_via as ReceiptVia | null,
        readAt: iso(r.read_at),
        actedAt: iso(r.acted_at),
        action: r.acted_action,
      })),
      next: more ? (page[page.length - 1]?.user_id ?? null) : null,
    };
  }

  /**
   * What each recipient's devices did with these notifications, as timeline entries: delivered
   * (per channel, with the device for push), displayed (page or worker), seen (the first of opened
   * and read). Recipients with none of these have no entries.
   */
  async entriesFor(tenantId: string, notificationIds: readonly string[]): Promise<Array<{ at: number; kind: 'delivered' | 'displayed' | 'seen'; userId: string; data: Record<string, unknown> }>> {
    if (!notificationIds.length) return [];
    const rows = await this.recipientRows(tenantId)
      .select(['i.notification_id', 'i.user_id', 'i.read_at', 'r.streamed_at', 'r.pushed_at', 'r.push_subscription_id', 'r.displayed_at', 'r.displayed_via', 'r.opened_at'])
      .where('i.notification_id', 'in', [...notificationIds])
      .execute();
    const out: Array<{ at: number; kind: 'delivered' | 'displayed' | 'seen'; userId: string; data: Record<string, unknown> }> = [];
    for (const r of rows) {
      const base = { userId: r.user_id };
      const notificationId = r.notification_id;
      if (r.streamed_at !== null) out.push({ ...base, at: Number(r.streamed_at), kind: 'delivered', data: { notificationId, channel: 'stream' } });
      if (r.pushed_at !== null) out.push({ ...base, at: Number(r.pushed_at), kind: 'delivered', data: { notificationId, channel: 'push', device: r.push_subscription_id } });
      if (r.displayed_at !== null) out.push({ ...base, at: Number(r.displayed_at), kind: 'displayed', data: { notificationId, via: r.displayed_via } });
      const opened = r.opened_at === null ? null : Number(r.opened_at);
      const read = r.read_at === null ? null : Number(r.read_at);
      const seen = opened !== null && (read === null || opened <= read) ? { at: opened, how: 'opened' } : read !== null ? { at: read, how: 'read' } : null;
      if (seen) out.push({ ...base, at: seen.at, kind: 'seen', data: { notificationId, how: seen.how } });
    }
    return out;
  }

  /** The counts over all recipients (one aggregate read, and one more when someone answered). */
  async summary(tenantId: string, notificationId: string): Promise<ReceiptSummary> {
    return (await this.summaries(tenantId, [notificationId])).get(notificationId) ?? emptySummary();
  }

  /** The summaries of several notifications of a tenant: one grouped read for all of them, and one more for those someone answered (a notification without recipients is left out). */
  async summaries(tenantId: string, notificationIds: readonly string[]): Promise<Map<string, ReceiptSummary>> {
    const out = new Map<string, ReceiptSummary>();
    const n = (v: unknown) => Number(v ?? 0);
    for (let i = 0; i < notificationIds.length; i += CHUNK) {
      const ids = notificationIds.slice(i, i + CHUNK);
      const counts = await this.recipientRows(tenantId)
        .select((eb) => [
          'i.notification_id',
          eb.fn.countAll<number>().as('recipients'),
          eb.fn.count<number>('r.streamed_at').as('streamed'),
          eb.fn.count<number>('r.pushed_at').as('pushed'),
          eb.fn.count<number>('r.displayed_at').as('displayed'),
          eb.fn.count<number>('r.opened_at').as('opened'),
          eb.fn.count<number>('i.read_at').as('read'),
          eb.fn.count<number>('i.acted_at').as('acted'),
          eb.fn.sum<number>(sql<number>`case when r.streamed_at is not null or r.pushed_at is not null then 1 else 0 end`).as('reached'),
          eb.fn.sum<number>(sql<number>`case when r.displayed_at is not null or r.opened_at is not null or i.read_at is not null or i.acted_at is not null then 1 else 0 end`).as('seen'),
        ])
        .where('i.notification_id', 'in', ids)
        .groupBy('i.notification_id')
        .execute();
      for (const c of counts) {
        out.set(c.notification_id, { recipients: n(c.recipients), reached: n(c.reached), streamed: n(c.streamed), pushed: n(c.pushed), displayed: n(c.displayed), seen: n(c.seen), opened: n(c.opened), read: n(c.read), acted: n(c.acted), actions: {} });
      }
    }
    // The answers by action, only for the notifications someone answered.
    const answered = [...out].filter(([, sum]) => sum.acted > 0).map(([id]) => id);
    for (let i = 0; i < answered.length; i += CHUNK) {
      const acts = await this.db
        .selectFrom('inbox')
        .select((eb) => ['notification_id', 'acted_action', eb.fn.countAll<number>().as('n')])
        .where('tenant_id', '=', tenantId)
        .where('notification_id', 'in', answered.slice(i, i + CHUNK))
        .where('acted_action', 'is not', null)
        .groupBy(['notification_id', 'acted_action'])
        .execute();
      for (const a of acts) {
        const sum = out.get(a.notification_id);
        if (sum) sum.actions[a.acted_action as string] = n(a.n);
      }
    }
    return out;
  }

  /**
   * Whether a notification's sender hears its `receipts.updated` on their own stream: anyone but a
   * service (a service hears it on role:service, and would get it twice). `workflowSender` is what
   * the notification's workflow knows of who started it (the caller of an emergency call, and
   * whether a service made it: `emergency.updated` follows the same rule), so an admin or a charge
   * nurse who called hears it whether or not the directory has a row for them (a row can be
   * missing: a process that remembers an identity does not write its row again). Any other sender
   * is staff when the tenant's directory lists them without role service.
   */
  async senderIsStaff(tenantId: string, n: { senderId: string }, workflowSender: { userId: string; isService: boolean } | null): Promise<boolean> {
    if (workflowSender && workflowSender.userId === n.senderId) return !workflowSender.isService;
    const r = await this.db.selectFrom('directory_members').select('roles').where('tenant_id', '=', tenantId).where('user_id', '=', n.senderId).executeTakeFirst();
    return r !== undefined && !(JSON.parse(r.roles) as string[]).includes('service');
  }

  /**
   * Takes the right to publish the notification's `receipts.updated` now: true when none went out
   * in the last `intervalMs` (one conditional upsert, so two processes never both take it); else
   * the time the last one went out.
   */
  async claimPublication(tenantId: string, notificationId: string, now: number, intervalMs: number): Promise<true | number> {
    return (await this.claimPublications(tenantId, [notificationId], now, intervalMs)).get(notificationId) ?? now;
  }

  /** {@link claimPublication} for several notifications of a tenant: one upsert for all, and one read for those refused. */
  async claimPublications(tenantId: string, notificationIds: readonly string[], now: number, intervalMs: number): Promise<Map<string, true | number>> {
    const out = new Map<string, true | number>();
    for (let i = 0; i < notificationIds.length; i += CHUNK) {
      const ids = [...new Set(notificationIds.slice(i, i + CHUNK))];
      const taken = await this.db
        .insertInto('receipt_progress')
        .values(ids.map((id) => ({ tenant_id: tenantId, notification_id: id, published_at: now, first_reached_at: null, first_seen_at: null })))
        .onConflict((oc) => oc.columns(['tenant_id', 'notification_id']).doUpdateSet({ published_at: now }).where('receipt_progress.published_at', '<=', now - intervalMs))
        .returning('notification_id')
        .execute();
      for (const t of taken) out.set(t.notification_id, true);
      const refused = ids.filter((id) => !out.has(id));
      if (!refused.length) continue;
      const rows = await this.db.selectFrom('receipt_progress').select(['notification_id', 'published_at']).where('tenant_id', '=', tenantId).where('notification_id', 'in', refused).execute();
      for (const r of rows) out.set(r.notification_id, Number(r.published_at));
    }
    return out;
  }

  /**
   * Records when the notification first reached (or was first seen by) anyone; true only for the
   * call that recorded it, so each first is observed once across processes.
   */
  async claimFirst(tenantId: string, notificationId: string, kind: 'reached' | 'seen', at: number): Promise<boolean> {
    return (await this.claimFirsts(tenantId, kind, [{ notificationId, at }])).has(notificationId);
  }

  /** {@link claimFirst} for several notifications of a tenant (one upsert): the ids whose first this call recorded. */
  async claimFirsts(tenantId: string, kind: 'reached' | 'seen', firsts: ReadonlyArray<{ notificationId: string; at: number }>): Promise<Set<string>> {
    const col = kind === 'reached' ? 'first_reached_at' : 'first_seen_at';
    const out = new Set<string>();
    for (let i = 0; i < firsts.length; i += CHUNK) {
      const rows = firsts.slice(i, i + CHUNK);
      const taken = await this.db
        .insertInto('receipt_progress')
        .values(rows.map((f) => ({ tenant_id: tenantId, notification_id: f.notificationId, published_at: 0, first_reached_at: kind === 'reached' ? f.at : null, first_seen_at: kind === 'seen' ? f.at : null })))
        .onConflict((oc) => oc.columns(['tenant_id', 'notification_id']).doUpdateSet((eb) => ({ [col]: eb.ref(`excluded.${col}`) }) as never).where(`receipt_progress.${col}`, 'is', null))
        .returning('notification_id')
        .execute();
      for (const t of taken) out.add(t.notification_id);
    }
    return out;
  }

  /** The sender, creation time and workflow of several notifications of a tenant (one read). */
  async notifications(tenantId: string, ids: readonly string[]): Promise<Map<string, NotificationFacts>> {
    const out = new Map<string, NotificationFacts>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await this.db.selectFrom('notifications').select(['id', 'sender_id', 'created_at', 'workflow_kind', 'workflow_id']).where('tenant_id', '=', tenantId).where('id', 'in', ids.slice(i, i + CHUNK)).execute();
      for (const r of rows) out.set(r.id, { senderId: r.sender_id, createdAt: Number(r.created_at), workflowKind: r.workflow_kind, workflowId: r.workflow_id });
    }
    return out;
  }
}
