/**
 * `@wardbell/client/service-worker` without a browser: the pure helpers, and `installWardbellPush`
 * against a scripted service worker scope (its fetch, registration and clients), fed push and
 * notificationclick events. The real browser is test/push/chromium.test.ts.
 */
import { createContext, runInContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clickTarget,
  DEFAULT_GENERIC_TEXT,
  installWardbellPush,
  notificationFor,
  pressRequest,
  pressResultText,
  readPushPayload,
  resolveApiBase,
  type WardbellNotificationData,
  type WardbellNotificationOptions,
  type WardbellPush,
  type WardbellPushOptions,
  type WardbellServiceWorkerScope,
  type WardbellWorkerMessage,
} from '@wardbell/client/service-worker';
import * as moduleExports from '@wardbell/client/service-worker';
import { WARDBELL_SERVICE_WORKER_CLASSIC } from '@wardbell/client/service-worker-script';
import { SERVICE_WORKER_JS } from '../../packages/wardbell/src/push/sw.js';
import { buildPayload, DEFAULT_CLICK_PATH, GENERIC_BODY } from '../../packages/wardbell/src/push/payload.js';

const ORIGIN = 'https://app.example';

/** A push as the service sends it (packages/wardbell/src/push/payload.ts buildPayload). */
const payload = (over: Record<string, unknown> = {}) => ({
  v: 1,
  id: 'n-1',
  type: 'emergency_call',
  priority: 'urgent',
  title: 'Emergency: ward 3, bed 12',
  body: 'Cardiac arrest, Kim Tanaka needed now.',
  actions: [{ id: 'accept', label: 'Accept now', style: 'primary' }, { id: 'decline', label: 'Decline' }, { id: 'later', label: 'Later' }],
  data: { ward: '3' },
  url: '/calls/n-1',
  token: 'act-token',
  tag: 'tag-1',
  createdAt: '2026-11-26T07:00:00.000Z',
  ...over,
});

const push = (over: Record<string, unknown> = {}) => readPushPayload(payload(over)) as WardbellPush;

/** The same emergency call as the service sends it for a tenant whose lock screens are generic (buildPayload itself). */
const genericPayload = (over: Record<string, unknown> = {}) =>
  JSON.parse(
    buildPayload(
      {
        id: 'n-1', tenantId: 'h1', type: 'emergency_call', priority: 'urgent', title: 'Emergency: ward 3, bed 12', body: 'Cardiac arrest, Kim Tanaka needed now.',
        data: { ward: '3', url: '/calls/kim-tanaka' }, actions: [{ id: 'accept', label: 'Accept now', style: 'primary' }, { id: 'decline', label: 'Decline Kim' }, { id: 'later', label: 'Later' }],
        groupKey: null, state: null, createdAt: Date.parse('2026-11-26T07:00:00.000Z'), lockScreen: 'generic', ward: '3', ...over,
      },
      'act-token',
    ).toString('utf8'),
  ) as Record<string, unknown>;
const CONTENT = ['Emergency', 'ward 3', 'bed 12', 'Cardiac', 'Kim', 'Tanaka', 'Accept now', 'Later', '/calls/'];

interface Answer {
  status: number;
  body?: unknown;
}

/** The action presses among a worker's requests (its receipts are the others). */
const presses = (w: { requests: Array<{ url: string; init: { method: string; headers: Record<string, string>; credentials: string } }> }) => w.requests.filter((r) => r.url.includes('/actions/'));

