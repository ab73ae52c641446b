import type { Kysely } from 'kysely';
import type { Audience } from '../events/index.js';
import type { Database } from '../store/index.js';
import { lockScreensOf, type LockScreenMode } from '../tenants/index.js';
import { parsedColumns } from './inbox-store.js';
import type { Priority, SentNotification } from './model.js';

/**
 * What the push channel reads of notifications and inboxes, so that no other module queries this
 * module's tables. Each read is one batched statement per 500 ids, as the push worker needs it: it
 * expands and sends hundreds of outbox rows per round. The handle may be a transaction (the outbox
 * expansion reads inside its own) and may have other modules' tables typed in.
 */

/** Who a notification is for, and how urgent it is: what deciding who gets a push needs. */
export interface NotificationAudience {
  id: string;
  tenantId: string;
  priority: Priority;
  audience: Audience;
  createdAt: number;
}

/** The fields a push carries: the sent notification's content, its tenant, and when it was made. */
export type NotificationContent = Pick<SentNotification, 'id' | 'priority' | 'title' | 'body' | 'data' | 'actions' | 'groupKey' | 'state'> & {
  tenantId: string;
  type: string;
  createdAt: number;
  /** What a lock screen may show: `generic` when the tenant is set so or the sender asked for it (`tenants/`). */
  lockScreen: LockScreenMode;
  /** The ward of a notification addressed to `ward:<id>`, else null (a generic text may name it). */
  ward: string | null;
};

/** One recipient's copy of a notification. */
export interface InboxKey {
  tenantId: string;
  userId: string;
  notificationId: string;
}

/** Which of the asked-about inbox rows have been read. */
export interface ReadSet {
  has(tenantId: string, userId: string, notificationId: string): boolean;
}

const CHUNK = 500;

// The generic lets a caller pass its own view of the database (e.g. `Kysely<Database & PushTables>`),
// which TypeScript does not accept as a `Kysely<Database>`; only the tables of Database are queried.
function core<DB extends Database>(db: Kysely<DB>): Kysely<Database> {
  return db as unknown as Kysely<Database>;
}

async function chunked<T>(items: readonly T[], fn: (chunk: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CHUNK) await fn(items.slice(i, i + CHUNK));
}

/** The notifications with these ids (any tenant: the caller checks the tenant it expects), by id. */
async function audiences<DB extends Database>(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, NotificationAudience>> {
  const out = new Map<string, NotificationAudience>();
  await chunked([...new Set(ids)], async (chunk) => {
    const rows = await core(db).selectFrom('notifications').select(['id', 'tenant_id', 'priority', 'audience', 'created_at']).where('id', 'in', chunk).execute();
    for (const r of rows) {
      out.set(r.id, { id: r.id, tenantId: r.tenant_id, priority: r.priority as Priority, audience: JSON.parse(r.audience) as Audience, createdAt: Number(r.created_at) });
    }
  });
  return out;
}

/** The ward of an audience `ward:<id>`. */
function wardOf(audience: string): string | null {
  const a = JSON.parse(audience) as Audience;
  return a.kind === 'topic' && a.topic.startsWith('ward:') ? a.topic.slice(5) : null;
}

/** The content of the notifications with these ids (any tenant: the caller checks), by id, with what their lock screens may show. */
async function contents<DB extends Database>(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, NotificationContent>> {
  const out = new Map<string, NotificationContent>();
  await chunked([...new Set(ids)], async (chunk) => {
    const rows = await core(db)
      .selectFrom('notifications')
      .select(['id', 'tenant_id', 'type', 'priority', 'title', 'body', 'data', 'actions', 'group_key', 'state', 'audience', 'ward', 'created_at'])
      .where('id', 'in', chunk)
      .execute();
    const lockScreens = await lockScreensOf(db, rows.map((r) => ({ id: r.id, tenantId: r.tenant_id })));
    for (const r of rows) {
      out.set(r.id, {
        ...parsedColumns(r),
        id: r.id,
        tenantId: r.tenant_id,
        type: r.type,
        priority: r.priority as Priority,
        title: r.title,
        body: r.body,
        groupKey: r.group_key,
        createdAt: Number(r.created_at),
        // Unknown (cannot happen: every id read has an answer): the safer generic.
        lockScreen: lockScreens.get(r.id) ?? 'generic',
        ward: r.ward ?? wardOf(r.audience),
      });
    }
  });
  return out;
}

const keyOf = (tenantId: string, userId: string, notificationId: string) => `${tenantId}\0${userId}\0${notificationId}`;

/**
 * Which of these inbox rows are read. One statement for a batch of up to 500 notifications and
 * 500 users (the read rows among their cross product; only the rows asked about count).
 */
async function readBy<DB extends Database>(db: Kysely<DB>, keys: readonly InboxKey[]): Promise<ReadSet> {
  const asked = new Set(keys.map((k) => keyOf(k.tenantId, k.userId, k.notificationId)));
  const read = new Set<string>();
  const notificationIds = [...new Set(keys.map((k) => k.notificationId))];
  const userIds = [...new Set(keys.map((k) => k.userId))];
  await chunked(notificationIds, async (ns) => {
    await chunked(userIds, async (us) => {
      const rows = await core(db).selectFrom('inbox').select(['tenant_id', 'user_id', 'notification_id']).where('notification_id', 'in', ns).where('user_id', 'in', us).where('read_at', 'is not', null).execute();
      for (const r of rows) {
        const k = keyOf(r.tenant_id, r.user_id, r.notification_id);
        if (asked.has(k)) read.add(k);
      }
    });
  });
  return { has: (tenantId, userId, notificationId) => read.has(keyOf(tenantId, userId, notificationId)) };
}

/** The notification module's reads for the push channel. */
export const notificationReads = { audiences, contents, readBy };
export type NotificationReads = typeof notificationReads;
