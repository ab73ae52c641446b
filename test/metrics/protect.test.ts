/**
 * Protecting /metrics: WARDBELL_METRICS_TOKEN (a bearer token, 401 in the error envelope without
 * it) and WARDBELL_METRICS_PORT (a listener of its own; 404 on the main port), their validation,
 * and the API description that says which.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../packages/wardbell/src/config/index.js';
import { startService, type TestService } from '../helpers/service.js';

const TOKEN = 'scrape-token-0123456789abcdef';
let svc: TestService | null = null;
afterEach(async () => {
  await svc?.close();
  svc = null;
});

const metricsUrlOf = (s: TestService) => {
  const server = s.wardbell.metricsServer;
  if (!server) throw new Error('no metrics listener');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
};

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

const operationsOf = async (s: TestService) => ((await (await fetch(`${s.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown[]; description?: string }>> }).paths;

describe('WARDBELL_METRICS_TOKEN', () => {
  it('refuses a scrape without the token or with another one (401, error envelope), and answers the token', async () => {
    svc = await startService({ WARDBELL_METRICS_TOKEN: TOKEN });
    const url = `${svc.url}/metrics`;
    const none = await get(url);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text)).toMatchObject({ error: { code: 'unauthenticated', requestId: expect.any(String) } });
    for (const wrong of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer x', `Basic ${TOKEN}`, TOKEN]) {
      const r = await get(url, { authorization: wrong });
      expect(r.status, wrong).toBe(401);
      expect(JSON.parse(r.text).error.code, wrong).toMatch(/^(unauthenticated|invalid_token)$/);
      expect(r.text).not.toContain('wardbell_sse_connections');
    }
    const ok = await get(url, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.text).toMatch(/^wardbell_sse_connections 0$/m);
    // Other operations stay as they were.
    expect((await get(`${svc.url}/healthz`)).status).toBe(200);
  });

  it('is declared in the API description when set, and the open endpoint says how to protect it when not', async () => {
    svc = await startService({ WARDBELL_METRICS_TOKEN: TOKEN });
    const op = (await operationsOf(svc))['/metrics']?.get;
    expect(op?.security).toEqual([{ metricsToken: [] }]);
    expect(op?.description).toContain('Authorization: Bearer');
    await svc.close();
    svc = await startService();
    const open = (await operationsOf(svc))['/metrics']?.get;
    expect(open?.security).toBeUndefined();
    expect(open?.description).toContain('WARDBELL_METRICS_TOKEN');
  });
});

describe('WARDBELL_METRICS_PORT', () => {
  it('serves /metrics on its own listener only: 404 on the main port, 200 there, 404 for anything else there', async () => {
    svc = await startService({ WARDBELL_METRICS_PORT: '0' });
    const main = await get(`${svc.url}/metrics`);
    expect(main.status).toBe(404);
    expect(JSON.parse(main.text)).toMatchObject({ error: { code: 'not_found' } });
    expect((await operationsOf(svc))['/metrics']).toBeUndefined();
    const url = metricsUrlOf(svc);
    const scrape = await get(url);
    expect(scrape.status).toBe(200);
    expect(scrape.text).toMatch(/^wardbell_sse_connections 0$/m);
    expect(scrape.text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
    expect((await get(url.replace(/\/metrics$/, '/api/openapi.json'))).status).toBe(404);
    expect((await get(url.replace(/\/metrics$/, '/healthz'))).status).toBe(404);
    // Requests on the main port are observed; the metrics listener's are not.
    const after = await get(url);
    expect(after.text).toMatch(/^wardbell_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1$/m);
  });

  it('requires the token there too when both are set', async () => {
    svc = await startService({ WARDBELL_METRICS_PORT: '0', WARDBELL_METRICS_TOKEN: TOKEN });
    const url = metricsUrlOf(svc);
    expect((await get(url)).status).toBe(401);
    expect((await get(url, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it('closes with the service', async () => {
    svc = await startService({ WARDBELL_METRICS_PORT: '0' });
    const url = metricsUrlOf(svc);
    expect((await get(url)).status).toBe(200);
    const server = svc.wardbell.metricsServer;
    await svc.close();
    expect(server?.listening).toBe(false);
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe('their validation', () => {
  const refused = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (err) {
      return (err as Error).message;
    }
    return null;
  };

  it('takes a token of 16 or more printable characters and a port in range', () => {
    const c = loadConfig({ WARDBELL_METRICS_TOKEN: TOKEN, WARDBELL_METRICS_PORT: '9464', WARDBELL_METRICS_HOST: '127.0.0.1' });
    expect(c).toMatchObject({ WARDBELL_METRICS_TOKEN: TOKEN, WARDBELL_METRICS_PORT: 9464, WARDBELL_METRICS_HOST: '127.0.0.1' });
    const defaults = loadConfig({});
    expect([defaults.WARDBELL_METRICS_TOKEN, defaults.WARDBELL_METRICS_PORT, defaults.WARDBELL_METRICS_HOST]).toEqual([undefined, undefined, undefined]);
  });

  it('refuses a short token, a token with spaces, a port out of range or equal to PORT, and a host without a port', () => {
    expect(refused({ WARDBELL_METRICS_TOKEN: 'short-token' })).toMatch(/WARDBELL_METRICS_TOKEN: must be at least 16 characters/);
    expect(refused({ WARDBELL_METRICS_TOKEN: 'a token with some spaces' })).toMatch(/WARDBELL_METRICS_TOKEN: printable ASCII/);
    expect(refused({ WARDBELL_METRICS_PORT: '70000' })).toMatch(/WARDBELL_METRICS_PORT/);
    expect(refused({ WARDBELL_METRICS_PORT: 'nine' })).toMatch(/WARDBELL_METRICS_PORT/);
    expect(refused({ PORT: '3000', WARDBELL_METRICS_PORT: '3000' })).toMatch(/WARDBELL_METRICS_PORT: must differ from PORT/);
    expect(refused({ WARDBELL_METRICS_HOST: '127.0.0.1' })).toMatch(/WARDBELL_METRICS_HOST/);
  });
});
