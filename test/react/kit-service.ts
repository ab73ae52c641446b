/**
 * What the kit's DOM suites share: a real service in a process of its own (in a happy-dom suite
 * the DOM's fetch classes replace Node's, so the service cannot run in the test's process), its
 * members, and a fetch that holds chosen requests until the test lets them through or fails them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signDevToken, type Identity } from '../../packages/wardbell/src/auth/index.js';
import { eventually } from '../helpers/eventually.js';
import { startProcess, type ServiceProcess } from '../helpers/process.js';
import { TEST_SECRET } from '../helpers/service.js';

export interface KitService {
  url: string;
  /** A token of the tenant's nurse `userId` (ward 3). */
  nurse(userId: string): Promise<string>;
  call(method: string, path: string, body?: unknown, token?: string): Promise<Record<string, any>>;
  /** Sends a notification to these users (as the tenant's scheduler service). */
  send(to: string[], title: string, extra?: Record<string, unknown>): Promise<Record<string, any>>;
  stop(): Promise<void>;
}

export const TENANT = 'h1';

/** Starts the service, allowing the page origin `origin`, with `members` as ward 3's nurses. */
export async function startKitService(origin: string, members: string[]): Promise<KitService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardbell-react-'));
  const proc: ServiceProcess = await startProcess({ WARDBELL_JWT_SECRET: TEST_SECRET, WARDBELL_CORS_ORIGINS: origin, WARDBELL_RATE_LIMITS: 'off', WARDBELL_DATA_DIR: dataDir });
  const token = (id: Partial<Identity> & { userId: string }) => signDevToken({ tenantId: TENANT, roles: [], wards: [], ...id }, new TextEncoder().encode(TEST_SECRET), 600);
  const service = await token({ userId: 'scheduler', roles: ['service'] });
  const call = async (method: string, path: string, body?: unknown, as = service) => {
    const res = await fetch(`${proc.url}${path}`, { method, headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const json = (await res.json()) as Record<string, any>;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  await call('PUT', '/api/directory/members', { members: members.map((userId) => ({ userId, wards: ['3'], roles: ['nurse'] })) });
  return {
    url: proc.url,
    nurse: (userId) => token({ userId, roles: ['nurse'], wards: ['3'] }),
    call,
    send: (to, title, extra = {}) => call('POST', '/api/notifications', { title, to: { users: to }, ...extra }),
    async stop() {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface HeldRequest {
  method: string;
  url: string;
  /** Sends it on to the service. */
  pass(): void;
  /** Fails it as a network failure would (fetch rejects with a TypeError). */
  fail(message?: string): void;
}

/**
 * A fetch for the kit's API client: requests that `match` wait in `held` until the test passes or
 * fails them; every request is logged as "METHOD path?query" in `seen`.
 */
export function holdRequests(match: (method: string, url: URL) => boolean = () => false) {
  const held: HeldRequest[] = [];
  const seen: string[] = [];
  const state = { match };
  const fetchFn: typeof fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET')).toUpperCase();
    seen.push(`${method} ${url.pathname}${url.search}`);
    if (!state.match(method, url)) return fetch(input, init);
    return new Promise<Response>((resolve, reject) => {
      held.push({
        method,
        url: `${url.pathname}${url.search}`,
        pass: () => resolve(fetch(input, init)),
        fail: (message = 'network down') => reject(new TypeError(message)),
      });
    });
  };
  return {
    fetch: fetchFn,
    held,
    seen,
    /** Which requests are held from now on. */
    set match(m: (method: string, url: URL) => boolean) {
      state.match = m;
    },
    /** The next held request that has not been taken yet (waits for it to arrive). */
    async next(what = 'a held request'): Promise<HeldRequest> {
      const r = await eventually(() => held.shift() ?? null, { message: `waiting for ${what}` });
      return r;
    },
  };
}
