// @vitest-environment node
/**
 * The kit renders on a server: NotificationBell, Inbox and NotificationPreferences under a
 * WardbellProvider through react-dom/server in plain Node (no window, no document), giving their
 * first markup (the bell's name, the inbox's loading state, the form's) and touching no browser
 * global and no network while rendering: the stream connects and the data loads in effects.
 */
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Inbox, NotificationBell, NotificationPreferences, WardbellProvider } from '../../packages/react/src/index.js';

/** What a browser has and a server does not (BroadcastChannel is in Node too, and must wait for the browser all the same). */
const BROWSER_ONLY = ['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'self', 'IntersectionObserver', 'BroadcastChannel', 'EventSource', 'matchMedia', 'requestAnimationFrame', 'HTMLElement', 'Notification'] as const;

/**
 * Runs `fn` with every name above replaced by a getter that records its reads, and the global
 * fetch by one that records its calls (the API client keeps a reference to it, which is no call);
 * puts them back after.
 */
function watchingGlobals<T>(fn: () => T): { result: T; touched: string[] } {
  const g = globalThis as Record<string, unknown>;
  const saved = [...BROWSER_ONLY, 'fetch'].map((name) => [name, Object.getOwnPropertyDescriptor(g, name)] as const);
  const touched: string[] = [];
  for (const [name, before] of saved) {
    const value = before && 'value' in before ? before.value : before?.get?.call(g);
    const descriptor: PropertyDescriptor =
      name === 'fetch'
        ? { configurable: true, writable: true, value: (...args: unknown[]) => (touched.push(`fetch(${String(args[0])})`), (value as typeof fetch)(...(args as Parameters<typeof fetch>))) }
        : { configurable: true, get: () => (touched.push(name), value) };
    Object.defineProperty(g, name, descriptor);
  }
  try {
    return { result: fn(), touched };
  } finally {
    for (const [name, before] of saved) {
      if (before) Object.defineProperty(g, name, before);
      else delete g[name];
    }
  }
}

describe('server rendering', () => {
  it('renders the bell, the inbox and the preferences in plain Node, touching no browser global', () => {
    expect([typeof window, typeof document]).toEqual(['undefined', 'undefined']);
    let tokenAsked = false;
    const { result: html, touched } = watchingGlobals(() =>
      renderToString(
        <WardbellProvider baseUrl="https://wardbell.example.org/" getToken={() => ((tokenAsked = true), 'token')}>
          <NotificationBell />
          <Inbox />
          <NotificationPreferences />
        </WardbellProvider>,
      ),
    );
    expect(touched).toEqual([]);
    expect(tokenAsked).toBe(false);
    // The bell: its name without a count (none is known on the server), its icon, no badge.
    expect(html).toMatch(/^<button type="button" class="wardbell-bell" aria-label="Notifications"><svg aria-hidden="true" class="wardbell-bell-icon"[^>]*>.*?<\/svg><\/button>/);
    expect(html).not.toContain('wardbell-bell-count');
    // The inbox: its heading, mark all read disabled, the loading line, an empty list; no error, not "empty" yet.
    expect(html).toContain('<section class="wardbell-inbox" aria-label="Notifications"><header class="wardbell-inbox-header"><h2 tabindex="-1">Notifications</h2><button type="button" disabled="">Mark all read</button></header>');
    expect(html).toContain('<p class="wardbell-inbox-loading" aria-live="polite">Loading…</p><ul class="wardbell-inbox-list"></ul></section>');
    expect(html).not.toContain('role="alert"');
    expect(html).not.toContain('Nothing here yet.');
    // The preferences: loading until the user's preferences are read (in the browser).
    expect(html).toMatch(/<p class="wardbell-preferences-loading">Loading…<\/p>$/);
  });

  it('renders a signed-out page (connect={false}) the same way', () => {
    const { result: html, touched } = watchingGlobals(() =>
      renderToString(
        <WardbellProvider baseUrl="https://wardbell.example.org" getToken={() => 'token'} connect={false} share={false}>
          <NotificationBell expanded={false} />
        </WardbellProvider>,
      ),
    );
    expect(touched).toEqual([]);
    expect(html).toMatch(/^<button type="button" class="wardbell-bell" aria-label="Notifications" aria-expanded="false"><svg /);
  });
});
