import type { Transaction } from 'kysely';
import type { Database } from '../store/index.js';
import type { Priority } from './model.js';

/** One user's push of a notification, and when it may leave (the end of their quiet hours, or now). */
export interface PushWanted {
  userId: string;
  notBefore: number;
}

/**
 * Where a send's pushes go: the push channel's outbox, written inside the send's transaction, so a
 * notification and its pushes are committed together or not at all.
 */
export interface PushQueue {
  enqueue(
    trx: Transaction<Database>,
    notification: { tenantId: string; notificationId: string; priority: Priority },
    wanted: readonly PushWanted[],
    now: number,
  ): Promise<void>;
}
