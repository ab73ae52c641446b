/**
 * `@wardbell/client/service-worker`: Wardbell's push handling for a service worker, to put into an
 * app's own worker. `installWardbellPush()` shows each push (the JSON the service sends, its
 * `PushPayload`) with its action buttons; urgent ones stay until answered and alert again when
 * replaced. A tap on an action POSTs `{apiUrl}/api/notifications/:id/actions/:actionId` with the
 * push's action token (`X-Wardbell-Action-Token`: the lock screen has no bearer token), shows the
 * answer in place of the notification, and opens or focuses the app's page; a tap elsewhere opens
 * or focuses the page (`openUrl`). Open pages are told (`postMessage`, {@link WardbellWorkerMessage}).
 *
 * This file imports nothing, and declares the few service worker types it uses itself, so that it
 * compiles with the DOM lib of a page project and can be turned into a classic script
 * (`npm run generate:sw` writes `service-worker.classic.js`, which sets `self.WardbellServiceWorker`).
 */

export type WardbellPushPriority = 'low' | 'medium' | 'high' | 'urgent';

export interface WardbellPushAction {
  id: string;
  label: string;
  style?: string;
}

/** A push as Wardbell sends it, checked and normalised by {@link readPushPayload}. */
export interface WardbellPush {
  id: string;
  title: string;
  body: string;
  /** An unknown or missing priority reads as `medium`. */
  priority: WardbellPushPriority;
  type?: string;
  actions: WardbellPushAction[];
  data: unknown;
  /** The page the service names for a tap. */
  url?: string;
  /** The action token for this notification's buttons. */
  token?: string;
  /** A newer notification with the same tag replaces the older on the device. */
  tag?: string;
  createdAt?: string;
  /**
   * `'generic'`: the service left the content out (the tenant's lock-screen setting, or the send's):
   * `title` and `body` are its generic text (`Urgent call, Ward 3`, `Shift swap request`, ...), the
   * buttons have generic labels, `data` is empty. Shown as it is; the page a tap opens fetches the
   * details with the user's credentials.
   */
  lockScreen?: 'generic';
}

export interface WardbellGenericText {
  /** Default `New notification`. */
  title?: string;
  /** Default `Open the app to see the details.` */
  body?: string;
  /** The title of an urgent one. Default `Urgent notification`. */
  urgentTitle?: string;
}

/** The answer to an action press; `status` 0: no answer (network). */
export interface WardbellPressResult {
  ok: boolean;
  status: number;
  body: unknown;
}

/** What the worker keeps with a shown notification (`notification.data`). */
export interface WardbellNotificationData {
  id?: string;
  /** The page a tap opens or focuses, as resolved when the push was shown. */
  url?: string;
  token?: string;
  tag?: string;
  priority?: WardbellPushPriority;
  type?: string;
  actions?: WardbellPushAction[];
  data?: unknown;
  lockScreen?: 'generic';
}

/** The options of `showNotification` the worker uses (the DOM lib's NotificationOptions lacks some). */
export interface WardbellNotificationOptions {
  body: string;
  tag: string;
  renotify?: boolean;
  requireInteraction?: boolean;
  silent?: boolean;
  timestamp?: number;
  vibrate?: number[];
  actions?: Array<{ action: string; title: string }>;
  data: WardbellNotificationData;
}

export interface WardbellNotification {
  title: string;
  options: WardbellNotificationOptions;
}

/** What the worker tells the open pages of its origin. */
export type WardbellWorkerMessage =
  | { type: 'wardbell:push'; id: string; priority: WardbellPushPriority; title: string }
  /** `target`: this is the page the tap focuses (the others are only told); a newly opened page gets none and reads `?notification=` instead. */
  | { type: 'wardbell:notification-click'; id: string | null; action: string | null; result: WardbellPressResult | null; target?: boolean }
  | { type: 'wardbell:resubscribe' };

