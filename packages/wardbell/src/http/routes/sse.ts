import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { checkKeyScope, selectTopics, TICKET_PATTERN, type Authenticator, type Credential, type TicketStore } from '../../auth/index.js';
import { AppError } from '../../shared/index.js';
import type { EventManager, StreamQuota } from '../../sse/index.js';
import type { AppEnv } from '../env.js';
import { eventStreamHeaders, takeOverResponse } from '../event-stream.js';
import { bearerSecurity, commonErrors, errorResponse } from '../schemas.js';

export interface SseRouteDeps {
  authenticator: Authenticator;
  tickets: TicketStore;
  events: EventManager;
  /** Open streams per user: WARDBELL_MAX_CONNECTIONS_PER_USER, across the deployment. */
  quota: StreamQuota;
  /** Whether a ticket's credential was issued before a revocation of its user's sessions. */
  isRevoked: (credential: Credential) => boolean;
  /** Told when a stream fails after its head was sent (storage unavailable during replay). */
  onStreamError?: (err: unknown) => void;
}

const streamQuery = z.object({
  topics: z
    .string()
    .max(4096)
    .optional()
    .meta({ description: 'Comma-separated topics to narrow the stream to (default: every granted topic).', example: 'ward:3,role:nurse' }),
  lastEventId: z
    .string()
    .max(64)
    .optional()
    .meta({ description: 'Resume position when a Last-Event-ID header cannot be sent.' }),
  ticket: z.string().max(64).optional().meta({ description: 'Single-use ticket from POST /api/sse/ticket (for native EventSource).' }),
});

const streamRoute = createRoute({
  method: 'get',
  path: '/api/sse',
  tags: ['realtime'],
  summary: 'Open the event stream',
  description:
    'Server-Sent Events for the caller: events addressed to them, to their granted topics and to their whole tenant. ' +
    'Sends `retry:` and an id-only block on connect; `Last-Event-ID` (header or `lastEventId`) replays exactly what was missed, ' +
    'or sends an `event: reset` when that cannot be done (refetch state). `event: ping` every heartbeat interval. ' +
    'Access ends with the credential: when the token that opened the stream (or obtained its ticket) stops being accepted (`exp` plus 30 s of clock skew), and when the user\'s sessions are revoked or the user is removed from the directory (within 2 s, in every process), ' +
    'the stream gets `event: access-ended` (data: {reason: token_expired | sessions_revoked | removed_from_directory}) and ends; a client gets a fresh token and resumes with its Last-Event-ID, losing nothing.',
  security: bearerSecurity,
  request: {
    query: streamQuery,
    headers: z.object({ 'last-event-id': z.string().optional() }),
  },
  responses: {
    200: { description: 'The event stream.', content: { 'text/event-stream': { schema: z.string() } } },
    400: commonErrors[400],
    401: commonErrors[401],
    403: errorResponse('A requested topic is not granted to the identity.'),
    429: errorResponse('Too many open connections for this user.'),
  },
});

const ticketRoute = createRoute({
  method: 'post',
  path: '/api/sse/ticket',
  tags: ['realtime'],
  summary: 'Get a single-use stream ticket',
  description: 'For browsers whose native EventSource cannot send headers: a ticket valid once, for 60 s, for `GET /api/sse?ticket=...`.',
  security: bearerSecurity,
  responses: {
    201: {
      description: 'The ticket.',
      content: {
        'application/json': {
          schema: z.object({ ticket: z.string(), expiresAt: z.string().meta({ format: 'date-time' }) }).meta({ id: 'SseTicket' }),
        },
      },
    },
    401: commonErrors[401],
  },
});

const splitTopics = (raw: string | undefined) =>
  raw === undefined ? undefined : raw.split(',').map((t) => t.trim()).filter(Boolean);

export function registerSseRoutes(app: OpenAPIHono<AppEnv>, deps: SseRouteDeps): void {
  const identify = async (c: { req: { header(n: string): string | undefined; query(n: string): string | undefined }; var: { credential?: Credential } }): Promise<Credential> => {
    const ticket = c.req.query('ticket');
    if (ticket !== undefined) {
      if (!TICKET_PATTERN.test(ticket)) throw new AppError('invalid_token', 'Ticket is malformed.');
      const cred = await deps.tickets.redeem(ticket);
      if (!cred) throw new AppError('invalid_token', 'Ticket is unknown, already used or expired; ask POST /api/sse/ticket for a new one.');
      if (deps.isRevoked(cred)) throw new AppError('invalid_token', 'Ticket was obtained before this user\'s sessions were revoked; sign in again.');
      return cred;
    }
    // Verified already when the rate limiter counted this stream for its user.
    const credential = c.var.credential ?? (await deps.authenticator.verify((n) => c.req.header(n)));
    // Streams are a user's; a server listens with a service token.
    checkKeyScope(credential, null, 'GET /api/sse');
    return credential;
  };

  app.openapi(streamRoute, async (c) => {
    const credential = await identify(c);
    const identity = credential.identity;
    const sel = selectTopics(identity, splitTopics(c.req.query('topics')));
    if (!sel.ok) {
      if (sel.invalid.length) {
        throw new AppError('validation_failed', `Topics must look like user:<id>, ward:<id> or role:<name>: ${sel.invalid.join(', ')}.`, { invalid: sel.invalid });
      }
      throw new AppError('forbidden_topic', `Not granted to this identity: ${sel.forbidden.join(', ')}.`, { forbidden: sel.forbidden });
    }
    const res = c.env.outgoing;
    // The slot is given back when the connection closes, also if it closes while the slot is sought.
    let gone = false;
    let release: (() => void) | null = null;
    const onClose = () => {
      gone = true;
      release?.();
    };
    res.once('close', onClose);
    release = await deps.quota.acquire(identity.tenantId, identity.userId);
    if (!release) {
      res.off('close', onClose);
      throw new AppError('too_many_connections', `At most ${deps.quota.limit} open streams per user; close one first.`);
    }
    if (gone) {
      release();
      res.destroy();
      return RESPONSE_ALREADY_SENT as never;
    }
    const lastEventId = c.req.header('last-event-id') ?? c.req.query('lastEventId');
    // Headers set by earlier middleware (CORS, x-request-id) are carried over to the raw head.
    const carried: Array<[string, string]> = [];
    c.res.headers.forEach((v, k) => void carried.push([k, v]));
    if (!c.res.headers.has('x-request-id')) carried.push(['x-request-id', c.get('requestId')]);
    const transport = takeOverResponse(c.env.incoming, res, eventStreamHeaders(carried));
    try {
      await deps.events.registerClient(
        { tenantId: identity.tenantId, userId: identity.userId, topics: sel.topics, lastEventId, validUntilMs: credential.validUntilMs, issuedAtMs: credential.issuedAtMs, onClosed: release },
        transport,
      );
    } catch (err) {
      // The head is already sent, so no error envelope can follow: the hub has closed the stream,
      // and the client reconnects with its Last-Event-ID.
      deps.onStreamError?.(err);
    }
    return RESPONSE_ALREADY_SENT as never;
  });

  app.openapi(ticketRoute, async (c) => {
    const t = await deps.tickets.issue(c.get('credential'));
    return c.json({ ticket: t.ticket, expiresAt: new Date(t.expiresAt).toISOString() }, 201);
  });
}
