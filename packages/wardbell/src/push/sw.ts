/**
 * The service worker the service ships at `GET /sw.js` (kept as a string so the tsc build carries
 * it). Pages register it with `navigator.serviceWorker.register('/sw.js')`; a page served from
 * another origin that proxies the file adds `?api=<wardbell origin>` so presses reach the API.
 *
 * It shows each push (JSON of `PushPayload`, src/push/payload.ts) with its action buttons;
 * urgent ones stay until answered (`requireInteraction`) and alert again when replaced. A tap on
 * an action POSTs `/api/notifications/:id/actions/:actionId` with the push's action token
 * (`X-Wardbell-Action-Token`: the lock screen has no bearer token), shows the answer, and opens or
 * focuses the page; a tap elsewhere opens or focuses `url` (default the console).
 */
export const SERVICE_WORKER_JS = `/* Wardbell service worker (served by the Wardbell service). */
'use strict';
const WARDBELL_SW_VERSION = 1;
const API_ORIGIN = (function () {
  try {
    const api = new URL(self.location.href).searchParams.get('api');
    if (api) return new URL(api).origin;
  } catch (_) {}
  return self.location.origin;
})();
const DEFAULT_URL = '/api-test/realtime';

self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });

// waitUntil keeps the worker alive until the work is done. Events a script dispatches itself are
// untrusted and may not extend their lifetime; the work still runs.
function keep(event, promise) {
  try { event.waitUntil(promise); } catch (_) {}
  return promise;
}

function readPush(event) {
  if (!event.data) return null;
  try {
    const p = event.data.json();
    return p && typeof p === 'object' && typeof p.title === 'string' && typeof p.id === 'string' ? p : null;
  } catch (_) {
    return null;
  }
}

async function windows() {
  return self.clients.matchAll({ type: 'window', includeUncontrolled: true });
}

async function tellPages(message) {
  for (const c of await windows()) c.postMessage(message);
}

async function showPush(p) {
  if (!p) {
    // Browsers require a visible notification for every push (userVisibleOnly).
    return self.registration.showNotification('Wardbell', { body: 'You have a new notification.', tag: 'wardbell', data: { url: DEFAULT_URL } });
  }
  const urgent = p.priority === 'urgent';
  const max = (self.Notification && self.Notification.maxActions) || 2;
  const actions = Array.isArray(p.actions) ? p.actions : [];
  const options = {
    body: p.body || '',
    tag: p.tag || p.id,
    renotify: urgent || p.priority === 'high',
    requireInteraction: urgent,
    silent: p.priority === 'low',
    timestamp: Date.parse(p.createdAt) || Date.now(),
    actions: actions.slice(0, max).map(function (a) { return { action: a.id, title: a.label }; }),
    data: { id: p.id, url: p.url || DEFAULT_URL, token: p.token, tag: p.tag || p.id, priority: p.priority, type: p.type, actions: actions, data: p.data },
  };
  if (urgent) options.vibrate = [400, 150, 400, 150, 400];
  await self.registration.showNotification(p.title, options);
  await tellPages({ type: 'wardbell:push', id: p.id, priority: p.priority, title: p.title });
}

self.addEventListener('push', function (event) {
  keep(event, showPush(readPush(event)));
});

async function press(d, actionId) {
  const label = ((d.actions || []).find(function (a) { return a.id === actionId; }) || {}).label || actionId;
  let result;
  try {
    const res = await fetch(API_ORIGIN + '/api/notifications/' + encodeURIComponent(d.id) + '/actions/' + encodeURIComponent(actionId), {
      method: 'POST',
      headers: { 'X-Wardbell-Action-Token': d.token || '' },
      credentials: 'omit',
    });
    let body = null;
    try { body = await res.json(); } catch (_) {}
    result = { ok: res.ok, status: res.status, body: body };
  } catch (err) {
    result = { ok: false, status: 0, body: null };
  }
  // The answer replaces the notification (same tag), so the lock screen shows what happened.
  const message = result.ok
    ? (result.body && result.body.message) || (label + ': done')
    : result.status === 0
      ? 'No connection: open Wardbell to answer.'
      : (result.body && result.body.error && result.body.error.message) || 'Your answer was not accepted.';
  await self.registration.showNotification(result.ok ? label + ' \\u2713' : label + ' failed', { body: message, tag: d.tag || d.id, data: { id: d.id, url: d.url } });
  return result;
}

async function openOrFocus(url, message) {
  const target = new URL(url || DEFAULT_URL, self.location.origin).href;
  const all = await windows();
  for (const c of all) c.postMessage(message);
  const same = all.find(function (c) { return c.url === target; }) || all.find(function (c) { return new URL(c.url).pathname === new URL(target).pathname; });
  try {
    if (same) return await same.focus();
    return await self.clients.openWindow(target);
  } catch (_) {
    // Focus and openWindow need the user's tap; without it (a script-dispatched event) they fail.
    return null;
  }
}

async function onClick(notification, actionId) {
  const d = notification.data || {};
  notification.close();
  const result = actionId && d.id && d.token ? await press(d, actionId) : null;
  await openOrFocus(d.url, { type: 'wardbell:notification-click', id: d.id || null, action: actionId || null, result: result });
  return result;
}

self.addEventListener('notificationclick', function (event) {
  keep(event, onClick(event.notification, event.action));
});

// The browser replaced or dropped the subscription: open pages re-subscribe (they hold the bearer
// token the subscribe call needs).
self.addEventListener('pushsubscriptionchange', function (event) {
  keep(event, tellPages({ type: 'wardbell:resubscribe' }));
});
`;
