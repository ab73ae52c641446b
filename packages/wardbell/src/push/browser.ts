/**
 * The page side of Web Push, for the console and any page using the client: register the service
 * worker, subscribe the browser with the service's VAPID key, and register the subscription with
 * the service. Browser-only (DOM APIs); each function is self-contained so it can also run through
 * a test browser's `evaluate`.
 */

export interface EnablePushOptions {
  /** The Wardbell origin. Default: this page's origin. */
  baseUrl?: string;
  /** Bearer token of the signed-in user. */
  token: string;
  /** Topics this device wants (only granted ones); absent: all granted topics. */
  topics?: string[];
  /** The service worker script, on this page's origin. Default `/sw.js` (add `?api=<baseUrl>` when the API is elsewhere). */
  serviceWorkerUrl?: string;
}

export interface EnabledPush {
  endpoint: string;
  /** The subscription as the service stored it (without keys). */
  subscription: { id: string; endpoint: string; userId: string; tenantId: string; topics: string[]; createdAt: string; expirationTime?: number | null };
}

/**
 * Asks for notification permission (when not yet decided), registers the service worker,
 * subscribes with the service's VAPID key (RFC 8292 Section 4: a subscription made with an older
 * key is replaced, since push services refuse a different key) and registers it with the service.
 * Call it on every page load: it renews the service's record (idempotent on the endpoint).
 * Throws an Error whose message says what is missing (support, permission, the service's answer).
 */
export async function enablePush(opts: EnablePushOptions): Promise<EnabledPush> {
  const base = (opts.baseUrl ?? location.origin).replace(/\/$/, '');
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) throw new Error('This browser cannot receive push notifications.');
  if (Notification.permission === 'default') await Notification.requestPermission();
  if (Notification.permission !== 'granted') throw new Error('Notifications are blocked for this site; allow them in the browser settings.');
  const registration = await navigator.serviceWorker.register(opts.serviceWorkerUrl ?? '/sw.js');
  await navigator.serviceWorker.ready;
  const keyRes = await fetch(`${base}/api/push/vapid-public-key`);
  if (!keyRes.ok) throw new Error(`Could not read the VAPID key (${keyRes.status}).`);
  const { publicKey } = (await keyRes.json()) as { publicKey: string };
  const b64 = publicKey.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const key = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) key[i] = raw.charCodeAt(i);
  let sub = await registration.pushManager.getSubscription();
  const current = sub?.options.applicationServerKey ? new Uint8Array(sub.options.applicationServerKey) : null;
  if (sub && (!current || current.length !== key.length || current.some((b, i) => b !== key[i]))) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const json = sub.toJSON();
  const res = await fetch(`${base}/api/push/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
    body: JSON.stringify({ endpoint: json.endpoint, keys: json.keys, expirationTime: json.expirationTime ?? null, ...(opts.topics ? { topics: opts.topics } : {}) }),
  });
  const body = (await res.json()) as { subscription?: EnabledPush['subscription']; error?: { message: string } };
  if (!res.ok || !body.subscription) throw new Error(body.error?.message ?? `The service refused the subscription (${res.status}).`);
  return { endpoint: sub.endpoint, subscription: body.subscription };
}

/** Unsubscribes this browser and removes the service's record. Resolves false when there was none. */
export async function disablePush(opts: Pick<EnablePushOptions, 'baseUrl' | 'token'>): Promise<boolean> {
  const base = (opts.baseUrl ?? location.origin).replace(/\/$/, '');
  const registration = await navigator.serviceWorker.getRegistration();
  const sub = await registration?.pushManager.getSubscription();
  if (!sub) return false;
  await fetch(`${base}/api/push/subscribe`, {
    method: 'DELETE',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
    body: JSON.stringify({ endpoint: sub.endpoint }),
  });
  return sub.unsubscribe();
}
