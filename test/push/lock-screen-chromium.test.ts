/**
 * Lock-screen privacy in a real browser: a hospital on `lockScreen: generic` sends an emergency call
 * to ward 3 with names in every field; the push is encrypted to the fake push service, decrypted
 * there, handed to the service worker (`/sw.js`) in headless Chromium through the DevTools
 * protocol, and what the device shows is the service's generic text, nothing of the call; its
 * Accept button still accepts through the action route with the push's token. A tap on the
 * notification itself brings up the app's page at that notification (`?notification=<id>`, or the
 * worker's message to the open page it focuses), which fetches the details with the user's token.
 */
import type { Browser, BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/service.js';
import { FakePushService } from './helpers/fake-push-service.js';
import { eventually } from '../helpers/eventually.js';
import { launchChromium, skipWithoutChromium } from '../helpers/browser.js';
import { api, startPushService, type Api } from './helpers/push-service.js';

const skip = skipWithoutChromium(import.meta.url);

let fake: FakePushService;
let svc: TestService;
let a: Api;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let sw: Worker;
let registrationId: string;
let service: string;
let kim: string;

interface Shown {
  title: string;
  body: string;
  tag: string;
  requireInteraction: boolean;
  actions: Array<{ action: string; title: string }>;
  data: Record<string, any>;
}

interface SwScope {
  registration: { getNotifications(filter?: { tag?: string }): Promise<Notification[]> };
  dispatchEvent(e: Event): boolean;
  NotificationEvent: new (type: string, init: { notification: Notification; action?: string }) => Event;
}

const shown = () =>
  page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    const list = await reg.getNotifications();
    return list.map((n: Notification) => ({ title: n.title, body: n.body, tag: n.tag, requireInteraction: n.requireInteraction, actions: ((n as unknown as { actions: Array<{ action: string; title: string }> }).actions ?? []).map((x) => ({ action: x.action, title: x.title })), data: n.data as Record<string, any> }));
  }) as Promise<Shown[]>;

/** Hands a push message to the service worker as the browser's push service would (again if headless Chromium lost it). */
async function deliver(data: string, tag: string): Promise<Shown> {
  for (let attempt = 0; attempt < 4; attempt++) {
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: svc.url, registrationId, data });
    const hit = await eventually(async () => (await shown()).find((n) => n.tag === tag) ?? null, { timeout: 2000, interval: 50 }).catch(() => null);
    if (hit) return hit;
  }
  throw new Error(`no notification with tag ${tag} was shown`);
}

const worker = (): Worker => context.serviceWorkers().find((w) => w.url().startsWith(svc.url)) ?? sw;
const messages = () => page.evaluate(() => (window as unknown as { wardbellMessages: unknown[] }).wardbellMessages) as Promise<Array<Record<string, any>>>;

/** An urgent emergency call sent to Kim's new device (subscribed through the API); resolves with its id and the push as the fake push service decrypted it. */
async function pushToKim(content: { title: string; body: string; data?: Record<string, unknown>; actions: Array<Record<string, string>>; to: Record<string, unknown> }) {
  const device = fake.subscription();
  expect((await a.subscribe(kim, device)).status).toBe(201);
  const sent = await a.call('POST', '/api/notifications', service, { type: 'emergency_call', priority: 'urgent', ...content });
  expect(sent.status).toBe(201);
  const id = sent.json.notification.id as string;
  await fake.waitFor(() => fake.for(device.id).some((m) => m.payload?.id === id));
  return { id, arrived: fake.for(device.id).find((m) => m.payload?.id === id) };
}

beforeAll(async () => {
  if (skip) return;
  browser = await launchChromium(import.meta.url);
  fake = await FakePushService.start();
  svc = await startPushService(fake);
  a = api(svc.url);
  service = await svc.token({ tenantId: 'h1', userId: 'dr-walrus', roles: ['service'] });
  kim = await svc.token({ tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] });
  const admin = await svc.token({ tenantId: 'h1', userId: 'boss', roles: ['admin'] });
  expect((await a.call('PUT', '/api/directory/members', service, { members: [{ userId: 'kim', roles: ['nurse'], wards: ['3'] }] })).status).toBe(200);
  expect((await a.call('PUT', '/api/tenant/settings', admin, { lockScreen: 'generic' })).json).toEqual({ lockScreen: 'generic' });

  context = await browser.newContext();
  await context.grantPermissions(['notifications'], { origin: svc.url });
  page = await context.newPage();
  cdp = await context.newCDPSession(page);
  const registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
  await cdp.send('ServiceWorker.enable');
  await page.goto(`${svc.url}/healthz`);
  const workerStarted = context.waitForEvent('serviceworker');
  await page.evaluate(async () => {
    const w = window as unknown as { wardbellMessages: unknown[] };
    w.wardbellMessages = [];
    navigator.serviceWorker.addEventListener('message', (e) => w.wardbellMessages.push(e.data));
    await navigator.serviceWorker.register('/sw.js');
    await navigator.serviceWorker.ready;
  });
  sw = await workerStarted;
  const reg = await eventually(() => registrations.find((r) => r.scopeURL === `${svc.url}/` && !r.isDeleted) ?? null, { message: 'service worker registration' });
  registrationId = reg.registrationId;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await svc?.close();
  await fake?.close();
});

