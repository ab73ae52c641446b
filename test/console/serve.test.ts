/** Serving the built console (src/console): paths, content types, caching, traversal, not-built page. */
import { OpenAPIHono } from '@hono/zod-openapi';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleFiles } from '../../packages/wardbell/src/console/index.js';
import { registerConsoleRoutes } from '../../packages/wardbell/src/http/index.js';
import type { AppEnv } from '../../packages/wardbell/src/http/index.js';
import { startService } from '../helpers/service.js';

let dir: string;
const appFor = (root: string) => {
  const app = new OpenAPIHono<AppEnv>();
  registerConsoleRoutes(app, { files: new ConsoleFiles(root) });
  return app;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wardbell-console-'));
  mkdirSync(join(dir, 'web', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html><title>console</title><script type="module" src="/api-test/realtime/assets/index-abc123.js"></script>');
  writeFileSync(join(dir, 'web', 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'web', 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(join(dir, 'web', 'assets', 'logo-1.svg'), '<svg/>');
  writeFileSync(join(dir, 'web', 'secret.txt'), 'not for you');
  writeFileSync(join(dir, 'outside.txt'), 'not for you either');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the console routes', () => {
  it('serves index.html at /api-test/realtime and with a trailing slash, never cached, with a CSP', async () => {
    const app = appFor(join(dir, 'web'));
    for (const path of ['/api-test/realtime', '/api-test/realtime/']) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toContain('<title>console</title>');
    }
  });

  it('serves hashed assets with their content type and a year of immutable caching', async () => {
    const app = appFor(join(dir, 'web'));
    const cases: Array<[string, string]> = [
      ['index-abc123.js', 'text/javascript; charset=utf-8'],
      ['index-abc123.css', 'text/css; charset=utf-8'],
      ['logo-1.svg', 'image/svg+xml'],
    ];
    for (const [file, type] of cases) {
      const res = await app.request(`/api-test/realtime/assets/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect(await (await app.request('/api-test/realtime/assets/index-abc123.js')).text()).toBe('console.log(1)');
  });

  it('answers unknown assets and every traversal attempt with 404 and the error envelope', async () => {
    const app = appFor(join(dir, 'web'));
    const attempts = [
      '/api-test/realtime/assets/missing.js',
      '/api-test/realtime/assets/..%2Fsecret.txt',
      '/api-test/realtime/assets/..%2F..%2Foutside.txt',
      '/api-test/realtime/assets/%2e%2e%2fsecret.txt',
      '/api-test/realtime/assets/..%5csecret.txt',
      '/api-test/realtime/assets/.hidden',
      '/api-test/realtime/assets/index-abc123.js%00.png',
    ];
    for (const path of attempts) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
    // Paths that URL parsing normalises out of assets/ (`assets/..` is the page itself) reach no other file.
    expect((await app.request('/api-test/realtime/assets/../secret.txt')).status).toBe(404);
    expect((await app.request('/api-test/realtime/secret.txt')).status).toBe(404);
  });

  it('redirects / to the console', async () => {
    const res = await appFor(join(dir, 'web')).request('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/api-test/realtime');
  });

  it('answers 503 with the error envelope, and a page that says how to build, when the console is not built', async () => {
    const app = appFor(join(dir, 'not-built'));
    const json = await app.request('/api-test/realtime');
    expect(json.status).toBe(503);
    expect(json.headers.get('cache-control')).toBe('no-store');
    const body = (await json.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unavailable');
    expect(body.error.message).toContain('npm run build');

    const html = await app.request('/api-test/realtime/', { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(html.status).toBe(503);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await html.text();
    expect(page).toContain('npm run build');
    expect(page).toContain('&quot;unavailable&quot;'.replace(/&quot;/g, '"'));
  });

  it('picks up a build made while the service runs (files are read per request)', async () => {
    const root = join(dir, 'late');
    const app = appFor(root);
    expect((await app.request('/api-test/realtime')).status).toBe(503);
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>late</title>');
    expect((await app.request('/api-test/realtime')).status).toBe(200);
  });

  it('documents its routes in the OpenAPI description', () => {
    const app = appFor(join(dir, 'web'));
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '0' } });
    expect(Object.keys(doc.paths ?? {})).toEqual(expect.arrayContaining(['/', '/api-test/realtime', '/api-test/realtime/', '/api-test/realtime/assets/{file}']));
  });
});

describe('the console through the real service', () => {
  it('never serves a file outside the console for a raw, un-normalised request path', async () => {
    const s = await startService();
    try {
      const { port } = new URL(s.url);
      const raw = (path: string) =>
        new Promise<string>((resolve, reject) => {
          const sock = connect(Number(port), '127.0.0.1', () => sock.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
          let out = '';
          sock.on('data', (d) => (out += d.toString('latin1')));
          sock.on('end', () => resolve(out));
          sock.on('error', reject);
        });
      for (const path of ['/api-test/realtime/assets/../../../package.json', '/api-test/realtime/assets/..%2f..%2f..%2fpackage.json', '/api-test/realtime/assets/%2e%2e/%2e%2e/%2e%2e/package.json']) {
        const res = await raw(path);
        expect(res, path).toMatch(/^HTTP\/1\.1 404/);
        expect(res).not.toContain('"name": "wardbell"');
      }
    } finally {
      await s.close();
    }
  });
});
