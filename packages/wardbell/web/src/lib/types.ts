import type { EventPayloads, Schema } from '@wardbell/client';
/**
 * What the console reads from the API, mirrored from the OpenAPI description (/api/openapi.json).
 * Kept here rather than imported from the server so the browser bundle has no server code.
 */

export const NOTIFICATION_TYPES = [
  'general',
  'schedule_published',
  'schedule_updated',
  'swap_requested',
  'swap_approved',
  'swap_rejected',
  'emergency_call',
  'shift_reminder',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Event types `POST /api/events` accepts. */
export const DOMAIN_EVENT_TYPES = [
  'schedule.published',
  'schedule.updated',
  'swap.requested',
  'swap.approved',
  'swap.rejected',
  'notification',
  'notification.updated',
  'inbox.updated',
  'emergency.called',
  'emergency.updated',
  'receipts.updated',
] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

// The API's shapes, generated from its OpenAPI description (@wardbell/client): the console cannot
// drift from the server's answers and events.
export type NotificationAction = Schema<'NotificationAction'>;
export type SentNotification = Schema<'Notification'>;
export type InboxItem = Schema<'InboxItem'>;
export type InboxPage = Schema<'InboxPage'>;
export type ActionResult = Schema<'ActionResult'>;
export type SendResult = Schema<'SendResult'>;

/** Who a notification or an event is for, inside the caller's tenant. */
export type Recipients = { users: string[] } | { topic: string } | { tenant: true };

export type ShiftRef = Schema<'ShiftRef'>;
export type Swap = Schema<'Swap'>;
export type EmergencyCall = Schema<'EmergencyCall'> & { acceptedBy?: Array<{ userId: string; acceptedAt: string }> };
export type PushSubscriptionView = Schema<'PushSubscription'>;
export type PushStats = Schema<'PushStats'>;
export type Member = Schema<'Member'>;

/** `data` of the `notification` event: the notification once, and the recipient's own unread count. */
export type NotificationEventData = EventPayloads['notification'];

/** `data` of `inbox.updated`: read, unread again or deleted on another page, with the new count. */
export type InboxUpdatedData = EventPayloads['inbox.updated'];

/** `data` of `notification.updated`: a shared state change, or an answer to a notification you sent. */
export type NotificationUpdatedData = EventPayloads['notification.updated'];
