/**
 * The access table (`ACCESS` in src/http/app.ts) against the OpenAPI description: every operation
 * that says it needs a bearer token refuses a request without one, or with a forged one, before
 * anything else runs; publisher-only paths refuse a nurse; the public ones answer without a token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionTokens, signDevToken } from '../../packages/wardbell/src/auth/index.js';
import { ACCESS } from '../../packages/wardbell/src/http/index.js';
import { startService, type TestService } from '../helpers/service.js';

interface Operation {
  method: string;
  path: string;
  secured: boolean;
}

const ACTION_SECRET = 'action-token-secret-for-the-access-test-0123';
let svc: TestService;
let operations: Operation[];

beforeAll(async () => {
  svc = await startService({ WARDBELL_ACTION_TOKEN_SECRET: ACTION_SECRET });
  const doc = (await (await fetch(`${svc.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, secured: (op.security?.length ?? 0) > 0 })));
});
afterAll(() => svc.close());

/** A concrete URL for a templated path: ids where ids go. */
const urlOf = (path: string) => path.replace(/\{id\}/g, '5f0c6f47-3d4a-4c3e-9a43-0b8f1f7c2a10').replace(/\{actionId\}/g, 'accept').replace(/\{file\}/g, 'x.js');

async function call(op: Operation, headers: Record<string, string> = {}) {
  const hasBody = op.method === 'POST' || op.method === 'PUT' || op.method === 'PATCH' || op.method === 'DELETE';
  const res = await fetch(`${svc.url}${urlOf(op.path)}`, {
    method: op.method,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(hasBody ? { body: '{}' } : {}),
  });
  const text = await res.text();
  return { status: res.status, text };
}

describe('access, declared once per path', () => {
  it('covers the operations the API description lists', () => {
    expect(operations.filter((o) => o.secured).length).toBeGreaterThan(30);
  });

  it('refuses every secured operation without credentials (401 and the error envelope), whatever the body', async () => {
    const wrong: string[] = [];
    for (const op of operations.filter((o) => o.secured)) {
      const r = await call(op);
      if (r.status !== 401 || !/"error":\{"code":"(unauthenticated|invalid_token)"/.test(r.text)) wrong.push(`${op.method} ${op.path} -> ${r.status} ${r.text.slice(0, 80)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('refuses every secured operation with a token signed by another key', async () => {
    const forged = await signDevToken({ tenantId: 'h1', userId: 'mallory', roles: ['admin'], wards: [] }, new TextEncoder().encode('another-secret-that-is-long-enough-0123'), 600);
    const wrong: string[] = [];
    for (const op of operations.filter((o) => o.secured)) {
      const r = await call(op, { authorization: `Bearer ${forged}` });
      if (r.status !== 401) wrong.push(`${op.method} ${op.path} -> ${r.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('refuses a nurse on every publisher-only path', async () => {
    const nurse = await svc.token({ tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] });
    const publisherPaths = ACCESS.filter(([, a]) => a === 'publisher').map(([p]) => p);
    const covered = (path: string) => publisherPaths.some((p) => (p.endsWith('/*') ? path.startsWith(p.slice(0, -1)) : path === p));
    const ops = operations.filter((o) => o.secured && covered(o.path));
    expect(ops.length).toBeGreaterThan(10);
    const wrong: string[] = [];
    for (const op of ops) {
      const r = await call(op, { authorization: `Bearer ${nurse}` });
      if (r.status !== 403) wrong.push(`${op.method} ${op.path} -> ${r.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers the public operations without a token', async () => {
    const wrong: string[] = [];
    for (const op of operations.filter((o) => !o.secured && o.method === 'GET' && !o.path.includes('{'))) {
      const r = await call(op);
      if (r.status === 401 || r.status === 403) wrong.push(`${op.method} ${op.path} -> ${r.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('refuses an action token for another notification, whatever the path holds, with 401', async () => {
    const tokens = createActionTokens(new TextEncoder().encode(ACTION_SECRET));
    const token = tokens.sign({ tenantId: 'h1', userId: 'kim', notificationId: '5f0c6f47-3d4a-4c3e-9a43-0b8f1f7c2a10' }, 60_000);
    for (const id of ['%zz', '%E0%A4%A', '6f0c6f47-3d4a-4c3e-9a43-0b8f1f7c2a10']) {
      const r = await fetch(`${svc.url}/api/notifications/${id}/actions/accept`, { method: 'POST', headers: { 'x-wardbell-action-token': token } });
      expect(r.status, id).toBe(401);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('invalid_token');
    }
  });
});
