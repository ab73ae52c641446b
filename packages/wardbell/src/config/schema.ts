import { isIP } from 'node:net';
import { z } from 'zod';
import { httpsOrLoopback } from '../shared/index.js';

const csv = z
  .string()
  .transform((s) => s.split(',').map((p) => p.trim()).filter((p) => p.length > 0));

const intFromEnv = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

/** Requests of one class per `WARDBELL_RATE_LIMIT_WINDOW_S`; 0: no limit. */
const rateLimit = (def: number) => intFromEnv(def, 0, 1_000_000_000);

/**
 * The whole configuration of a Wardbell process, read once from the environment by the
 * composition root. Nothing else reads `process.env`.
 */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /** HTTP port. Default 3000; 0 picks a free port (tests). */
    PORT: intFromEnv(3000, 0, 65535),
    /** Address to bind. Default 0.0.0.0 so containers and LAN phones can reach it. */
    HOST: z.string().min(1).default('0.0.0.0'),
    /** Directory for the embedded SQLite file and generated development keys. Default ./data. */
    WARDBELL_DATA_DIR: z.string().min(1).default('./data'),
    /** HS256 shared secret (at least 32 bytes). */
    WARDBELL_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** PEM SPKI public key for ES256 or RS256 tokens. */
    WARDBELL_JWT_PUBLIC_KEY: z.string().min(1).optional(),
    /**
     * The identity provider's published keys (a JWKS, e.g. https://idp.example/.well-known/jwks.json):
     * user tokens are verified with the key their `kid` names (RS256, PS256 or ES256). https, or
     * http on a loopback host. Instead of WARDBELL_JWT_SECRET / WARDBELL_JWT_PUBLIC_KEY.
     */
    WARDBELL_JWKS_URL: z.url().optional(),
    /** The claim holding the tenant id. Default `tid`. A dotted name is also tried as a path (`org.id`). */
    WARDBELL_JWT_CLAIM_TENANT: z.string().min(1).max(200).default('tid'),
    /** The claim holding the roles (an array, or a string for one). Default `roles` (Keycloak: `realm_access.roles`). */
    WARDBELL_JWT_CLAIM_ROLES: z.string().min(1).max(200).default('roles'),
    /** The claim holding the wards (an array, or a string for one). Default `wards`. */
    WARDBELL_JWT_CLAIM_WARDS: z.string().min(1).max(200).default('wards'),
    /** The claim holding the user id. Default `sub` (Entra ID: `oid`). */
    WARDBELL_JWT_CLAIM_USER: z.string().min(1).max(200).default('sub'),
    /** Expected `iss` claim, checked when set. */
    WARDBELL_JWT_ISSUER: z.string().min(1).optional(),
    /** Expected `aud` claim, checked when set. */
    WARDBELL_JWT_AUDIENCE: z.string().min(1).optional(),
    /** `jwt` (default) or `trusted-proxy` (identity headers from an authenticating gateway). */
    WARDBELL_AUTH_MODE: z.enum(['jwt', 'trusted-proxy']).default('jwt'),
    /** Comma-separated origins allowed by CORS. Empty (default): no cross-origin access. */
    WARDBELL_CORS_ORIGINS: csv.default([]),
    /** Heartbeat interval for SSE connections. Default 30000 ms (seed 1.1). */
    WARDBELL_HEARTBEAT_MS: intFromEnv(30_000, 100, 600_000),
    /** Events that may wait for a slow client before it is disconnected. Default 100 (seed, security 3). */
    WARDBELL_CLIENT_QUEUE_LIMIT: intFromEnv(100, 1, 100_000),
    /** Events kept per tenant for replay. Default 10000. */
    WARDBELL_REPLAY_MAX_EVENTS: intFromEnv(10_000, 10, 10_000_000),
    /** Age after which events leave the replay log. Default 86400 s (one day). */
    WARDBELL_REPLAY_MAX_AGE_S: intFromEnv(86_400, 1, 30 * 86_400),
    /** Most events one reconnect may replay; beyond it the client gets `reset`. Default 1000. */
    WARDBELL_REPLAY_LIMIT: intFromEnv(1000, 1, 100_000),
    /** The `retry:` hint (ms) sent on connect. Default 3000, the client's base delay. */
    WARDBELL_SSE_RETRY_MS: intFromEnv(3000, 100, 600_000),
    /** Largest JSON request body. Default 65536 bytes. */
    WARDBELL_MAX_BODY_BYTES: intFromEnv(64 * 1024, 1024, 10 * 1024 * 1024),
    /** The deployment's own proxies (addresses and CIDR ranges, comma-separated): only their `x-request-id` is kept, and only from them is `X-Forwarded-For` read for the client's address (rate limits). Default none. */
    WARDBELL_TRUSTED_PROXIES: csv.default([]),
    /** SSE connections one user may hold at once (reconnect storms). Default 20. */
    WARDBELL_MAX_CONNECTIONS_PER_USER: intFromEnv(20, 1, 10_000),
    /** Secret (32+ characters) signing action tokens carried by pushes. Generated under the data directory when unset; set it to the same value on every process of a scale-out deployment. */
    WARDBELL_ACTION_TOKEN_SECRET: z.string().min(32).optional(),
    /** VAPID subject (RFC 8292 `sub`): a mailto: or https: contact for the push services. */
    WARDBELL_VAPID_SUBJECT: z.string().regex(/^(mailto:|https:)/, 'must start with mailto: or https:').default('mailto:push-admin@wardbell.invalid'),
    /** VAPID key pair (base64url, uncompressed P-256 public / 32-byte private). Generated and kept under the data directory when unset. */
    WARDBELL_VAPID_PUBLIC_KEY: z.string().min(80).optional(),
    WARDBELL_VAPID_PRIVATE_KEY: z.string().min(40).optional(),
    /** Key (base64url, 32 bytes) that encrypts push subscription keys at rest. Generated under the data directory when unset. */
    WARDBELL_PUSH_KEY_ENCRYPTION_KEY: z.string().min(40).optional(),
    /** Push service hosts a subscription endpoint may point at (suffix match on a dot boundary). */
    WARDBELL_PUSH_ALLOWED_HOSTS: csv.default([
      'fcm.googleapis.com',
      'updates.push.services.mozilla.com',
      'push.apple.com',
      'notify.windows.com',
    ]),
    /** Testing only: allow endpoints on loopback/private addresses (a fake push service). Default false. */
    WARDBELL_PUSH_ALLOW_PRIVATE_NETWORKS: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /** PEM file of extra CAs trusted for push services (testing with a local fake push service). */
    WARDBELL_PUSH_CA_FILE: z.string().min(1).optional(),
    /** Concurrent requests to push services. Default 64. */
    WARDBELL_PUSH_CONCURRENCY: intFromEnv(64, 1, 4096),
    /** How often the durable scheduler looks for due jobs (reminders, escalations). Default 500 ms. */
    WARDBELL_SCHEDULER_POLL_MS: intFromEnv(500, 50, 60_000),
    /** Seconds before an unfilled emergency call escalates, unless the call says. Default 600. */
    WARDBELL_EMERGENCY_ESCALATE_AFTER_S: intFromEnv(600, 1, 86_400),
    /**
     * `off`: receipts are recorded and read (GET /api/notifications/{id}/receipts) but no
     * `receipts.updated` is published: for deployments whose senders read receipts when they need
     * them rather than live. Default `on`.
     */
    WARDBELL_RECEIPT_EVENTS: z.enum(['on', 'off']).default('on'),
    /**
     * Label the time-to-first histograms (reached, seen, accept, fill) by tenant. One series set per
     * tenant: for deployments with tens of hospitals, not thousands. Default false.
     */
    WARDBELL_METRICS_TENANT_LABEL: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /** Bearer token (16 to 512 printable characters, no spaces) that `GET /metrics` requires when set. Default none: whoever reaches the port may scrape. */
    WARDBELL_METRICS_TOKEN: z
      .string()
      .min(16, 'must be at least 16 characters')
      .max(512)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII characters without spaces only')
      .optional(),
    /** Serves `GET /metrics` on a listener of its own on this port (then not on PORT). Default unset: on PORT. 0 picks a free port (tests). */
    WARDBELL_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /** Address the metrics listener binds (with WARDBELL_METRICS_PORT). Default HOST. */
    WARDBELL_METRICS_HOST: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Scale-out: PostgreSQL for the durable state (else SQLite under the data directory). */
    DATABASE_URL: z.string().url().optional(),
    /**
     * Scale-out: Redis for the cross-process bus and the replay log (`redis://` or `rediss://`).
     * With WARDBELL_REDIS_CLUSTER=true, one or more seed nodes of a Redis Cluster, comma-separated.
     */
    REDIS_URL: z
      .string()
      .refine((v) => v.split(',').every((u) => /^rediss?:\/\/[^\s,]+$/.test(u.trim()) && URL.canParse(u.trim())), 'one redis:// URL, or comma-separated seed URLs of a cluster')
      .optional(),
    /** REDIS_URL names a Redis Cluster (ioredis Cluster): tenants' logs and bus shards spread over its primaries. Default false. */
    WARDBELL_REDIS_CLUSTER: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /**
     * Bus shards: tenants are spread over this many Redis streams, and a process reads only the
     * shards of tenants it holds streams for. Default 16. The same in every process; changing it
     * moves tenants to other shards, and their open streams start over once (an explicit reset).
     */
    WARDBELL_BUS_SHARDS: intFromEnv(16, 1, 1024),
    /** Prefix of every Redis key. Default `wardbell`; one prefix per deployment sharing a Redis. */
    WARDBELL_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/).default('wardbell'),
    /**
     * Request rate limits (docs/OPERATIONS.md, "Rate limits"): `on` (default) or `off`. Each limit
     * below counts requests of one class per window, per user, per tenant or per client address;
     * 0 turns that one off. The defaults are far above what a hospital's own traffic makes.
     */
    WARDBELL_RATE_LIMITS: z.enum(['on', 'off']).default('on'),
    /** The window every rate limit counts in. Default 60 s. */
    WARDBELL_RATE_LIMIT_WINDOW_S: intFromEnv(60, 1, 3600),
    /** Publishing: `POST /api/events`. */
    WARDBELL_RATE_LIMIT_PUBLISH_PER_USER: rateLimit(60_000),
    WARDBELL_RATE_LIMIT_PUBLISH_PER_TENANT: rateLimit(120_000),
    WARDBELL_RATE_LIMIT_PUBLISH_PER_ADDRESS: rateLimit(240_000),
    /** Sending: notifications (now and scheduled), schedule changes, swaps, reminders, test pushes. */
    WARDBELL_RATE_LIMIT_SEND_PER_USER: rateLimit(30_000),
    WARDBELL_RATE_LIMIT_SEND_PER_TENANT: rateLimit(60_000),
    WARDBELL_RATE_LIMIT_SEND_PER_ADDRESS: rateLimit(120_000),
    /** Emergency calls and their cancelling: counted apart, so a flood of other sends never holds one up. */
    WARDBELL_RATE_LIMIT_EMERGENCY_PER_USER: rateLimit(1_200),
    WARDBELL_RATE_LIMIT_EMERGENCY_PER_TENANT: rateLimit(6_000),
    WARDBELL_RATE_LIMIT_EMERGENCY_PER_ADDRESS: rateLimit(12_000),
    /** Stream tickets: `POST /api/sse/ticket`. */
    WARDBELL_RATE_LIMIT_TICKET_PER_USER: rateLimit(600),
    WARDBELL_RATE_LIMIT_TICKET_PER_TENANT: rateLimit(60_000),
    WARDBELL_RATE_LIMIT_TICKET_PER_ADDRESS: rateLimit(120_000),
    /** Tokens: `POST /api/dev/token` and action presses (which an action token may authenticate). */
    WARDBELL_RATE_LIMIT_TOKEN_PER_USER: rateLimit(600),
    WARDBELL_RATE_LIMIT_TOKEN_PER_TENANT: rateLimit(60_000),
    WARDBELL_RATE_LIMIT_TOKEN_PER_ADDRESS: rateLimit(120_000),
    /** Stream opens: `GET /api/sse` (a stream opened with a ticket counted for its user when the ticket was issued). */
    WARDBELL_RATE_LIMIT_STREAM_PER_USER: rateLimit(600),
    WARDBELL_RATE_LIMIT_STREAM_PER_TENANT: rateLimit(60_000),
    WARDBELL_RATE_LIMIT_STREAM_PER_ADDRESS: rateLimit(120_000),
  })
  .superRefine((c, ctx) => {
    if (c.WARDBELL_JWT_SECRET && c.WARDBELL_JWT_PUBLIC_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['WARDBELL_JWT_PUBLIC_KEY'],
        message: 'set either WARDBELL_JWT_SECRET or WARDBELL_JWT_PUBLIC_KEY, not both',
      });
    }
    if (c.WARDBELL_JWKS_URL && (c.WARDBELL_JWT_SECRET || c.WARDBELL_JWT_PUBLIC_KEY)) {
      ctx.addIssue({ code: 'custom', path: ['WARDBELL_JWKS_URL'], message: 'set one way to verify tokens: WARDBELL_JWKS_URL, WARDBELL_JWT_SECRET or WARDBELL_JWT_PUBLIC_KEY' });
    }
    if (c.WARDBELL_JWKS_URL && !httpsOrLoopback(c.WARDBELL_JWKS_URL)) {
      ctx.addIssue({ code: 'custom', path: ['WARDBELL_JWKS_URL'], message: 'must be https (http only on 127.0.0.1, [::1] or localhost)' });
    }
    if (c.WARDBELL_METRICS_PORT !== undefined && c.WARDBELL_METRICS_PORT !== 0 && c.WARDBELL_METRICS_PORT === c.PORT) {
      ctx.addIssue({ code: 'custom', path: ['WARDBELL_METRICS_PORT'], message: 'must differ from PORT (unset it to serve /metrics on PORT)' });
    }
    if (c.WARDBELL_METRICS_HOST !== undefined && c.WARDBELL_METRICS_PORT === undefined) {
      ctx.addIssue({ code: 'custom', path: ['WARDBELL_METRICS_HOST'], message: 'only means something with WARDBELL_METRICS_PORT' });
    }
    if (c.REDIS_URL?.includes(',') && !c.WARDBELL_REDIS_CLUSTER) {
      ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'names several servers, which only a cluster has: set WARDBELL_REDIS_CLUSTER=true, or name one server' });
    }
    if (c.WARDBELL_REDIS_CLUSTER && !c.REDIS_URL) {
      ctx.addIssue({ code: 'custom', path: ['WARDBELL_REDIS_CLUSTER'], message: 'needs REDIS_URL naming the cluster\'s seed nodes' });
    }
    for (const entry of c.WARDBELL_TRUSTED_PROXIES) {
      const [addr = '', bits, ...rest] = entry.split('/');
      const family = isIP(addr);
      const max = family === 6 ? 128 : 32;
      if (family === 0 || rest.length || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max))) {
        ctx.addIssue({ code: 'custom', path: ['WARDBELL_TRUSTED_PROXIES'], message: `not an address or CIDR range: ${entry}` });
      }
    }
  });

