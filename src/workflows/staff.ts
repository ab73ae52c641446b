import type { Directory } from '../notifications/index.js';
import { AppError } from '../shared/errors.js';

/**
 * Refuses users the directory does not know, with the same 400 `unknown_recipients` as
 * `NotificationService.send`, but at request time: a workflow that would only send later (a
 * reminder, an escalation) must not accept a request that cannot be delivered.
 */
export async function requireKnown(directory: Directory, tenantId: string, users: readonly string[]): Promise<void> {
  if (!users.length) return;
  const known = await directory.existing(tenantId, users);
  const unknown = [...new Set(users.filter((u) => !known.has(u)))];
  if (unknown.length) {
    throw new AppError('unknown_recipients', `No such staff in this tenant: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', ...' : ''}. Add them with PUT /api/directory/members first.`, { unknownUsers: unknown });
  }
}
