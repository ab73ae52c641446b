import type { MiddlewareHandler } from 'hono';
import type { Authenticator, Identity } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { MetricSource } from '../metrics/index.js';
import { AppError } from '../shared/index.js';
import type { AppEnv } from './env.js';
import { clientAddress, type TrustedProxies } from './proxies.js';
import { RATE_SCOPES, type RateClass, type RateLimits, type RateLimitStore, type RateScope } from './rate-limit-store.js';
import { rateLimitedResponse } from './schemas.js';

export { RATE_CLASSES, RATE_SCOPES, type LimitName, type RateClass, type RateLimits, type RateScope } from './rate-limit-store.js';

/**
 * Which requests are rate limited, declared once: method, path (as in the API description, `{x}`
 * is one segment) and class. Anything not listed is not limited. `test/http/rate-limit.test.ts`
 * holds it against the API description.
 */
export const RATE_LIMITED: ReadonlyArray<readonly [method: 'GET' | 'POST', path: string, cls: RateClass]> = [
  ['POST', '/api/events', 'publish'],
  ['POST', '/api/notifications', 'send'],
  ['POST', '/api/notifications/scheduled', 'send'],
  ['POST', '/api/schedules/published', 'send'],
  ['POST', '/api/schedules/updated', 'send'],
  ['POST', '/api/swaps', 'send'],
  ['POST', '/api/reminders', 'send'],
  ['POST', '/api/push/test', 'send'],
  ['POST', '/api/emergency-calls', 'emergency'],
  ['POST', '/api/emergency-calls/{id}/cancel', 'emergency'],
  ['POST', '/api/sse/ticket', 'ticket'],
  ['POST', '/api/dev/token', 'token'],
  ['POST', '/api/notifications/{id}/actions/{actionId}', 'token'],
  // Devices' receipts (displayed, opened), like their presses: cheap, but a flood is still a flood.
  ['POST', '/api/notifications/receipts', 'token'],
  ['GET', '/api/sse', 'stream'],
];

const compiled = RATE_LIMITED.map(([method, path, cls]) => ({ method, segments: path.split('/'), cls }));

/** The class of a request, or null when it is not rate limited (pure). */
export function classify(method: string, path: string): RateClass | null {
  if (method !== 'POST' && method !== 'GET') return null;
  const segments = path.split('/');
  for (const r of compiled) {
    if (r.method !== method || r.segments.length !== segments.length) continue;
    let ok = true;
    for (let i = 0; ok && i < segments.length; i++) {
      const want = r.segments[i] as string;
      const got = segments[i] as string;
      ok = want.startsWith('{') ? got.length > 0 : want === got;
    }
    if (ok) return r.cls;
  }
  return null;
}

/** The keys a caller is counted under: user (tenant and user id; ids hold no `/`) and tenant. */
export function identityKeys(identity: Pick<Identity, 'tenantId' | 'userId'>): { user: string; tenant: string } {
  return { user: `${identity.tenantId}/${identity.userId}`, tenant: identity.tenantId };
}

/**
 * The key of a client address: IPv4 as it is, IPv6 by its /64 (one host, or one home or office
 * network, holds a whole /64, so counting single IPv6 addresses would count nothing); `unknown`
 * without a socket (in-process requests).
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  if (!address.includes(':')) return address;
  const groups = expandIPv6(address);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

function expandIPv6(address: string): string[] | null {
  let s = address.toLowerCase();
  const v4 = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4.slice(2).map(Number) as [number, number, number, number];
    s = `${v4[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array<string>(Math.max(0, fill)).fill('0'), ...tail];
  return groups.length === 8 ? groups.map((g) => g.padStart(4, '0')) : null;
}

/** The limits the configuration sets, or null with `WARDBELL_RATE_LIMITS=off`. */
export function rateLimitsFrom(config: Config): RateLimits | null {
  if (config.WARDBELL_RATE_LIMITS === 'off') return null;
  const of = (prefix: string): Record<RateScope, number> => {
    const at = (scope: string) => config[`WARDBELL_RATE_LIMIT_${prefix}_PER_${scope}` as keyof Config] as number;
    return { user: at('USER'), tenant: at('TENANT'), address: at('ADDRESS') };
  };
  return {
    windowSeconds: config.WARDBELL_RATE_LIMIT_WINDOW_S,
    points: { publish: of('PUBLISH'), send: of('SEND'), emergency: of('EMERGENCY'), ticket: of('TICKET'), token: of('TOKEN'), stream: of('STREAM') },
  };
}

const WHAT: Record<RateClass, string> = {
  publish: 'publishes',
  send: 'sends',
  emergency: 'emergency calls',
  ticket: 'stream tickets',
  token: 'token requests and action presses',
  stream: 'stream opens',
};
const WHO: Record<RateScope, string> = { user: 'for this user', tenant: 'for this tenant', address: 'from this address' };

