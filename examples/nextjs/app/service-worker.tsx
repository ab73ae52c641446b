'use client';
/**
 * Registers the app's service worker (`/sw.js`, Wardbell's push handling) as soon as a page loads,
 * in browsers that have service workers. It asks the user nothing: notification permission is asked
 * only by "Turn on notifications on this device", whose `subscribeToPush` finds the worker in place.
 */
import { useEffect } from 'react';

export function ServiceWorker() {
  useEffect(() => {
    if (!('serviceWorker' in navigator)) return;
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err: unknown) => {
      // Not on https (or localhost), or the browser refused: the pages work without it, push does not.
      console.warn('The service worker /sw.js was not registered:', err);
    });
  }, []);
  return null;
}