export interface WardbellPushOptions {
  /**
   * Wardbell's base URL, where action presses go (`{apiUrl}/api/notifications/...`). Default: the
   * `?api=` parameter of the worker script's URL (its origin), else the worker's own origin.
   */
  apiUrl?: string;
  /**
   * The page a tap opens or focuses (relative to the worker's origin): a URL for every
   * notification (given `?notification=<id>`, which `watchOpenedNotifications` in
   * `@wardbell/client` reads), or a function of the push (its answer is used as it is). Default:
   * the push's `url`, else `/`, with `?notification=<id>`.
   */
  openUrl?: string | ((push: WardbellPush) => string);
  /**
   * The text shown for a generic push (`lockScreen: 'generic'`) that carries no title or body of its
   * own. The service's generic pushes carry their generic text, which is shown as it is: the worker
   * never shows a title or body a generic push did not carry, except these words of the app's.
   */
  genericText?: WardbellGenericText;
  /** The app's name: the title for a push that cannot be read, and in "open … to answer". Default: the generic title, and "the app". */
  appName?: string;
  /** At most this many buttons (default: what the browser shows, `Notification.maxActions`, else 2). */
  maxActions?: number;
  /** `skipWaiting()` on install and `clients.claim()` on activate, so a new worker takes over at once. Default true. */
  claim?: boolean;
  /** Tell the service a push was displayed and a tap opened it (delivery receipts, with the push's action token). Default true. */
  receipts?: boolean;
  /** After a push was shown and the pages told. */
  onPush?: (push: WardbellPush) => void | Promise<void>;
  /** After a tap was handled (and an action pressed), before the page is opened or focused. */
  onClick?: (click: { data: WardbellNotificationData; action: string | null; result: WardbellPressResult | null }) => void | Promise<void>;
}

/** The service worker global the handlers use (`self`). */
export interface WardbellServiceWorkerScope {
  location: { href: string; origin: string };
  registration: { showNotification(title: string, options: WardbellNotificationOptions): Promise<unknown> };
  clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<ReadonlyArray<WardbellWindowClient>>;
    openWindow(url: string): Promise<unknown>;
    claim(): Promise<unknown>;
  };
  addEventListener(type: string, listener: (event: never) => void): void;
  skipWaiting?(): Promise<unknown>;
  fetch(url: string, init: { method: 'POST'; headers: Record<string, string>; credentials: 'omit' }): Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;
  Notification?: { maxActions?: number };
}

export interface WardbellWindowClient {
  url: string;
  postMessage(message: WardbellWorkerMessage): void;
  focus(): Promise<unknown>;
}

interface ExtendableEventLike {
  waitUntil(promise: Promise<unknown>): void;
}
interface PushEventLike extends ExtendableEventLike {
  data?: { json(): unknown } | null;
}
interface NotificationClickEventLike extends ExtendableEventLike {
  notification: { data?: unknown; close(): void };
  action?: string;
}

export const DEFAULT_GENERIC_TEXT: Required<WardbellGenericText> = {
  title: 'New notification',
  body: 'Open the app to see the details.',
  urgentTitle: 'Urgent notification',
};

