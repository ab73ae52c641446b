import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { signDevToken, type Identity } from '../../packages/wardbell/src/auth/index.js';
import { createWardbell, type Wardbell } from '../../packages/wardbell/src/compose.js';
import { loadConfig } from '../../packages/wardbell/src/config/index.js';
import type { Clock } from '../../packages/wardbell/src/shared/index.js';
import type { StreamQuota } from '../../packages/wardbell/src/sse/index.js';

export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789';

export interface TestService {
  url: string;
  wardbell: Wardbell;
  dataDir: string;
  token(id: Partial<Identity> & { tenantId: string; userId: string }, ttlS?: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts a real service on 127.0.0.1, a free port and a fresh data directory (removed on close).
 * With `opts.dataDir` it uses that directory and leaves it in place, so a second service on it is
 * a restart of the first. With `opts.clock` (a FakeClock) its timers and time move only when the test says.
 */
export async function startService(env: Record<string, string> = {}, opts: { dataDir?: string; streamQuota?: StreamQuota; clock?: Clock } = {}): Promise<TestService> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'wardbell-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    WARDBELL_DATA_DIR: dataDir,
    WARDBELL_JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const wardbell = await createWardbell(config, { logger: pino({ level: 'silent' }), ...(opts.streamQuota ? { streamQuota: opts.streamQuota } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });
  const url = await wardbell.listen();
  const secret = new TextEncoder().encode(config.WARDBELL_JWT_SECRET ?? TEST_SECRET);
  let closed = false;
  return {
    url,
    wardbell,
    dataDir,
    token: (id, ttlS = 600) => signDevToken({ roles: [], wards: [], ...id }, secret, ttlS),
    async close() {
      if (closed) return;
      closed = true;
      await wardbell.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function postJson(url: string, body: unknown, token?: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json: json as Record<string, any> };
}
