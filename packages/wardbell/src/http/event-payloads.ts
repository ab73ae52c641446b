import { z } from '@hono/zod-openapi';
import { CallSchema, SwapSchema } from '../workflows/index.js';
import { NotificationSchema } from './routes/notifications.js';
import { ReceiptSummarySchema } from './routes/receipts.js';

const ids = z.union([z.array(z.string()), z.literal('all')]);
const appData = z.record(z.string(), z.unknown()).meta({ description: 'What the publisher sent: the scheduling app\'s own data (with `notificationId` when Wardbell also sent the notification).' });

/**
 * The data of each event type on `GET /api/sse`, as Wardbell's own workflows send it; in the API
 * description as `EventPayloads`, from which `@wardbell/client` types `createSSEClient`'s
 * handlers. An event published through `POST /api/events` carries whatever its publisher sent.
 * `test/http/event-payloads.test.ts` holds real events of every workflow against it.
 */
export const EventPayloadsSchema = z
  .object({
    notification: z.object({ notification: NotificationSchema, unreadCount: z.number().int().optional().meta({ description: 'The recipient\'s unread count after this one.' }) }),
    'notification.updated': z.union([
      z.object({ notification: NotificationSchema }).meta({ description: 'Its shared state changed (a call filled, a swap decided): to everyone it reached.' }),
      z.object({ id: z.string(), action: z.object({ id: z.string(), by: z.string() }) }).meta({ description: 'A recipient pressed an action: to its sender.' }),
    ]),
    'inbox.updated': z.union([
      z.object({ read: ids, unreadCount: z.number().int() }),
      z.object({ unread: z.array(z.string()), unreadCount: z.number().int() }),
      z.object({ deleted: ids, unreadCount: z.number().int() }),
    ]).meta({ description: 'The user\'s inbox changed on another device: the ids read, unread again or deleted (or all), and the new unread count.' }),
    'swap.requested': z.object({ swap: SwapSchema }),
    'swap.approved': z.object({ swap: SwapSchema }),
    'swap.rejected': z.object({ swap: SwapSchema }),
    'emergency.called': z.object({ call: CallSchema }),
    'emergency.updated': z.object({ call: CallSchema }),
    'receipts.updated': z.object({ notificationId: z.string(), summary: ReceiptSummarySchema, at: z.string() }).meta({ description: 'How far a notification got: to its sender and role:service, at most once a second per notification.' }),
    'schedule.published': appData,
    'schedule.updated': appData,
  })
  .meta({ id: 'EventPayloads', description: 'The data of each event type of the stream (`event: <type>`), as Wardbell\'s workflows send it.' });
