import { defineConfig } from 'vitest/config';

// Kept apart from vite.config.ts so unit tests never load the crx plugin.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['fake-indexeddb/auto'],
  },
});
