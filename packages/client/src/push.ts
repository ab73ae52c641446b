/**
 * Web Push from a page (browsers only): register a service worker, ask the user, subscribe with the
 * service's VAPID key, and tell the service; and the reverse. Everything the browser provides is
 * reached through `env` (default: the page's `navigator` and `Notification`), so the logic is
 * tested without a browser and runs nowhere it cannot work.
 */
import type { ApiClient } from './api/client.js';
import type { JsonBody, Operation, SuccessBody } from './api/types.js';

export type PushSubscriptionBody = JsonBody<Operation<'/api/push/subscribe', 'post'>>;

/** The parts of the browser the helpers use. */
export interface PushEnvironment {
  serviceWorker?: Pick<ServiceWorkerContainer, 'register' | 'ready' | 'getRegistration'> | undefined;
  Notification?: { permission: NotificationPermission; requestPermission(): Promise<NotificationPermission> } | undefined;
  hasPushManager: boolean;
  secureContext: boolean;
}

export class PushUnavailableError extends Error {
  override readonly name = 'PushUnavailableError';
  constructor(
    /** `unsupported`: no service worker, Push API or Notification; `insecure`: not https; `denied`: the user said no (or closed the prompt). */
    readonly reason: 'unsupported' | 'insecure' | 'denied',
    message: string,
  ) {
    super(message);
  }
}

function pageEnvironment(): PushEnvironment {
  const g = globalThis as unknown as { navigator?: { serviceWorker?: PushEnvironment['serviceWorker'] }; Notification?: PushEnvironment['Notification']; PushManager?: unknown; isSecureContext?: boolean };
  return { serviceWorker: g.navigator?.serviceWorker, Notification: g.Notification, hasPushManager: g.PushManager !== undefined, secureContext: g.isSecureContext === true };
}

export interface SubscribeToPushOptions {
  /** The API client, with the user's token (`createApiClient({ baseUrl, getToken })`). */
  api: ApiClient;
  /** The service worker to register: your app's own, which imports Wardbell's push handling. Default `/sw.js`. */
  serviceWorkerUrl?: string;
  /** Its scope. Default `/`. */
  scope?: string;
  /** Topics this device wants (default: every granted one). */
  topics?: string[];
  env?: PushEnvironment;
}

/** `PushSubscription.toJSON()` as `POST /api/push/subscribe` takes it (pure). */
export function subscriptionBody(sub: { endpoint: string; expirationTime: number | null; toJSON(): { keys?: Record<string, string> } }, topics?: string[]): PushSubscriptionBody {
  const keys = sub.toJSON().keys ?? {};
  return { endpoint: sub.endpoint, expirationTime: sub.expirationTime, keys: { p256dh: keys.p256dh ?? '', auth: keys.auth ?? '' }, ...(topics ? { topics } : {}) };
}

/** A key as unpadded base64url, the form the service gives its VAPID key in (pure). */
function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Whether a browser subscription was made with `publicKey` (the service's VAPID key, base64url)
 * (pure). A subscription without a key, or with another, is not: push services refuse pushes signed
 * with a key other than the one the subscription was made with (RFC 8292 Section 4).
 */
function subscribedWithKey(sub: { options?: { applicationServerKey?: ArrayBuffer | null } | undefined }, publicKey: string): boolean {
  const current = sub.options?.applicationServerKey;
  if (!current) return false;
  return base64url(new Uint8Array(current)) === publicKey;
}

/**
 * Subscribes this browser to the user's pushes: registers the service worker, asks for permission
 * (call it from a click: browsers only show the prompt after a user gesture), subscribes with the
 * service's VAPID key (an existing subscription made with that key is reused; one made with another
 * key, after the service's keys changed, is ended and replaced), and registers it with the service
 * (the answer is the subscription as the service stored it: its topics, without keys).
 * Throws `PushUnavailableError` when push cannot work here or the user refused.
 */
export async function subscribeToPush(options: SubscribeToPushOptions): Promise<{ endpoint: string; subscription: SuccessBody<Operation<'/api/push/subscribe', 'post'>>['subscription'] }> {
  const env = options.env ?? pageEnvironment();
  if (!env.serviceWorker || !env.hasPushManager || !env.Notification) throw new PushUnavailableError('unsupported', 'This browser has no service workers, Push API or notifications.');
  if (!env.secureContext) throw new PushUnavailableError('insecure', 'Push needs the page on https (or localhost).');
  const permission = env.Notification.permission === 'granted' ? 'granted' : await env.Notification.requestPermission();
  if (permission !== 'granted') throw new PushUnavailableError('denied', 'Notifications are not allowed for this site.');
  await env.serviceWorker.register(options.serviceWorkerUrl ?? '/sw.js', { scope: options.scope ?? '/' });
  const reg = await env.serviceWorker.ready;
  const { publicKey } = await options.api.push.vapidPublicKey();
  let sub = await reg.pushManager.getSubscription();
  if (sub && !subscribedWithKey(sub, publicKey)) {
    // Made with the service's former key: the push service would refuse every push signed with the
    // new one. The service forgets it too (best effort: a push service's 404/410 would prune it later).
    await options.api.push.unsubscribe({ endpoint: sub.endpoint }).catch(() => undefined);
    await sub.unsubscribe();
    sub = null;
  }
  // A base64url string is a valid applicationServerKey (Push API, PushSubscriptionOptionsInit).
  sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: publicKey });
  const { subscription } = await options.api.push.subscribe(subscriptionBody(sub, options.topics));
  return { endpoint: sub.endpoint, subscription };
}

/** Ends this browser's subscription: tells the service, then the browser. False when there was none. */
export async function unsubscribeFromPush(options: { api: ApiClient; scope?: string; env?: PushEnvironment }): Promise<boolean> {
  const env = options.env ?? pageEnvironment();
  const reg = await env.serviceWorker?.getRegistration(options.scope ?? '/');
  const sub = await reg?.pushManager.getSubscription();
  if (!sub) return false;
  await options.api.push.unsubscribe({ endpoint: sub.endpoint });
  await sub.unsubscribe();
  return true;
}
