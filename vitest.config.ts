import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  // The packages are tested from their sources, as tsconfig.json's paths resolve them.
  // Exact matches: a plain '@wardbell/client' key would also rewrite '@wardbell/client/service-worker'.
  resolve: {
    alias: [
      { find: /^@wardbell\/client$/, replacement: here('./packages/client/src/index.ts') },
      { find: /^@wardbell\/client\/service-worker$/, replacement: here('./packages/client/src/service-worker.ts') },
      { find: /^@wardbell\/client\/service-worker-script$/, replacement: here('./packages/client/src/service-worker-script.ts') },
      { find: /^@wardbell\/react$/, replacement: here('./packages/react/src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'packages/*/src/**/*.test.ts', 'packages/*/src/**/*.test.tsx'],
    // Packing rebuilds the packages' dist/ (the console too), which the browser suites serve:
    // `npm run test:packages` runs it after the rest (vitest.packages.config.ts).
    exclude: ['**/node_modules/**', 'test/packages/**'],
    environment: 'node',
    // One real Redis Cluster for the run when the scale-out suites are on (REDIS_URL): redisClusterUrl() in test/helpers/scale.ts.
    globalSetup: ['./test/setup/redis-cluster.global.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
