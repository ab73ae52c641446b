import { defineConfig } from 'vitest/config';

/** `npm run test:packages`: the packages packed and installed outside the repository (test/packages). */
export default defineConfig({
  test: {
    include: ['test/packages/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 600_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