/** A service worker scope whose effects are recorded: notifications shown, messages, windows, requests. */
function fakeWorker(opts: { href?: string; windows?: string[]; answer?: Answer | 'network-error'; maxActions?: number } = {}) {
  const listeners = new Map<string, (event: unknown) => void>();
  const shown: Array<{ title: string; options: WardbellNotificationOptions }> = [];
  const posted: Array<{ to: string; message: WardbellWorkerMessage }> = [];
  const requests: Array<{ url: string; init: { method: string; headers: Record<string, string>; credentials: string } }> = [];
  const opened: string[] = [];
  const focused: string[] = [];
  const life = { skipped: false, claimed: false, closed: 0 };
  const windows = (opts.windows ?? []).map((url) => ({
    url,
    postMessage: (message: WardbellWorkerMessage) => void posted.push({ to: url, message }),
    focus: async () => void focused.push(url),
  }));
  const href = opts.href ?? `${ORIGIN}/sw.js`;
  const scope: WardbellServiceWorkerScope = {
    location: { href, origin: new URL(href).origin },
    registration: { showNotification: async (title, options) => void shown.push({ title, options }) },
    clients: {
      matchAll: async () => windows,
      openWindow: async (url) => void opened.push(url),
      claim: async () => void (life.claimed = true),
    },
    addEventListener: (type, listener) => void listeners.set(type, listener as (event: unknown) => void),
    skipWaiting: async () => void (life.skipped = true),
    fetch: async (url, init) => {
      requests.push({ url, init });
      const a = opts.answer ?? { status: 200, body: { notificationId: 'n-1', actionId: 'accept', result: 'accepted', message: 'Accepted (1 of 2). Thank you.' } };
      if (a === 'network-error') throw new TypeError('Failed to fetch');
      return { ok: a.status >= 200 && a.status < 300, status: a.status, json: async () => a.body };
    },
    ...(opts.maxActions !== undefined ? { Notification: { maxActions: opts.maxActions } } : {}),
  };
  /** Dispatches an event and waits for the work it handed to waitUntil. */
  const dispatch = async (type: string, event: Record<string, unknown> = {}) => {
    const listener = listeners.get(type);
    if (!listener) throw new Error(`no ${type} listener`);
    const work: Array<Promise<unknown>> = [];
    listener({ ...event, waitUntil: (p: Promise<unknown>) => void work.push(p) });
    await Promise.all(work);
  };
  return {
    scope,
    listeners,
    shown,
    posted,
    requests,
    opened,
    focused,
    life,
    dispatch,
    /** A push message: JSON (an object) or raw text that may not parse. */
    push: (data: unknown) => dispatch('push', { data: { json: () => (typeof data === 'string' ? JSON.parse(data) : data) } }),
    pushWithoutData: () => dispatch('push', { data: null }),
    click: (data: unknown, action = '') => dispatch('notificationclick', { notification: { data, close: () => void life.closed++ }, action }),
  };
}

describe('readPushPayload', () => {
  it('reads the service\'s payload', () => {
    expect(push()).toEqual({
      id: 'n-1',
      type: 'emergency_call',
      priority: 'urgent',
      title: 'Emergency: ward 3, bed 12',
      body: 'Cardiac arrest, Kim Tanaka needed now.',
      actions: [{ id: 'accept', label: 'Accept now', style: 'primary' }, { id: 'decline', label: 'Decline' }, { id: 'later', label: 'Later' }],
      data: { ward: '3' },
      url: '/calls/n-1',
      token: 'act-token',
      tag: 'tag-1',
      createdAt: '2026-11-26T07:00:00.000Z',
    });
    expect(push({ lockScreen: 'generic' }).lockScreen).toBe('generic');
  });

  it('is null for anything that is not a push with a string id and title', () => {
    for (const v of [null, undefined, 0, 'text', true, [], [payload()], {}, { id: 'x' }, { title: 'x' }, { id: '', title: 'x' }, { id: 1, title: 'x' }, { id: 'x', title: 7 }, { id: ['x'], title: 'x' }]) {
      expect(readPushPayload(v), JSON.stringify(v)).toBeNull();
    }
  });

  it('drops fields of the wrong type instead of passing them on', () => {
    const p = readPushPayload(JSON.parse(JSON.stringify({
      id: 'n', title: 'T', body: 5, priority: 'EVIL', type: 3, url: { href: 'javascript:alert(1)' }, token: 9, tag: [], createdAt: 1, lockScreen: 'yes',
      actions: [null, 5, 'accept', { id: 3, label: 'x' }, { id: '', label: 'empty' }, { id: 'ok', label: 7 }, { id: 'a', label: 'A', style: 1 }],
    })));
    expect(p).toEqual({ id: 'n', title: 'T', body: '', priority: 'medium', actions: [{ id: 'ok', label: 'ok' }, { id: 'a', label: 'A' }], data: {} });
    expect(readPushPayload({ id: 'n', title: 'T', actions: 'accept' })?.actions).toEqual([]);
  });

  it('does not let a payload reach Object.prototype', () => {
    const p = readPushPayload(JSON.parse('{"id":"n","title":"T","__proto__":{"polluted":true},"actions":[{"id":"a","label":"A","__proto__":{"polluted":true}}],"constructor":{"prototype":{"polluted":true}}}'));
    expect(p).not.toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(p as object)).not.toContain('__proto__');
  });

  it('never throws, and whatever it returns has the declared types (any JSON)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ id: fc.string(), title: fc.string() }, { requiredKeys: [] }).chain((base) => fc.dictionary(fc.string(), fc.jsonValue()).map((rest) => ({ ...rest, ...base })))), (json) => {
        const p = readPushPayload(json);
        if (p === null) return;
        expect(typeof p.id).toBe('string');
        expect(typeof p.title).toBe('string');
        expect(typeof p.body).toBe('string');
        expect(['low', 'medium', 'high', 'urgent']).toContain(p.priority);
        expect(Array.isArray(p.actions)).toBe(true);
        for (const a of p.actions) expect([typeof a.id, typeof a.label]).toEqual(['string', 'string']);
        for (const k of ['url', 'token', 'tag', 'type', 'createdAt'] as const) expect(['string', 'undefined']).toContain(typeof p[k]);
        // And it can be shown.
        const n = notificationFor(p);
        expect(typeof n.title).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});

