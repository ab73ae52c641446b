/**
 * The realtime console (seed section 6), built by `npm run build:web` into the service package's
 * dist/web and served by the service at /api-test/realtime (src/console). It uses the client
 * packages from their sources. To work on it with hot reload against a running service on :3000:
 * `npx vite --config packages/wardbell/web/vite.config.ts` (API calls are proxied).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const service = process.env.WARDBELL_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: here('.'),
  base: '/api-test/realtime/',
  publicDir: false,
  clearScreen: false,
  // No React plugin: esbuild's automatic JSX runtime is all the console needs.
  esbuild: { jsx: 'automatic' },
  plugins: [
    {
      // `'use client'` marks @wardbell/react for server-component bundlers; in the console's one
      // bundle it means nothing, and Rollup would warn about it.
      name: 'drop-use-client',
      enforce: 'pre',
      transform: (code, id) => (id.startsWith(here('../../react/src/')) ? code.replace(/^'use client';\n/, '') : null),
    },
  ],
  // Exact matches, so that the client's subpaths (@wardbell/client/service-worker) resolve too.
  resolve: {
    alias: [
      { find: /^@wardbell\/client$/, replacement: here('../../client/src/index.ts') },
      { find: /^@wardbell\/client\/service-worker$/, replacement: here('../../client/src/service-worker.ts') },
      { find: /^@wardbell\/react$/, replacement: here('../../react/src/index.ts') },
    ],
  },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 400,

  },
  server: {
    proxy: {
      '/api/': { target: service, changeOrigin: false },
      '/metrics': service,
      '/readyz': service,
      '/sw.js': service,
    },
  },
});
