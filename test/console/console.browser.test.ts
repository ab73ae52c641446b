/**
 * The console end to end, in a real headless Chromium against a real service: two users in two
 * browser contexts, live delivery, action buttons, disconnect/replay, log filters, reset, and (in
 * development mode) the dev token route, the swap and emergency-call workflows, push and metrics.
 * Screenshots of each view go to test-output/console/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signDevToken } from '../../packages/wardbell/src/auth/index.js';
import type { Wardbell } from '../../packages/wardbell/src/compose.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startService, TEST_SECRET, type TestService } from '../helpers/service.js';
import { launchChromium, skipWithoutChromium } from '../helpers/browser.js';
import { docShot, ensureConsoleBuilt, freePort, openConsole, pasteToken, putMembers, shot, startDevService, startRestartable, tab, waitLive } from './helpers.js';

const TENANT = 'hospital-a';
const nurse = (userId: string) => ({ userId, roles: ['nurse'], wards: ['3'] });

const skip = skipWithoutChromium(import.meta.url);
let browser: Browser;
const services: TestService[] = [];

beforeAll(async () => {
  if (skip) return;
  browser = await launchChromium(import.meta.url);
  await ensureConsoleBuilt();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const s of services) await s.close();
});

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();
/** expect.poll with a timeout fit for a browser on a busy machine. */
const poll = <T>(fn: () => Promise<T> | T, opts: { timeout?: number } = {}) => expect.poll(fn, { timeout: opts.timeout ?? 15_000, interval: 100 });

