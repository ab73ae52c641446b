import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Receipts } from '../../receipts/index.js';
import { AppError } from '../../shared/index.js';
import type { AppEnv } from '../env.js';
import { bearerSecurity, commonErrors, errorResponse, jsonBody } from '../schemas.js';

const tags = ['notifications'];
const id = z.string().uuid('must be a notification id');

export const ReceiptSummarySchema = z
  .object({
    recipients: z.number().int(),
    reached: z.number().int().meta({ description: 'Written to one of their open streams, or accepted by a push service for one of their devices.' }),
    streamed: z.number().int(),
    pushed: z.number().int(),
    displayed: z.number().int().meta({ description: 'Shown by a page or the service worker (reported by the client packages).' }),
    seen: z.number().int().meta({ description: 'Displayed, opened, read or acted on.' }),
    opened: z.number().int(),
    read: z.number().int(),
    acted: z.number().int(),
    actions: z.record(z.string(), z.number().int()).meta({ description: 'Recipients per action pressed, e.g. {"accept": 2, "decline": 1}.' }),
  })
  .meta({ id: 'ReceiptSummary' });

const RecipientReceiptSchema = z
  .object({
    userId: z.string(),
    streamedAt: z.string().nullable().meta({ description: 'First written to one of the user\'s open streams.' }),
    pushedAt: z.string().nullable().meta({ description: 'First accepted by a push service for one of the user\'s devices.' }),
    pushSubscriptionId: z.string().nullable().meta({ description: 'The device (push subscription) of that first acceptance.' }),
    displayedAt: z.string().nullable(),
    displayedVia: z.enum(['page', 'worker']).nullable(),
    openedAt: z.string().nullable(),
    openedVia: z.enum(['page', 'worker']).nullable(),
    readAt: z.string().nullable(),
    actedAt: z.string().nullable(),
    action: z.string().nullable(),
  })
  .meta({ id: 'RecipientReceipt' });

const ReportBody = z
  .object({
    receipts: z
      .array(
        z
          .object({
            id,
            kind: z.enum(['displayed', 'opened']),
            via: z.enum(['page', 'worker']).default('page'),
            at: z.iso.datetime({ offset: true }).optional().meta({ description: 'When it happened on the device; clamped to the present.' }),
          })
          .strict(),
      )
      .min(1)
      .max(100),
  })
  .strict()
  .meta({ id: 'ReceiptReport' });

const routes = {
  report: createRoute({
    method: 'post', path: '/api/notifications/receipts', tags, security: bearerSecurity, summary: 'Report notifications displayed or opened on this device',
    description:
      'Pages and the service worker say when they showed a notification and when the user opened it, in one batched call (@wardbell/client and @wardbell/react send it). ' +
      'Authenticated by the user\'s bearer token, or by the `X-Wardbell-Action-Token` of a push, which reports for that notification only. ' +
      'Safe to repeat: each step keeps its earliest time. Notifications the caller did not receive are listed as `unknown` and not recorded.',
    request: { headers: z.object({ 'x-wardbell-action-token': z.string().optional() }), body: jsonBody(ReportBody) },
    responses: {
      200: { description: 'Recorded.', content: { 'application/json': { schema: z.object({ recorded: z.number().int(), unknown: z.array(z.string()) }).meta({ id: 'ReceiptReportResult' }) } } },
      ...commonErrors,
    },
  }),
  view: createRoute({
    method: 'get', path: '/api/notifications/{id}/receipts', tags, security: bearerSecurity, summary: 'Who a notification reached, who saw it and who answered',
    description:
      'For its sender (the caller of an emergency call), role service or admin: a summary and, per recipient, when it was written to one of their streams, accepted by a push service (and for which device), displayed, opened, read, and when and how they acted. ' +
      'The same live: `receipts.updated` (the summary) to the sender and `role:service`, at most once a second per notification.',
    request: { params: z.object({ id }), query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), cursor: z.string().max(200).optional() }) },
    responses: {
      200: {
        description: 'The receipts, recipients in user id order.',
        content: {
          'application/json': {
            schema: z
              .object({
                notificationId: z.string(),
                summary: ReceiptSummarySchema,
                repeats: z
                  .array(z.object({ n: z.number().int().meta({ description: 'The repeat, from 1.' }), at: z.iso.datetime(), reached: z.number().int().meta({ description: 'Recipients it went to again: who had neither read nor answered it.' }) }))
                  .meta({ description: 'The repeats of an urgent notification sent with repeatEverySeconds, oldest first (empty otherwise; an emergency call\'s repeats are on its timeline).' }),
                recipients: z.array(RecipientReceiptSchema),
                nextCursor: z.string().nullable(),
              })
              .meta({ id: 'Receipts' }),
          },
        },
      },
      404: errorResponse('No such notification sent by the caller (also for other tenants\' ids).'),
      ...commonErrors,
    },
  }),
};

/** Receipts: reports from devices (identified, or an action token), and the sender's view. */
export function registerReceiptRoutes(app: OpenAPIHono<AppEnv>, deps: { receipts: Receipts }): void {
  app.openapi(routes.report, async (c) => {
    const b = c.req.valid('json');
    const reports = b.receipts.map((r) => ({ id: r.id, kind: r.kind, via: r.via, at: r.at === undefined ? undefined : Date.parse(r.at) }));
    return c.json(await deps.receipts.report(c.get('identity'), reports, c.get('actionTokenFor') ?? null), 200);
  });
  app.openapi(routes.view, async (c) => {
    const q = c.req.valid('query');
    // The cursor is the last user id of the page before, base64url.
    const after = q.cursor === undefined ? undefined : Buffer.from(q.cursor, 'base64url').toString('utf8');
    if (q.cursor !== undefined && (!after || Buffer.from(after, 'utf8').toString('base64url') !== q.cursor)) throw new AppError('validation_failed', 'cursor is not one this service issued; start without it.');
    const view = await deps.receipts.view(c.get('identity'), c.req.valid('param').id, { limit: q.limit, cursor: after });
    return c.json({ ...view, nextCursor: view.nextCursor === null ? null : Buffer.from(view.nextCursor, 'utf8').toString('base64url') }, 200);
  });
}
