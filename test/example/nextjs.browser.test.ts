/**
 * examples/nextjs end to end, in headless Chromium: the example built with `next build` and run
 * with `next start` beside a Wardbell process, as docs/NEXTJS.md runs them. Staff sign in through
 * the app (its session cookie, its token route as Wardbell's identity provider); the app's server
 * actions call Wardbell with an API key made by `wardbell api-key create`. Checked: a notification
 * sent by a server action reaches a colleague's bell within a second; marking it read in one of
 * two tabs updates the badge in both; a swap request is answered from the inbox; an emergency call
 * for the ward accepted by one nurse shows as filled for the other; every page registers /sw.js as
 * it loads, and "Turn on notifications on this device" registers the device with Wardbell, whose
 * pushes (to a fake push service) the app's worker shows. And the tabs of one browser: three (and
 * five) hold one stream at the service, a toast shows in one tab only, and an event published
 * while the tab that held the stream has closed and the next has not yet connected is replayed to
 * the next from the last event id, once.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../packages/client/src/index.js';
import { launchChromium, skipWithoutChromium } from '../helpers/browser.js';
import { eventually } from '../helpers/eventually.js';
import { startProcess, type ServiceProcess } from '../helpers/process.js';
import { FakePushService } from '../push/helpers/fake-push-service.js';
import { fakePushEnv } from '../push/helpers/push-service.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLE = join(REPO, 'examples', 'nextjs');
const NEXT_BIN = join(REPO, 'node_modules', 'next', 'dist', 'bin', 'next');
const JWT_SECRET = 'example-test-jwt-secret-0123456789abcdefghij';
const SESSION_SECRET = 'example-test-session-secret-0123456789abcdef';
const METRICS_TOKEN = 'example-test-metrics-token-0123456789';
const run = promisify(execFile);

const skip = skipWithoutChromium(import.meta.url);

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => res(port));
    });
  });
}

/** `next start` of the built example, as its own process. */
async function startNext(port: number, env: Record<string, string>): Promise<{ url: string; child: ChildProcess; output: () => string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: EXAMPLE,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${out}`);
      return (await fetch(`${url}/sign-in`)).status === 200;
    },
    { timeout: 30_000, interval: 100, message: () => `next start to answer on ${url}:\n${out}` },
  );
  return {
    url,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

let browser: Browser;
let fake: FakePushService;
let wardbell: ServiceProcess;
let app: Awaited<ReturnType<typeof startNext>>;
let dataDir: string;
let apiKey: string;
const timings: Record<string, number> = {};

beforeAll(async () => {
  if (skip) return;
  // The example's own build: its prebuild builds @wardbell/client and @wardbell/react (whose exports point at dist/), then next build.
  let t = Date.now();
  await run('npm', ['run', 'build'], { cwd: EXAMPLE, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 });
  timings.build = Date.now() - t;

  dataDir = mkdtempSync(join(tmpdir(), 'wardbell-example-nextjs-'));
  const appPort = await freePort();
  const appOrigin = `http://127.0.0.1:${appPort}`;
  t = Date.now();
  // A fake push service on loopback stands in for the browser's (headless Chromium has none it can use).
  fake = await FakePushService.start();
  [wardbell, browser] = await Promise.all([
    startProcess(fakePushEnv(fake, { WARDBELL_JWT_SECRET: JWT_SECRET, WARDBELL_CORS_ORIGINS: appOrigin, WARDBELL_METRICS_TOKEN: METRICS_TOKEN, WARDBELL_DATA_DIR: dataDir })),
    launchChromium(import.meta.url),
  ]);
  // The key as docs/NEXTJS.md makes it: the wardbell command on the service's store.
  const created = await run(process.execPath, ['--import', 'tsx', join(REPO, 'packages/wardbell/src/cli/wardbell.ts'), 'api-key', 'create', '--platform', '--scope', 'send', '--scope', 'directory', '--scope', 'workflows', '--name', 'nextjs-example', '--json'], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', LOG_LEVEL: 'warn', WARDBELL_DATA_DIR: dataDir },
  });
  const { key } = JSON.parse(created.stdout) as { key: string };
  apiKey = key;
  app = await startNext(appPort, { WARDBELL_URL: wardbell.url, WARDBELL_PUBLIC_URL: wardbell.url, WARDBELL_API_KEY: key, WARDBELL_JWT_SECRET: JWT_SECRET, APP_SESSION_SECRET: SESSION_SECRET });
  timings.start = Date.now() - t;
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await wardbell?.stop();
  await fake?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (!skip) console.info(`examples/nextjs: npm run build ${timings.build} ms; Wardbell, Chromium, API key and next start ${timings.start} ms; notification latency ${timings.latency} ms; streams at the service for one nurse: ${timings.streams3} with 3 tabs, ${timings.streams5} with 5 (connections opened: ${timings.opened5})`);
});