describe('notificationFor', () => {
  it('urgent: stays until answered, alerts again when replaced, vibrates, not silent', () => {
    const n = notificationFor(push());
    expect(n.title).toBe('Emergency: ward 3, bed 12');
    expect(n.options).toMatchObject({ body: 'Cardiac arrest, Kim Tanaka needed now.', tag: 'tag-1', renotify: true, requireInteraction: true, silent: false, vibrate: [400, 150, 400, 150, 400], timestamp: Date.parse('2026-11-26T07:00:00.000Z') });
  });

  it('high alerts again without staying; medium neither; low is silent', () => {
    expect(notificationFor(push({ priority: 'high' })).options).toMatchObject({ renotify: true, requireInteraction: false, silent: false });
    expect(notificationFor(push({ priority: 'high' })).options.vibrate).toBeUndefined();
    expect(notificationFor(push({ priority: 'medium' })).options).toMatchObject({ renotify: false, requireInteraction: false, silent: false });
    expect(notificationFor(push({ priority: 'low' })).options).toMatchObject({ renotify: false, requireInteraction: false, silent: true });
  });

  it('shows the first maxActions buttons (default 2) and keeps every action, the token and the tag in data', () => {
    const n = notificationFor(push());
    expect(n.options.actions).toEqual([{ action: 'accept', title: 'Accept now' }, { action: 'decline', title: 'Decline' }]);
    expect(notificationFor(push(), { maxActions: 1 }).options.actions).toEqual([{ action: 'accept', title: 'Accept now' }]);
    expect(notificationFor(push(), { maxActions: 5 }).options.actions).toHaveLength(3);
    expect(n.options.data).toEqual({ id: 'n-1', url: '/calls/n-1?notification=n-1', token: 'act-token', tag: 'tag-1', priority: 'urgent', type: 'emergency_call', actions: push().actions, data: { ward: '3' } });
  });

  it('tags a push without a tag with its id, and dates one without createdAt now', () => {
    const n = notificationFor(push({ tag: undefined, createdAt: 'not a date' }));
    expect(n.options.tag).toBe('n-1');
    expect(n.options.data.tag).toBe('n-1');
    expect(Math.abs((n.options.timestamp ?? 0) - Date.now())).toBeLessThan(5000);
  });

  describe('with lockScreen: generic', () => {
    const leaks = (v: unknown) => {
      const text = JSON.stringify(v);
      return CONTENT.filter((w) => text.includes(w));
    };

    it('shows the generic text the service sent, and nothing else of the notification (server and worker agree)', () => {
      const sent = genericPayload();
      expect(leaks(sent)).toEqual([]);
      const n = notificationFor(readPushPayload(sent) as WardbellPush, { maxActions: 5 });
      expect(n.title).toBe('Urgent call, Ward 3');
      expect(n.options.body).toBe(GENERIC_BODY);
      expect(n.options.body).toBe('Open the app to see the details.');
      expect(n.options.actions).toEqual([{ action: 'accept', title: 'Accept' }, { action: 'decline', title: 'Decline' }]);
      expect(n.options).toMatchObject({ requireInteraction: true, data: { id: 'n-1', token: 'act-token', lockScreen: 'generic', data: {} } });
      expect(leaks(n)).toEqual([]);
    });

    it('shows what the generic push carries, not a text of its own', () => {
      const n = notificationFor(push({ lockScreen: 'generic', title: 'Shift swap request', body: 'Open the app to see the details.', priority: 'high', actions: [], data: {} }), { genericText: { title: 'Rota', body: 'Unlock.' } });
      expect([n.title, n.options.body]).toEqual(['Shift swap request', 'Open the app to see the details.']);
    });

    it('falls back to genericText (then the defaults) only for a generic push without a title or body', () => {
      const bare = { lockScreen: 'generic', title: '', body: '', actions: [], data: {} };
      expect(notificationFor(push(bare))).toMatchObject({ title: DEFAULT_GENERIC_TEXT.urgentTitle, options: { body: DEFAULT_GENERIC_TEXT.body } });
      expect(notificationFor(push({ ...bare, priority: 'high' })).title).toBe('New notification');
      const genericText = { title: 'Wardbell', urgentTitle: 'Wardbell: urgent', body: 'Unlock to read.' };
      expect(notificationFor(push(bare), { genericText })).toMatchObject({ title: 'Wardbell: urgent', options: { body: 'Unlock to read.' } });
      expect(notificationFor(push({ ...bare, priority: 'low' }), { genericText: { body: 'Unlock.' } })).toMatchObject({ title: 'New notification', options: { body: 'Unlock.' } });
    });

    it('is not generic unless the push says so', () => {
      expect(notificationFor(push({ lockScreen: 'full' })).title).toBe('Emergency: ward 3, bed 12');
      expect(notificationFor(push({ lockScreen: 'full' })).options.data.lockScreen).toBeUndefined();
    });
  });
});

