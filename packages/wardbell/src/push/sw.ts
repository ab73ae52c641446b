import { WARDBELL_SERVICE_WORKER_CLASSIC } from '@wardbell/client/service-worker-script';
import { DEFAULT_CLICK_PATH } from './payload.js';

/**
 * The service worker the service ships at `GET /sw.js`: `@wardbell/client`'s push handling (its
 * classic build, the one apps can put into their own service worker) installed with the console as
 * the page a tap opens when the push names none. Pages register it with
 * `navigator.serviceWorker.register('/sw.js')`; a page served from another origin that proxies the
 * file adds `?api=<wardbell origin>` so presses reach the API.
 *
 * It shows each push (JSON of `PushPayload`, src/push/payload.ts) with its action buttons;
 * urgent ones stay until answered (`requireInteraction`) and alert again when replaced. A tap on
 * an action POSTs `/api/notifications/:id/actions/:actionId` with the push's action token
 * (`X-Wardbell-Action-Token`: the lock screen has no bearer token), shows the answer, and opens or
 * focuses the page; a tap elsewhere opens or focuses `url` (default the console).
 */
export const SERVICE_WORKER_JS = `/* Wardbell service worker (served by the Wardbell service). */
${WARDBELL_SERVICE_WORKER_CLASSIC}
self.WardbellServiceWorker.installWardbellPush({
  appName: 'Wardbell',
  openUrl: function (push) { return push.url || ${JSON.stringify(DEFAULT_CLICK_PATH)}; },
});
`;
