import { defineConfig } from 'vitest/config';

// The Firefox e2e suite (e2e-firefox/): real Firefox ESR over WebDriver BiDi, one browser per
// test, one test at a time (a Firefox instance takes a core; the machine has two). Kept apart from
// vitest.config.ts (unit tests) and from vite.config.ts (the crx plugin).
export default defineConfig({
  test: {
    include: ['e2e-firefox/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