describe('clickTarget', () => {
  const target = (p: WardbellPush, options: WardbellPushOptions = {}) => clickTarget(notificationFor(p, options).options.data, options, ORIGIN);

  it('is the push\'s url, else /, on the worker\'s origin, naming the notification', () => {
    expect(target(push())).toBe(`${ORIGIN}/calls/n-1?notification=n-1`);
    expect(target(push({ url: undefined }))).toBe(`${ORIGIN}/?notification=n-1`);
    expect(target(push({ url: 'https://other.example/x?y=1#top' }))).toBe('https://other.example/x?y=1&notification=n-1#top');
    // The service's own url names it already.
    expect(target(push({ url: '/api-test/realtime?notification=n-1' }))).toBe(`${ORIGIN}/api-test/realtime?notification=n-1`);
    expect(target(push({ url: '/?' }))).toBe(`${ORIGIN}/?notification=n-1`);
    expect(target(push({ id: 'a b/c', url: '/' }))).toBe(`${ORIGIN}/?notification=a%20b%2Fc`);
  });

  it('is openUrl when it is a URL, for every push, naming the notification', () => {
    expect(target(push(), { openUrl: '/inbox' })).toBe(`${ORIGIN}/inbox?notification=n-1`);
    expect(clickTarget({}, { openUrl: '/inbox' }, ORIGIN)).toBe(`${ORIGIN}/inbox`);
  });

  it('is what openUrl makes of the push when it is a function, as it is (empty: the default)', () => {
    expect(target(push(), { openUrl: (p) => `/inbox?open=${p.id}&type=${p.type}` })).toBe(`${ORIGIN}/inbox?open=n-1&type=emergency_call`);
    expect(target(push(), { openUrl: () => '' })).toBe(`${ORIGIN}/calls/n-1?notification=n-1`);
  });

  it('opens only http(s) pages', () => {
    expect(target(push({ url: 'javascript:alert(1)' }))).toBe(`${ORIGIN}/`);
    expect(target(push({ url: 'data:text/html,<script>alert(1)</script>' }))).toBe(`${ORIGIN}/`);
    expect(clickTarget({ url: 'http://[bad' }, {}, ORIGIN)).toBe(`${ORIGIN}/`);
  });
});

