// Launches real Chromium with the built extension (dist/chrome) on a fresh profile, serves the
// demo site and test pages on localhost, and hands tests an admin RPC client.
import { test as base, chromium, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { resolve } from 'node:path';
import { CHROMIUM_FLAGS } from '../scripts/browsers.mjs';
import { adminClient, createAccount, removeDir, serveTestSites, tempDir, until, type AdminClient } from '../e2e-shared/common.ts';

export { nostrCall, PASSWORD, type AdminReply } from '../e2e-shared/common.ts';

// The global setup snapshots dist/chrome so that a rebuild during the run cannot break a launch.
export const EXTENSION_DIR = process.env.WARDEN_EXTENSION_DIR ?? resolve(import.meta.dirname, '..', 'dist', 'chrome');
export const CHROME_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';

export interface Extension extends AdminClient {
  context: BrowserContext;
  worker: Worker;
  id: string;
  /** An extension page (options) that admin calls are made from. */
  adminPage: Page;
  /** http://127.0.0.1:PORT serving demo/ and e2e/site/. */
  siteUrl: string;
  /** A second origin (another port) for cross-origin tests. */
  otherSiteUrl: string;
}

export async function launchExtension(): Promise<{ ext: Extension; close: () => Promise<void> }> {
  const profile = tempDir('warden-e2e-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROME_PATH,
    headless: true,
    args: [
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
      ...CHROMIUM_FLAGS,
    ],
  });
  let worker: Worker;
  let adminPage: Page;
  try {
    worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    // A fresh install with no key opens the welcome page (src/background/index.ts): close it
    // before the test starts, so that a spec waiting for a 'page' event (a prompt) never gets it.
    await closeWelcomePage(context);
    adminPage = await context.newPage();
    // `?rpc`: the options page as a bare admin endpoint, rendering and polling nothing.
    await adminPage.goto(`chrome-extension://${new URL(worker.url()).host}/src/ui/options/index.html?rpc`);
  } catch (err) {
    // An extension that fails to load (e.g. an incomplete dist/) must not leak the browser or profile.
    await context.close().catch(() => {});
    removeDir(profile);
    throw err;
  }
  const id = new URL(worker.url()).host;
  const sites = await serveTestSites(2);
  const client = adminClient((method, params) =>
    adminPage.evaluate(([m, p]) => chrome.runtime.sendMessage({ type: 'admin', method: m, params: p }), [method, params] as const),
  );

  const ext: Extension = { context, worker, id, adminPage, ...client, siteUrl: sites.urls[0]!, otherSiteUrl: sites.urls[1]! };
  const close = async () => {
    await context.close();
    sites.close();
    removeDir(profile);
  };
  return { ext, close };
}

export const WELCOME_URL = /\/src\/ui\/options\/index\.html\?welcome=1/;

/** Waits (up to 10 s) for the first-run welcome page and closes it; returns whether it opened. */
export async function closeWelcomePage(context: BrowserContext): Promise<boolean> {
  const find = async () => context.pages().find((p) => WELCOME_URL.test(p.url()));
  const page = await until('the welcome page', find, 10_000, 25).catch(() => undefined);
  await page?.close();
  return page !== undefined;
}

/** One fresh browser profile per test: no test depends on another's state. */
export const test = base.extend<{ ext: Extension }>({
  // Playwright reads a fixture's dependencies from its first parameter: this one has none.
  ext: async ({}, use) => {
    const { ext, close } = await launchExtension();
    await use(ext);
    await close();
  },
});
export { expect } from '@playwright/test';

/** Creates an unlocked account and returns its pubkey. */
export async function setupAccount(ext: Extension): Promise<{ accountId: number; pubkey: string }> {
  return createAccount(ext, 'e2e');
}

/** Opens a page of the test site and waits for window.nostr. */
export async function openSite(ext: Extension, path = '/', base = ext.siteUrl): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(`${base}${path}`);
  await page.waitForFunction(() => 'nostr' in window);
  return page;
}