export type Config = z.output<typeof configSchema>;

/** Fix hints shown next to a failing variable. */
const hints: Record<string, string> = {
  PORT: 'a number between 0 and 65535, e.g. PORT=3000',
  WARDBELL_JWT_SECRET: 'generate one with: node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))"',
  WARDBELL_JWT_PUBLIC_KEY: 'a PEM "-----BEGIN PUBLIC KEY-----" block (ES256 or RS256)',
  WARDBELL_JWKS_URL: 'your identity provider\'s JWKS, e.g. https://login.example.org/.well-known/jwks.json',
  WARDBELL_AUTH_MODE: 'jwt (default) or trusted-proxy',
  WARDBELL_CORS_ORIGINS: 'comma-separated origins, e.g. https://schedule.example.org',
  WARDBELL_TRUSTED_PROXIES: 'comma-separated addresses or CIDR ranges of your proxies, e.g. 10.0.0.0/8,127.0.0.1',
  LOG_LEVEL: 'one of fatal, error, warn, info, debug, trace, silent',
  DATABASE_URL: 'e.g. postgres://user@127.0.0.1:5432/wardbell',
  REDIS_URL: 'e.g. redis://127.0.0.1:6379, or for a cluster (WARDBELL_REDIS_CLUSTER=true) redis://10.0.0.1:6379,redis://10.0.0.2:6379',
  WARDBELL_REDIS_CLUSTER: 'true or false (default)',
  WARDBELL_BUS_SHARDS: 'a whole number from 1 to 1024 (default 16), the same in every process',
  WARDBELL_RATE_LIMITS: 'on (default) or off',
  WARDBELL_METRICS_TOKEN: 'generate one with: node -e "console.log(crypto.randomBytes(24).toString(\'base64url\'))"',
  WARDBELL_METRICS_PORT: 'a port (0 to 65535) other than PORT, e.g. WARDBELL_METRICS_PORT=9464',
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates an environment; throws a ConfigError listing every bad variable with a fix hint. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" for optional variables (a common shell habit: FOO= npm start).
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const parsed = configSchema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const key = String(i.path[0] ?? '');
    const hint = hints[key] ?? (key.startsWith('WARDBELL_RATE_LIMIT_') ? 'a whole number of requests per window (0: no limit); the window in seconds, 1 to 3600' : undefined);
    return `  ${key}: ${i.message}${hint ? `\n    fix: ${hint}` : ''}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
