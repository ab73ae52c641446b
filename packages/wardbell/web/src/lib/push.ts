/** The browser side of Web Push: the service worker the service ships at /sw.js and PushManager. */

export interface PushSupport {
  secureContext: boolean;
  serviceWorker: boolean;
  pushManager: boolean;
  notifications: boolean;
}

export function pushSupport(): PushSupport {
  return {
    secureContext: window.isSecureContext,
    serviceWorker: 'serviceWorker' in navigator,
    pushManager: 'PushManager' in window,
    notifications: 'Notification' in window,
  };
}

export const permission = (): NotificationPermission | 'unsupported' => ('Notification' in window ? Notification.permission : 'unsupported');

/** Registers /sw.js (scope /) and waits until it is active. */
export async function registerWorker(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  return navigator.serviceWorker.ready;
}

export async function existingRegistration(): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator)) return null;
  return (await navigator.serviceWorker.getRegistration('/')) ?? null;
}

/** What the service worker tells open pages (`WardbellWorkerMessage` of @wardbell/client/service-worker, which /sw.js runs). */
export interface WorkerMessage {
  type: 'wardbell:push' | 'wardbell:notification-click' | 'wardbell:resubscribe';
  id?: string | null;
  title?: string;
  priority?: string;
  action?: string | null;
  result?: { ok: boolean; status: number; body: unknown } | null;
}

export function isWorkerMessage(v: unknown): v is WorkerMessage {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string' && (v as { type: string }).type.startsWith('wardbell:');
}
