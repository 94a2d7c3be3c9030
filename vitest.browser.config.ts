import { defineConfig } from 'vitest/config';

// `npm run test:browser`: the checks that drive a headless Chromium (also part of the main suite;
// this runs them alone, e.g. after installing chromium locally).
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
