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
] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

export interface NotificationAction {
  id: string;
  label: string;
  style?: 'primary' | 'secondary' | 'danger';
}

export interface SentNotification {
  id: string;
  type: NotificationType;
  priority: Priority;
  title: string;
  body: string;
  data?: unknown;
  actions: NotificationAction[];
  groupKey: string | null;
  groupCount: number;
  senderId: string;
  state?: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface InboxItem extends SentNotification {
  readAt: string | null;
  actedAction: string | null;
}

export interface InboxPage {
  items: InboxItem[];
  nextCursor: string | null;
  unreadCount: number;
}

export interface ActionResult {
  notificationId: string;
  actionId: string;
  result: string;
  message: string;
  details?: unknown;
}

export interface SendResult {
  notification: SentNotification;
  recipients: number;
  grouped: boolean;
  duplicate: boolean;
}

/** Who a notification or an event is for, inside the caller's tenant. */
export type Recipients = { users: string[] } | { topic: string } | { tenant: true };

export interface ShiftRef {
  id: string;
  startsAt: string;
  endsAt?: string;
  ward?: string;
  label?: string;
}

export interface Swap {
  id: string;
  status: 'pending' | 'approved' | 'rejected';
  requesterId: string;
  targetId: string;
  shift: ShiftRef;
  inReturn: ShiftRef | null;
  note: string | null;
  notificationId: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EmergencyCall {
  id: string;
  status: 'open' | 'escalated' | 'filled' | 'cancelled';
  needed: number;
  accepted: number;
  callerId: string;
  title: string;
  message: string;
  escalateAt: string | null;
  filledAt: string | null;
  createdAt: string;
  acceptedBy?: Array<{ userId: string; acceptedAt: string }>;
}

export interface PushSubscriptionView {
  id: string;
  endpoint: string;
  userId: string;
  tenantId: string;
  topics: string[];
  createdAt: string;
  expirationTime?: number | null;
}

export interface PushStats {
  tenantId: string;
  subscriptions: number;
  users: number;
  byTopic: Record<string, number>;
  deliveries: Record<string, number>;
}

export interface Member {
  userId: string;
  roles: string[];
  wards: string[];
  displayName?: string | null;
}

/** `data` of the `notification` event: the notification once, and the recipient's own unread count. */
export interface NotificationEventData {
  notification: SentNotification;
  unreadCount?: number;
}

/** `data` of `inbox.updated`: read or deleted on another page, with the new count. */
export interface InboxUpdatedData {
  read?: 'all' | string[];
  deleted?: 'all' | string[];
  unreadCount: number;
}

/** `data` of `notification.updated`: a shared state change, or an answer to a notification you sent. */
export type NotificationUpdatedData =
  | { notification: SentNotification }
  | { id: string; action: { id: string; by: string } };
