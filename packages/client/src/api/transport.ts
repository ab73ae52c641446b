import { backoffDelay } from '../backoff.js';
import { parseRetryAfter } from '../http.js';
import type { FetchLike, TimerFunctions, TokenProvider } from '../types.js';
import { errorFromAnswer, WardbellApiError } from './errors.js';
import type { CallOptions, HttpMethod, RequestSpec } from './types.js';

/** Options of `createApiClient`. `baseUrl` and one of `apiKey` / `getToken` are what most need. */
export interface ApiClientOptions {
  /** The service, e.g. `https://wardbell.example.org` (no trailing `/api`). */
  baseUrl: string;
  /** A server's API key (`wbk_...`), sent as the bearer. Keep it on the server. */
  apiKey?: string;
  /** A browser's (or server's) source of user tokens; asked again with `refresh: true` after a 401. */
  getToken?: TokenProvider;
  /** The tenant a platform key acts for (`X-Wardbell-Tenant`); see also `forTenant`. */
  tenant?: string;
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Time allowed for one attempt, ms. Default 10000. */
  timeoutMs?: number;
  /** Retries after a network error, a timeout or a 503, for calls that are safe to repeat. Default 2. */
  retries?: number;
  /** First retry delay, ms (doubling, full jitter, at most 5 s; a 503's Retry-After wins). Default 250. */
  retryDelayMs?: number;
  /** Headers added to every request. */
  headers?: Record<string, string>;
  setTimeout?: TimerFunctions['setTimeout'];
  clearTimeout?: TimerFunctions['clearTimeout'];
  random?: () => number;
}

/** Paths whose POST creates and takes an `Idempotency-Key` (the generated list). */
export type IdempotentPosts = ReadonlySet<string>;

const newKey = () => (globalThis.crypto?.randomUUID ? globalThis.crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);

/** `/api/x/{id}` with `{ id: 'a b' }` -> `/api/x/a%20b`; a missing parameter is an error (pure). */
export function fillPath(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new TypeError(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(String(v));
  });
}

/** A query string from an object: undefined left out, arrays repeated, the rest as text (pure). */
export function queryString(query: Record<string, unknown> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    for (const one of Array.isArray(v) ? v : [v]) q.append(k, typeof one === 'object' ? JSON.stringify(one) : String(one));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * One call: credentials, tenant, timeout per attempt, and retries where repeating cannot act twice
 * (GET, PUT, PATCH, DELETE, and a creating POST, whose `Idempotency-Key` stays the same across its
 * retries: the service answers a repeat with the first answer). Other POSTs are sent once.
 */
export class Transport {
  private readonly fetch: FetchLike;
  private readonly setTimer: TimerFunctions['setTimeout'];
  private readonly clearTimer: TimerFunctions['clearTimeout'];

  constructor(readonly options: ApiClientOptions, private readonly idempotentPosts: IdempotentPosts) {
    const f = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
    if (!f) throw new TypeError('no fetch: pass options.fetch');
    // Called as a plain function: a browser's fetch called as a method of another object throws
    // "Illegal invocation".
    this.fetch = (input, init) => f(input, init);
    this.setTimer = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
    this.clearTimer = options.clearTimeout ?? ((h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>));
    if (options.apiKey && options.getToken) throw new TypeError('give apiKey or getToken, not both');
  }

  withTenant(tenant: string): Transport {
    return new Transport({ ...this.options, tenant }, this.idempotentPosts);
  }

  async call(method: HttpMethod, template: string, spec: RequestSpec, opts: CallOptions = {}): Promise<unknown> {
    const o = this.options;
    const url = `${o.baseUrl.replace(/\/+$/, '')}${fillPath(template, spec.path)}${queryString(spec.query)}`;
    const creates = method === 'post' && this.idempotentPosts.has(template);
    const idempotencyKey = creates ? (opts.idempotencyKey ?? newKey()) : opts.idempotencyKey;
    const safe = method !== 'post' || creates;
    const retries = safe ? Math.max(0, o.retries ?? 2) : 0;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept: 'application/json', ...o.headers };
      if (spec.body !== undefined) headers['content-type'] = 'application/json';
      if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
      if (o.tenant) headers['x-wardbell-tenant'] = o.tenant;
      const bearer = o.apiKey ?? (o.getToken ? await o.getToken(refreshed ? { refresh: true, reason: 'unauthorized' } : { refresh: false }) : null);
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      let res: Response;
      try {
        res = await this.attempt(url, { method: method.toUpperCase(), headers, ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }) }, opts);
      } catch (err) {
        if (err instanceof WardbellApiError && err.code === 'aborted') throw err;
        if (attempt < retries) {
          await this.pause(attempt, undefined, opts.signal);
          continue;
        }
        throw err;
      }
      if (res.ok) return this.read(res);
      const body = await this.read(res).catch(() => undefined);
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after')) ?? undefined;
      if (res.status === 401 && o.getToken && !refreshed) {
        refreshed = true;
        continue;
      }
      if (res.status === 503 && attempt < retries) {
        await this.pause(attempt, retryAfterMs, opts.signal);
        continue;
      }
      throw errorFromAnswer(res.status, body, res.headers, retryAfterMs);
    }
  }

  private async attempt(url: string, init: RequestInit, opts: CallOptions): Promise<Response> {
    const ctl = new AbortController();
    let timedOut = false;
    const timer = this.setTimer(() => {
      timedOut = true;
      ctl.abort();
    }, opts.timeoutMs ?? this.options.timeoutMs ?? 10_000);
    const onAbort = () => ctl.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (opts.signal?.aborted) throw new WardbellApiError({ code: 'aborted', message: 'the call was aborted', status: 0 });
      return await this.fetch(url, { ...init, signal: ctl.signal });
    } catch (err) {
      if (err instanceof WardbellApiError) throw err;
      if (opts.signal?.aborted) throw new WardbellApiError({ code: 'aborted', message: 'the call was aborted', status: 0, cause: err });
      if (timedOut) throw new WardbellApiError({ code: 'timeout', message: `no answer from ${url} in time`, status: 0, cause: err });
      throw new WardbellApiError({ code: 'network_error', message: `no answer from ${url}: ${err instanceof Error ? err.message : String(err)}`, status: 0, cause: err });
    } finally {
      this.clearTimer(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async read(res: Response): Promise<unknown> {
    if (res.status === 204) return undefined;
    const text = await res.text();
    if (!text) return undefined;
    return (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
  }

  private pause(attempt: number, retryAfterMs: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    const backoff = backoffDelay(attempt, { baseDelayMs: this.options.retryDelayMs ?? 250, maxDelayMs: 5000, maxAttempts: Number.POSITIVE_INFINITY, jitter: 'full', ...(this.options.random ? { random: this.options.random } : {}) }) ?? 0;
    const ms = Math.max(backoff, Math.min(retryAfterMs ?? 0, 30_000));
    return new Promise((resolve, reject) => {
      const t = this.setTimer(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        this.clearTimer(t);
        reject(new WardbellApiError({ code: 'aborted', message: 'the call was aborted', status: 0 }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
