// Launches real Chromium with the built extension (dist/chrome) on a fresh profile, serves the
// demo site and test pages on localhost, and hands tests an admin RPC client.
import { test as base, chromium, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serveStatic } from '../scripts/serve-demo.mjs';
import { CHROMIUM_FLAGS } from '../scripts/browsers.mjs';

// The global setup snapshots dist/chrome so that a rebuild during the run cannot break a launch.
export const EXTENSION_DIR = process.env.WARDEN_EXTENSION_DIR ?? resolve(import.meta.dirname, '..', 'dist', 'chrome');
export const CHROME_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';

export interface AdminReply<T = unknown> {
  ok: boolean;
  result?: T;
  error?: { code: string; message: string };
}

export interface Extension {
  context: BrowserContext;
  worker: Worker;
  id: string;
  /** An extension page (options) that admin calls are made from. */
  adminPage: Page;
  /** Raw admin RPC: the reply exactly as the background sends it. */
  adminRaw<T = unknown>(method: string, params?: unknown): Promise<AdminReply<T>>;
  /** Admin RPC that throws on `{ ok: false }`. */
  admin<T = unknown>(method: string, params?: unknown): Promise<T>;
  /** http://127.0.0.1:PORT serving demo/ and e2e/site/. */
  siteUrl: string;
  /** A second origin (another port) for cross-origin tests. */
  otherSiteUrl: string;
}

export async function launchExtension(): Promise<{ ext: Extension; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'warden-e2e-'));
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
    // A fresh install with no key opens the welcome page (src/background/control.ts): close it
    // before the test starts, so that a spec waiting for a 'page' event (a prompt) never gets it.
    await closeWelcomePage(context);
    adminPage = await context.newPage();
    // `?rpc`: the options page as a bare admin endpoint, rendering and polling nothing.
    await adminPage.goto(`chrome-extension://${new URL(worker.url()).host}/src/ui/options/index.html?rpc`);
  } catch (err) {
    // An extension that fails to load (e.g. an incomplete dist/) must not leak the browser or profile.
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const id = new URL(worker.url()).host;
  const roots = [resolve(import.meta.dirname, '..', 'demo'), resolve(import.meta.dirname, 'site')];
  const site = await serveStatic(roots);
  const other = await serveStatic(roots);

  const adminRaw = <T>(method: string, params: unknown = {}) =>
    adminPage.evaluate(
      ([m, p]) => chrome.runtime.sendMessage({ type: 'admin', method: m, params: p }),
      [method, params] as const,
    ) as Promise<AdminReply<T>>;
  const admin = async <T>(method: string, params: unknown = {}) => {
    const reply = await adminRaw<T>(method, params);
    if (!reply.ok) throw new Error(`${method}: ${reply.error?.code} ${reply.error?.message}`);
    return reply.result as T;
  };

  const ext: Extension = { context, worker, id, adminPage, adminRaw, admin, siteUrl: site.url, otherSiteUrl: other.url };
  const close = async () => {
    await context.close();
    site.server.close();
    other.server.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { ext, close };
}

export const WELCOME_URL = /\/src\/ui\/options\/index\.html\?welcome=1/;

/** Waits (up to 10 s) for the first-run welcome page and closes it; returns whether it opened. */
export async function closeWelcomePage(context: BrowserContext): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const page = context.pages().find((p) => WELCOME_URL.test(p.url()));
    if (page) {
      await page.close();
      return true;
    }
    await new Promise((ok) => setTimeout(ok, 25));
  }
  return false;
}

/** One fresh browser profile per test: no test depends on another's state. */
export const test = base.extend<{ ext: Extension }>({
  // eslint-disable-next-line no-empty-pattern
  ext: async ({}, use) => {
    const { ext, close } = await launchExtension();
    await use(ext);
    await close();
  },
});
export { expect } from '@playwright/test';

export const PASSWORD = 'correct horse battery staple';

/** Creates an unlocked account and returns its pubkey. */
export async function setupAccount(ext: Extension): Promise<{ accountId: number; pubkey: string }> {
  return ext.admin('create_account', { password: PASSWORD, label: 'e2e' });
}

/** Opens a page of the test site and waits for window.nostr. */
export async function openSite(ext: Extension, path = '/', base = ext.siteUrl): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(`${base}${path}`);
  await page.waitForFunction(() => 'nostr' in window);
  return page;
}

/** Calls window.nostr in the page and returns either the value or the refusal's code. */
export async function nostrCall<T = unknown>(page: Page, script: string): Promise<{ ok: true; value: T } | { ok: false; code: string; message: string }> {
  return page.evaluate(async (src) => {
    try {
      // eslint-disable-next-line no-new-func
      const value = await new Function(`return (${src})`)();
      return { ok: true as const, value };
    } catch (err) {
      const e = err as Error & { code?: string };
      return { ok: false as const, code: e.code ?? 'none', message: e.message };
    }
  }, script) as Promise<{ ok: true; value: T } | { ok: false; code: string; message: string }>;
}