/** The refusal of one limit: 429 `rate_limited`, `Retry-After` the window's rest in whole seconds. */
export function rateLimited(limits: RateLimits, cls: RateClass, scope: RateScope, waitMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  const limit = limits.points[cls][scope];
  return new AppError(
    'rate_limited',
    `Too many ${WHAT[cls]} ${WHO[scope]}: at most ${limit} per ${limits.windowSeconds} s. Retry in ${retryAfterSeconds} s.`,
    { class: cls, scope, limit, windowSeconds: limits.windowSeconds, retryAfterSeconds },
    { retryAfterSeconds },
  );
}

type RequestOf = Parameters<MiddlewareHandler<AppEnv>>[0];
const addressOf = (c: RequestOf, proxies: TrustedProxies) =>
  addressKey(clientAddress(c.env?.incoming?.socket?.remoteAddress, c.req.header('x-forwarded-for'), proxies));

/**
 * Middleware, before the caller is authenticated (and before the body is read): counts every
 * limited request against its client address (the peer, or `X-Forwarded-For` behind a trusted
 * proxy), so floods of forged or missing credentials are limited too.
 */
export function limitByAddress(store: RateLimitStore, proxies: TrustedProxies): MiddlewareHandler<AppEnv> {
  return async function rateLimitByAddress(c, next) {
    const cls = classify(c.req.method, c.req.path);
    if (cls === null || store.limits.points[cls].address === 0) return next();
    const wait = await store.hit(`${cls}:address`, addressOf(c, proxies));
    if (wait !== null) throw rateLimited(store.limits, cls, 'address', wait);
    return next();
  };
}

/**
 * Middleware, once the access table has identified the caller: counts the request against its user,
 * then, if the user is within its limit, against its tenant, so one user's runaway client uses up
 * its own limit and not its colleagues'. A request refused here is given back to its address, so
 * a tenant refused behind a shared address (a hospital's NAT, an undeclared load balancer) does not
 * use up that address for the other tenants behind it. A stream open authenticates its bearer token
 * here, and the route takes the credential from the context; one opened with a ticket was
 * counted for its user when the ticket was issued. Public requests (the development token) count
 * only against their address.
 */
export function limitByIdentity(store: RateLimitStore, authenticator: Authenticator, proxies: TrustedProxies): MiddlewareHandler<AppEnv> {
  return async function rateLimitByIdentity(c, next) {
    const cls = classify(c.req.method, c.req.path);
    if (cls === null) return next();
    const points = store.limits.points[cls];
    if (points.user === 0 && points.tenant === 0) return next();
    let identity = c.var.identity as Identity | undefined;
    if (identity === undefined && cls === 'stream' && c.req.query('ticket') === undefined) {
      const credential = await authenticator.verify((name) => c.req.header(name));
      identity = credential.identity;
      c.set('identity', identity);
      c.set('credential', credential);
    }
    if (identity === undefined) return next();
    const keys = identityKeys(identity);
    for (const scope of ['user', 'tenant'] as const) {
      const wait = await store.hit(`${cls}:${scope}`, keys[scope]);
      if (wait === null) continue;
      if (points.address > 0) await store.refund(`${cls}:address`, addressOf(c, proxies));
      throw rateLimited(store.limits, cls, scope, wait);
    }
    return next();
  };
}

/** Adds the 429 `rate_limited` answer, with this deployment's limits, to every limited route of the API description. */
export function describeRateLimits(registry: { definitions: ReadonlyArray<{ type: string; route?: { method: string; path: string; responses: Record<string, unknown> } }> }, limits: RateLimits): void {
  for (const def of registry.definitions) {
    const route = def.route;
    if (def.type !== 'route' || !route) continue;
    const cls = classify(route.method.toUpperCase(), route.path);
    if (cls === null) continue;
    const p = limits.points[cls];
    const set = RATE_SCOPES.filter((s) => p[s] > 0).map((s) => `${p[s].toLocaleString('en-US')} per ${s}`);
    if (set.length === 0) continue;
    const earlier = route.responses['429'] as { description?: string } | undefined;
    const text = `\`rate_limited\`: more than ${set.join(', ')} in ${limits.windowSeconds} s (\`WARDBELL_RATE_LIMIT_*\`); \`Retry-After\` says when the window ends.`;
    // The route objects are module constants shared by every app: replaced, never changed.
    (def as { route: unknown }).route = {
      ...route,
      responses: { ...route.responses, 429: rateLimitedResponse(earlier?.description ? `${earlier.description} Or ${text}` : text) },
    };
  }
}

/** Prometheus families of the limits: refusals per class and scope, counts made without Redis. */
export function rateLimitMetrics(store: RateLimitStore): MetricSource {
  return () => [
    {
      name: 'wardbell_rate_limited_total',
      help: 'Requests refused with 429 rate_limited, by class and scope (user, tenant, address).',
      type: 'counter',
      samples: Object.entries(store.stats.refused).map(([name, value]) => {
        const [cls = '', scope = ''] = name.split(':');
        return { labels: { class: cls, scope }, value };
      }),
    },
    {
      name: 'wardbell_rate_limit_counted_without_redis_total',
      help: 'Rate-limit counts made in this process alone because Redis did not answer (limits fail open to per-process counting).',
      type: 'counter',
      samples: [{ value: store.stats.withoutRedis }],
    },
  ];
}
