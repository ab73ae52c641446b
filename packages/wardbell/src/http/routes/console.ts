import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { CONSOLE_CSP, CONSOLE_PATH, notBuiltHtml, type ConsoleFiles } from '../../console/index.js';
import { AppError, envelope } from '../../shared/index.js';
import type { AppEnv } from '../env.js';
import { errorResponse } from '../schemas.js';

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
    request: { params: z.object({ file: z.string().meta({ example: 'index-3f9a1c2b.js' }) }) },
    responses: { 200: { description: 'The asset.', content: { 'application/octet-stream': { schema: z.string() } } }, 404: errorResponse('No such asset.') },
  }),
};

function notBuiltResponse(c: Context<AppEnv>, files: ConsoleFiles): Response {
  const body = envelope(new AppError('unavailable', files.notBuiltMessage()));
  c.header('cache-control', 'no-store');
  if (!(c.req.header('accept') ?? '').includes('text/html')) return c.json(body, 503);
  c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
  return c.html(notBuiltHtml(JSON.stringify(body, null, 2)), 503);
}

/**
 * The realtime console at /api-test/realtime (seed section 6; access: public): `index.html`
 * (never cached, so a new build shows at once), hashed assets under `assets/` (cached for a year),
 * a 503 page that says how to build it when it is missing, and a redirect from `/` for newcomers.
 */
export function registerConsoleRoutes(app: OpenAPIHono<AppEnv>, deps: { files: ConsoleFiles }): void {
  const { files } = deps;
  const page = async (c: Context<AppEnv>) => {
    const bytes = await files.page();
    if (!bytes) return notBuiltResponse(c, files);
    c.header('content-type', 'text/html; charset=utf-8');
    c.header('cache-control', 'no-cache');
    c.header('content-security-policy', CONSOLE_CSP);
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    return c.body(new Uint8Array(bytes), 200);
  };

  app.openapi(routes.home, (c) => c.redirect(CONSOLE_PATH, 302));
  app.openapi(routes.page, page);
  app.openapi(routes.pageSlash, page);
  app.openapi(routes.asset, async (c) => {
    const name = c.req.valid('param').file;
    const asset = await files.asset(name);
    if (!asset) return c.json(envelope(new AppError('not_found', `No console asset named ${JSON.stringify(name.slice(0, 200))}.`)), 404);
    c.header('content-type', asset.contentType);
    c.header('cache-control', 'public, max-age=31536000, immutable');
    c.header('x-content-type-options', 'nosniff');
    return c.body(new Uint8Array(asset.bytes), 200);
  });
}