describe('presses', () => {
  it('go to apiUrl, else the ?api= origin of the worker script, else the worker\'s origin', () => {
    expect(resolveApiBase(undefined, `${ORIGIN}/sw.js`)).toBe(ORIGIN);
    expect(resolveApiBase(undefined, `${ORIGIN}/sw.js?api=https://wardbell.example/anything`)).toBe('https://wardbell.example');
    expect(resolveApiBase('https://wardbell.example/base/', `${ORIGIN}/sw.js?api=https://other.example`)).toBe('https://wardbell.example/base');
    expect(resolveApiBase('/wardbell', `${ORIGIN}/sw.js`)).toBe(`${ORIGIN}/wardbell`);
    expect(resolveApiBase(undefined, `${ORIGIN}/sw.js?api=javascript:alert(1)`)).toBe(ORIGIN);
    expect(resolveApiBase(undefined, `${ORIGIN}/sw.js?api=not a url`)).toBe(ORIGIN);
  });

  it('POST with the action token and no cookies, ids encoded', () => {
    expect(pressRequest({ id: 'n/1', token: 'tok' }, 'ac cept', 'https://w.example')).toEqual({
      url: 'https://w.example/api/notifications/n%2F1/actions/ac%20cept',
      init: { method: 'POST', headers: { 'X-Wardbell-Action-Token': 'tok' }, credentials: 'omit' },
    });
  });

  it('are answered on the lock screen: the service\'s message, or why not; generic hides the service\'s words', () => {
    const ok = { ok: true, status: 200, body: { message: 'Swap approved; kim has been told.' } };
    expect(pressResultText('Approve', ok)).toEqual({ title: 'Approve \u2713', body: 'Swap approved; kim has been told.' });
    expect(pressResultText('Approve', ok, { generic: true })).toEqual({ title: 'Approve \u2713', body: 'Approve: done' });
    expect(pressResultText('Approve', { ok: true, status: 200, body: null })).toEqual({ title: 'Approve \u2713', body: 'Approve: done' });
    const refused = { ok: false, status: 409, body: { error: { code: 'conflict', message: 'The call was filled by Sam.' } } };
    expect(pressResultText('Approve', refused)).toEqual({ title: 'Approve failed', body: 'The call was filled by Sam.' });
    expect(pressResultText('Approve', refused, { generic: true })).toEqual({ title: 'Approve failed', body: 'Your answer was not accepted.' });
    expect(pressResultText('Approve', { ok: false, status: 0, body: null })).toEqual({ title: 'Approve failed', body: 'No connection: open the app to answer.' });
    expect(pressResultText('Approve', { ok: false, status: 0, body: null }, { appName: 'Wardbell' }).body).toBe('No connection: open Wardbell to answer.');
    expect(pressResultText('Approve', { ok: false, status: 500, body: 'oops' }).body).toBe('Your answer was not accepted.');
  });
});

