import { describe, expect, it } from 'vitest';
import { createApiClient, PushUnavailableError, subscribeToPush, unsubscribeFromPush, type PushEnvironment } from '../../packages/client/src/index.js';

/** The service's VAPID public key (an uncompressed P-256 point, base64url), and a former one. */
const VAPID_KEY = Buffer.from([4, ...Array.from({ length: 64 }, (_, i) => i + 1)]).toString('base64url');
const FORMER_KEY = Buffer.from([4, ...Array.from({ length: 64 }, (_, i) => 200 - i)]).toString('base64url');
/** A key as the browser keeps it on a subscription (`PushSubscription.options.applicationServerKey`). */
const asBuffer = (key: string): ArrayBuffer => new Uint8Array(Buffer.from(key, 'base64url')).buffer;

/**
 * A browser's push parts, scripted: what was registered, subscribed and unsubscribed. `existing`:
 * a subscription the browser already has, made with that key (null: made without one).
 */
function fakeBrowser(opts: { permission?: NotificationPermission; answer?: NotificationPermission; existing?: string | null; secure?: boolean } = {}) {
  const log: string[] = [];
  type Sub = { endpoint: string; expirationTime: null; options: { applicationServerKey: ArrayBuffer | null }; toJSON(): { keys: Record<string, string> }; unsubscribe(): Promise<boolean> };
  let current: Sub | null = null;
  const makeSub = (endpoint: string, key: string | null): Sub => ({
    endpoint,
    expirationTime: null,
    options: { applicationServerKey: key === null ? null : asBuffer(key) },
    toJSON: () => ({ keys: { p256dh: 'BPubKey', auth: 'authSecret' } }),
    unsubscribe: async () => (log.push(`unsubscribe ${endpoint}`), (current = null), true),
  });
  if (opts.existing !== undefined) current = makeSub('https://push.example/existing', opts.existing);
  const registration = {
    pushManager: {
      getSubscription: async () => current,
      subscribe: async (o: { applicationServerKey: string; userVisibleOnly: boolean }) => (log.push(`subscribe ${o.applicationServerKey} ${o.userVisibleOnly}`), (current = makeSub('https://push.example/new', o.applicationServerKey))),
    },
  } as unknown as ServiceWorkerRegistration;
  const env: PushEnvironment = {
    serviceWorker: {
      register: (async (url: string, o?: RegistrationOptions) => (log.push(`register ${url} ${o?.scope}`), registration)) as ServiceWorkerContainer['register'],
      ready: Promise.resolve(registration),
      getRegistration: (async () => registration) as ServiceWorkerContainer['getRegistration'],
    },
    Notification: { permission: opts.permission ?? 'default', requestPermission: async () => (log.push('ask'), opts.answer ?? 'granted') },
    hasPushManager: true,
    secureContext: opts.secure ?? true,
  };
  return { env, log };
}

/** An API client whose fetch answers like the service and records the calls. */
function api() {
  const calls: Array<{ method: string; url: string; body: unknown }> = [];
  const fetch = async (url: string, init: RequestInit) => {
    calls.push({ method: String(init.method), url, body: init.body ? JSON.parse(String(init.body)) : undefined });
    if (url.endsWith('/api/push/vapid-public-key')) return new Response(JSON.stringify({ publicKey: VAPID_KEY }), { status: 200, headers: { 'content-type': 'application/json' } });
    return new Response(JSON.stringify({ ok: true }), { status: init.method === 'POST' ? 201 : 200, headers: { 'content-type': 'application/json' } });
  };
  return { client: createApiClient({ baseUrl: 'https://app.example', getToken: () => 'user-token', fetch }), calls };
}

