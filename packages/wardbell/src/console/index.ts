import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentTypeOf, readRegularFile, safeJoin } from './files.js';

/** Where the console lives; Vite builds it with this `base`. */
export const CONSOLE_PATH = '/api-test/realtime';

/**
 * What the page may load: only this origin (the API, the service worker, its own assets); inline
 * style attributes (React `style`) are allowed, inline scripts are not.
 */
export const CONSOLE_CSP = [
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

/** The built console: the package's `dist/web` (from `npm run build`), found from this file. */
export function defaultConsoleRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // This file runs from <package>/src/console (tsx) or <package>/dist/console (built, also when
  // installed): both reach <package>/dist/web.
  return basename(dirname(here)) === 'dist' ? resolve(here, '..', 'web') : resolve(here, '..', '..', 'dist', 'web');
}

/**
 * The built console's files. They are read at request time, so building while the service runs
 * needs no restart; names never leave the build folder.
 */
export class ConsoleFiles {
  private readonly assets: string;
  constructor(readonly root: string) {
    this.assets = join(root, 'assets');
  }

  /** `index.html`, or null when the console is not built. */
  page(): Promise<Buffer | null> {
    return readRegularFile(join(this.root, 'index.html'));
  }

  /** A hashed asset and its content type, or null when there is no such file. */
  async asset(name: string): Promise<{ bytes: Buffer; contentType: string } | null> {
    const path = safeJoin(this.assets, name);
    const bytes = path ? await readRegularFile(path) : null;
    return path && bytes ? { bytes, contentType: contentTypeOf(path) } : null;
  }

  /** What to do when the console is not built. */
  notBuiltMessage(): string {
    const where = relative(process.cwd(), this.root) || this.root;
    return `The console is not built: ${join(where, 'index.html')} is missing. Run \`npm run build\` (or \`npm run build:web\` for the console alone) and reload; \`npm start\` builds it for you.`;
  }
}

/** The page a browser gets when the console is not built: what to run, and the error itself. */
export function notBuiltHtml(errorJson: string): string {
  const escaped = errorJson.replace(/[&<>]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[ch] ?? ch);
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>Wardbell console not built</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#1f2937}` +
    `code,pre{background:#f3f4f6;border-radius:6px;padding:.15rem .4rem}pre{padding:1rem;overflow:auto}</style></head><body>` +
    `<h1>The console is not built yet</h1><p>The service is running; only the console's files are missing. From the repository, run</p>` +
    `<pre>npm run build</pre><p>and reload this page. (<code>npm start</code> builds everything before it starts.)</p>` +
    `<p>The API answers as usual: <a href="/api/openapi.json">/api/openapi.json</a>.</p><h2>Error</h2><pre>${escaped}</pre></body></html>`
  );
}
