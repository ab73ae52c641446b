// What a send consists of and who may make it: shared by `POST /api/notifications` and by
// scheduled notifications (`POST /api/notifications/scheduled`), so the two cannot drift apart.
import { z } from 'zod';
import { canPublish, type Identity } from '../auth/index.js';
import { AppError } from '../shared/index.js';
import { ActionSchema, MAX_ACTIONS, NOTIFICATION_TYPES, PRIORITIES, RecipientsSchema, type Recipients } from './model.js';

const Action = ActionSchema.meta({ id: 'NotificationAction',  example: { id: 'approve', label: 'Approve', style: 'primary' } });

/** The fields of a notification to send (without delivery options such as idempotency or a time). */
export const sendFields = {
  type: z.enum(NOTIFICATION_TYPES).default('general'),
  priority: z.enum(PRIORITIES).default('medium'),
  title: z.string().trim().min(1, 'must not be empty').max(200),
  body: z.string().max(4000).default(''),
  data: z.record(z.string(), z.unknown()).optional().meta({ description: 'Structured data for the receiving page (any JSON object).' }),
  actions: z.array(Action).max(MAX_ACTIONS, `at most ${MAX_ACTIONS} actions`).optional(),
  to: RecipientsSchema.meta({ description: 'Users, one topic (ward:3, role:nurse) or the whole tenant, inside the caller\'s tenant.', example: { topic: 'ward:3' } }),
  groupKey: z.string().min(1).max(200).optional().meta({ description: 'Repeats with this key within 10 minutes collapse into one inbox entry with a count.' }),
};

/** The notification action button as the API describes it. */
export const NotificationActionSchema = Action;

/** Who may send to whom: publishers anywhere in their tenant, managers to their own wards. */
export function authoriseSend(id: Identity, to: Recipients): void {
  if (canPublish(id)) return;
  if (id.roles.includes('manager') && 'topic' in to && to.topic.startsWith('ward:') && id.wards.includes(to.topic.slice(5))) return;
  throw new AppError('forbidden', 'Sending needs role service or admin; a manager may send to ward:<one of their wards>.');
}
