import { z } from 'zod';
import { ActionSchema, idString, NOTIFICATION_TYPES, PRIORITIES, RecipientsSchema, sendFields } from '../notifications/index.js';
import { CALL_EVENT_KINDS } from './emergency-events.js';
import { TIMELINE_MAX_PAGE } from './emergency-review.js';
import { EscalationPolicySchema, EscalationStepSchema, PolicyNameSchema, repeatFields } from './policy.js';

/** Request and response schemas of the workflow routes (validation and the OpenAPI description). */

const at = (description: string) => z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-26T07:00:00+09:00' }).meta({ description, example: '2026-11-26T07:00:00+09:00' });
const to = (description: string) => RecipientsSchema.meta({ description, example: { topic: 'ward:3' } });
const data = z.record(z.string(), z.unknown()).optional().meta({ description: 'Structured data for the receiving page (any JSON object).' });
const idempotencyKey = z.string().min(1).max(200).optional();
const uuidParam = (what: string) => z.object({ id: z.string().uuid(`must be ${what} id`) });

export const IdParams = {
  swap: uuidParam('a swap'),
  call: uuidParam('an emergency call'),
  reminder: uuidParam('a reminder'),
  scheduled: uuidParam('a scheduled notification'),
};

const JobStatus = z.enum(['pending', 'running', 'done', 'cancelled', 'failed']).meta({
  description: 'pending: waiting for its time; running: being sent; done: sent; cancelled; failed: gave up (see lastError).',
});

// --- schedules ------------------------------------------------------------------------------

export const SchedulePublishedSchema = z
  .object({
    scheduleId: idString,
    to: to('The affected staff: a list of users, a ward (ward:3), a role, or the whole tenant.'),
    period: z.object({ from: z.iso.date(), to: z.iso.date() }).strict().optional().meta({ description: 'The dates the schedule covers.', example: { from: '2026-12-01', to: '2026-12-31' } }),
    title: z.string().trim().min(1).max(200).optional().meta({ description: 'Default "New schedule published".' }),
    body: z.string().max(4000).optional(),
    url: z.string().max(2000).optional().meta({ description: 'Where the page opens the schedule.' }),
    data,
    idempotencyKey: idempotencyKey.meta({ description: 'The same key within 24 h sends nothing again (neither notification nor event).' }),
  })
  .strict()
  .meta({ id: 'SchedulePublished' });

export const ScheduleUpdatedSchema = z
  .object({
    scheduleId: idString,
    to: to('The affected staff.'),
    changes: z.array(z.record(z.string(), z.unknown())).max(500).optional().meta({ description: 'Change records carried by the schedule.updated event, for pages to apply.' }),
    summary: z.string().max(1000).optional().meta({ description: 'One line for the notification body.' }),
    title: z.string().trim().min(1).max(200).optional().meta({ description: 'Default "Schedule updated".' }),
    data,
  })
  .strict()
  .meta({ id: 'ScheduleUpdated' });

export const ScheduleResultSchema = z
  .object({ notificationId: z.string(), recipients: z.number().int(), grouped: z.boolean(), duplicate: z.boolean(), eventId: z.string().nullable() })
  .meta({ id: 'ScheduleResult' });

// --- swaps ----------------------------------------------------------------------------------

const Shift = z
  .object({ id: idString, startsAt: at('Shift start.'), endsAt: at('Shift end.').optional(), ward: idString.optional(), label: z.string().max(100).optional() })
  .strict()
  .meta({ id: 'ShiftRef' });

export const SwapRequestSchema = z
  .object({
    requesterId: idString.meta({ description: 'Who asks to swap (gets swap_approved or swap_rejected).' }),
    targetId: idString.meta({ description: 'Who is asked (gets swap_requested with Approve and Reject).' }),
    shift: Shift.meta({ description: 'The requester\'s shift the target would take.' }),
    inReturn: Shift.optional().meta({ description: 'The target\'s shift the requester would take; absent: a give-away.' }),
    note: z.string().max(500).optional(),
  })
  .strict()
  .meta({ id: 'SwapRequest' });

