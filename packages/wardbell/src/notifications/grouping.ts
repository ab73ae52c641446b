import type { Transaction } from 'kysely';
import type { Audience } from '../events/index.js';
import type { Database } from '../store/index.js';
import { bumpUnread, inboxUsersOf, type NotificationRow } from './inbox-store.js';
import type { Action, Priority } from './model.js';
import { isCritical, LOCKED_PRIORITIES, LOCKED_TYPES } from './preferences.js';

const CHUNK = 500;

/**
 * A send as grouping sees it: a critical one (urgent, or an emergency call) loses its `groupKey`,
 * so it is never folded into an earlier notification, nothing is folded into it later, and its push
 * gets a Topic and tag of its own (a later repeat cannot replace it on the device).
 */
export function groupable<T extends { type: string; priority: Priority; groupKey?: string | undefined }>(input: T): T {
  return input.groupKey !== undefined && isCritical(input.type, input.priority) ? { ...input, groupKey: undefined } : input;
}

/** The notification a send with `groupKey` folds into: same key and audience, inside the window, never a critical one. */
export function findGroup(trx: Transaction<Database>, tenantId: string, groupKey: string, audience: Audience, since: number) {
  return trx
    .selectFrom('notifications')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('group_key', '=', groupKey)
    .where('audience', '=', JSON.stringify(audience))
    .where('created_at', '>=', since)
    .where('priority', 'not in', [...LOCKED_PRIORITIES])
    .where('type', 'not in', [...LOCKED_TYPES])
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Folds a repeat into its group: the notification takes the new content and `groupCount + 1`,
 * moves to the top of every recipient's inbox and is unread again. Returns the updated row and
 * each recipient's unread count.
 */
export async function foldIntoGroup(
  trx: Transaction<Database>,
  group: NotificationRow,
  next: { title: string; body: string; data?: unknown; actions?: Action[] | undefined; priority: Priority },
  now: number,
): Promise<{ row: NotificationRow; counts: Map<string, number> }> {
  const tenantId = group.tenant_id;
  const row: NotificationRow = {
    ...group,
    title: next.title,
    body: next.body,
    data: JSON.stringify(next.data ?? {}),
    actions: JSON.stringify(next.actions ?? []),
    priority: next.priority,
    group_count: Number(group.group_count) + 1,
    updated_at: now,
  };
  await trx
    .updateTable('notifications')
    .set({ title: row.title, body: row.body, data: row.data, actions: row.actions, priority: row.priority, group_count: row.group_count, updated_at: now })
    .where('id', '=', group.id)
    .execute();
  const recipients = await inboxUsersOf(trx, tenantId, group.id);
  await trx.updateTable('inbox').set({ sort_at: now, read_at: null, priority: next.priority }).where('tenant_id', '=', tenantId).where('notification_id', '=', group.id).execute();
  const counts = await bumpUnread(trx, tenantId, recipients.filter((r) => r.read_at !== null).map((r) => r.user_id), 1);
  const unchanged = recipients.filter((r) => r.read_at === null).map((r) => r.user_id);
  for (let i = 0; i < unchanged.length; i += CHUNK) {
    const rows = await trx
      .selectFrom('inbox_counters')
      .select(['user_id', 'unread'])
      .where('tenant_id', '=', tenantId)
      .where('user_id', 'in', unchanged.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) counts.set(r.user_id, Number(r.unread));
  }
  return { row, counts };
}