describe('push from a page', () => {
  it('asks, registers the app\'s worker, subscribes with the VAPID key and tells the service', async () => {
    const b = fakeBrowser();
    const a = api();
    const out = await subscribeToPush({ api: a.client, serviceWorkerUrl: '/app-sw.js', scope: '/app/', topics: ['ward:3'], env: b.env });
    expect(out).toEqual({ endpoint: 'https://push.example/new' });
    expect(b.log).toEqual(['ask', 'register /app-sw.js /app/', `subscribe ${VAPID_KEY} true`]);
    expect(a.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET https://app.example/api/push/vapid-public-key', 'POST https://app.example/api/push/subscribe']);
    expect(a.calls[1]?.body).toEqual({ endpoint: 'https://push.example/new', expirationTime: null, keys: { p256dh: 'BPubKey', auth: 'authSecret' }, topics: ['ward:3'] });
  });

  it('reuses a subscription the browser made with the service\'s key, without asking again when allowed', async () => {
    const b = fakeBrowser({ permission: 'granted', existing: VAPID_KEY });
    const a = api();
    expect((await subscribeToPush({ api: a.client, env: b.env })).endpoint).toBe('https://push.example/existing');
    expect(b.log).toEqual(['register /sw.js /']);
    expect((a.calls[1]?.body as { endpoint: string }).endpoint).toBe('https://push.example/existing');
  });

  it('replaces a subscription made with another key: ends it at the service and in the browser, subscribes with the service\'s key, registers the new one', async () => {
    for (const existing of [FORMER_KEY, null]) {
      const b = fakeBrowser({ permission: 'granted', existing });
      const a = api();
      expect((await subscribeToPush({ api: a.client, env: b.env })).endpoint).toBe('https://push.example/new');
      expect(b.log).toEqual(['register /sw.js /', 'unsubscribe https://push.example/existing', `subscribe ${VAPID_KEY} true`]);
      expect(a.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET https://app.example/api/push/vapid-public-key', 'DELETE https://app.example/api/push/subscribe', 'POST https://app.example/api/push/subscribe']);
      expect(a.calls[1]?.body).toEqual({ endpoint: 'https://push.example/existing' });
      expect((a.calls[2]?.body as { endpoint: string }).endpoint).toBe('https://push.example/new');
    }
  });

  it('replaces a subscription made with another key even when the service cannot forget the old one', async () => {
    const b = fakeBrowser({ permission: 'granted', existing: FORMER_KEY });
    const calls: string[] = [];
    const client = createApiClient({
      baseUrl: 'https://app.example',
      getToken: () => 'user-token',
      retries: 0,
      fetch: async (url: string, init: RequestInit) => {
        calls.push(`${String(init.method)} ${url}`);
        if (url.endsWith('/api/push/vapid-public-key')) return new Response(JSON.stringify({ publicKey: VAPID_KEY }), { status: 200, headers: { 'content-type': 'application/json' } });
        if (init.method === 'DELETE') return new Response(JSON.stringify({ error: { code: 'not_found', message: 'No such subscription.' } }), { status: 404, headers: { 'content-type': 'application/json' } });
        return new Response(JSON.stringify({ ok: true }), { status: 201, headers: { 'content-type': 'application/json' } });
      },
    });
    expect((await subscribeToPush({ api: client, env: b.env })).endpoint).toBe('https://push.example/new');
    expect(calls.at(-1)).toBe('POST https://app.example/api/push/subscribe');
  });

  it('says why push cannot work: refused, insecure, unsupported', async () => {
    const refused = subscribeToPush({ api: api().client, env: fakeBrowser({ answer: 'denied' }).env });
    await expect(refused).rejects.toBeInstanceOf(PushUnavailableError);
    await expect(refused).rejects.toMatchObject({ reason: 'denied' });
    await expect(subscribeToPush({ api: api().client, env: fakeBrowser({ secure: false }).env })).rejects.toMatchObject({ reason: 'insecure' });
    await expect(subscribeToPush({ api: api().client, env: { hasPushManager: false, secureContext: true } })).rejects.toMatchObject({ reason: 'unsupported' });
  });

  it('unsubscribes at the service, then in the browser; false when there is nothing', async () => {
    const b = fakeBrowser({ permission: 'granted', existing: VAPID_KEY });
    const a = api();
    expect(await unsubscribeFromPush({ api: a.client, env: b.env })).toBe(true);
    expect(a.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['DELETE https://app.example/api/push/subscribe']);
    expect(a.calls[0]?.body).toEqual({ endpoint: 'https://push.example/existing' });
    expect(b.log).toEqual(['unsubscribe https://push.example/existing']);
    expect(await unsubscribeFromPush({ api: a.client, env: b.env })).toBe(false);
  });
});
