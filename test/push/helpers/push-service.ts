import Database from 'better-sqlite3';
import { join } from 'node:path';
import { eventually } from '../../helpers/eventually.js';
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

/**
 * A positive barrier for "nothing more is pushed": nothing is left queued or in flight (every
 * delivery has its outcome recorded, which happens after the push service answered it).
 */
export function pushesSettled(svc: TestService): Promise<boolean> {
  return eventually(
    () =>
      peekDb<{ n: number }>(
        svc.dataDir,
        "select (select count(*) from push_outbox where status = 'pending') + (select count(*) from push_deliveries where status in ('pending', 'sending')) as n",
      )[0]?.n === 0,
    { timeout: 10_000, message: 'every push delivery settled' },
  );
}
