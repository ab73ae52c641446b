/**
 * The three packages as a team gets them: `npm pack -w packages/client -w packages/react -w packages/wardbell` in the repository, then installed
 * from the tarballs into new projects outside it: a server app (production install, no build
 * step) and a browser app (the client packages only). Needs the npm registry or npm's cache for
 * the packages' own dependencies, as any install does.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
/** The environment without what `npm test` adds (npm_config_*), so each npm call is a plain one. */
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
const npm = (args: string[], cwd: string) => run('npm', args, { cwd, env: cleanEnv(), timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });

interface Packed {
  name: string;
  filename: string;
  files: Array<{ path: string }>;
}

let tmp: string;
let packed: Packed[];
let app: string;
let web: string;
const tarball = (name: string) => join(tmp, 'packs', (packed.find((p) => p.name === name) as Packed).filename);
const reactVersion = (JSON.parse(readFileSync(join(REPO, 'node_modules', 'react', 'package.json'), 'utf8')) as { version: string }).version;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** The published packages (the workspace also holds the example app, which is not one). */
const PACKAGES = ['packages/client', 'packages/react', 'packages/wardbell'];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'wardbell-packages-'));
  mkdirSync(join(tmp, 'packs'));
  const { stdout } = await npm(['pack', ...PACKAGES.flatMap((w) => ['-w', w]), '--json', '--pack-destination', join(tmp, 'packs')], REPO);
  // prepack scripts print their build output before the JSON.
  packed = JSON.parse(stdout.slice(stdout.indexOf('[\n'))) as Packed[];
  app = join(tmp, 'app');
  web = join(tmp, 'web');
  for (const [dir, name] of [[app, 'shift-app-server'], [web, 'shift-app-pages']] as const) {
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', allowScripts: { 'better-sqlite3': true } }));
  }
  const flags = ['--no-audit', '--no-fund', '--prefer-offline'];
  await Promise.all([
    npm(['install', '--omit=dev', ...flags, tarball('wardbell'), tarball('@wardbell/client'), tarball('@wardbell/react'), `react@${reactVersion}`], app),
    npm(['install', ...flags, tarball('@wardbell/client'), tarball('@wardbell/react'), `react@${reactVersion}`], web),
  ]);
}, 600_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm pack of the three packages', () => {
  it('makes three tarballs, each with its built code, types, license, readme and changelog', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(['@wardbell/client', '@wardbell/react', 'wardbell']);
    for (const p of packed) {
      const files = p.files.map((f) => f.path);
      expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']));
      // Built JavaScript only: no TypeScript sources, no tests.
      expect(files.filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
      expect(files.filter((f) => /test/.test(f))).toEqual([]);
    }
    const service = (packed.find((p) => p.name === 'wardbell') as Packed).files.map((f) => f.path);
    expect(service).toEqual(expect.arrayContaining(['dist/main.js', 'dist/cli/wardbell.js', 'dist/web/index.html']));
    expect((packed.find((p) => p.name === '@wardbell/react') as Packed).files.map((f) => f.path)).toEqual(expect.arrayContaining(['styles.css', 'dist/components.js']));
    const client = (packed.find((p) => p.name === '@wardbell/client') as Packed).files.map((f) => f.path);
    expect(client).toEqual(expect.arrayContaining(['service-worker.classic.js', 'dist/service-worker.js', 'dist/service-worker.d.ts', 'dist/service-worker-script.js', 'dist/service-worker-script.d.ts']));
  });

  it('describes each package: license, repository, engines, ESM exports with types', () => {
    for (const name of ['wardbell', '@wardbell/client', '@wardbell/react']) {
      const pkg = JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')) as Record<string, unknown>;
      expect(pkg).toMatchObject({ license: 'Apache-2.0', type: 'module', engines: { node: expect.any(String) }, repository: { type: 'git', url: expect.any(String) } });
      expect(pkg.private).toBeUndefined();
      const root = (pkg.exports as Record<string, { types: string; default: string }>)['.'];
      for (const file of [root?.types, root?.default]) expect(existsSync(join(app, 'node_modules', name, file as string))).toBe(true);
    }
    const react = JSON.parse(readFileSync(join(app, 'node_modules', '@wardbell/react', 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(react.peerDependencies).toEqual({ react: '>=18' });
    expect(react.peerDependenciesMeta?.react).toEqual({ optional: true });
    expect(readFileSync(join(app, 'node_modules', '@wardbell/react', 'dist', 'index.js'), 'utf8').startsWith("'use client';")).toBe(true);
  });
});

describe('installed in a project outside the repository', () => {
  it('imports every public entry point', async () => {
    const probe = `
      const [service, client, react] = await Promise.all([import('wardbell'), import('@wardbell/client'), import('@wardbell/react')]);
      console.log(JSON.stringify({ service: typeof service.createWardbell, config: typeof service.loadConfig, client: typeof client.createSSEClient, parser: typeof client.createEventStreamParser, api: typeof client.createApiClient, hook: typeof react.useSSE, provider: typeof react.WardbellProvider, inbox: typeof react.Inbox }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ service: 'function', config: 'function', client: 'function', parser: 'function', api: 'function', hook: 'function', provider: 'function', inbox: 'function' });
    const pages = await run(process.execPath, ['--input-type=module', '-e', "const c = await import('@wardbell/client'); console.log(typeof c.createSSEClient)"], { cwd: web });
    expect(pages.stdout.trim()).toBe('function');
  });

  it('gives an app the service worker module, its classic build, and the build as a string for a /sw.js route', async () => {
    const pkg = JSON.parse(readFileSync(join(web, 'node_modules', '@wardbell/client', 'package.json'), 'utf8')) as { exports: Record<string, string | { types: string; default: string }> };
    for (const sub of ['./service-worker', './service-worker-script']) {
      const entry = pkg.exports[sub] as { types: string; default: string };
      for (const file of [entry.types, entry.default]) expect(existsSync(join(web, 'node_modules', '@wardbell/client', file)), `${sub}: ${file}`).toBe(true);
    }
    expect(pkg.exports['./service-worker.classic.js']).toBe('./service-worker.classic.js');
    const probe = `
      import { readFileSync } from 'node:fs';
      const sw = await import('@wardbell/client/service-worker');
      const { WARDBELL_SERVICE_WORKER_CLASSIC } = await import('@wardbell/client/service-worker-script');
      const classic = readFileSync(new URL(import.meta.resolve('@wardbell/client/service-worker.classic.js')), 'utf8');
      // A generic push that carries no text of its own gets the worker's generic words.
      const shown = sw.notificationFor(sw.readPushPayload({ id: 'n-1', title: '', body: '', priority: 'urgent', lockScreen: 'generic' }));
      console.log(JSON.stringify({ install: typeof sw.installWardbellPush, title: shown.title, body: shown.options.body, same: classic === WARDBELL_SERVICE_WORKER_CLASSIC, sets: classic.includes('self.WardbellServiceWorker = {') }));
    `;
    const expected = { install: 'function', title: 'Urgent notification', body: 'Open the app to see the details.', same: true, sets: true };
    for (const dir of [web, app]) {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: dir });
      expect(JSON.parse(stdout), dir).toEqual(expected);
    }
  });

  it('gives a browser app the client without any native module or server dependency', () => {
    const installed = readdirSync(join(web, 'node_modules')).filter((n) => !n.startsWith('.'));
    expect(installed.sort()).toEqual(['@wardbell', 'react']);
    expect(readdirSync(join(web, 'node_modules', '@wardbell')).sort()).toEqual(['client', 'react']);
    const files = filesUnder(join(web, 'node_modules'));
    expect(files.filter((f) => f.endsWith('.node') || f.endsWith('binding.gyp'))).toEqual([]);
    const client = JSON.parse(readFileSync(join(web, 'node_modules', '@wardbell/client', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(client.dependencies).toBeUndefined();
    expect(client.scripts).not.toHaveProperty('install');
  });

  it('runs the service from the production install with `wardbell start`, no build step', async () => {
    const data = join(tmp, 'data');
    const migrated = await run(join(app, 'node_modules', '.bin', 'wardbell'), ['migrate'], { cwd: app, env: { PATH: process.env.PATH ?? '', HOME: tmp, WARDBELL_DATA_DIR: data } });
    expect(migrated.stdout).toMatch(/^sqlite: ran \d+ migration\(s\)/);
    const child = spawn(join(app, 'node_modules', '.bin', 'wardbell'), ['start'], {
      cwd: app,
      env: { PATH: process.env.PATH ?? '', HOME: tmp, PORT: '0', HOST: '127.0.0.1', WARDBELL_DATA_DIR: data, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const url = await eventually(() => {
        const m = /Wardbell is running at (http:\/\/\S+)/.exec(out);
        expect(m, out).not.toBeNull();
        return (m as RegExpExecArray)[1] as string;
      }, { timeout: 20_000 });
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const page = await fetch(`${url}/api-test/realtime/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      const { token } = (await (await fetch(`${url}/api/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenantId: 'h1', userId: 'kim' }) })).json()) as { token: string };
      const stream = await fetch(`${url}/api/sse`, { headers: { authorization: `Bearer ${token}` } });
      expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const first = await (stream.body as ReadableStream<Uint8Array>).getReader().read();
      expect(new TextDecoder().decode(first.value)).toContain('retry: ');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});

/** What the shift-scheduling app does, run inside its project with the installed packages. */
const APP_SCRIPT = `
import { createApiClient, createSSEClient } from '@wardbell/client';
const { URL: base, KEY, TOKEN } = process.env;
const out = { states: [], live: null, inbox: null };
// The nurse's page: her stream, signed in through the app's identity provider.
const stream = createSSEClient({ url: base + '/api/sse', getToken: () => TOKEN });
const live = new Promise((resolve) => stream.on('notification', (data) => resolve(data)));
const open = new Promise((resolve) => stream.on('state', ({ to }) => { out.states.push(to); if (to === 'open') resolve(); }));
stream.connect();
await open;
// The app's server: a platform key, acting for the hospital.
const server = createApiClient({ baseUrl: base, apiKey: KEY }).forTenant('h1');
await server.directory.upsert({ members: [{ userId: 'kim', wards: ['3'], roles: ['nurse'] }] });
const sent = await server.notifications.send({ title: 'Ward 3 short tonight', to: { users: ['kim'] }, priority: 'urgent' });
out.sentId = sent.notification.id;
out.live = await live;
const nurse = createApiClient({ baseUrl: base, getToken: () => TOKEN });
out.inbox = (await nurse.notifications.list({ limit: 10 })).items.map((n) => ({ id: n.id, title: n.title, read: n.read }));
stream.close();
console.log(JSON.stringify(out));
`;

describe('the first notification, as a team adopting Wardbell would send it', () => {
  it('production install, a key from the CLI, a send through the SDK, a JWKS-signed nurse receives it live and in her inbox', async () => {
    // The app's identity provider: one RSA key, published as a JWKS on loopback.
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'app-1', use: 'sig', alg: 'RS256' }] });
    const idp: Server = createServer((_, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
    const jwksUrl = `http://127.0.0.1:${(idp.address() as { port: number }).port}/jwks.json`;
    const data = join(tmp, 'adopt-data');
    const env = { PATH: process.env.PATH ?? '', HOME: tmp, NODE_ENV: 'production', WARDBELL_DATA_DIR: data, WARDBELL_JWKS_URL: jwksUrl, WARDBELL_ACTION_TOKEN_SECRET: 'action-secret-for-this-test-0123456789', LOG_LEVEL: 'warn' };
    const bin = join(app, 'node_modules', '.bin', 'wardbell');
    let child: ChildProcess | null = null;
    try {
      const created = await run(bin, ['api-key', 'create', '--platform', '--scope', 'send,directory', '--name', 'scheduling app', '--json'], { cwd: app, env });
      const { key } = JSON.parse(created.stdout) as { key: string };
      expect(key).toMatch(/^wbk_/);
      child = spawn(bin, ['start'], { cwd: app, env: { ...env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      const url = await eventually(() => {
        const m = /Wardbell is running at (http:\/\/\S+)/.exec(out);
        expect(m, out).not.toBeNull();
        return (m as RegExpExecArray)[1] as string;
      }, { timeout: 20_000 });
      const ready = (await (await fetch(`${url}/readyz`)).json()) as { checks: Record<string, string> };
      expect(ready.checks.jwks).toBe('ok');
      const token = await new SignJWT({ tid: 'h1', roles: ['nurse'], wards: ['3'] }).setProtectedHeader({ alg: 'RS256', kid: 'app-1' }).setSubject('kim').setIssuedAt().setExpirationTime('10m').sign(privateKey);
      writeFileSync(join(app, 'first-notification.mjs'), APP_SCRIPT);
      const result = await run(process.execPath, ['first-notification.mjs'], { cwd: app, env: { PATH: process.env.PATH ?? '', URL: url, KEY: key, TOKEN: token }, timeout: 30_000 });
      const r = JSON.parse(result.stdout) as { states: string[]; sentId: string; live: { id?: string; title?: string; notification?: { id: string; title: string } }; inbox: Array<{ id: string; title: string }> };
      expect(r.states).toContain('open');
      expect(JSON.stringify(r.live)).toContain('Ward 3 short tonight');
      expect(JSON.stringify(r.live)).toContain(r.sentId);
      expect(r.inbox.map((n) => n.id)).toContain(r.sentId);
    } finally {
      child?.kill('SIGTERM');
      await new Promise<void>((r) => idp.close(() => r()));
    }
  }, 90_000);
});
