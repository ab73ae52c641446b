import { useEffect, useState } from 'react';
import { api } from './api.js';

/**
 * What this server offers, read from /api/openapi.json: panels whose routes are missing (a server
 * without push, without workflows, or not in development mode) say so instead of failing.
 */
export interface Capabilities {
  status: 'loading' | 'ready' | 'error';
  routes: ReadonlySet<string>;
  version: string;
}

export function has(caps: Capabilities, route: string): boolean {
  // Until the description is read, assume yes: a missing route then answers 404 and says so.
  return caps.status !== 'ready' || caps.routes.has(route);
}

interface OpenApiDoc {
  info?: { version?: string };
  paths?: Record<string, Record<string, unknown>>;
}

export function useCapabilities(): Capabilities {
  const [caps, setCaps] = useState<Capabilities>({ status: 'loading', routes: new Set(), version: '' });
  useEffect(() => {
    const ctl = new AbortController();
    api<OpenApiDoc>('/api/openapi.json', { signal: ctl.signal })
      .then((doc) => {
        const routes = new Set<string>();
        for (const [path, ops] of Object.entries(doc.paths ?? {})) for (const m of Object.keys(ops)) routes.add(`${m.toUpperCase()} ${path}`);
        setCaps({ status: 'ready', routes, version: doc.info?.version ?? '' });
      })
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) {
          console.warn('could not read /api/openapi.json', err);
          setCaps((c) => ({ ...c, status: 'error' }));
        }
      });
    return () => ctl.abort();
  }, []);
  return caps;
}
