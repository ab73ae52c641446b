import { describe, expect, it } from 'vitest';
import { openedNotificationId, watchOpenedNotifications, withoutOpenedNotification, type OpenedEnvironment } from '../../packages/client/src/index.js';
import { withOpenedNotification } from '../../packages/client/src/service-worker.js';

const ORIGIN = 'https://app.example';

function page(href: string) {
  const replaced: string[] = [];
  const listeners = new Set<(e: { data: unknown }) => void>();
  const env: OpenedEnvironment = {
    location: { href },
    history: {
      state: { kept: true },
      replaceState: (state, _unused, url) => {
        expect(state).toEqual({ kept: true });
        replaced.push(url);
      },
    },
    serviceWorker: {
      addEventListener: (_t, l) => void listeners.add(l),
      removeEventListener: (_t, l) => void listeners.delete(l),
    },
  };
  const post = (data: unknown) => {
    for (const l of listeners) l({ data });
  };
  return { env, replaced, listeners, post };
}

describe('the notification a tap opened', () => {
  it('is read from ?notification=, which the worker adds to the page it opens', () => {
    const url = new URL(withOpenedNotification('/ward?tab=rota#top', 'n 1/2'), ORIGIN).href;
    expect(url).toBe(`${ORIGIN}/ward?tab=rota&notification=n%201%2F2#top`);
    expect(openedNotificationId(url)).toBe('n 1/2');
    expect(withoutOpenedNotification(url)).toBe(`${ORIGIN}/ward?tab=rota#top`);
    expect(openedNotificationId(`${ORIGIN}/ward`)).toBeNull();
    expect(openedNotificationId(`${ORIGIN}/?notification=`)).toBeNull();
    expect(openedNotificationId(`${ORIGIN}/?notification=${'x'.repeat(201)}`)).toBeNull();
    expect(openedNotificationId('not a url')).toBeNull();
    expect(withoutOpenedNotification(`${ORIGIN}/ward`)).toBe(`${ORIGIN}/ward`);
  });

  it('opens the one the address names once, and takes it out of the address so a reload does not open it again', () => {
    const p = page(`${ORIGIN}/?tab=rota&notification=n-1`);
    const opened: string[] = [];
    watchOpenedNotifications((id) => opened.push(id), p.env);
    expect(opened).toEqual(['n-1']);
    expect(p.replaced).toEqual([`${ORIGIN}/?tab=rota`]);
  });

  it('opens what a tap on a notification focuses this page for, not presses of its buttons nor taps that focus another page', () => {
    const p = page(`${ORIGIN}/`);
    const opened: string[] = [];
    const stop = watchOpenedNotifications((id) => opened.push(id), p.env);
    expect(opened).toEqual([]);
    expect(p.replaced).toEqual([]);
    p.post({ type: 'wardbell:notification-click', id: 'n-2', action: null, result: null, target: true });
    p.post({ type: 'wardbell:notification-click', id: 'n-3', action: 'accept', result: { ok: true, status: 200, body: null }, target: true });
    p.post({ type: 'wardbell:notification-click', id: 'n-4', action: null, result: null, target: false });
    p.post({ type: 'wardbell:push', id: 'n-5', priority: 'urgent', title: 'x' });
    p.post({ type: 'wardbell:notification-click', id: 7, action: null });
    p.post(null);
    // A worker from before `target` was sent: the tap counts.
    p.post({ type: 'wardbell:notification-click', id: 'n-6', action: null, result: null });
    expect(opened).toEqual(['n-2', 'n-6']);
    stop();
    expect(p.listeners.size).toBe(0);
    p.post({ type: 'wardbell:notification-click', id: 'n-7', action: null, result: null, target: true });
    expect(opened).toEqual(['n-2', 'n-6']);
  });

  it('does nothing outside a browser', () => {
    const opened: string[] = [];
    const stop = watchOpenedNotifications((id) => opened.push(id), null);
    stop();
    expect(opened).toEqual([]);
  });
});
