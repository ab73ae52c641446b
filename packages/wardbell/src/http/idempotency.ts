import type { MiddlewareHandler } from 'hono';
import { fingerprint, IN_FLIGHT_LEASE_MS, type RequestRecords } from '../idempotency/index.js';
import { AppError } from '../shared/index.js';
import type { AppEnv } from './env.js';

/** An `Idempotency-Key`: 1 to 200 printable characters. */
const KEY = /^[\x21-\x7e]{1,200}$/;

/** The key of a request: the header, or the body's `idempotencyKey` field where a route has one. */
export function requestKey(header: string | undefined, body: unknown): string | undefined {
  const field = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)['idempotencyKey'] : undefined;
  if (header !== undefined && !KEY.test(header)) throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 200 printable ASCII characters.');
  if (field !== undefined && typeof field !== 'string') return header; // the route's schema refuses it
  if (header !== undefined && field !== undefined && header !== field) {
    throw new AppError('validation_failed', 'The Idempotency-Key header and the body\'s idempotencyKey differ; send one of them.');
  }
  return header ?? field;
}

/**
 * `Idempotency-Key` on the creating POSTs (`paths`), as payment APIs have it: within 24 h and one
 * tenant, the same key with the same request (route, caller, body) answers the first success's
 * status and body again, marked `Idempotent-Replayed: true`, and runs nothing; with another request
 * it is a 422 `idempotency_key_reused`; while the first is still running, a 409
 * `idempotency_key_in_flight`. Only a success is stored: a refused or failed request changed
 * nothing, so its key is free for the retry. Runs after authentication (the tenant scopes keys);
 * the route gets the key as `idempotencyKey` to hand to the domain, whose own keys make the effect
 * happen once even when a process dies between committing and storing the answer.
 */
export function idempotentCreates(records: RequestRecords, paths: ReadonlySet<string>): MiddlewareHandler<AppEnv> {
  return async function idempotency(c, next) {
    if (c.req.method !== 'POST' || !paths.has(c.req.path)) return next();
    const body = c.var.jsonBody;
    const key = requestKey(c.req.header('idempotency-key'), body);
    if (key === undefined) return next();
    const identity = c.var.identity;
    const print = fingerprint({ method: 'POST', path: c.req.path, caller: identity.userId, body });
    const begun = await records.begin(identity.tenantId, key, print);
    if (begun.kind === 'reused') {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with another request in the last 24 hours; use a new key for a new request.');
    }
    if (begun.kind === 'in_flight') {
      throw new AppError('idempotency_key_in_flight', 'A request with this Idempotency-Key is still being processed; retry shortly.');
    }
    if (begun.kind === 'replay') {
      return c.body(begun.answer.body, begun.answer.status as 200, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
    }
    c.set('idempotencyKey', key);
    let stored = false;
    try {
      await next();
      const res = c.res;
      if (res.status >= 200 && res.status < 300) {
        await records.complete(identity.tenantId, key, { status: res.status, body: await res.clone().text() });
        stored = true;
      }
    } finally {
      if (!stored) await releaseSoon(records, identity.tenantId, key);
    }
  };
}

/**
 * Frees a failed request's key. When the database cannot be reached (the likely reason it failed),
 * tries again every second, while its lease lasts, so the client's retry does not meet
 * `idempotency_key_in_flight` for the whole lease once the database is back.
 */
async function releaseSoon(records: RequestRecords, tenantId: string, key: string): Promise<void> {
  const tryRelease = () => records.release(tenantId, key).then(() => true, () => false);
  if (await tryRelease()) return;
  let left = Math.ceil(IN_FLIGHT_LEASE_MS / 1000);
  const again = () => {
    // The one timer here outside Clock: it is a retry of a write, not a time the product keeps.
    const t = setTimeout(() => void tryRelease().then((done) => !done && --left > 0 && again()), 1000);
    t.unref();
  };
  again();
}
