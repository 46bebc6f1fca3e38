import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // Bundles the NDK client page (e2e/site/.build/, git-ignored) before any test runs.
  globalSetup: './e2e/global-setup.ts',
  timeout: 60_000,
  // Each test launches its own browser; two at once fit this machine's 2 cores.
  workers: process.env.CI ? 2 : 2,
  fullyParallel: true,
  retries: 0,
  reporter: [['list']],
});
