import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { join, relative } from 'node:path';
import type { AppEnv } from '../http/index.js';
import { errorResponse } from '../http/index.js';
import { AppError, envelope } from '../shared/errors.js';
import { contentTypeOf, readRegularFile, safeJoin } from './files.js';

export interface ConsoleOptions {
  /** Directory holding the built console (index.html and assets). */
  root: string;
}

/** Where the console lives; Vite builds it with this `base`. */
export const CONSOLE_PATH = '/api-test/realtime';

/**
 * What the page may load: only this origin (the API, the service worker, its own assets); inline
 * style attributes (React `style`) are allowed, inline scripts are not.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const html = { 'text/html': { schema: z.string() } };
const tags = ['console'];
const notBuilt = errorResponse('The console has not been built (run `npm run build`); an HTML page for browsers, the error envelope otherwise.');
const routes = {
  home: createRoute({
    method: 'get', path: '/', tags, summary: 'Redirect to the console',
    responses: { 302: { description: `Location: ${CONSOLE_PATH}` } },
  }),
  page: createRoute({
    method: 'get', path: CONSOLE_PATH, tags, summary: 'The realtime console (seed section 6)',
    description: 'One page to watch the stream, the inbox, push and the metrics, and to try every API as any user.',
    responses: { 200: { description: 'The page.', content: html }, 503: notBuilt },
  }),
  pageSlash: createRoute({
    method: 'get', path: `${CONSOLE_PATH}/`, tags, summary: 'The realtime console (trailing slash)',
    responses: { 200: { description: 'The page.', content: html }, 503: notBuilt },
  }),
  asset: createRoute({
    method: 'get', path: `${CONSOLE_PATH}/assets/{file}`, tags, summary: 'A hashed console asset',
    description: 'Names carry a content hash, so they are cached for a year and never revalidated.',
    request: { params: z.object({ file: z.string().openapi({ param: { name: 'file', in: 'path' }, example: 'index-3f9a1c2b.js' }) }) },
    responses: { 200: { description: 'The asset.', content: { 'application/octet-stream': { schema: z.string() } } }, 404: errorResponse('No such asset.') },
  }),
};

function notBuiltResponse(c: Context<AppEnv>, root: string): Response {
  const where = relative(process.cwd(), root) || root;
  const err = new AppError(
    'unavailable',
    `The console is not built: ${join(where, 'index.html')} is missing. Run \`npm run build\` (or \`npm run build:web\` for the console alone) and reload; \`npm start\` builds it for you.`,
  );
  const body = envelope(err);
  c.header('cache-control', 'no-store');
  if (!(c.req.header('accept') ?? '').includes('text/html')) return c.json(body, 503);
  const escaped = JSON.stringify(body, null, 2).replace(/[&<>]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[ch] ?? ch);
  c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<title>Wardbell console not built</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#1f2937}` +
      `code,pre{background:#f3f4f6;border-radius:6px;padding:.15rem .4rem}pre{padding:1rem;overflow:auto}</style></head><body>` +
      `<h1>The console is not built yet</h1><p>The service is running; only the console's files are missing. From the repository, run</p>` +
      `<pre>npm run build</pre><p>and reload this page. (<code>npm start</code> builds everything before it starts.)</p>` +
      `<p>The API answers as usual: <a href="/api/openapi.json">/api/openapi.json</a>.</p><h2>Error</h2><pre>${escaped}</pre></body></html>`,
    503,
  );
}

/**
 * Serves the realtime console at /api-test/realtime (seed section 6): `index.html` (never cached,
 * so a new build shows at once), hashed assets under `assets/` (cached for a year), a 503 page
 * that says how to build it when it is missing, and a redirect from `/` for newcomers. Files are
 * read at request time, so building while the service runs needs no restart.
 */
export function registerConsole(app: OpenAPIHono<AppEnv>, opts: ConsoleOptions): void {
  const assets = join(opts.root, 'assets');

  const page = async (c: Context<AppEnv>) => {
    const bytes = await readRegularFile(join(opts.root, 'index.html'));
    if (!bytes) return notBuiltResponse(c, opts.root);
    c.header('content-type', 'text/html; charset=utf-8');
    c.header('cache-control', 'no-cache');
    c.header('content-security-policy', CSP);
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    return c.body(new Uint8Array(bytes), 200);
  };

  app.openapi(routes.home, (c) => c.redirect(CONSOLE_PATH, 302));
  app.openapi(routes.page, page);
  app.openapi(routes.pageSlash, page);
  app.openapi(routes.asset, async (c) => {
    const name = c.req.valid('param').file;
    const path = safeJoin(assets, name);
    const bytes = path ? await readRegularFile(path) : null;
    if (!path || !bytes) return c.json(envelope(new AppError('not_found', `No console asset named ${JSON.stringify(name.slice(0, 200))}.`)), 404);
    c.header('content-type', contentTypeOf(path));
    c.header('cache-control', 'public, max-age=31536000, immutable');
    c.header('x-content-type-options', 'nosniff');
    return c.body(new Uint8Array(bytes), 200);
  });
}
