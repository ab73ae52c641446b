/**
 * Browser-test helpers for the console: build it when stale, start a development-mode service,
 * open the console in a browser context, save screenshots. The browser itself comes from
 * test/helpers/browser.ts.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createWardbell, type Wardbell } from '../../packages/wardbell/src/compose.js';
import { loadConfig } from '../../packages/wardbell/src/config/index.js';
import { TEST_SECRET, type TestService } from '../helpers/service.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHOTS = join(REPO, 'test-output', 'console');
const BUILT = join(REPO, 'packages', 'wardbell', 'dist', 'web', 'index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * `npm test` builds the console first (`npm run build:web`); a direct `vitest run test/console`
 * gets it built here when dist/web is missing or older than its sources.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  const sources = Math.max(...['packages/wardbell/web', 'packages/client/src', 'packages/react/src'].map((d) => newestMtime(join(REPO, d))));
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= sources) return;
  await promisify(execFile)(process.execPath, [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(REPO, 'packages', 'wardbell', 'web', 'vite.config.ts'), '--logLevel', 'warn'], {
    cwd: REPO,
    timeout: 120_000,
  });
}

/** A service in development mode: no key configured, so POST /api/dev/token exists. */
export async function startDevService(): Promise<TestService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardbell-console-dev-'));
  const config = loadConfig({ NODE_ENV: 'development', PORT: '0', HOST: '127.0.0.1', WARDBELL_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const wardbell = await createWardbell(config, { logger: pino({ level: 'silent' }) });
  const url = await wardbell.listen();
  let closed = false;
  return {
    url,
    wardbell,
    dataDir,
    token: () => Promise.reject(new Error('development service: mint tokens with POST /api/dev/token')),
    async close() {
      if (closed) return;
      closed = true;
      await wardbell.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A free loopback port (for a service that must come back on the same address). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A service on a fixed port and data directory, so it can be stopped and started again as itself. */
export async function startRestartable(dataDir: string, port: number): Promise<Wardbell> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    WARDBELL_DATA_DIR: dataDir,
    WARDBELL_JWT_SECRET: TEST_SECRET,
    WARDBELL_SSE_RETRY_MS: '300',
    LOG_LEVEL: 'silent',
  });
  const wardbell = await createWardbell(config, { logger: pino({ level: 'silent' }) });
  await wardbell.listen();
  return wardbell;
}

export const DESKTOP = { width: 1440, height: 960 };
export const PHONE = { width: 390, height: 844 };

/** A fresh browser context (its own storage: one user) on the console, errors collected. */
export async function openConsole(browser: Browser, url: string, opts: { phone?: boolean; hash?: string } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: opts.phone ? PHONE : DESKTOP,
    deviceScaleFactor: opts.phone ? 2 : 1,
    ...(opts.phone ? { isMobile: true, hasTouch: true } : {}),
    baseURL: url,
  });
  await context.grantPermissions(['notifications'], { origin: url });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`/api-test/realtime${opts.hash ?? ''}`);
  return { context, page, errors };
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/**
 * The README's screenshots (docs/console.png, docs/console-phone.png) are written when missing or
 * when WARDBELL_UPDATE_SCREENSHOTS=1, so an ordinary test run does not rewrite tracked images.
 */
export async function docShot(page: Page, file: 'console.png' | 'console-phone.png'): Promise<void> {
  const target = join(REPO, 'docs', file);
  if (existsSync(target) && process.env.WARDBELL_UPDATE_SCREENSHOTS !== '1') return;
  // Toasts are transient; the picture is of the page.
  await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('.toast-close').forEach((b) => b.click()));
  await page.locator('.toast').first().waitFor({ state: 'detached', timeout: 2000 });
  writeFileSync(target, await page.screenshot({ fullPage: false }));
}

export async function pasteToken(page: Page, token: string, publisher?: string): Promise<void> {
  await page.getByLabel('Token', { exact: true }).fill(token);
  if (publisher) await page.getByLabel('Publisher token (optional)').fill(publisher);
  await page.getByRole('button', { name: 'Use token' }).click();
}

export async function tab(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name: new RegExp(`^${name}`) }).click();
}

/** Waits until the connection card says the stream is live. */
export async function waitLive(page: Page): Promise<void> {
  await page.locator('.connection-card [data-state="open"]').waitFor();
}

export async function putMembers(url: string, token: string, members: Array<{ userId: string; roles: string[]; wards: string[] }>): Promise<void> {
  const res = await fetch(`${url}/api/directory/members`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ members }),
  });
  if (!res.ok) throw new Error(`directory upsert answered ${res.status}: ${await res.text()}`);
}