/** The page's service worker registration for scope /, once it has an active worker. */
const activeWorker = (page: Page) =>
  page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration('/');
    return reg?.active ? { scope: reg.scope, script: reg.active.scriptURL } : null;
  });
/** The bell: a button whose accessible name says the unread count. */
const bell = (page: Page) => page.getByRole('button', { name: /^Notifications(,|$)/ });
const bellLabel = (page: Page) => bell(page).getAttribute('aria-label');
const item = (page: Page, title: string) => page.locator('.wardbell-item', { has: page.getByRole('button', { name: title, exact: true }) });
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 10_000, interval: 50 });

describe.skipIf(skip)('examples/nextjs: staff of one ward in two browsers', { timeout: 60_000 }, () => {
  let kimContext: BrowserContext;
  let leeContext: BrowserContext;
  let kim: Page;
  let lee: Page;
  let leeSecondTab: Page;
  const errors: string[] = [];

  const watch = (page: Page, who: string) => {
    page.on('pageerror', (e) => errors.push(`${who}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${who} console: ${m.text()}`);
    });
    return page;
  };

  async function signIn(context: BrowserContext, name: string): Promise<Page> {
    const page = watch(await context.newPage(), name);
    await page.goto(`${app.url}/`);
    await page.waitForURL(`${app.url}/sign-in`);
    await page.getByRole('button', { name: `Sign in as ${name}` }).click();
    await page.waitForURL(`${app.url}/`);
    return page;
  }

  /** Opens the inbox panel when it is closed. */
  async function openInbox(page: Page): Promise<void> {
    if ((await bell(page).getAttribute('aria-expanded')) !== 'true') await bell(page).click();
    await page.locator('.inbox-panel:not([hidden])').waitFor();
  }

  beforeAll(async () => {
    kimContext = await browser.newContext();
    leeContext = await browser.newContext();
    kim = await signIn(kimContext, 'Kim Min-ji');
    lee = await signIn(leeContext, 'Lee Seo-yeon');
    leeSecondTab = watch(await leeContext.newPage(), 'Lee Seo-yeon (second tab)');
    await leeSecondTab.goto(`${app.url}/`);
  }, 60_000);

  afterAll(async () => {
    await kimContext?.close();
    await leeContext?.close();
    expect(errors).toEqual([]);
  });

  it('signs staff in through the app: who they are, and a live bell from the server\'s count', async () => {
    expect(await kim.getByTestId('who').innerText()).toBe('Kim Min-ji · Hangang General Hospital · ward 3');
    expect(await lee.getByTestId('who').innerText()).toBe('Lee Seo-yeon · Hangang General Hospital · ward 3');
    for (const page of [kim, lee, leeSecondTab]) await poll(() => bellLabel(page)).toBe('Notifications, none unread');
    // The token route mints only for a session; the cookie is httpOnly.
    expect((await fetch(`${app.url}/api/wardbell/token`, { method: 'POST' })).status).toBe(401);
    const cookies = await leeContext.cookies(app.url);
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([['wb_demo_session', true, 'Lax']]);
  });

  it('serves the push service worker on its own origin, pointed at Wardbell', async () => {
    const res = await fetch(`${app.url}/sw.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const script = await res.text();
    expect(script).toContain('self.WardbellServiceWorker = {');
    expect(script.trimEnd().split('\n').at(-1)).toBe(`self.WardbellServiceWorker.installWardbellPush(${JSON.stringify({ apiUrl: wardbell.url, openUrl: '/' })});`);
  });

  it('registers /sw.js as a page loads, without asking about notifications, and the worker runs Wardbell\'s push handling', async () => {
    // A visitor's first page (the sign-in page): the worker starts without anything pressed.
    const visitor = await browser.newContext();
    try {
      const started = visitor.waitForEvent('serviceworker', { timeout: 15_000 });
      const page = watch(await visitor.newPage(), 'a visitor');
      await page.goto(`${app.url}/sign-in`);
      const worker = await started;
      expect(worker.url()).toBe(`${app.url}/sw.js`);
      expect(await eventually(() => activeWorker(page), { timeout: 10_000, message: 'an active service worker' })).toEqual({ scope: `${app.url}/`, script: `${app.url}/sw.js` });
      // What runs in it is the script the app serves: Wardbell's push handling, installed.
      expect(await worker.evaluate(() => typeof (self as unknown as { WardbellServiceWorker?: { installWardbellPush?: unknown } }).WardbellServiceWorker?.installWardbellPush)).toBe('function');
      expect(await page.evaluate(() => Notification.permission)).toBe('default');
    } finally {
      await visitor.close();
    }
    // And the signed-in pages: each of them registered it, and nobody was asked.
    for (const page of [kim, lee, leeSecondTab]) {
      expect(await eventually(() => activeWorker(page), { timeout: 10_000, message: 'an active service worker' })).toEqual({ scope: `${app.url}/`, script: `${app.url}/sw.js` });
      expect(await page.evaluate(() => Notification.permission)).toBe('default');
    }
    await kim.getByRole('button', { name: 'Turn on notifications on this device' }).waitFor();
  });

  it('a notification sent by a server action reaches the colleague\'s bell in under a second', async () => {
    // When the form is submitted (Kim's page) and when Lee's bell changes, by the pages' clocks (one machine's).
    await kim.evaluate(() => document.addEventListener('submit', () => ((window as unknown as { submittedAt: number }).submittedAt = Date.now()), { capture: true }));
    for (const page of [lee, leeSecondTab]) {
      await page.evaluate(() => {
        const w = window as unknown as { bellChanges: Array<[number, string | null]> };
        w.bellChanges = [];
        const b = document.querySelector('.wardbell-bell') as HTMLElement;
        new MutationObserver(() => w.bellChanges.push([Date.now(), b.getAttribute('aria-label')])).observe(b, { attributes: true, attributeFilter: ['aria-label'] });
      });
    }
    const form = kim.getByRole('form', { name: 'Send a notification' });
    await form.getByLabel('Colleague').selectOption('nurse-lee');
    await form.getByLabel('Title').fill('Bed 12: potassium 5.9');
    await form.getByLabel('Message').fill('Please review before the round.');
    await form.getByLabel('Priority').selectOption('high');
    await form.getByRole('button', { name: 'Send' }).click();

    const changedAt = (page: Page) =>
      eventually(() => page.evaluate(() => (window as unknown as { bellChanges: Array<[number, string | null]> }).bellChanges.find(([, label]) => label === 'Notifications, 1 unread')?.[0] ?? null), { timeout: 5000, message: 'the bell to say 1 unread' });
    const submittedAt = await kim.evaluate(() => (window as unknown as { submittedAt: number }).submittedAt);
    const latency = (await changedAt(lee)) - submittedAt;
    timings.latency = latency;
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThan(1000);
    await changedAt(leeSecondTab);
    await poll(() => form.getByRole('status').innerText()).toBe('Sent “Bed 12: potassium 5.9” to Lee Seo-yeon.');
    // Sent to Lee only: Kim's bell stays as it was.
    expect(await bellLabel(kim)).toBe('Notifications, none unread');
  });

  it('marking it read in one of Lee\'s tabs updates the badge in both', async () => {
    await openInbox(lee);
    const sent = item(lee, 'Bed 12: potassium 5.9');
    // The open inbox showed it: the sender's receipts say so (displayed by a page), and streamed.
    const id = (await sent.getAttribute('data-notification-id')) as string;
    const hospital = createApiClient({ baseUrl: wardbell.url, apiKey }).forTenant('hospital-a');
    await eventually(async () => {
      const lees = (await hospital.notifications.receipts(id)).recipients.find((r) => r.userId === 'nurse-lee');
      return lees?.displayedVia === 'page' && lees.streamedAt !== null;
    }, { timeout: 10_000, message: 'receipts: streamed and displayed for Lee' });
    expect(await sent.getAttribute('data-priority')).toBe('high');
    await expect.poll(() => sent.locator('.wardbell-item-body').innerText()).toBe('Please review before the round.');
    await sent.getByRole('button', { name: 'Mark read' }).click();
    await poll(() => bellLabel(lee)).toBe('Notifications, none unread');
    await poll(() => bellLabel(leeSecondTab)).toBe('Notifications, none unread');
    await openInbox(leeSecondTab);
    await poll(() => item(leeSecondTab, 'Bed 12: potassium 5.9').getByRole('button', { name: 'Mark unread' }).count()).toBe(1);
  });

  it('a swap request from a server action is approved in the colleague\'s inbox, and the requester hears it', async () => {
    const form = kim.getByRole('form', { name: 'Request a shift swap' });
    await form.getByLabel('Colleague').selectOption('nurse-lee');
    await form.getByLabel('Note').fill('Family event');
    await form.getByRole('button', { name: 'Ask' }).click();
    await poll(() => form.getByRole('status').innerText()).toMatch(/^Asked Lee Seo-yeon to take .+ \(swap pending\)\.$/);
    await poll(() => bellLabel(lee)).toBe('Notifications, 1 unread');
    const request = item(lee, 'Shift swap request');
    // Lee works in her first tab again (a tab in the background gets no animation frames, which clicks wait for).
    await lee.bringToFront();
    await request.getByRole('button', { name: 'Approve' }).click();
    await poll(() => bellLabel(kim)).toBe('Notifications, 1 unread');
    await openInbox(kim);
    await item(kim, 'Swap approved').waitFor();
  });

  it('an emergency call for the ward, accepted by one nurse, shows as filled for the other', async () => {
    const form = kim.getByRole('form', { name: 'Emergency call for ward 3' });
    await form.getByLabel('People needed').fill('1');
    await form.getByLabel('What is happening').fill('Two admissions from the ER');
    await form.getByRole('button', { name: 'Call the ward now' }).click();
    // Ward 3 is Kim, Lee and Park: the directory the app keeps in step with its staff.
    await poll(() => form.getByRole('status').innerText()).toBe('Emergency call raised for ward 3: 3 people reached, 1 needed.');
    const kimsCall = item(kim, 'Ward 3 needs help now');
    await kimsCall.getByRole('button', { name: 'Accept now' }).waitFor();
    const leesCall = item(lee, 'Ward 3 needs help now');
    await leesCall.getByRole('button', { name: 'Accept now' }).click();
    await kimsCall.getByRole('button', { name: 'Filled' }).waitFor();
    await poll(() => kimsCall.locator('.wardbell-item-body').innerText()).toMatch(/^Filled: 1 of 1 accepted\./);
    expect(await kimsCall.getByRole('button', { name: 'Accept now' }).count()).toBe(0);
    // Over for everyone: the button says so and cannot be pressed.
    expect(await kimsCall.getByRole('button', { name: 'Filled' }).isDisabled()).toBe(true);
  });
  it('"Turn on notifications on this device" registers the device with Wardbell, and a push to it is shown by the app\'s worker', async () => {
    const device = fake.subscription();
    await leeContext.grantPermissions(['notifications'], { origin: app.url });
    await lee.bringToFront();
    // Headless Chromium subscribes at no push service (a browser context is off the record, where
    // it refuses): the page's PushManager answers with a subscription at the fake one.
    await lee.evaluate((d) => {
      const w = window as unknown as { subscribedWith: string[] };
      w.subscribedWith = [];
      let current: PushSubscription | null = null;
      PushManager.prototype.getSubscription = async () => current;
      PushManager.prototype.subscribe = async (options?: PushSubscriptionOptionsInit) => {
        const key = options?.applicationServerKey as string;
        w.subscribedWith.push(key);
        const raw = Uint8Array.from(atob(key.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (key.length % 4)) % 4)), (c) => c.charCodeAt(0));
        current = { endpoint: d.endpoint, expirationTime: null, options: { userVisibleOnly: options?.userVisibleOnly, applicationServerKey: raw.buffer }, toJSON: () => ({ endpoint: d.endpoint, expirationTime: null, keys: d.keys }), unsubscribe: async () => ((current = null), true) } as unknown as PushSubscription;
        return current;
      };
    }, { endpoint: device.endpoint, keys: device.keys });
    await lee.getByRole('button', { name: 'Turn on notifications on this device' }).click();
    await lee.getByText('Push on', { exact: true }).waitFor();
    const { publicKey } = await createApiClient({ baseUrl: wardbell.url }).push.vapidPublicKey();
    expect(await lee.evaluate(() => (window as unknown as { subscribedWith: string[] }).subscribedWith)).toEqual([publicKey]);

    // Wardbell has the device, for Lee: read with her own token, from the app's token route.
    const { token } = (await (await leeContext.request.post(`${app.url}/api/wardbell/token`)).json()) as { token: string };
    const { subscriptions } = await createApiClient({ baseUrl: wardbell.url, getToken: () => token }).push.subscriptions();
    expect(subscriptions.map((x) => [x.endpoint, x.userId, x.tenantId])).toEqual([[device.endpoint, 'nurse-lee', 'hospital-a']]);

    // A notification for Lee is pushed to the device (encrypted to its keys, signed with Wardbell's VAPID key)...
    const cdp = await leeContext.newCDPSession(lee);
    const registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
    await cdp.send('ServiceWorker.enable');
    const { registrationId } = await eventually(() => registrations.find((r) => r.scopeURL === `${app.url}/` && !r.isDeleted) ?? null, { message: 'the worker\'s registration' });
    await createApiClient({ baseUrl: wardbell.url, apiKey }).forTenant('hospital-a').notifications.send({ title: 'Bed 4: fall risk', body: 'Bed alarm on, please.', to: { users: ['nurse-lee'] } });
    const [arrived] = await fake.waitFor(() => fake.for(device.id).some((r) => r.payload?.title === 'Bed 4: fall risk')).then(() => fake.for(device.id));
    expect(arrived?.vapid).toMatchObject({ ok: true });
    expect(arrived?.headers.authorization).toContain(`k=${publicKey}`);
    // ...and, handed to the browser as its push service would, the app's worker shows it.
    const shown = () => lee.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body })));
    let seen: Array<{ title: string; body: string }> = [];
    // Headless Chromium now and then loses a notification it reported shown; the push is then delivered again (the same tag replaces).
    for (let attempt = 0; attempt < 4 && !seen.some((n) => n.title === 'Bed 4: fall risk'); attempt++) {
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: app.url, registrationId, data: JSON.stringify(arrived?.payload) });
      seen = await eventually(async () => {
        const list = await shown();
        return list.some((n) => n.title === 'Bed 4: fall risk') ? list : null;
      }, { timeout: 2000, interval: 50 }).catch(() => []);
    }
    expect(seen).toEqual([{ title: 'Bed 4: fall risk', body: 'Bed alarm on, please.' }]);
    await cdp.detach();

    // A tap on it opens the app at that notification: the worker names it in the page it opens
    // (`/?notification=<id>`), or tells the open page of that path, which fetches it with Lee's token.
    const id = arrived?.payload?.id as string;
    const worker = leeContext.serviceWorkers().find((w) => w.url() === `${app.url}/sw.js`);
    expect(worker).toBeDefined();
    const url = await worker!.evaluate(async (tag: string) => {
      const g = self as unknown as { registration: ServiceWorkerRegistration; dispatchEvent(e: Event): boolean; NotificationEvent: new (type: string, init: { notification: Notification }) => Event };
      const [note] = await g.registration.getNotifications({ tag });
      if (note) g.dispatchEvent(new g.NotificationEvent('notificationclick', { notification: note }));
      return (note?.data as { url?: string } | undefined)?.url ?? null;
    }, arrived?.payload?.tag as string);
    expect(url).toBe(`/?notification=${id}`);
    // Both of Lee's tabs are at /: the one the worker focuses shows it, the other does not.
    const cards = [lee, leeSecondTab].map((p) => p.getByRole('region', { name: 'Opened from a notification' }));
    const shownIn = await eventually(async () => {
      const counts = await Promise.all(cards.map((c) => c.getByText('Bed 4: fall risk', { exact: true }).count()));
      return counts.some((n) => n > 0) ? counts : null;
    }, { timeout: 10_000, message: 'the opened notification in one of Lee\'s tabs' });
    expect(shownIn.sort()).toEqual([0, 1]);
    const tab = [lee, leeSecondTab][shownIn.indexOf(1)]!;
    const card = cards[shownIn.indexOf(1)]!;
    expect(await card.innerText()).toContain('Bed alarm on, please.');
    await tab.bringToFront(); // a background tab gets no animation frames, which a click waits for
    await tab.keyboard.press('Escape'); // the inbox panel, opened earlier, closes (it lies over the page's top right)
    await card.getByRole('button', { name: 'Close' }).click();
    await card.waitFor({ state: 'detached' });
    // Opened at the address itself (a new window), it shows the same, and the address loses the id.
    const opened = watch(await leeContext.newPage(), 'Lee Seo-yeon (opened from a push)');
    await opened.goto(`${app.url}${url}`);
    await opened.getByRole('region', { name: 'Opened from a notification' }).getByText('Bed 4: fall risk', { exact: true }).waitFor();
    expect(new URL(opened.url()).search).toBe('');
    await opened.close();
  });
});

/** Wardbell's own count of its streams (the Prometheus gauge and counter). */
async function streamMetrics(): Promise<{ open: number; opened: number }> {
  const text = await (await fetch(`${wardbell.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { open: read('wardbell_sse_connections'), opened: read('wardbell_sse_connections_opened_total') };
}

describe.skipIf(skip)('examples/nextjs: one stream per browser, shared by the tabs', { timeout: 60_000 }, () => {
  let context: BrowserContext;
  const tabs: Page[] = [];
  let base: { open: number; opened: number };
  const send = (title: string) => createApiClient({ baseUrl: wardbell.url, apiKey }).forTenant('hospital-a').notifications.send({ title, to: { users: ['nurse-choi'] } });
  const toasts = async (title: string) => (await Promise.all(tabs.filter((t) => !t.isClosed()).map((t) => t.locator('.toast', { hasText: title }).count()))).reduce((a, b) => a + b, 0);
  const openTab = async () => {
    const page = await context.newPage();
    await page.goto(`${app.url}/`);
    await poll(() => page.getByTestId('stream').getAttribute('data-state')).toBe('open');
    tabs.push(page);
    return page;
  };

  beforeAll(async () => {
    context = await browser.newContext();
    // The first browsers' streams are gone at Wardbell (their contexts closed just before): the counts start from none open.
    base = await eventually(async () => {
      const m = await streamMetrics();
      return m.open === 0 ? m : null;
    }, { timeout: 10_000, message: 'no stream open at Wardbell' });
    const first = await context.newPage();
    await first.goto(`${app.url}/sign-in`);
    await first.getByRole('button', { name: 'Sign in as Choi Yuna' }).click();
    await first.waitForURL(`${app.url}/`);
    await eventually(async () => (await first.getByTestId('stream').getAttribute('data-state')) === 'open', { timeout: 10_000, message: 'the first tab live' });
    tabs.push(first);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
  });

  it('three tabs of one nurse hold one stream at the service, and five still one', async () => {
    await openTab();
    await openTab();
    for (const t of tabs) await poll(() => bellLabel(t)).toBe('Notifications, none unread');
    expect(await Promise.all(tabs.map((t) => t.getByTestId('stream').getAttribute('data-role')))).toEqual(['leader', 'follower', 'follower']);
    const three = await streamMetrics();
    timings.streams3 = three.open - base.open;
    expect(three.open - base.open).toBe(1);
    expect(three.opened - base.opened).toBe(1);
    await openTab();
    await openTab();
    const five = await streamMetrics();
    timings.streams5 = five.open - base.open;
    timings.opened5 = five.opened - base.opened;
    expect([five.open - base.open, five.opened - base.opened]).toEqual([1, 1]);
  });

  it('a new notification reaches every tab\'s bell, and its toast shows in one tab only', async () => {
    await send('Ward 5: bed 2 call light');
    for (const t of tabs) await poll(() => bellLabel(t)).toBe('Notifications, 1 unread');
    await poll(() => toasts('Ward 5: bed 2 call light')).toBe(1);
    // Every tab has dispatched it (the bells say so): still one toast.
    expect(await toasts('Ward 5: bed 2 call light')).toBe(1);
  });

  it('closing the tab that holds the stream loses no event: one published while no tab holds it is replayed to the next leader from the last event id', async () => {
    const leader = tabs[0]!;
    const rest = tabs.filter((t) => t !== leader);
    expect(await leader.getByTestId('stream').getAttribute('data-role')).toBe('leader');
    const before = await streamMetrics();
    // The next leader's stream request is held in the browser until the event has been published:
    // meanwhile no tab of this browser has a stream at Wardbell.
    const held: Array<{ request: Request; continued: Promise<void> }> = [];
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const isStream = (url: URL) => url.origin === wardbell.url && url.pathname === '/api/sse';
    const hold = (route: Route) => {
      if (route.request().method() !== 'GET') return route.continue();
      const continued = released.then(() => route.continue());
      held.push({ request: route.request(), continued });
      return continued;
    };
    await context.route(isStream, hold);
    // With runBeforeUnload, close() returns before the page has gone: wait for it.
    const gone = new Promise((resolve) => leader.once('close', resolve));
    await leader.close({ runBeforeUnload: true });
    await gone;
    await eventually(() => held.length === 1, { timeout: 10_000, message: 'the next leader to ask for the stream' });
    const lastEventId = await held[0]!.request.headerValue('last-event-id');
    expect(lastEventId).toMatch(/\S/);
    await eventually(async () => (await streamMetrics()).open === before.open - 1, { timeout: 10_000, message: 'the old leader\'s stream closed at Wardbell' });
    expect((await streamMetrics()).opened).toBe(before.opened);

    await send('Sent while no tab holds the stream');
    for (const t of rest) await poll(() => t.getByTestId('stream').getAttribute('data-state')).toBe('connecting');
    // Nothing has reached the tabs: no stream carries it.
    for (const t of rest) expect(await bellLabel(t)).toBe('Notifications, 1 unread');
    expect(held).toHaveLength(1);
    release();
    await held[0]!.continued;
    await context.unroute(isStream, hold);

    await eventually(async () => (await Promise.all(rest.map((t) => t.getByTestId('stream').getAttribute('data-role')))).filter((r) => r === 'leader').length === 1, { timeout: 10_000, message: 'one new leader' });
    // Replayed on the new stream (a refetch makes no toast), once.
    await poll(() => toasts('Sent while no tab holds the stream')).toBe(1);
    await send('Sent after the handover');
    for (const t of rest) await poll(() => bellLabel(t)).toBe('Notifications, 3 unread');
    await poll(() => toasts('Sent after the handover')).toBe(1);
    expect(await toasts('Sent while no tab holds the stream')).toBe(1);
    const after = await streamMetrics();
    expect([after.open - before.open, after.opened - before.opened]).toEqual([0, 1]);
    expect([after.open - base.open, after.opened - base.opened]).toEqual([1, 2]);
    // No tab shows anything twice: in each, every toast once and every notification once in the inbox.
    for (const t of rest) {
      const shown = await t.locator('.toast').allInnerTexts();
      expect(new Set(shown).size).toBe(shown.length);
      await openInboxOf(t);
      for (const title of ['Ward 5: bed 2 call light', 'Sent while no tab holds the stream', 'Sent after the handover']) await poll(() => item(t, title).count()).toBe(1);
    }
  });
});

async function openInboxOf(page: Page): Promise<void> {
  await page.bringToFront();
  if ((await bell(page).getAttribute('aria-expanded')) !== 'true') await bell(page).click();
  await page.locator('.inbox-panel:not([hidden])').waitFor();
}