const PRIORITIES: readonly string[] = ['low', 'medium', 'high', 'urgent'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The push as the worker uses it, from the message's JSON (`event.data.json()`); null when it is not
 * one of Wardbell's (no string `id` and `title`). Fields of the wrong type are dropped, so whatever
 * arrives, the rest of the worker sees the declared types.
 */
export function readPushPayload(json: unknown): WardbellPush | null {
  if (!isRecord(json)) return null;
  const id = json.id;
  const title = json.title;
  if (typeof id !== 'string' || id === '' || typeof title !== 'string') return null;
  const actions: WardbellPushAction[] = [];
  if (Array.isArray(json.actions)) {
    for (const a of json.actions as unknown[]) {
      if (!isRecord(a) || typeof a.id !== 'string' || a.id === '') continue;
      const action: WardbellPushAction = { id: a.id, label: typeof a.label === 'string' && a.label !== '' ? a.label : a.id };
      if (typeof a.style === 'string') action.style = a.style;
      actions.push(action);
    }
  }
  const push: WardbellPush = {
    id,
    title,
    body: str(json.body) ?? '',
    priority: typeof json.priority === 'string' && PRIORITIES.includes(json.priority) ? (json.priority as WardbellPushPriority) : 'medium',
    actions,
    data: json.data === undefined ? {} : json.data,
  };
  const type = str(json.type);
  if (type !== undefined) push.type = type;
  const url = str(json.url);
  if (url) push.url = url;
  const token = str(json.token);
  if (token) push.token = token;
  const tag = str(json.tag);
  if (tag) push.tag = tag;
  const createdAt = str(json.createdAt);
  if (createdAt !== undefined) push.createdAt = createdAt;
  if (json.lockScreen === 'generic') push.lockScreen = 'generic';
  return push;
}

/** The query parameter that names the notification a tap opened (`/?notification=<id>`). */
export const OPENED_NOTIFICATION_PARAM = 'notification';

/**
 * `url` with `?notification=<id>` (kept when it names one already), so the page a tap opens knows
 * which notification to fetch and show. A URL that cannot be read is returned as it is.
 */
export function withOpenedNotification(url: string, id: string): string {
  const m = /^([^?#]*)(\?[^#]*)?(#.*)?$/.exec(url);
  if (!m) return url;
  const query = m[2] ?? '';
  if (query.slice(1).split('&').some((p) => p === OPENED_NOTIFICATION_PARAM || p.startsWith(`${OPENED_NOTIFICATION_PARAM}=`))) return url;
  const param = `${OPENED_NOTIFICATION_PARAM}=${encodeURIComponent(id)}`;
  return `${m[1] ?? ''}${query.length > 1 ? `${query}&` : '?'}${param}${m[3] ?? ''}`;
}

/**
 * The page for a push: `openUrl` as a function of the push (the app's own choice, used as it is);
 * else `openUrl`, the push's `url` or `/`, naming the notification (`?notification=<id>`).
 */
function openUrlOf(push: WardbellPush, options: WardbellPushOptions): string {
  const o = options.openUrl;
  if (typeof o === 'function') {
    const u = o(push);
    if (typeof u === 'string' && u !== '') return u;
  }
  return withOpenedNotification(typeof o === 'string' ? o : (push.url ?? '/'), push.id);
}

/**
 * What `registration.showNotification` gets for a push (pure). Urgent: stays until answered,
 * alerts again when replaced, vibrates; high: alerts again when replaced; low: silent. The buttons
 * are the first `maxActions` actions; all of them stay in `data` for the press. With
 * `lockScreen: 'generic'` the title and body are the push's own (the service's generic text), or,
 * where it carries none, `genericText`; the answer to a press then leaves the service's words out.
 */
export function notificationFor(push: WardbellPush, options: WardbellPushOptions = {}): WardbellNotification {
  const urgent = push.priority === 'urgent';
  const generic = push.lockScreen === 'generic';
  const text = { ...DEFAULT_GENERIC_TEXT, ...definedOnly(options.genericText) };
  const max = Math.max(0, Math.floor(options.maxActions ?? 2));
  const tag = push.tag || push.id;
  const data: WardbellNotificationData = { id: push.id, url: openUrlOf(push, options), token: push.token, tag, priority: push.priority, type: push.type, actions: push.actions, data: push.data };
  if (generic) data.lockScreen = 'generic';
  const shown: WardbellNotificationOptions = {
    body: generic ? push.body || text.body : push.body,
    tag,
    renotify: urgent || push.priority === 'high',
    requireInteraction: urgent,
    silent: push.priority === 'low',
    timestamp: (push.createdAt !== undefined ? Date.parse(push.createdAt) : NaN) || Date.now(),
    actions: push.actions.slice(0, max).map((a) => ({ action: a.id, title: a.label })),
    data,
  };
  if (urgent) shown.vibrate = [400, 150, 400, 150, 400];
  return { title: generic ? push.title || (urgent ? text.urgentTitle : text.title) : push.title, options: shown };
}

/** What is shown for a push that is not Wardbell's JSON: browsers require a visible notification for every push. */
export function unreadableNotification(options: WardbellPushOptions = {}): WardbellNotification {
  const title = options.appName ?? options.genericText?.title ?? DEFAULT_GENERIC_TEXT.title;
  const data: WardbellNotificationData = {};
  if (typeof options.openUrl === 'string') data.url = options.openUrl;
  return { title, options: { body: 'You have a new notification.', tag: 'wardbell', data } };
}

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  if (!o) return out;
  for (const k of Object.keys(o) as Array<keyof T>) if (typeof o[k] === 'string') out[k] = o[k];
  return out;
}

/**
 * Where presses go: `apiUrl` (without a trailing slash), else the origin in the worker script's
 * `?api=` parameter, else the worker's origin. Only http(s) URLs count.
 */
export function resolveApiBase(apiUrl: string | undefined, workerUrl: string): string {
  const here = new URL(workerUrl);
  const http = (u: URL) => u.protocol === 'https:' || u.protocol === 'http:';
  try {
    if (apiUrl) {
      const u = new URL(apiUrl, here);
      if (http(u)) return (u.origin + u.pathname).replace(/\/+$/, '');
    }
  } catch {
    // not a URL: the defaults below
  }
  try {
    const api = here.searchParams.get('api');
    if (api) {
      const u = new URL(api);
      if (http(u)) return u.origin;
    }
  } catch {
    // not a URL: the worker's origin
  }
  return here.origin;
}

/** The request an action press makes: the push's action token, no cookies (pure). */
export function pressRequest(data: WardbellNotificationData, actionId: string, apiBase: string): { url: string; init: { method: 'POST'; headers: Record<string, string>; credentials: 'omit' } } {
  return {
    url: `${apiBase}/api/notifications/${encodeURIComponent(data.id ?? '')}/actions/${encodeURIComponent(actionId)}`,
    init: { method: 'POST', headers: { 'X-Wardbell-Action-Token': data.token ?? '' }, credentials: 'omit' },
  };
}

/**
 * The receipt a worker sends when it showed a push (`displayed`) or the user tapped it
 * (`opened`): the push's action token reports for that notification only; no cookies (pure).
 */
export function receiptRequest(id: string, token: string, kind: 'displayed' | 'opened', apiBase: string, at: number): { url: string; init: { method: 'POST'; headers: Record<string, string>; body: string; credentials: 'omit' } } {
  return {
    url: `${apiBase}/api/notifications/receipts`,
    init: {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Wardbell-Action-Token': token },
      body: JSON.stringify({ receipts: [{ id, kind, via: 'worker', at: new Date(at).toISOString() }] }),
      credentials: 'omit',
    },
  };
}

/** The button's label, from the actions kept with the notification (else the action id). */
export function actionLabel(data: WardbellNotificationData, actionId: string): string {
  const a = Array.isArray(data.actions) ? data.actions.find((x) => isRecord(x) && x.id === actionId) : undefined;
  return a && typeof a.label === 'string' && a.label !== '' ? a.label : actionId;
}

/**
 * The notification that replaces the pressed one (same tag), so the lock screen shows what
 * happened: the service's answer message, or why it failed. With a generic lock screen the
 * service's words are not shown (they may name people or places), only the outcome.
 */
export function pressResultText(label: string, result: WardbellPressResult, options: { generic?: boolean; appName?: string } = {}): { title: string; body: string } {
  const body = isRecord(result.body) ? result.body : {};
  const error = isRecord(body.error) ? body.error : {};
  const app = options.appName ?? 'the app';
  if (result.ok) return { title: `${label} \u2713`, body: (!options.generic && str(body.message)) || `${label}: done` };
  if (result.status === 0) return { title: `${label} failed`, body: `No connection: open ${app} to answer.` };
  return { title: `${label} failed`, body: (!options.generic && str(error.message)) || 'Your answer was not accepted.' };
}

/**
 * The absolute URL a tap opens or focuses: the notification's `url`, else `openUrl` when it is a
 * URL, else `/`; relative to `origin`. Anything but http(s) gives `origin/`.
 */
export function clickTarget(data: WardbellNotificationData, options: WardbellPushOptions, origin: string): string {
  const raw = typeof data.url === 'string' && data.url !== '' ? data.url : typeof options.openUrl === 'string' ? options.openUrl : '/';
  try {
    const u = new URL(raw, origin);
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.href;
  } catch {
    // not a URL
  }
  return new URL('/', origin).href;
}

// waitUntil keeps the worker alive until the work is done. Events a script dispatches itself are
// untrusted and may not extend their lifetime; the work still runs.
function keep<T>(event: ExtendableEventLike, promise: Promise<T>): Promise<T> {
  try {
    event.waitUntil(promise);
  } catch {
    // an untrusted event
  }
  return promise;
}

/**
 * Adds Wardbell's `push`, `notificationclick` and `pushsubscriptionchange` handlers (and, unless
 * `claim: false`, `install`/`activate` ones that let a new worker take over at once) to the service
 * worker, `scope` (default `self`). Call it once, at the top level of the worker script.
 */
export function installWardbellPush(options: WardbellPushOptions = {}, scope: WardbellServiceWorkerScope = globalThis as unknown as WardbellServiceWorkerScope): void {
  const apiBase = () => resolveApiBase(options.apiUrl, scope.location.href);
  const maxActions = () => options.maxActions ?? (scope.Notification && scope.Notification.maxActions) ?? 2;

  const windows = () => scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const tellPages = async (message: WardbellWorkerMessage) => {
    for (const c of await windows()) c.postMessage(message);
  };
  const hook = async (f: (() => void | Promise<void>) | undefined) => {
    try {
      await f?.();
    } catch {
      // the app's hook failed: the notification is shown and handled regardless
    }
  };

  // Receipts are what the sender sees of delivery: a failed one is dropped, never retried.
  const receipt = async (id: string | undefined, token: string | undefined, kind: 'displayed' | 'opened') => {
    if (!id || !token || options.receipts === false) return;
    const req = receiptRequest(id, token, kind, apiBase(), Date.now());
    try {
      await scope.fetch(req.url, req.init);
    } catch {
      // offline: the page reports what it shows when it opens
    }
  };

  const showPush = async (push: WardbellPush | null) => {
    if (!push) {
      const n = unreadableNotification(options);
      await scope.registration.showNotification(n.title, n.options);
      return;
    }
    const n = notificationFor(push, { ...options, maxActions: maxActions() });
    await scope.registration.showNotification(n.title, n.options);
    await receipt(push.id, push.token, 'displayed');
    await tellPages({ type: 'wardbell:push', id: push.id, priority: push.priority, title: push.title });
    await hook(options.onPush && (() => options.onPush?.(push)));
  };

  const press = async (d: WardbellNotificationData, actionId: string): Promise<WardbellPressResult> => {
    const label = actionLabel(d, actionId);
    const req = pressRequest(d, actionId, apiBase());
    let result: WardbellPressResult;
    try {
      const res = await scope.fetch(req.url, req.init);
      let body: unknown = null;
      try {
        body = await res.json();
      } catch {
        // no JSON answer
      }
      result = { ok: res.ok, status: res.status, body };
    } catch {
      result = { ok: false, status: 0, body: null };
    }
    // The answer replaces the notification (same tag), so the lock screen shows what happened.
    const text = pressResultText(label, result, { generic: d.lockScreen === 'generic', ...(options.appName !== undefined ? { appName: options.appName } : {}) });
    const data: WardbellNotificationData = { id: d.id, url: d.url };
    await scope.registration.showNotification(text.title, { body: text.body, tag: d.tag || d.id || 'wardbell', data });
    return result;
  };

  const openOrFocus = async (url: string, message: WardbellWorkerMessage) => {
    const all = await windows();
    const path = (u: string) => {
      try {
        return new URL(u).pathname;
      } catch {
        return null;
      }
    };
    const same = all.find((c) => c.url === url) ?? all.find((c) => path(c.url) === path(url));
    for (const c of all) c.postMessage(message.type === 'wardbell:notification-click' ? { ...message, target: c === same } : message);
    try {
      if (same) return await same.focus();
      return await scope.clients.openWindow(url);
    } catch {
      // Focus and openWindow need the user's tap; without it (a script-dispatched event) they fail.
      return null;
    }
  };

  const onClick = async (notification: NotificationClickEventLike['notification'], action: string | undefined) => {
    const d: WardbellNotificationData = isRecord(notification.data) ? (notification.data as WardbellNotificationData) : {};
    notification.close();
    const actionId = action || null;
    // A tap on the notification opens it; a button answers it (the service records that itself).
    if (!actionId) await receipt(d.id, d.token, 'opened');
    const result = actionId && d.id && d.token ? await press(d, actionId) : null;
    await hook(options.onClick && (() => options.onClick?.({ data: d, action: actionId, result })));
    await openOrFocus(clickTarget(d, options, scope.location.origin), { type: 'wardbell:notification-click', id: d.id || null, action: actionId, result });
    return result;
  };

  if (options.claim !== false) {
    scope.addEventListener('install', () => {
      void scope.skipWaiting?.();
    });
    scope.addEventListener('activate', (event: ExtendableEventLike) => {
      event.waitUntil(scope.clients.claim());
    });
  }
  scope.addEventListener('push', (event: PushEventLike) => {
    let json: unknown = null;
    try {
      json = event.data ? event.data.json() : null;
    } catch {
      json = null;
    }
    void keep(event, showPush(readPushPayload(json)));
  });
  scope.addEventListener('notificationclick', (event: NotificationClickEventLike) => {
    void keep(event, onClick(event.notification, event.action));
  });
  // The browser replaced or dropped the subscription: open pages re-subscribe (they hold the
  // bearer token the subscribe call needs).
  scope.addEventListener('pushsubscriptionchange', (event: ExtendableEventLike) => {
    void keep(event, tellPages({ type: 'wardbell:resubscribe' }));
  });
}
