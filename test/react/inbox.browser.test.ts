/**
 * <Inbox/> by keyboard in headless Chromium, with real key events: the page (test/react/page/,
 * bundled here with vite from the kit's sources, with the kit's styles.css) against a real service.
 * Tab reaches every row's buttons in reading order, Enter and Space press them, the focus ring
 * shows in the theme's accent (an ancestor's value wins), a pressed action keeps the focus, and a
 * removed row hands the focus to the next one.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipWithoutChromium } from '../helpers/browser.js';
import { startKitService, type KitService } from './kit-service.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const skip = skipWithoutChromium(import.meta.url);

let browser: Browser;
let svc: KitService;
let server: Server;
let origin: string;
const errors: string[] = [];

/** The page's script: the entry and the kit's sources (as vitest resolves them), React in production mode. */
async function bundle(): Promise<string> {
  const { build } = await import('vite');
  const src = (p: string) => join(REPO, 'packages', p);
  const out = await build({
    configFile: false,
    mode: 'production',
    root: REPO,
    logLevel: 'silent',
    publicDir: false,
    resolve: {
      alias: [
        { find: /^@wardbell\/client$/, replacement: src('client/src/index.ts') },
        { find: /^@wardbell\/react$/, replacement: src('react/src/index.ts') },
      ],
    },
    define: { 'process.env.NODE_ENV': '"production"' },
    esbuild: { jsx: 'automatic', jsxDev: false },
    build: {
      write: false,
      minify: false,
      modulePreload: false,
      target: 'es2022',
      rollupOptions: { input: join(REPO, 'test/react/page/inbox-page.tsx'), output: { format: 'es', entryFileNames: 'page.js', inlineDynamicImports: true } },
    },
  });
  const outputs = (Array.isArray(out) ? out : [out]) as Array<{ output: Array<{ type: string; fileName: string; code?: string }> }>;
  const chunk = outputs.flatMap((o) => o.output).find((c) => c.type === 'chunk' && c.fileName === 'page.js');
  if (!chunk?.code) throw new Error('the page did not bundle');
  return chunk.code;
}

beforeAll(async () => {
  if (skip) return;
  const [script, launched] = await Promise.all([bundle(), launchChromium(import.meta.url)]);
  browser = launched;
  const css = readFileSync(join(REPO, 'packages/react/styles.css'), 'utf8');
  const html = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Inbox</title><link rel="stylesheet" href="/styles.css"></head><body><div id="root"></div><script type="module" src="/page.js"></script></body></html>';
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/page.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    if (path === '/styles.css') return void res.writeHead(200, { 'content-type': 'text/css' }).end(css);
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  svc = await startKitService(origin, ['kai', 'lu']);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await svc?.stop();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

/** expect.poll with a timeout fit for a browser on a busy machine. */
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000, interval: 50 });