describe.skipIf(skip)('console with pasted tokens (service with a configured key)', { timeout: 90_000 }, () => {
  let s: TestService;
  let svc: string;
  let kim: Page;
  let lee: Page;
  const errors: string[][] = [];

  beforeAll(async () => {
    s = await startService();
    services.push(s);
    svc = await s.token({ tenantId: TENANT, userId: 'scheduler', roles: ['service'] });
    await putMembers(s.url, svc, [nurse('nurse-kim'), nurse('nurse-lee')]);
    const a = await openConsole(browser, s.url);
    const b = await openConsole(browser, s.url);
    kim = a.page;
    lee = b.page;
    errors.push(a.errors, b.errors);
    // No dev token route on this service: the console offers only the paste form.
    await kim.locator('[role="radio"][aria-checked="true"]', { hasText: 'Paste a token' }).waitFor();
    expect(await kim.getByRole('radio', { name: 'Development' }).isDisabled()).toBe(true);
    await pasteToken(kim, await s.token({ tenantId: TENANT, ...nurse('nurse-kim') }), await s.token({ tenantId: TENANT, userId: 'nurse-kim', roles: ['service'] }));
    await pasteToken(lee, await s.token({ tenantId: TENANT, ...nurse('nurse-lee') }));
    await Promise.all([waitLive(kim), waitLive(lee)]);
  }, 60_000);

  afterAll(() => {
    expect(errors.flat()).toEqual([]);
  });

  it('shows who the console acts as and the live connection', async () => {
    expect(await text(kim, '[data-testid="who-user"]')).toBe('nurse-kim');
    expect(await text(lee, '[data-testid="who-user"]')).toBe('nurse-lee');
    expect(await text(lee, '[data-testid="opened"]')).toBe('1');
    await shot(lee, 'stream-empty-desktop');
  });

  it('sends from one user, the other sees it live, presses its action, the first sees the answer', async () => {
    await tab(lee, 'Inbox');
    await tab(kim, 'Send');
    await kim.getByLabel('Title', { exact: true }).fill('Blood results ready');
    await kim.getByLabel('Body', { exact: true }).fill('Bed 12: potassium 5.9, please review.');
    await kim.getByRole('radio', { name: 'high' }).check();
    await kim.getByLabel('User ids', { exact: true }).fill('nurse-lee');
    await kim.getByLabel('Action buttons', { exact: true }).selectOption('ack');
    await kim.getByRole('button', { name: 'Send notification' }).click();
    await poll(() => text(kim, '[aria-label="Send result"]')).toContain('Sent “Blood results ready” to 1 recipient');

    const item = lee.getByRole('article', { name: 'Blood results ready' });
    await item.waitFor();
    await poll(() => text(lee, '[data-testid="unread-count"]')).toBe('1');
    expect(await lee.getByRole('tab', { name: /Inbox/ }).innerText()).toContain('1');
    await shot(lee, 'inbox-arrived-desktop');

    await item.getByRole('button', { name: 'Acknowledge' }).click();
    await poll(() => item.getByLabel('Action result', { exact: true }).innerText()).toContain('recorded');
    await poll(() => text(lee, '[data-testid="unread-count"]')).toBe('0');

    const sent = kim.getByRole('article', { name: 'Blood results ready' });
    await poll(() => sent.innerText()).toMatch(/nurse-lee\s+pressed\s+ack/);
    await shot(kim, 'send-answered-desktop');
    await shot(lee, 'inbox-answered-desktop');
  });

  it('marks read and deletes (one and all), and keeps the badge right', async () => {
    for (const title of ['Linen delivery at 14:00', 'Fire drill tomorrow']) {
      const r = await postJson(`${s.url}/api/notifications`, { title, priority: 'low', to: { users: ['nurse-lee'] } }, svc);
      expect(r.status).toBe(201);
    }
    await poll(() => text(lee, '[data-testid="unread-count"]')).toBe('2');
    await lee.getByRole('article', { name: 'Fire drill tomorrow' }).getByRole('button', { name: 'Mark read' }).click();
    await poll(() => text(lee, '[data-testid="unread-count"]')).toBe('1');
    await lee.getByRole('button', { name: 'Delete Fire drill tomorrow' }).click();
    await lee.getByRole('article', { name: 'Fire drill tomorrow' }).waitFor({ state: 'detached' });
    await lee.getByRole('button', { name: 'Mark all read' }).click();
    await poll(() => text(lee, '[data-testid="unread-count"]')).toBe('0');
    await lee.getByRole('button', { name: 'Delete all' }).click();
    await lee.getByRole('button', { name: 'Confirm delete all' }).click();
    await lee.getByText('The inbox is empty').waitFor();
  });

  it('disconnects, misses events, reconnects and gets exactly the missed ones replayed', async () => {
    await tab(lee, 'Stream');
    const before = await text(lee, '[data-testid="last-event-id"]');
    await lee.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await lee.locator('.connection-card [data-state="closed"]').waitFor();

    for (const title of ['Missed while away 1', 'Missed while away 2']) {
      expect((await postJson(`${s.url}/api/notifications`, { title, priority: 'medium', to: { users: ['nurse-lee'] } }, svc)).status).toBe(201);
    }
    expect((await postJson(`${s.url}/api/events`, { type: 'schedule.updated', data: { scheduleId: 'dec', note: 'missed too' }, to: { users: ['nurse-lee'] } }, svc)).status).toBe(202);
    const replaysBefore = await replays(s.url);

    await lee.getByRole('button', { name: 'Connect', exact: true }).click();
    await waitLive(lee);
    const log = lee.getByRole('log', { name: 'Event log' });
    await log.locator('li', { hasText: 'Missed while away 2' }).waitFor();
    await log.locator('li', { hasText: 'missed too' }).waitFor();
    expect(await text(lee, '[data-testid="opened"]')).toBe('2');
    // They came over the second connection, from the server's replay of Last-Event-ID.
    expect(await log.locator('li', { hasText: 'Missed while away 1' }).innerText()).toContain('#2');
    expect(await replays(s.url)).toBe(replaysBefore + 1);
    expect(await text(lee, '[data-testid="last-event-id"]')).not.toBe(before);
    await tab(lee, 'Inbox');
    await poll(() => text(lee, '[data-testid="unread-count"]')).toBe('2');
    await tab(lee, 'Stream');
    await shot(lee, 'stream-replayed-desktop');
  });

  it('filters the log by type and by text', async () => {
    const log = lee.getByRole('log', { name: 'Event log' });
    const count = (type: string) => log.locator(`li[data-type="${type}"]`).count();
    expect(await count('notification')).toBeGreaterThanOrEqual(2);
    expect(await count('schedule.updated')).toBe(1);

    await lee.getByRole('checkbox', { name: 'notification', exact: true }).uncheck();
    expect(await count('notification')).toBe(0);
    expect(await count('schedule.updated')).toBe(1);
    expect(await count('inbox.updated')).toBeGreaterThan(0);
    await shot(lee, 'stream-filtered-desktop');

    await lee.getByRole('button', { name: 'All types' }).click();
    await lee.getByLabel('Search events', { exact: true }).fill('Missed while away 1');
    await poll(() => log.locator('li').count()).toBe(1);
    await lee.getByLabel('Search events', { exact: true }).fill('');
    await lee.getByRole('button', { name: 'No types' }).click();
    await lee.getByText('No event matches the filters.').waitFor();
    await lee.getByRole('button', { name: 'All types' }).click();
  });

  it('shows a reset when the server cannot replay from the given position', async () => {
    await lee.getByText('Advanced: resume point, topics, history').click();
    await lee.getByLabel('Resume from event id', { exact: true }).fill('zzzzzzzzzz-000000000001');
    await lee.getByRole('button', { name: 'Reconnect from id' }).click();
    await lee.locator('.reset-banner').waitFor();
    expect(await text(lee, '.reset-banner')).toMatch(/epoch-mismatch|unknown-id/);
    expect(await text(lee, '[data-testid="resets"]')).toBe('1');
    await lee.getByRole('log', { name: 'Event log' }).locator('li[data-type="reset"]').waitFor();
    await waitLive(lee);
    await shot(lee, 'stream-reset-desktop');
  });
});

