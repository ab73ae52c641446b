/**
 * Receipts from a page: "displayed" when a notification was shown to the user (a toast, a row of
 * an open inbox), "opened" when they opened it. Reports are gathered for `delayMs` and sent in one
 * call; each (notification, kind) once per reporter. A failed call is dropped: receipts are what a
 * sender sees of delivery, never a reason to retry a user's page into the ground.
 */
import type { ApiClient } from './api/client.js';
import type { TimerFunctions } from './types.js';

export interface ReceiptReporter {
  displayed(notificationId: string): void;
  opened(notificationId: string): void;
  /** Sends what is gathered now. */
  flush(): Promise<void>;
}

export interface ReceiptReporterOptions {
  api: ApiClient;
  /** How long reports are gathered before one call. Default 1000 ms. */
  delayMs?: number;
  setTimeout?: TimerFunctions['setTimeout'];
  clearTimeout?: TimerFunctions['clearTimeout'];
  now?: () => number;
}

const MAX_BATCH = 100;

export function createReceiptReporter(options: ReceiptReporterOptions): ReceiptReporter {
  const setT = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const clearT = options.clearTimeout ?? ((h) => globalThis.clearTimeout(h as Parameters<typeof clearTimeout>[0]));
  const now = options.now ?? Date.now;
  const sent = new Set<string>();
  let queue: Array<{ id: string; kind: 'displayed' | 'opened'; via: 'page'; at: string }> = [];
  let timer: unknown = null;

  const flush = async (): Promise<void> => {
    if (timer !== null) clearT(timer);
    timer = null;
    while (queue.length) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(MAX_BATCH);
      try {
        await options.api.notifications.reportReceipts({ receipts: batch });
      } catch {
        // dropped (see above)
      }
    }
  };
  const add = (id: string, kind: 'displayed' | 'opened') => {
    const key = `${kind}\0${id}`;
    if (sent.has(key)) return;
    sent.add(key);
    queue.push({ id, kind, via: 'page', at: new Date(now()).toISOString() });
    if (queue.length >= MAX_BATCH) void flush();
    else if (timer === null) timer = setT(() => void flush(), options.delayMs ?? 1000);
  };
  return { displayed: (id) => add(id, 'displayed'), opened: (id) => add(id, 'opened'), flush };
}
