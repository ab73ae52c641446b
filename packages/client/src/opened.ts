/**
 * The notification a tap opened. The service worker opens (or focuses) the app's page with
 * `?notification=<id>` and tells open pages `wardbell:notification-click`; this reads both, so the
 * page can fetch that notification with the user's own credentials and show it. With a hospital's
 * generic lock screen, that fetch is the only way the details reach the device: the push carried
 * only the generic text and the id.
 */

/** The query parameter the service worker adds to the page a tap opens. */
export const OPENED_PARAM = 'notification';

/** The notification id a page URL names (`?notification=<id>`), or null. */
export function openedNotificationId(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  const id = url.searchParams.get(OPENED_PARAM);
  return id === null || id === '' || id.length > 200 ? null : id;
}

/** `href` without `?notification=<id>` (the rest of the query and the hash kept). */
export function withoutOpenedNotification(href: string): string {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return href;
  }
  if (!url.searchParams.has(OPENED_PARAM)) return href;
  url.searchParams.delete(OPENED_PARAM);
  return url.href;
}

/** What {@link watchOpenedNotifications} uses of the page (the browser's, by default). */
export interface OpenedEnvironment {
  location: { href: string };
  history?: { state: unknown; replaceState(data: unknown, unused: string, url: string): void } | undefined;
  serviceWorker?: { addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void; removeEventListener(type: 'message', listener: (e: { data: unknown }) => void): void } | undefined;
}

function browserEnvironment(): OpenedEnvironment | null {
  const g = globalThis as unknown as { location?: { href: string }; history?: OpenedEnvironment['history']; navigator?: { serviceWorker?: OpenedEnvironment['serviceWorker'] } };
  if (!g.location) return null;
  return { location: g.location, history: g.history, serviceWorker: g.navigator?.serviceWorker };
}

/**
 * Calls `onOpened(id)` for the notification a tap opened: once now when the page's URL names one
 * (the parameter is then taken out of the address with `history.replaceState`, so a reload does
 * not open it again), and whenever the service worker reports a tap on a notification (not on one
 * of its buttons: that press was answered on the lock screen) that focused this page. Returns a
 * function that stops listening. Outside a browser it does nothing.
 */
export function watchOpenedNotifications(onOpened: (id: string) => void, env: OpenedEnvironment | null = browserEnvironment()): () => void {
  if (!env) return () => {};
  const id = openedNotificationId(env.location.href);
  if (id !== null) {
    try {
      env.history?.replaceState(env.history.state, '', withoutOpenedNotification(env.location.href));
    } catch {
      // a sandboxed page: the parameter stays in the address
    }
    onOpened(id);
  }
  const sw = env.serviceWorker;
  if (!sw) return () => {};
  const listener = (e: { data: unknown }) => {
    const m = e.data as { type?: unknown; id?: unknown; action?: unknown; target?: unknown } | null;
    // Only the page the tap focuses opens it (every open page of the app is told of the tap).
    if (m && m.type === 'wardbell:notification-click' && m.target !== false && typeof m.id === 'string' && m.id !== '' && (m.action === null || m.action === undefined)) onOpened(m.id);
  };
  sw.addEventListener('message', listener);
  return () => sw.removeEventListener('message', listener);
}
