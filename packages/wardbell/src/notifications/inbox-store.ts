import { sql, type Transaction } from 'kysely';
import type { Database, Db, NotificationsTable } from '../store/index.js';
import type { Action, InboxItem, NotificationType, Priority, SentNotification } from './model.js';

type Exec = Db | Transaction<Database>;
const CHUNK = 500;

export type NotificationRow = NotificationsTable;

/** The columns a notification's public form is made of (what an inbox page reads). */
const SENT_COLUMNS = [
  'n.id',
  'n.type',
  'n.priority',
  'n.title',
  'n.body',
  'n.data',
  'n.actions',
  'n.group_key',
  'n.group_count',
  'n.sender_id',
  'n.state',
  'n.created_at',
  'n.updated_at',
] as const;
type SentRow = Pick<NotificationRow, 'id' | 'type' | 'priority' | 'title' | 'body' | 'data' | 'actions' | 'group_key' | 'group_count' | 'sender_id' | 'state' | 'created_at' | 'updated_at'>;

/** The JSON columns of a notification row, parsed. */
export function parsedColumns(r: Pick<NotificationRow, 'data' | 'actions' | 'state'>): { data: unknown; actions: Action[]; state: unknown } {
  return { data: JSON.parse(r.data) as unknown, actions: JSON.parse(r.actions) as Action[], state: r.state === null ? null : (JSON.parse(r.state) as unknown) };
}

export function toSent(r: SentRow): SentNotification {
  const { data, actions, state } = parsedColumns(r);
  return {
    id: r.id,
    type: r.type as NotificationType,
    priority: r.priority as Priority,
    title: r.title,
    body: r.body,
    data,
    actions,
    groupKey: r.group_key,
    groupCount: Number(r.group_count),
    senderId: r.sender_id,
    state,
    createdAt: new Date(Number(r.created_at)).toISOString(),
    updatedAt: new Date(Number(r.updated_at)).toISOString(),
  };
}

export function toItem(r: SentRow & { read_at: number | null; acted_action: string | null }): InboxItem {
  const item = toSent(r) as InboxItem;
  item.readAt = r.read_at === null ? null : new Date(Number(r.read_at)).toISOString();
  item.actedAction = r.acted_action;
  return item;
}

/** Adds `delta` to each user's unread counter (creating it) and returns the new values. */
export async function bumpUnread(trx: Exec, tenantId: string, userIds: readonly string[], delta: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < userIds.length; i += CHUNK) {
    const ids = userIds.slice(i, i + CHUNK);
    const rows = await trx
      .insertInto('inbox_counters')
      .values(ids.map((u) => ({ tenant_id: tenantId, user_id: u, unread: Math.max(0, delta) })))
      .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet((eb) => ({ unread: eb('inbox_counters.unread', '+', delta) })))
      .returning(['user_id', 'unread'])
      .execute();
    for (const r of rows) out.set(r.user_id, Math.max(0, Number(r.unread)));
  }
  return out;
}

export async function unreadCount(db: Exec, tenantId: string, userId: string): Promise<number> {
  const r = await db.selectFrom('inbox_counters').select('unread').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
  return Math.max(0, Number(r?.unread ?? 0));
}

export async function setUnread(trx: Exec, tenantId: string, userId: string, value: number): Promise<void> {
  await trx
    .insertInto('inbox_counters')
    .values({ tenant_id: tenantId, user_id: userId, unread: value })
    .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet({ unread: value }))
    .execute();
}

export async function insertInboxRows(
  trx: Exec,
  rows: ReadonlyArray<{ tenant_id: string; user_id: string; notification_id: string; sort_at: number; type: string; priority: string }>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto('inbox')
      .values(rows.slice(i, i + CHUNK).map((r) => ({ ...r, read_at: null, acted_action: null, acted_at: null })))
      .execute();
  }
}

export interface PageQuery {
  limit: number;
  cursor?: { sortAt: number; id: string } | undefined;
  status?: 'unread' | 'read' | undefined;
  type?: string | undefined;
  priority?: string | undefined;
}

const PAGE_COLUMNS = sql.raw([...SENT_COLUMNS, 'i.read_at', 'i.acted_action', 'i.sort_at'].join(', '));
type PageRow = SentRow & { read_at: number | null; acted_action: string | null; sort_at: number };

/**
 * One page of a user's inbox, newest first, keyset-paginated on (sort_at, id). Written as one SQL
 * template rather than with the query builder: this is the busiest read of the service, and
 * building it with the query builder allocated about 17 KiB per request, a seventh of the whole.
 */
export async function inboxPage(db: Exec, tenantId: string, userId: string, q: PageQuery): Promise<PageRow[]> {
  const where = [sql`i.tenant_id = ${tenantId}`, sql`i.user_id = ${userId}`];
  if (q.status === 'unread') where.push(sql`i.read_at is null`);
  if (q.status === 'read') where.push(sql`i.read_at is not null`);
  if (q.type) where.push(sql`i.type = ${q.type}`);
  if (q.priority) where.push(sql`i.priority = ${q.priority}`);
  const c = q.cursor;
  if (c) where.push(sql`(i.sort_at < ${c.sortAt} or (i.sort_at = ${c.sortAt} and i.notification_id < ${c.id}))`);
  const r = await sql<PageRow>`select ${PAGE_COLUMNS} from inbox i join notifications n on n.id = i.notification_id
    where ${sql.join(where, sql` and `)} order by i.sort_at desc, i.notification_id desc limit ${q.limit + 1}`.execute(db);
  return r.rows;
}

export async function loadNotification(db: Exec, tenantId: string, id: string): Promise<NotificationRow | undefined> {
  return db.selectFrom('notifications').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function inboxRow(db: Exec, tenantId: string, userId: string, id: string) {
  return db
    .selectFrom('inbox')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('notification_id', '=', id)
    .executeTakeFirst();
}

export async function inboxUsersOf(db: Exec, tenantId: string, notificationId: string): Promise<Array<{ user_id: string; read_at: number | null }>> {
  return db
    .selectFrom('inbox')
    .select(['user_id', 'read_at'])
    .where('tenant_id', '=', tenantId)
    .where('notification_id', '=', notificationId)
    .execute();
}

/**
 * Moves a notification to the top of these users' inboxes (a repeat of something still
 * unanswered): their rows' sort key becomes `now`, so a reloaded page lists it first, as the live
 * page already does. Read rows stay where they are.
 */
export async function moveToTop(trx: Exec, tenantId: string, notificationId: string, userIds: readonly string[], now: number): Promise<void> {
  for (let i = 0; i < userIds.length; i += CHUNK) {
    await trx
      .updateTable('inbox')
      .set({ sort_at: now })
      .where('tenant_id', '=', tenantId)
      .where('notification_id', '=', notificationId)
      .where('user_id', 'in', userIds.slice(i, i + CHUNK))
      .where('read_at', 'is', null)
      .execute();
  }
}