async function replays(url: string): Promise<number> {
  const m = /^wardbell_sse_replays_total (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text());
  return Number(m?.[1] ?? NaN);
}

describe.skipIf(skip)('console in development mode', { timeout: 120_000 }, () => {
  let s: TestService;
  let kim: Page;
  let lee: Page;

  beforeAll(async () => {
    s = await startDevService();
    services.push(s);
    kim = (await openConsole(browser, s.url)).page;
    await kim.getByLabel('User', { exact: true }).fill('nurse-kim');
    await kim.getByRole('button', { name: 'Get token' }).click();
    await waitLive(kim);
    // The "open a second tab as" link: a phone-sized second user signed in from the URL.
    lee = (await openConsole(browser, s.url, { phone: true, hash: '#as=nurse-lee&tenant=hospital-a&roles=nurse&wards=3' })).page;
    await waitLive(lee);
  }, 60_000);

  it('mints tokens with the dev token route and sends a test event with the console’s service token', async () => {
    expect(await text(kim, '[data-testid="who-user"]')).toBe('nurse-kim');
    expect(await text(lee, '[data-testid="who-user"]')).toBe('nurse-lee');
    await kim.getByRole('button', { name: 'Send test event' }).click();
    await poll(() => text(kim, '[aria-label="Test event result"]')).toContain('Published schedule.updated');
    await kim.getByRole('log', { name: 'Event log' }).locator('li', { hasText: 'from the console' }).waitFor();

    await kim.getByRole('radio', { name: 'The whole tenant' }).check();
    await kim.getByLabel('Event type', { exact: true }).selectOption('schedule.published');
    await kim.getByRole('button', { name: 'Send test event' }).click();
    await lee.getByRole('log', { name: 'Event log' }).locator('li[data-type="schedule.published"]').waitFor();
  });

  it('runs a shift swap end to end between two users', async () => {
    await tab(kim, 'Workflows');
    await tab(lee, 'Inbox');
    await kim.getByLabel('Ask (user id)', { exact: true }).fill('nurse-lee');
    await kim.getByLabel('Shift label', { exact: true }).fill('Night shift, ward 3');
    await kim.getByRole('button', { name: 'Request swap' }).click();
    await poll(() => text(kim, '[aria-label="Swap result"]')).toContain('Asked nurse-lee');

    const request = lee.getByRole('article', { name: 'Shift swap request' });
    await request.waitFor();
    await shot(lee, 'inbox-swap-phone');
    await request.getByRole('button', { name: 'Approve' }).click();
    await poll(() => request.getByLabel('Action result', { exact: true }).innerText()).toContain('approved');
    await poll(() => text(kim, '[data-testid="swap-status"]')).toBe('approved');
    await tab(kim, 'Inbox');
    await kim.getByRole('article', { name: 'Swap approved' }).waitFor();
    await tab(kim, 'Workflows');
  });

  it('runs an emergency call end to end: called, accepted, filled', async () => {
    await kim.getByLabel('Call topic', { exact: true }).fill('ward:3');
    await kim.getByRole('button', { name: 'Call now' }).click();
    await poll(() => text(kim, '[aria-label="Call result"]')).toContain('needed');
    const call = lee.getByRole('article', { name: 'Emergency call' });
    await call.waitFor();
    // The caller's timeline, open while the call runs: live, read again as it changes.
    await kim.locator('.call-timeline summary').first().click();
    const timeline = kim.getByRole('list', { name: 'Call timeline' }).first();
    const kinds = async () => (await timeline.locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).join(' ');
    await poll(kinds).toMatch(/^created notified/);
    expect(await kinds()).not.toMatch(/accepted|filled/);
    await call.getByRole('button', { name: 'Accept now' }).click();
    await poll(() => call.getByLabel('Action result', { exact: true }).innerText()).toContain('filled');
    await poll(() => text(kim, '[data-testid="call-status"]')).toBe('filled');
    // Who was reached, who answered, in order: arrived in the open timeline without reopening it.
    await poll(kinds).toMatch(/^created notified .*accepted.* filled/);
    await poll(() => timeline.innerText()).toContain('lee accepted');
    await shot(kim, 'workflows-desktop');
    await shot(lee, 'inbox-phone');
    await docShot(lee, 'console-phone.png');
  });

  it('publishes a schedule to the ward and schedules a shift reminder', async () => {
    await kim.getByRole('button', { name: 'Publish schedule' }).click();
    await poll(() => text(kim, '[aria-label="Schedule result"]')).toContain('Schedule published: 2 recipient(s)');
    await lee.getByRole('article', { name: 'New schedule published' }).waitFor();
    await kim.getByRole('button', { name: 'Schedule reminder' }).click();
    await poll(() => text(kim, '[aria-label="Schedule result"]')).toContain('Reminder scheduled for');
  });

  it('shows push support, subscriptions and statistics, and handles a browser without a push service', async () => {
    await tab(kim, 'Push');
    await kim.getByRole('list', { name: 'Push support' }).getByText('service workers').waitFor();
    await kim.getByRole('button', { name: 'Send test push' }).click();
    await poll(() => text(kim, '[aria-label="Push result"]')).toContain('subscribe first');
    await kim.getByRole('button', { name: /Subscribe this browser|Update subscription/ }).click();
    // A test browser context is off the record, and Chromium makes no push subscriptions there (it
    // refuses at once, whatever the permission): the worker registers, the subscription fails, and
    // the page says so and why.
    await poll(() => text(kim, '[aria-label="Push result"]'), { timeout: 20_000 }).toBe(
      'Could not subscribe: Registration failed - permission denied. This browser may have no push service (headless, or a Chromium build without one) or notifications are blocked for this site.',
    );
    await poll(() => kim.locator('.push-browser .kv dd').first().innerText()).toContain('active');
    expect(await kim.locator('.push-browser .kv dd').nth(1).innerText()).toBe('none');
    await kim.getByRole('heading', { name: 'Push statistics' }).waitFor();
    await kim.locator('.push-stats .stat').first().waitFor();
    await shot(kim, 'push-desktop');
  });

  it('shows the live dashboard from /metrics', async () => {
    await tab(kim, 'Dashboard');
    await poll(() => text(kim, '.tile-value[aria-label^="Open connections"]')).toMatch(/^[1-9]\d*$/);
    await poll(() => text(kim, '.tile-ready .tile-value')).toBe('ready');
    const actions = kim.locator('.stat', { has: kim.locator('dt', { hasText: 'Actions pressed' }) }).locator('dd');
    await poll(async () => Number(await actions.innerText())).toBeGreaterThanOrEqual(2);
    const refused = kim.locator('.stat', { has: kim.locator('dt', { hasText: 'Streams refused' }) }).locator('dd');
    expect(await refused.innerText()).toBe('0');
    // The process card reads prom-client's standard names (nodejs_heap_size_used_bytes, process_start_time_seconds, event-loop lag).
    const processStat = (label: string) => kim.locator('.stat', { has: kim.locator('dt', { hasText: label }) }).locator('dd');
    await poll(() => processStat('Heap used').innerText()).toMatch(/^[1-9]\d* MB$/);
    await poll(() => processStat('Memory (RSS)').innerText()).toMatch(/^[1-9]\d* MB$/);
    expect(await processStat('Event-loop lag (p99)').innerText()).toMatch(/^\d+(\.\d)? ms$/);
    expect(await processStat('Uptime').innerText()).toMatch(/^\d+ min$/);
    await kim.locator('.spark .spark-line').first().waitFor({ state: 'attached' }); // a second scrape: the sparklines have a line (flat ones have no box)
    await shot(kim, 'dashboard-desktop');
    await tab(kim, 'Stream');
    await shot(kim, 'stream-desktop');
    await docShot(kim, 'console.png');
  });
});

