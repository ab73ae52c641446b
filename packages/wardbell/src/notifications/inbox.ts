import type { Db } from '../store/index.js';
import { toUser, type Publisher } from '../events/index.js';
import { encodeCursor } from './cursor.js';
import { notInInbox } from './errors.js';
import { bumpUnread, inboxPage, inboxRow, loadNotification, setUnread, toItem, unreadCount, type PageQuery } from './inbox-store.js';
import type { InboxItem } from './model.js';

/**
 * A user's inbox: pages, one item, read state and deletion. Every change of read state moves the
 * unread counter in the same transaction and tells the user's other open pages (`inbox.updated`
 * with the new count), so badges never drift from the list.
 */
export class Inbox {
  constructor(
    private readonly db: Db,
    private readonly events: Publisher,
    private readonly now: () => number,
  ) {}

  async list(tenantId: string, userId: string, q: PageQuery) {
    const [rows, unread] = await Promise.all([inboxPage(this.db, tenantId, userId, q), unreadCount(this.db, tenantId, userId)]);
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map(toItem),
      nextCursor: more && last ? encodeCursor(Number(last.sort_at), last.id) : null,
      unreadCount: unread,
    };
  }

  async get(tenantId: string, userId: string, id: string): Promise<InboxItem> {
    const row = await inboxRow(this.db, tenantId, userId, id);
    const n = row ? await loadNotification(this.db, tenantId, id) : undefined;
    if (!row || !n) throw notInInbox();
    return toItem({ ...n, read_at: row.read_at, acted_action: row.acted_action });
  }

  /** Marks some (or all) of a user's notifications read; returns how many changed and the new count. */
  async markRead(tenantId: string, userId: string, ids: readonly string[] | 'all') {
    const now = this.now();
    const result = await this.db.transaction().execute(async (trx) => {
      let q = trx.updateTable('inbox').set({ read_at: now }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('read_at', 'is', null);
      if (ids !== 'all') q = q.where('notification_id', 'in', ids.length ? [...ids] : ['']);
      const r = await q.executeTakeFirst();
      const changed = Number(r.numUpdatedRows);
      let unread: number;
      if (ids === 'all') {
        await setUnread(trx, tenantId, userId, 0);
        unread = 0;
      } else unread = changed ? ((await bumpUnread(trx, tenantId, [userId], -changed)).get(userId) ?? 0) : await unreadCount(trx, tenantId, userId);
      return { updated: changed, unreadCount: unread };
    });
    if (result.updated > 0) await this.tell(tenantId, userId, { read: ids === 'all' ? 'all' : ids, unreadCount: result.unreadCount });
    return result;
  }

  /** Marks one notification read; 404 when it is not in the caller's inbox. */
  async markOneRead(tenantId: string, userId: string, id: string) {
    if (!(await inboxRow(this.db, tenantId, userId, id))) throw notInInbox();
    return this.markRead(tenantId, userId, [id]);
  }

  /**
   * Marks one notification unread again (the counter moves up in the same transaction, and the
   * user's other pages hear it); 404 when it is not in the caller's inbox.
   */
  async markOneUnread(tenantId: string, userId: string, id: string) {
    if (!(await inboxRow(this.db, tenantId, userId, id))) throw notInInbox();
    const result = await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('inbox').set({ read_at: null }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('notification_id', '=', id).where('read_at', 'is not', null).executeTakeFirst();
      const changed = Number(r.numUpdatedRows);
      const unread = changed ? ((await bumpUnread(trx, tenantId, [userId], changed)).get(userId) ?? 0) : await unreadCount(trx, tenantId, userId);
      return { updated: changed, unreadCount: unread };
    });
    if (result.updated > 0) await this.tell(tenantId, userId, { unread: [id], unreadCount: result.unreadCount });
    return result;
  }

  async remove(tenantId: string, userId: string, ids: readonly string[] | 'all') {
    const result = await this.db.transaction().execute(async (trx) => {
      let unreadQ = trx.selectFrom('inbox').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('read_at', 'is', null);
      let del = trx.deleteFrom('inbox').where('tenant_id', '=', tenantId).where('user_id', '=', userId);
      if (ids !== 'all') {
        unreadQ = unreadQ.where('notification_id', 'in', [...ids]);
        del = del.where('notification_id', 'in', [...ids]);
      }
      const unreadRemoved = ids === 'all' ? 0 : Number((await unreadQ.executeTakeFirst())?.n ?? 0);
      const r = await del.executeTakeFirst();
      let unread: number;
      if (ids === 'all') {
        await setUnread(trx, tenantId, userId, 0);
        unread = 0;
      } else unread = unreadRemoved ? ((await bumpUnread(trx, tenantId, [userId], -unreadRemoved)).get(userId) ?? 0) : await unreadCount(trx, tenantId, userId);
      return { deleted: Number(r.numDeletedRows), unreadCount: unread };
    });
    if (result.deleted > 0) await this.tell(tenantId, userId, { deleted: ids === 'all' ? 'all' : ids, unreadCount: result.unreadCount });
    return result;
  }

  async removeOne(tenantId: string, userId: string, id: string) {
    if (!(await inboxRow(this.db, tenantId, userId, id))) throw notInInbox();
    return this.remove(tenantId, userId, [id]);
  }

  /** The user's other open pages update their list and badge. */
  tell(tenantId: string, userId: string, change: Record<string, unknown> & { unreadCount: number }) {
    return this.events.publish(tenantId, 'inbox.updated', change, toUser(userId));
  }
}
