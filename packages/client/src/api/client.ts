import { IDEMPOTENT_POSTS } from './schema.js';
import { Transport, type ApiClientOptions } from './transport.js';
import type { ApiPath, CallOptions, HttpMethod, JsonBody, Operation, QueryParams, SuccessBody } from './types.js';

type Op<P extends ApiPath, M extends HttpMethod> = Operation<P, M>;
type Answer<P extends ApiPath, M extends HttpMethod> = Promise<SuccessBody<Op<P, M>>>;

/** The typed methods over one transport; `createApiClient` builds it. */
function methods(t: Transport) {
  const call = <P extends ApiPath, M extends HttpMethod>(m: M, p: P, spec: { path?: Record<string, string>; query?: unknown; body?: unknown }, o?: CallOptions) =>
    t.call(m, p, spec as never, o) as Answer<P, M>;
  const body = <P extends ApiPath, M extends HttpMethod>(m: M, p: P) => (b: JsonBody<Op<P, M>>, o?: CallOptions) => call(m, p, { body: b }, o);
  const query = <P extends ApiPath, M extends HttpMethod>(m: M, p: P) => (q?: QueryParams<Op<P, M>>, o?: CallOptions) => call(m, p, { query: q }, o);
  const byId = <P extends ApiPath, M extends HttpMethod>(m: M, p: P) => (id: string, o?: CallOptions) => call(m, p, { path: { id } }, o);
  const none = <P extends ApiPath, M extends HttpMethod>(m: M, p: P) => (o?: CallOptions) => call(m, p, {}, o);
  return {
    events: { publish: body('post', '/api/events') },
    /** The tenant's settings (role admin): `lockScreen: 'full' | 'generic'`. */
    tenantSettings: { get: none('get', '/api/tenant/settings'), replace: body('put', '/api/tenant/settings') },
    notifications: {
      send: body('post', '/api/notifications'),
      list: query('get', '/api/notifications'),
      get: byId('get', '/api/notifications/{id}'),
      markRead: (id: string, b: JsonBody<Op<'/api/notifications/{id}', 'patch'>>, o?: CallOptions) => call('patch', '/api/notifications/{id}', { path: { id }, body: b }, o),
      markManyRead: body('patch', '/api/notifications'),
      remove: byId('delete', '/api/notifications/{id}'),
      removeMany: body('delete', '/api/notifications'),
      press: (id: string, actionId: string, b?: JsonBody<Op<'/api/notifications/{id}/actions/{actionId}', 'post'>>, o?: CallOptions) =>
        call('post', '/api/notifications/{id}/actions/{actionId}', { path: { id, actionId }, body: b }, o),
      preferences: { get: none('get', '/api/notifications/preferences'), replace: body('put', '/api/notifications/preferences') },
      /** Tell the service this device displayed or opened notifications (one batched call). */
      reportReceipts: body('post', '/api/notifications/receipts'),
      /** Who a notification reached, saw it and answered it (its sender, service, admin). */
      receipts: (id: string, q?: QueryParams<Op<'/api/notifications/{id}/receipts', 'get'>>, o?: CallOptions) => call('get', '/api/notifications/{id}/receipts', { path: { id }, query: q }, o),
      schedule: body('post', '/api/notifications/scheduled'),
      getScheduled: byId('get', '/api/notifications/scheduled/{id}'),
      cancelScheduled: byId('delete', '/api/notifications/scheduled/{id}'),
    },
    directory: {
      upsert: body('put', '/api/directory/members'),
      list: query('get', '/api/directory/members'),
      remove: body('delete', '/api/directory/members'),
      revokeSessions: body('post', '/api/directory/revocations'),
    },
    schedules: { published: body('post', '/api/schedules/published'), updated: body('post', '/api/schedules/updated') },
    swaps: { request: body('post', '/api/swaps'), get: byId('get', '/api/swaps/{id}') },
    emergencyCalls: {
      create: body('post', '/api/emergency-calls'),
      get: byId('get', '/api/emergency-calls/{id}'),
      /** The tenant's calls, newest first (status, from, to, cursor pages). */
      list: query('get', '/api/emergency-calls'),
      /** Every step of a call in order: its own events and its recipients' deliveries, in pages (`limit`, `cursor`: the answer's `nextCursor`). */
      timeline: (id: string, q?: QueryParams<Op<'/api/emergency-calls/{id}/timeline', 'get'>>, o?: CallOptions) => call('get', '/api/emergency-calls/{id}/timeline', { path: { id }, query: q }, o),
      cancel: (id: string, b?: JsonBody<Op<'/api/emergency-calls/{id}/cancel', 'post'>>, o?: CallOptions) => call('post', '/api/emergency-calls/{id}/cancel', { path: { id }, body: b }, o),
    },
    /** A tenant's named escalation policies, which emergency calls name (`policy: 'night-shift'`). */
    escalationPolicies: {
      list: none('get', '/api/escalation-policies'),
      get: (name: string, o?: CallOptions) => call('get', '/api/escalation-policies/{name}', { path: { name } }, o),
      put: (name: string, b: JsonBody<Op<'/api/escalation-policies/{name}', 'put'>>, o?: CallOptions) => call('put', '/api/escalation-policies/{name}', { path: { name }, body: b }, o),
      remove: (name: string, o?: CallOptions) => call('delete', '/api/escalation-policies/{name}', { path: { name } }, o),
    },
    reminders: { create: body('post', '/api/reminders'), get: byId('get', '/api/reminders/{id}'), cancel: byId('delete', '/api/reminders/{id}') },
    push: {
      vapidPublicKey: none('get', '/api/push/vapid-public-key'),
      subscribe: body('post', '/api/push/subscribe'),
      unsubscribe: body('delete', '/api/push/subscribe'),
      subscriptions: none('get', '/api/push/subscriptions'),
      test: none('post', '/api/push/test'),
      stats: none('get', '/api/push/stats'),
    },
    apiKeys: { list: none('get', '/api/admin/api-keys'), create: body('post', '/api/admin/api-keys'), revoke: byId('delete', '/api/admin/api-keys/{id}') },
    streams: { ticket: none('post', '/api/sse/ticket') },
    /** Any route by its path, for what has no method yet: `request('get', '/api/swaps/{id}', { path: { id } })`. */
    request: <P extends ApiPath, M extends HttpMethod>(m: M, p: P, spec: { path?: Record<string, string>; query?: QueryParams<Op<P, M>>; body?: JsonBody<Op<P, M>> } = {}, o?: CallOptions) => call(m, p, spec, o),
  };
}

export type ApiClient = ReturnType<typeof methods> & {
  /** The same client acting for another tenant (a platform key's `X-Wardbell-Tenant`). */
  forTenant(tenant: string): ApiClient;
};

function build(t: Transport): ApiClient {
  return { ...methods(t), forTenant: (tenant: string) => build(t.withTenant(tenant)) };
}

/**
 * A typed client of the Wardbell API. On a server: `createApiClient({ baseUrl, apiKey })` (with
 * `tenant`, or `forTenant(...)` per hospital, for a platform key). In a browser:
 * `createApiClient({ baseUrl, getToken })`. Every method's argument and answer types come from
 * the service's OpenAPI description; a failure is a `WardbellApiError` with the envelope's code,
 * the status and the request id. Creates carry a generated `Idempotency-Key`, so their retries
 * (after a network error, a timeout or a 503) never act twice.
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  return build(new Transport(options, new Set(IDEMPOTENT_POSTS)));
}