describe.skipIf(skip)('console across a service restart', { timeout: 90_000 }, () => {
  it('shows the reconnect attempts while the service is down, then resumes on its own without a reset', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wardbell-console-restart-'));
    const port = await freePort();
    const sign = (id: { userId: string; roles: string[]; wards?: string[] }) =>
      signDevToken({ tenantId: TENANT, wards: [], ...id }, new TextEncoder().encode(TEST_SECRET), 600);
    let service: Wardbell | null = await startRestartable(dataDir, port);
    try {
      const url = `http://127.0.0.1:${port}`;
      const svc = await sign({ userId: 'scheduler', roles: ['service'] });
      await putMembers(url, svc, [nurse('nurse-park')]);
      const { page } = await openConsole(browser, url);
      await pasteToken(page, await sign(nurse('nurse-park')));
      await waitLive(page);
      expect((await postJson(`${url}/api/notifications`, { title: 'Before the restart', to: { users: ['nurse-park'] } }, svc)).status).toBe(201);
      await page.getByRole('log', { name: 'Event log' }).locator('li', { hasText: 'Before the restart' }).waitFor();

      await service.close();
      service = null;
      await page.locator('.connection-card [data-state="reconnecting"]').waitFor();
      await poll(async () => Number(await text(page, '[data-testid="attempts"]'))).toBeGreaterThanOrEqual(1);
      await shot(page, 'stream-reconnecting-desktop');

      service = await startRestartable(dataDir, port);
      await waitLive(page);
      // At least one new stream; on a busy machine an attempt may open just as the service starts
      // and be replaced, so the count can be higher than 2.
      await poll(async () => Number(await text(page, '[data-testid="opened"]'))).toBeGreaterThanOrEqual(2);
      await poll(() => text(page, '[data-testid="attempts"]')).toBe('0');
      expect(await text(page, '[data-testid="resets"]')).toBe('0');
      expect((await postJson(`${url}/api/notifications`, { title: 'After the restart', to: { users: ['nurse-park'] } }, svc)).status).toBe(201);
      const after = page.getByRole('log', { name: 'Event log' }).locator('li', { hasText: 'After the restart' });
      await after.waitFor();
      expect(await after.innerText()).toContain(`#${await text(page, '[data-testid="opened"]')}`);
    } finally {
      await service?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
