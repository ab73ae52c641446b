import { z } from 'zod';
import { IdSchema, TOPIC_PATTERN } from '../auth/index.js';
import type { Audience } from '../events/index.js';

/** Notification types (seed 4.1). */
export const NOTIFICATION_TYPES = [
  'schedule_published',
  'schedule_updated',
  'swap_requested',
  'swap_approved',
  'swap_rejected',
  'emergency_call',
  'shift_reminder',
  'general',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Priorities, lowest first (seed 4.1): low information, medium update, high attention now, urgent emergency. */
export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const MAX_ACTIONS = 3;

/** An id as the API accepts it; one definition (`auth`), re-exported for the notification schemas' users. */
export const idString = IdSchema;

export const ActionSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a short lowercase id, e.g. approve'),
    label: z.string().trim().min(1).max(40),
    style: z.enum(['primary', 'secondary', 'danger']).optional(),
  })
  .strict();
export type Action = z.infer<typeof ActionSchema>;

/** Who a notification is for, inside the sender's tenant (same shape as `POST /api/events`). */
export const RecipientsSchema = z.union([
  z.object({ users: z.array(idString).min(1).max(10_000) }).strict(),
  z.object({ topic: z.string().regex(TOPIC_PATTERN, 'must be user:<id>, ward:<id> or role:<name>') }).strict(),
  z.object({ tenant: z.literal(true) }).strict(),
]);
export type Recipients = z.infer<typeof RecipientsSchema>;

export function audienceOf(to: Recipients): Audience {
  if ('users' in to) return { kind: 'users', users: [...new Set(to.users)].sort() };
  if ('topic' in to) return { kind: 'topic', topic: to.topic };
  return { kind: 'tenant' };
}

/** A notification as sent (the shared part, without per-recipient state). */
export interface SentNotification {
  id: string;
  type: NotificationType;
  priority: Priority;
  title: string;
  body: string;
  data: unknown;
  actions: Action[];
  groupKey: string | null;
  groupCount: number;
  senderId: string;
  state: unknown;
  createdAt: string;
  updatedAt: string;
}

/** A notification as the API shows it to one recipient: the shared part and their own state. */
export interface InboxItem extends SentNotification {
  readAt: string | null;
  actedAction: string | null;
}