export const SwapSchema = z
  .object({
    id: z.string(),
    status: z.enum(['pending', 'approved', 'rejected']),
    requesterId: z.string(),
    targetId: z.string(),
    shift: Shift,
    inReturn: Shift.nullable(),
    note: z.string().nullable(),
    notificationId: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Swap' });

// --- emergency calls ------------------------------------------------------------------------

export const EmergencyCallSchema = z
  .object({
    to: to('A ward (ward:3) or selected staff ({users: [...]}); a role or the tenant also work.'),
    needed: z.number().int().min(1).max(100).meta({ description: 'How many people are needed; accepts stop there.' }),
    title: z.string().trim().min(1).max(200).default('Emergency call'),
    message: z.string().max(2000).default(''),
    details: z.record(z.string(), z.unknown()).optional().meta({ description: 'Free-form details (shift, ward, skills) for the receiving page.' }),
    escalateAfterSeconds: z.number().int().min(1).max(86_400).optional().meta({ description: 'Seconds before an unfilled call escalates (the one-step shorthand of a policy). Default 600.' }),
    escalateTo: to('The wider audience the call escalates to (staff already reached are skipped). Default {topic: "role:nurse"}; null: never escalate.').nullable().optional(),
    policy: z
      .union([PolicyNameSchema, EscalationPolicySchema])
      .optional()
      .meta({ description: 'An ordered escalation policy, inline, or the name of one of the tenant\'s (PUT /api/escalation-policies/{name}). Copied into the call when it is made: later changes to a named policy do not change it. Instead of escalateAfterSeconds/escalateTo.' }),
    policyName: PolicyNameSchema.optional().meta({ description: 'The same as policy: "<name>".' }),
    ...repeatFields,
  })
  .strict()
  .meta({ id: 'EmergencyCallRequest' });

const CallStatus = z.enum(['open', 'escalated', 'filled', 'cancelled', 'expired']).meta({ description: 'open and escalated take answers; filled, cancelled and expired are closed.' });

export const CallPolicySchema = z
  .object({
    name: z.string().nullable().meta({ description: 'The named policy it was copied from; null: given inline or as escalateAfterSeconds/escalateTo.' }),
    steps: z.array(z.object({ afterSeconds: z.number().int(), to: RecipientsSchema })),
    repeatEverySeconds: z.number().int().nullable(),
    maxRepeats: z.number().int(),
    loops: z.number().int(),
    expiresAfterSeconds: z.number().int().nullable(),
  })
  .meta({ id: 'EmergencyCallPolicy', description: 'The policy the call runs, fixed when it was made.' });

export const CallSchema = z
  .object({
    id: z.string(),
    status: CallStatus,
    needed: z.number().int(),
    accepted: z.number().int(),
    declined: z.number().int().meta({ description: 'How many pressed "Can\'t come".' }),
    callerId: z.string(),
    to: RecipientsSchema,
    title: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
    escalateTo: RecipientsSchema.nullable().meta({ description: 'The first step\'s audience.' }),
    escalateAt: z.string().nullable().meta({ description: 'When the first step was due.' }),
    escalatedAt: z.string().nullable(),
    filledAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    policy: CallPolicySchema,
    stepsRun: z.number().int().meta({ description: 'Steps run so far, loops included.' }),
    stepsTotal: z.number().int().meta({ description: 'Steps in all, loops included.' }),
    nextStepAt: z.string().nullable().meta({ description: 'When the next step is due; null when none is left or the call is closed.' }),
    expiresAt: z.string().nullable(),
  })
  .meta({ id: 'EmergencyCall' });

export const CallDetailSchema = CallSchema.extend({
  acceptedBy: z.array(z.object({ userId: z.string(), acceptedAt: z.string() })),
  declinedBy: z.array(z.object({ userId: z.string(), declinedAt: z.string() })),
  notificationIds: z.array(z.string()),
}).meta({ id: 'EmergencyCallDetail' });

/** One entry of a call's timeline (`readCallEvents`). */
export const CallEventSchema = z
  .object({ seq: z.number().int(), at: z.string(), kind: z.enum(CALL_EVENT_KINDS), actor: z.string().nullable(), data: z.record(z.string(), z.unknown()) })
  .meta({ id: 'EmergencyCallEvent' });

/** One line of a call's timeline: its own events (numbered) and its recipients' deliveries (`seq` null). */
export const TimelineEntrySchema = z
  .object({
    seq: z.number().int().nullable(),
    at: z.string(),
    kind: z.enum([...CALL_EVENT_KINDS, 'delivered', 'displayed', 'seen']),
    actor: z.string().nullable().meta({ description: 'Who: the caller, the nurse who answered, the recipient a delivery reached; null for the service\'s own steps.' }),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'EmergencyCallTimelineEntry' });

export const CallListQuerySchema = z.object({
  status: z.enum(['open', 'escalated', 'filled', 'cancelled', 'expired']).optional(),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Calls made at or after this time.' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Calls made before this time.' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const TimelineQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(TIMELINE_MAX_PAGE).default(TIMELINE_MAX_PAGE).meta({ description: `At most this many entries (1 to ${TIMELINE_MAX_PAGE}, the default).` }),
  cursor: z.string().max(300).optional().meta({ description: 'The `nextCursor` of the page before.' }),
});

// --- escalation policies --------------------------------------------------------------------

export const PolicyParams = z.object({ name: PolicyNameSchema });

export { EscalationPolicySchema };

export const NamedPolicySchema = z
  .object({
    name: z.string(),
    steps: z.array(EscalationStepSchema),
    repeatEverySeconds: z.number().int().optional(),
    maxRepeats: z.number().int().optional(),
    expiresAfterSeconds: z.number().int().optional(),
    loops: z.number().int(),
    createdBy: z.string(),
    updatedBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'NamedEscalationPolicy' });

// --- reminders and scheduled notifications --------------------------------------------------

export const ReminderRequestSchema = z
  .object({
    shiftId: idString,
    shiftStartsAt: at('When the shift starts.'),
    ward: idString.optional(),
    to: to('Who is reminded: the shift\'s staff ({users: [...]}) or a ward.'),
    minutesBefore: z.number().int().min(1).max(10_080).default(60).meta({ description: 'Remind this long before the shift. Default 60.' }),
    remindAt: at('An exact reminder time instead of minutesBefore.').optional(),
    title: z.string().trim().min(1).max(200).optional().meta({ description: 'Default "Shift reminder".' }),
    body: z.string().max(4000).optional(),
    data,
    idempotencyKey: idempotencyKey.meta({ description: 'One reminder per key: scheduling again returns the first (200).' }),
  })
  .strict()
  .meta({ id: 'ReminderRequest' });

const Timed = {
  id: z.string(),
  status: JobStatus,
  runAt: z.string(),
  attempts: z.number().int(),
  notificationId: z.string().nullable().meta({ description: 'The notification sent, once done.' }),
  lastError: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const ReminderSchema = z
  .object({ ...Timed, shiftId: z.string(), shiftStartsAt: z.string(), ward: z.string().nullable(), to: RecipientsSchema, title: z.string(), body: z.string() })
  .meta({ id: 'Reminder' });

export const ScheduledNotificationRequestSchema = z
  .object({
    ...sendFields,
    sendAt: at('When to send; in the future, at most 366 days ahead.'),
    idempotencyKey: idempotencyKey.meta({ description: 'One scheduled notification per key: scheduling again returns the first (200).' }),
  })
  .strict()
  .meta({ id: 'ScheduledNotificationRequest' });

export const ScheduledNotificationSchema = z
  .object({
    ...Timed,
    notification: z.object({
      type: z.enum(NOTIFICATION_TYPES),
      priority: z.enum(PRIORITIES),
      title: z.string(),
      body: z.string(),
      data: z.record(z.string(), z.unknown()).optional(),
      actions: z.array(ActionSchema).optional(),
      to: RecipientsSchema,
      groupKey: z.string().optional(),
    }),
  })
  .meta({ id: 'ScheduledNotification' });