describe('installWardbellPush', () => {
  it('adds the push, notificationclick and pushsubscriptionchange handlers, and takes over at once', async () => {
    const w = fakeWorker();
    installWardbellPush({}, w.scope);
    expect([...w.listeners.keys()].sort()).toEqual(['activate', 'install', 'notificationclick', 'push', 'pushsubscriptionchange']);
    await w.dispatch('install');
    await w.dispatch('activate');
    expect(w.life).toMatchObject({ skipped: true, claimed: true });
    const quiet = fakeWorker();
    installWardbellPush({ claim: false }, quiet.scope);
    expect([...quiet.listeners.keys()].sort()).toEqual(['notificationclick', 'push', 'pushsubscriptionchange']);
  });

  it('shows a push and tells the open pages', async () => {
    const w = fakeWorker({ windows: [`${ORIGIN}/inbox`, `${ORIGIN}/calls/n-1`] });
    installWardbellPush({}, w.scope);
    await w.push(payload());
    expect(w.shown).toHaveLength(1);
    expect(w.shown[0]).toEqual(notificationFor(push(), { maxActions: 2 }));
    expect(w.posted.map((p) => p.message)).toEqual([
      { type: 'wardbell:push', id: 'n-1', priority: 'urgent', title: 'Emergency: ward 3, bed 12' },
      { type: 'wardbell:push', id: 'n-1', priority: 'urgent', title: 'Emergency: ward 3, bed 12' },
    ]);
  });

  it('shows as many buttons as the browser does, unless maxActions says fewer', async () => {
    const w = fakeWorker({ maxActions: 3 });
    installWardbellPush({}, w.scope);
    await w.push(payload());
    expect(w.shown[0]?.options.actions).toHaveLength(3);
    const few = fakeWorker({ maxActions: 3 });
    installWardbellPush({ maxActions: 1 }, few.scope);
    await few.push(payload());
    expect(few.shown[0]?.options.actions).toHaveLength(1);
  });

  it('shows a visible notification for a push it cannot read, and tells no page', async () => {
    const w = fakeWorker({ windows: [`${ORIGIN}/`] });
    installWardbellPush({}, w.scope);
    await w.push('not json');
    await w.pushWithoutData();
    await w.push({ id: 5 });
    expect(w.shown.map((s) => [s.title, s.options.body, s.options.tag])).toEqual(Array(3).fill(['New notification', 'You have a new notification.', 'wardbell']));
    expect(w.posted).toEqual([]);
    const named = fakeWorker();
    installWardbellPush({ appName: 'Rota', openUrl: '/inbox' }, named.scope);
    await named.push('{');
    expect(named.shown[0]).toMatchObject({ title: 'Rota', options: { data: { url: '/inbox' } } });
  });

  it('reports displayed when it shows a push and opened when the notification (not a button) is tapped, with the push\'s token', async () => {
    const w = fakeWorker({ windows: [`${ORIGIN}/inbox`] });
    installWardbellPush({ apiUrl: 'https://wardbell.example' }, w.scope);
    await w.push(payload());
    await w.click(w.shown[0]?.options.data);
    await w.click(w.shown[0]?.options.data, 'accept');
    const receipts = w.requests.filter((r) => r.url.endsWith('/api/notifications/receipts'));
    expect(receipts.map((r) => [r.url, r.init.method, r.init.headers['X-Wardbell-Action-Token'], r.init.credentials])).toEqual(Array(2).fill(['https://wardbell.example/api/notifications/receipts', 'POST', 'act-token', 'omit']));
    const bodies = receipts.map((r) => JSON.parse((r.init as unknown as { body: string }).body) as { receipts: Array<{ id: string; kind: string; via: string; at: string }> });
    expect(bodies.map((b) => b.receipts.map((x) => [x.id, x.kind, x.via, typeof x.at]))).toEqual([[['n-1', 'displayed', 'worker', 'string']], [['n-1', 'opened', 'worker', 'string']]]);
    // Turned off, or an unreadable push: nothing reported.
    const off = fakeWorker();
    installWardbellPush({ receipts: false }, off.scope);
    await off.push(payload());
    await off.push('{');
    expect(off.requests).toEqual([]);
  });

  it('shows a generic push as the service sent it, presses with its token, and keeps the service\'s words out of the answer', async () => {
    const w = fakeWorker({ windows: [`${ORIGIN}/`], answer: { status: 200, body: { message: 'Accepted: Kim Tanaka covers bed 12.' } } });
    installWardbellPush({ genericText: { title: 'Rota', urgentTitle: 'Rota: urgent', body: 'Unlock to read.' } }, w.scope);
    await w.push(genericPayload());
    await w.click(w.shown[0]?.options.data, 'accept');
    expect(presses(w)).toEqual([{ url: `${ORIGIN}/api/notifications/n-1/actions/accept`, init: { method: 'POST', headers: { 'X-Wardbell-Action-Token': 'act-token' }, credentials: 'omit' } }]);
    expect(w.shown.map((s) => [s.title, s.options.body])).toEqual([['Urgent call, Ward 3', 'Open the app to see the details.'], ['Accept \u2713', 'Accept: done']]);
    // The tap opens the app's page for this notification, which fetches the details with the user's credentials.
    expect(w.opened).toEqual([`${ORIGIN}${DEFAULT_CLICK_PATH}?notification=n-1`]);
    // What the lock screen shows (the open pages are told the press's answer: they are the app's, signed in).
    const everything = JSON.stringify(w.shown);
    for (const word of CONTENT) expect(everything).not.toContain(word);
  });

  it('presses an action with the push\'s token, replaces the notification with the answer, and focuses the page', async () => {
    const w = fakeWorker({ windows: [`${ORIGIN}/inbox`, `${ORIGIN}/calls/n-1?from=push`] });
    installWardbellPush({}, w.scope);
    await w.push(payload());
    w.posted.length = 0;
    await w.click(w.shown[0]?.options.data, 'accept');
    expect(w.life.closed).toBe(1);
    expect(presses(w)).toEqual([{ url: `${ORIGIN}/api/notifications/n-1/actions/accept`, init: { method: 'POST', headers: { 'X-Wardbell-Action-Token': 'act-token' }, credentials: 'omit' } }]);
    expect(w.shown[1]).toEqual({ title: 'Accept now \u2713', options: { body: 'Accepted (1 of 2). Thank you.', tag: 'tag-1', data: { id: 'n-1', url: '/calls/n-1?notification=n-1' } } });
    const result = { ok: true, status: 200, body: { notificationId: 'n-1', actionId: 'accept', result: 'accepted', message: 'Accepted (1 of 2). Thank you.' } };
    // Every open page is told; the one the tap focuses is the target.
    const told = { type: 'wardbell:notification-click', id: 'n-1', action: 'accept', result };
    expect(w.posted.map((p) => [p.to, p.message])).toEqual([
      [`${ORIGIN}/inbox`, { ...told, target: false }],
      [`${ORIGIN}/calls/n-1?from=push`, { ...told, target: true }],
    ]);
    // The page with the same path is focused rather than a new one opened.
    expect(w.focused).toEqual([`${ORIGIN}/calls/n-1?from=push`]);
    expect(w.opened).toEqual([]);
  });

  it('sends presses to apiUrl, or to the origin in the worker script\'s ?api=', async () => {
    const w = fakeWorker({ href: `${ORIGIN}/sw.js?api=${encodeURIComponent('https://wardbell.example')}` });
    installWardbellPush({}, w.scope);
    await w.click({ id: 'n-1', token: 't', tag: 'g', actions: [] }, 'accept');
    const configured = fakeWorker({ href: `${ORIGIN}/sw.js?api=https://ignored.example` });
    installWardbellPush({ apiUrl: 'https://wardbell.example/prefix/' }, configured.scope);
    await configured.click({ id: 'n-1', token: 't', tag: 'g', actions: [] }, 'accept');
    expect([w.requests[0]?.url, configured.requests[0]?.url]).toEqual(['https://wardbell.example/api/notifications/n-1/actions/accept', 'https://wardbell.example/prefix/api/notifications/n-1/actions/accept']);
    // The label is unknown here: the answer names the action id.
    expect(w.shown[0]?.title).toBe('accept \u2713');
  });

  it('says why a press failed: no connection, or the service\'s refusal', async () => {
    const offline = fakeWorker({ answer: 'network-error' });
    installWardbellPush({ appName: 'Rota' }, offline.scope);
    await offline.click(notificationFor(push()).options.data, 'accept');
    expect(offline.shown[0]).toMatchObject({ title: 'Accept now failed', options: { body: 'No connection: open Rota to answer.', tag: 'tag-1' } });
    const refused = fakeWorker({ answer: { status: 403, body: { error: { code: 'forbidden', message: 'This action token has expired.' } } }, windows: [`${ORIGIN}/x`] });
    installWardbellPush({}, refused.scope);
    await refused.click(notificationFor(push()).options.data, 'decline');
    expect(refused.shown[0]).toMatchObject({ title: 'Decline failed', options: { body: 'This action token has expired.' } });
    expect(refused.posted[0]?.message).toMatchObject({ action: 'decline', result: { ok: false, status: 403 } });
  });

  it('posts nothing for a tap on the notification itself, or without a token, and opens the page', async () => {
    const w = fakeWorker({ windows: [`${ORIGIN}/inbox`] });
    installWardbellPush({ openUrl: (p) => `/inbox?open=${p.id}` }, w.scope);
    await w.push(payload());
    await w.click(w.shown[0]?.options.data);
    await w.click({ ...w.shown[0]?.options.data, token: undefined }, 'accept');
    await w.click(undefined, 'accept');
    expect(presses(w)).toEqual([]);
    // The open /inbox page has the target's path: it is focused; / is opened.
    expect(w.focused).toEqual([`${ORIGIN}/inbox`, `${ORIGIN}/inbox`]);
    expect(w.opened).toEqual([`${ORIGIN}/`]);
    expect(w.posted.slice(1).map((p) => p.message)).toEqual([
      { type: 'wardbell:notification-click', id: 'n-1', action: null, result: null, target: true },
      { type: 'wardbell:notification-click', id: 'n-1', action: 'accept', result: null, target: true },
      { type: 'wardbell:notification-click', id: null, action: 'accept', result: null, target: false },
    ]);
  });

  it('survives a page that cannot be focused or opened (a click the user did not make)', async () => {
    const w = fakeWorker();
    w.scope.clients.openWindow = async () => {
      throw new Error('Not allowed to open a window.');
    };
    installWardbellPush({}, w.scope);
    await expect(w.click({ id: 'n-1' })).resolves.toBeUndefined();
  });

  it('asks the open pages to subscribe again when the browser replaced the subscription', async () => {
    const w = fakeWorker({ windows: [`${ORIGIN}/a`, `${ORIGIN}/b`] });
    installWardbellPush({}, w.scope);
    await w.dispatch('pushsubscriptionchange');
    expect(w.posted).toEqual([{ to: `${ORIGIN}/a`, message: { type: 'wardbell:resubscribe' } }, { to: `${ORIGIN}/b`, message: { type: 'wardbell:resubscribe' } }]);
  });

  it('calls the app\'s onPush and onClick, and a failing hook changes nothing', async () => {
    const seen: string[] = [];
    const w = fakeWorker();
    installWardbellPush({
      onPush: (p) => void seen.push(`push ${p.id}`),
      onClick: ({ data, action, result }) => {
        seen.push(`click ${data.id} ${action} ${result?.status}`);
        throw new Error('the app\'s bug');
      },
    }, w.scope);
    await w.push(payload());
    await w.click(w.shown[0]?.options.data, 'accept');
    expect(seen).toEqual(['push n-1', 'click n-1 accept 200']);
    expect(w.opened).toEqual([`${ORIGIN}/calls/n-1?notification=n-1`]);
  });

  it('keeps working when waitUntil refuses (events a script dispatched itself)', async () => {
    const w = fakeWorker();
    installWardbellPush({}, w.scope);
    w.listeners.get('push')?.({ data: { json: () => payload() }, waitUntil: () => { throw new Error('InvalidStateError'); } });
    await new Promise((r) => setTimeout(r, 10));
    expect(w.shown).toHaveLength(1);
  });
});

