/**
 * `/sw.js`, the app's service worker, on the app's own origin (a service worker must come from the
 * origin of the pages it serves): Wardbell's push handling as a classic script, installed with
 * the Wardbell URL that lock-screen action presses go to, and the page a tap opens.
 */
import { WARDBELL_SERVICE_WORKER_CLASSIC } from '@wardbell/client/service-worker-script';
import { env } from '../../lib/env';

// Built per request: the Wardbell URL is the running server's setting, not the build's.
export const dynamic = 'force-dynamic';

export function GET(): Response {
  const options = { apiUrl: env.publicWardbellUrl(), openUrl: '/' };
  const script = `${WARDBELL_SERVICE_WORKER_CLASSIC}\nself.WardbellServiceWorker.installWardbellPush(${JSON.stringify(options)});\n`;
  return new Response(script, { headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' } });
}
