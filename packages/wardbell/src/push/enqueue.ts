import { randomUUID } from 'node:crypto';
import type { PushQueue } from '../notifications/index.js';
import { pushDb } from './store.js';

const CHUNK = 500;

/**
 * The push channel's side of a send: one `push_outbox` row per user who wants the push, written in
 * the send's own transaction. The worker expands them into deliveries per subscription later.
 */
export const pushOutboxQueue: PushQueue = {
  async enqueue(trx, n, wanted, now) {
    const db = pushDb(trx);
    for (let i = 0; i < wanted.length; i += CHUNK) {
      await db
        .insertInto('push_outbox')
        .values(
          wanted.slice(i, i + CHUNK).map((w) => ({
            id: randomUUID(),
            tenant_id: n.tenantId,
            user_id: w.userId,
            notification_id: n.notificationId,
            priority: n.priority,
            not_before: w.notBefore,
            status: 'pending',
            attempts: 0,
            last_error: null,
            created_at: now,
          })),
        )
        .execute();
    }
  },
};