/** Runs a classic script in a fresh realm whose global is `worker.scope` (as `self` is in a service worker). */
function runClassic(code: string, worker: ReturnType<typeof fakeWorker>) {
  const global = Object.assign(worker.scope, { URL }) as unknown as Record<string, unknown>;
  global.self = global;
  createContext(global);
  runInContext(code, global);
  return global;
}

describe('the classic script', () => {
  it('sets self.WardbellServiceWorker to the module\'s exports', () => {
    const w = fakeWorker();
    const g = runClassic(WARDBELL_SERVICE_WORKER_CLASSIC, w);
    const api = g.WardbellServiceWorker as Record<string, unknown>;
    const values = Object.keys(moduleExports).sort();
    expect(Object.keys(api).sort()).toEqual(values);
    for (const k of values) expect(typeof api[k]).toBe(typeof (moduleExports as Record<string, unknown>)[k]);
    expect(w.listeners.size).toBe(0);
  });

  it('installs in the worker it runs in (self is the default scope)', async () => {
    const w = fakeWorker();
    runClassic(`${WARDBELL_SERVICE_WORKER_CLASSIC}\nself.WardbellServiceWorker.installWardbellPush({ openUrl: '/inbox' });`, w);
    await w.push(payload({ priority: 'low' }));
    expect(JSON.parse(JSON.stringify(w.shown))).toMatchObject([{ title: 'Emergency: ward 3, bed 12', options: { silent: true, data: { url: `/inbox?notification=${payload().id}` } } }]);
  });
});

describe('the service\'s /sw.js', () => {
  it('is the classic script installed with the console as the page for a push without url', async () => {
    expect(SERVICE_WORKER_JS).toContain(WARDBELL_SERVICE_WORKER_CLASSIC);
    const w = fakeWorker({ href: 'https://wardbell.example/sw.js' });
    runClassic(SERVICE_WORKER_JS, w);
    await w.push(payload({ url: undefined }));
    await w.push(payload({ id: 'n-2', tag: 'tag-2' }));
    await w.push('not json');
    const shown = JSON.parse(JSON.stringify(w.shown)) as Array<{ title: string; options: { data: WardbellNotificationData } }>;
    expect(shown.map((s) => s.options.data.url)).toEqual([DEFAULT_CLICK_PATH, '/calls/n-1', undefined]);
    // The unreadable push still says whose it is, as before.
    expect(shown[2]?.title).toBe('Wardbell');
    await w.click(shown[0]?.options.data, 'accept');
    expect(presses(w)[0]?.url).toBe('https://wardbell.example/api/notifications/n-1/actions/accept');
    expect(w.opened).toEqual([`https://wardbell.example${DEFAULT_CLICK_PATH}`]);
  });
});
