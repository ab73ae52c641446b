/** Strict JSON bodies: UTF-8 only, structural limits before any schema (src/http/json-body.ts). */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeUtf8, JSON_LIMITS, readJson } from '../../packages/wardbell/src/http/json-body.js';
import { startService, type TestService } from '../helpers/service.js';

describe('reading a JSON body (pure)', () => {
  it('decodes UTF-8 and refuses any invalid byte sequence', () => {
    expect(decodeUtf8(new TextEncoder().encode('{"t":"Café ☕ 𝄞"}'))).toBe('{"t":"Café ☕ 𝄞"}');
    for (const bad of [[0x63, 0x61, 0x66, 0xe9], [0xff, 0xfe, 0x7b, 0x7d], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
      expect(decodeUtf8(new Uint8Array(bad))).toBeNull();
    }
  });

  it('parses what is within the limits', () => {
    expect(readJson('{"a":[1,{"b":"x"}],"c":null}')).toEqual({ ok: true, value: { a: [1, { b: 'x' }], c: null } });
    expect(readJson('[]'.padStart(2, ' '))).toEqual({ ok: true, value: [] });
  });

  it('refuses malformed JSON as invalid_json', () => {
    for (const text of ['{', '{"a":}', "{'a':1}", '[1,]', '']) expect(readJson(text)).toMatchObject({ ok: false, code: 'invalid_json' });
  });

  it('refuses nesting past the limit on the text, brackets inside strings not counted', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(readJson(deep(JSON_LIMITS.maxDepth)).ok).toBe(true);
    expect(readJson(deep(JSON_LIMITS.maxDepth + 1))).toMatchObject({ ok: false, code: 'validation_failed', details: { limit: 'maxDepth' } });
    expect(readJson(deep(50_000))).toMatchObject({ ok: false, details: { limit: 'maxDepth' } });
    expect(readJson(JSON.stringify({ s: '[[[[[[[[[['.repeat(10), e: '\\"[[[' })).ok).toBe(true);
  });

  it('refuses long arrays, long strings, long keys and objects with too many keys, saying where', () => {
    const limits = { maxDepth: 8, maxArrayLength: 3, maxStringLength: 5, maxKeys: 2 };
    expect(readJson('{"a":[1,2,3,4]}', limits)).toMatchObject({ ok: false, details: { limit: 'maxArrayLength', path: '$.a' } });
    expect(readJson('{"a":[{"b":"toolong"}]}', limits)).toMatchObject({ ok: false, details: { limit: 'maxStringLength', path: '$.a[0].b' } });
    expect(readJson('{"abcdef":1}', limits)).toMatchObject({ ok: false, details: { limit: 'maxStringLength' } });
    expect(readJson('{"a":1,"b":2,"c":3}', limits)).toMatchObject({ ok: false, details: { limit: 'maxKeys', path: '$' } });
    expect(readJson('{"a":[1,2,3],"b":"12345"}', limits).ok).toBe(true);
  });
});

describe('JSON bodies at the service', () => {
  let svc: TestService;
  let token: string;

  beforeAll(async () => {
    svc = await startService();
    token = await svc.token({ tenantId: 'h1', userId: 'app', roles: ['service'] });
    const r = await fetch(`${svc.url}/api/directory/members`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ members: [{ userId: 'kim', roles: ['nurse'], wards: ['3'] }] }),
    });
    expect(r.status).toBe(200);
  });
  afterAll(() => svc.close());

  /** Sends raw bytes (fetch would re-encode a string). */
  const post = (path: string, body: Buffer) =>
    new Promise<{ status: number; json: { error?: { code: string; details?: unknown } } }>((resolve, reject) => {
      const u = new URL(path, svc.url);
      const req = request(u, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as { error?: { code: string } } }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const inboxOfKim = async () => {
    const kim = await svc.token({ tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] });
    return ((await (await fetch(`${svc.url}/api/notifications`, { headers: { authorization: `Bearer ${kim}` } })).json()) as { items: unknown[] }).items;
  };

  it('refuses a body that is not UTF-8 with invalid_json and sends nothing', async () => {
    const latin1 = Buffer.concat([Buffer.from('{"title":"Caf'), Buffer.from([0xe9]), Buffer.from('","to":{"users":["kim"]}}')]);
    const r = await post('/api/notifications', latin1);
    expect(r.status).toBe(400);
    expect(r.json.error?.code).toBe('invalid_json');
    expect(await inboxOfKim()).toEqual([]);
  });

  it('refuses absurd nesting before any schema, and sends nothing', async () => {
    const deep = Buffer.from(`{"title":"x","to":{"users":["kim"]},"data":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`);
    const r = await post('/api/notifications', deep);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'validation_failed', details: { limit: 'maxDepth' } });
    expect(await inboxOfKim()).toEqual([]);
  });

  it('states the limits of every request body in the API description', async () => {
    const doc = (await (await fetch(`${svc.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { requestBody?: { description?: string } }>> };
    const bodies = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).flatMap(([m, op]) => (op.requestBody ? [{ at: `${m} ${path}`, text: op.requestBody.description ?? '' }] : [])));
    expect(bodies.length).toBeGreaterThan(15);
    expect(bodies.filter((b) => !/strict UTF-8, at most .*bytes.*nested at most 32 deep/.test(b.text)).map((b) => b.at)).toEqual([]);
    expect(bodies.find((b) => b.at === 'post /api/push/restore')?.text).toContain('at most 16,777,216 bytes');
  });

  it('still takes a well-formed UTF-8 body', async () => {
    const r = await post('/api/notifications', Buffer.from(JSON.stringify({ title: 'Café ☕', to: { users: ['kim'] } })));
    expect(r.status).toBe(201);
    expect(await inboxOfKim()).toHaveLength(1);
  });
});