describe.skipIf(skip)('a generic lock screen in Chromium', () => {
  it('shows "Urgent call, Ward 3" and nothing of the call, and its Accept button accepts', async () => {
    const { id, arrived } = await pushToKim({
      title: 'Cardiac arrest, bed 12: Quokka Tanaka',
      body: 'Narwhal Kim, come to room 4711 now.',
      data: { patient: 'Quokka Tanaka' },
      actions: [{ id: 'accept', label: 'Accept for Quokka', style: 'primary' }, { id: 'phone', label: 'Phone Narwhal' }],
      to: { topic: 'ward:3' },
    });
    expect(arrived?.payload).toMatchObject({ id, lockScreen: 'generic' });

    const n = await deliver(JSON.stringify(arrived?.payload), arrived?.payload?.tag);
    expect(n).toMatchObject({ title: 'Urgent call, Ward 3', body: 'Open the app to see the details.', requireInteraction: true, actions: [{ action: 'accept', title: 'Accept' }] });
    const everything = JSON.stringify([await shown(), await messages()]);
    for (const word of ['Cardiac', 'bed 12', 'Quokka', 'Tanaka', 'Narwhal', '4711', 'Phone', 'walrus']) expect(everything).not.toContain(word);

    await worker().evaluate(async () => {
      const g = self as unknown as SwScope;
      const [note] = await g.registration.getNotifications();
      if (note) g.dispatchEvent(new g.NotificationEvent('notificationclick', { notification: note, action: 'accept' }));
    });
    const click = await eventually(async () => (await messages()).find((m) => m.type === 'wardbell:notification-click') ?? null, { message: 'click reported' });
    expect(click).toMatchObject({ id, action: 'accept', result: { ok: true, status: 200 } });
    expect((await a.call('GET', `/api/notifications/${id}`, kim)).json.actedAction).toBe('accept');
    // The answer on the lock screen names the generic button only.
    const after = await eventually(async () => (await shown()).find((s) => s.title.startsWith('Accept')) ?? null, { message: 'answer shown' });
    expect(after).toMatchObject({ title: 'Accept \u2713', body: 'Accept: done' });
  });

  it('a tap on it opens the app at that notification, whose details the page fetches with the user\'s credentials', async () => {
    const { id, arrived } = await pushToKim({
      title: 'Short on ward 3 tonight: Quokka Tanaka off sick',
      body: 'Narwhal Kim asks who can take the night shift.',
      actions: [{ id: 'accept', label: 'Accept now', style: 'primary' }],
      to: { users: ['kim'] },
    });
    const n = await deliver(JSON.stringify(arrived?.payload), arrived?.payload?.tag);
    expect(n.title).toBe('Urgent call');
    expect(JSON.stringify(n)).not.toContain('Quokka');
    // The app's page is open, signed in as Kim (the console; its session is per tab, given here by an init script).
    await context.addInitScript((token: string) => sessionStorage.setItem('wardbell.console.session', JSON.stringify({ mode: 'token', token, senderToken: null })), kim);
    const app = await context.newPage();
    await app.goto(`${svc.url}/api-test/realtime`);
    await app.getByRole('tab', { name: /^Inbox/ }).waitFor();
    // The tap. A script cannot open a window for it (that takes the user's own tap), so it focuses
    // the open page with the same path, which the worker tells it is for: the page shows it.
    await worker().evaluate(async (tag: string) => {
      const g = self as unknown as SwScope;
      const [note] = await g.registration.getNotifications({ tag });
      if (note) g.dispatchEvent(new g.NotificationEvent('notificationclick', { notification: note }));
    }, n.tag);
    const section = app.getByRole('region', { name: 'Opened from a notification' });
    await section.getByRole('heading', { name: 'Short on ward 3 tonight: Quokka Tanaka off sick' }).waitFor({ timeout: 10_000 });
    expect(await section.innerText()).toContain('Narwhal Kim asks who can take the night shift.');
    expect(await app.getByRole('tab', { name: /^Inbox/ }).getAttribute('aria-selected')).toBe('true');
    // The page the worker would open names the notification; opened there, it shows it the same way.
    expect(n.data.url).toBe(`/api-test/realtime?notification=${id}`);
    const direct = await context.newPage();
    await direct.goto(`${svc.url}${n.data.url as string}`);
    await direct.getByRole('region', { name: 'Opened from a notification' }).getByRole('heading', { name: 'Short on ward 3 tonight: Quokka Tanaka off sick' }).waitFor({ timeout: 10_000 });
    // The id is taken out of the address once read (a reload does not open it again).
    expect(new URL(direct.url()).searchParams.has('notification')).toBe(false);
    // The tap was reported as opened (the worker's receipt with the push's token).
    await eventually(async () => ((await a.call('GET', `/api/notifications/${id}/receipts`, service)).json.summary?.opened ?? 0) >= 1 || null, { message: 'opened receipt' });
    await Promise.all([app.close(), direct.close()]);
  });
});
