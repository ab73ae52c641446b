import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startService, type TestService } from '../../helpers/service.js';
import type { FakePushService, FakeSubscription } from './fake-push-service.js';

/** The environment that points a service at a fake push service on 127.0.0.1 (testing mode). */
export function fakePushEnv(fake: FakePushService, env: Record<string, string> = {}): Record<string, string> {
  return {
    WARDBELL_PUSH_ALLOWED_HOSTS: '127.0.0.1',
    WARDBELL_PUSH_ALLOW_PRIVATE_NETWORKS: 'true',
    WARDBELL_PUSH_CA_FILE: fake.certFile,
    ...env,
  };
}

export function startPushService(fake: FakePushService, env: Record<string, string> = {}): Promise<TestService> {
  return startService(fakePushEnv(fake, env));
}

export interface Api {
  call(method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; headers: Headers; json: any }>;
  subscribe(token: string, sub: Pick<FakeSubscription, 'endpoint' | 'keys'>, extra?: Record<string, unknown>): Promise<{ status: number; json: any }>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

/** Small JSON client for a test service. */
export function api(baseUrl: string): Api {
  const call: Api['call'] = async (method, path, token, body) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, json };
  };
  return {
    call,
    subscribe: (token, sub, extra = {}) => call('POST', '/api/push/subscribe', token, { endpoint: sub.endpoint, keys: sub.keys, expirationTime: null, ...extra }),
    async metric(name, labels = {}) {
      const text = (await call('GET', '/metrics', undefined)).json as string;
      const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
      const line = text.split('\n').find((l) => l.startsWith(want ? `${name}{${want}} ` : `${name} `));
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    },
  };
}

/** Reads the service's SQLite file directly (read-only), to look at what was stored. */
export function peekDb<T>(dataDir: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dataDir, 'wardbell.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; rejects after `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}