async function open(user: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(`${user}: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`${user}: ${m.text()}`));
  await page.goto(`${origin}/?service=${encodeURIComponent(svc.url)}&token=${encodeURIComponent(await svc.nurse(user))}`);
  return page;
}

/** What has the focus: its text (or accessible name), the row it is in, and its outline. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { name: '(body)', row: '', outline: '' };
    const cs = getComputedStyle(el);
    const row = el.closest('li')?.querySelector('.wardbell-item-title')?.textContent ?? '';
    return { name: el.getAttribute('aria-label') ?? el.textContent ?? '', row, outline: `${cs.outlineStyle} ${cs.outlineColor}` };
  });

describe.skipIf(skip)('<Inbox/> by keyboard, in Chromium', { timeout: 60_000 }, () => {
  it('Tab reaches each row\'s buttons in order; Enter and Space press them; the focus stays put or moves to the next row', async () => {
    await svc.send(['kai'], 'Rota for May');
    await svc.send(['kai'], 'Ward 3 short tonight', { priority: 'urgent', actions: [{ id: 'accept', label: 'Accept now', style: 'primary' }, { id: 'decline', label: 'Decline' }] });
    await svc.send(['kai'], 'Parking closed', { priority: 'low' });
    const page = await open('kai');
    await page.getByRole('button', { name: 'Notifications, 3 unread' }).waitFor();
    await page.getByRole('button', { name: 'Parking closed' }).waitFor();
    await poll(() => page.getByRole('button', { name: 'Mark all read' }).isEnabled()).toBe(true);

    await page.locator('#start').focus();
    const order: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      order.push(f.row && f.row !== f.name ? `${f.row} / ${f.name}` : f.name);
      // The keyboard's focus is drawn, in the theme's accent (the default here).
      expect(f.outline).toBe('solid rgb(11, 106, 162)');
    }
    expect(order).toEqual([
      'Notifications, 3 unread',
      'Mark all read',
      'Ward 3 short tonight',
      'Ward 3 short tonight / Accept now',
      'Ward 3 short tonight / Decline',
      'Ward 3 short tonight / Mark read',
      'Ward 3 short tonight / Remove',
      'Rota for May',
      'Rota for May / Mark read',
      'Rota for May / Remove',
      'Parking closed',
      'Parking closed / Mark read',
    ]);

    // Enter on "Mark read" (the focus is there): read, the button turns into "Mark unread" and keeps the focus.
    await page.keyboard.press('Enter');
    await poll(() => page.getByRole('button', { name: 'Notifications, 2 unread' }).count()).toBe(1);
    expect(await focused(page)).toMatchObject({ row: 'Parking closed', name: 'Mark unread' });

    // Space on an action: pressed (the service answers), and the focus stays on it.
    await page.getByRole('button', { name: 'Accept now' }).focus();
    await page.keyboard.press('Space');
    await poll(() => page.getByRole('button', { name: 'Accept now' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('button', { name: 'Accept now' }).getAttribute('aria-disabled')).toBe('true');
    expect(await focused(page)).toMatchObject({ row: 'Ward 3 short tonight', name: 'Accept now' });
    await poll(() => page.getByRole('button', { name: 'Notifications, 1 unread' }).count()).toBe(1);
    // Answered: a second Space sends nothing (the service would refuse it: an alert, and a 409 in the console).
    await page.keyboard.press('Space');

    // Enter on a title opens it: read. (Its answer also comes after the second Space's would have.)
    await page.getByRole('button', { name: 'Rota for May', exact: true }).focus();
    await page.keyboard.press('Enter');
    await poll(() => page.getByRole('button', { name: 'Notifications, none unread' }).count()).toBe(1);
    expect(await page.getByRole('alert').count()).toBe(0);

    // Enter on "Remove": the row goes, the focus moves to the next row's title; from the last row, to the previous.
    await page.locator('li', { hasText: 'Ward 3 short tonight' }).getByRole('button', { name: 'Remove' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => page.getByRole('button', { name: 'Ward 3 short tonight' }).count()).toBe(0);
    expect(await focused(page)).toMatchObject({ name: 'Rota for May', row: 'Rota for May' });
    await page.locator('li', { hasText: 'Parking closed' }).getByRole('button', { name: 'Remove' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => page.getByRole('button', { name: 'Parking closed' }).count()).toBe(0);
    expect(await focused(page)).toMatchObject({ name: 'Rota for May' });
    // The last row: the focus goes to the heading.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ row: 'Rota for May', name: 'Remove' });
    await page.keyboard.press('Enter');
    await page.getByText('Nothing here yet.').waitFor();
    expect(await focused(page)).toMatchObject({ name: 'Notifications' });
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H2');
    expect((await svc.call('GET', '/api/notifications', undefined, await svc.nurse('kai'))).items).toEqual([]);
    await page.close();
  });

  it('takes the theme from an ancestor: the focus ring, the unread background and the primary button', async () => {
    await svc.send(['lu'], 'Ward 3 short tonight', { priority: 'urgent', actions: [{ id: 'accept', label: 'Accept now', style: 'primary' }] });
    const page = await open('lu');
    await page.getByRole('button', { name: 'Accept now' }).waitFor();
    const look = () =>
      page.evaluate(() => {
        const accept = document.querySelector('.wardbell-action-primary') as HTMLElement;
        const row = document.querySelector('.wardbell-item') as HTMLElement;
        return { accept: getComputedStyle(accept).backgroundColor, unread: getComputedStyle(row).backgroundColor, urgent: getComputedStyle(row).borderLeftColor };
      });
    expect(await look()).toEqual({ accept: 'rgb(11, 106, 162)', unread: 'rgb(238, 246, 252)', urgent: 'rgb(180, 35, 24)' });
    await page.evaluate(() => {
      document.documentElement.style.setProperty('--wardbell-accent', 'rgb(1, 2, 3)');
      document.body.style.setProperty('--wardbell-unread-bg', 'rgb(4, 5, 6)');
      (document.getElementById('root') as HTMLElement).style.setProperty('--wardbell-urgent', 'rgb(7, 8, 9)');
    });
    expect(await look()).toEqual({ accept: 'rgb(1, 2, 3)', unread: 'rgb(4, 5, 6)', urgent: 'rgb(7, 8, 9)' });
    await page.locator('#start').focus();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ outline: 'solid rgb(1, 2, 3)' });
    await page.close();
    expect(errors).toEqual([]);
  });
});
