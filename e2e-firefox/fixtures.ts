// Launches Debian's Firefox ESR with the built extension (dist/firefox) as a temporary add-on,
// driven by puppeteer-core over WebDriver BiDi, serves the demo site and test pages on localhost,
// and hands tests an admin RPC client. Firefox counterpart of e2e/fixtures.ts; what the two share
// is in e2e-shared/common.ts.
import puppeteer, { type Browser, type Page, type Target } from 'puppeteer-core';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GECKO_ID } from '../manifest.config.ts';
import { adminClient, createAccount, PROMPT_PAGE, removeDir, ROOT, serveTestSites, sleep, status, tempDir, until } from '../e2e-shared/common.ts';
import type { AdminClient, Status, TestSites } from '../e2e-shared/common.ts';

export { awaitCall, note, nostrCall, PASSWORD, policies, signCall, signingLog, sleep, startCall, until } from '../e2e-shared/common.ts';
export type { CallResult, Policies, RuleView, SignedEvent, Status } from '../e2e-shared/common.ts';

export const DIST = resolve(ROOT, 'dist', 'firefox');
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/**
 * The extension document admin calls are made from. Any moz-extension:// document gets the
 * extension API and counts as an extension page for the admin RPC; an image is the quietest one.
 * The options page would do too, but it fetches its own data on load and on each live notice:
 * calls the restart tests do not want.
 */
const ADMIN_PATH = '/icons/icon-16.png';

export interface LaunchOptions {
  /**
   * Firefox's `extensions.background.idle.timeout` (ms) at start: how soon an idle event page is
   * stopped. Keep it above the slowest admin call (create_account runs scrypt for seconds and
   * blocks the extension process meanwhile), or Firefox stops the page in the middle of that call;
   * to go lower, set it after the setup with setBackgroundIdle.
   */
  backgroundIdleMs?: number;
}

export interface Extension extends AdminClient {
  browser: Browser;
  /** The moz-extension:// origin, pinned through the `extensions.webextensions.uuids` pref. */
  origin: string;
  /** An extension document that admin calls are made from (see ADMIN_PATH). */
  adminPage: Page;
  status(): Promise<Status>;
  /**
   * Firefox's own view of the event page: 'running', 'stopped' (or 'starting' / 'suspending'),
   * read in the browser's parent process, so asking neither wakes the page nor keeps it alive.
   */
  backgroundState(): Promise<string>;
  /**
   * Sets `extensions.background.idle.timeout` (ms), how soon Firefox stops an idle event page, for
   * the event page's next start (it stops the running one).
   */
  setBackgroundIdle(ms: number): Promise<void>;
  /** Waits until Firefox has stopped the event page (by its idle timeout). */
  waitForBackgroundStop(timeout?: number): Promise<void>;
  /** http://127.0.0.1:PORT serving demo/ and e2e/site/. */
  siteUrl: string;
  close(): Promise<void>;
}

let snapshot: string | undefined;
/** A private copy of dist/firefox, so that a rebuild during the run cannot break a launch. */
function extensionDir(): string {
  if (process.env.WARDEN_FIREFOX_EXTENSION_DIR) return process.env.WARDEN_FIREFOX_EXTENSION_DIR;
  if (snapshot) return snapshot;
  if (!existsSync(join(DIST, 'manifest.json'))) throw new Error('dist/firefox is missing: run `TARGET=firefox npx vite build`');
  const manifest = JSON.parse(readFileSync(join(DIST, 'manifest.json'), 'utf8')) as { browser_specific_settings?: { gecko?: { id?: string } } };
  if (manifest.browser_specific_settings?.gecko?.id !== GECKO_ID) throw new Error('dist/firefox is not a Firefox build: run `TARGET=firefox npx vite build`');
  snapshot = tempDir('warden-ff-ext-');
  cpSync(DIST, snapshot, { recursive: true });
  process.once('exit', () => removeDir(snapshot!));
  return snapshot;
}

/** Waits until a page (opened by goto or by the extension) has reached `path`, and returns its href. */
async function settledAt(page: Page, path: string, timeout = 10_000): Promise<string> {
  // BiDi reports moz-extension:// pages as about:blank and never reports their navigation done:
  // ask the page itself.
  return until(`a page at ${path}`, async () => {
    const [pathname, href] = await page.evaluate(() => (document.readyState === 'loading' ? ['', ''] : [location.pathname, location.href]));
    return pathname === path ? href : undefined;
  }, timeout);
}

/**
 * Evaluates `expression` in Firefox's parent process (privileged JS) over WebDriver BiDi: possible
 * because Firefox runs with --remote-allow-system-access. Used only to read the event page's state
 * and to change its idle timeout (setBackgroundIdle); everything the extension does goes through
 * pages.
 */
export async function inParent<T>(browser: Browser, expression: string): Promise<T> {
  const connection = (browser as unknown as { connection: { send(method: string, params: object): Promise<{ result: any }> } }).connection;
  const tree = await connection.send('browsingContext.getTree', { maxDepth: 0, 'moz:scope': 'chrome' });
  const context = tree.result.contexts[0]?.context as string | undefined;
  if (!context) throw new Error('no privileged (chrome) browsing context: is --remote-allow-system-access set?');
  const { result } = await connection.send('script.evaluate', { expression, target: { context }, awaitPromise: true });
  if (result.type !== 'success') throw new Error(`in the parent process: ${JSON.stringify(result.exceptionDetails?.text ?? result)}`);
  return result.result?.value as T;
}

export async function launchFirefox(opts: LaunchOptions = {}): Promise<Extension> {
  const dir = extensionDir();
  const uuid = crypto.randomUUID();
  const origin = `moz-extension://${uuid}`;
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    // Lets BiDi open moz-extension:// pages directly (the admin page below) and reach the
    // parent process (inParent).
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
      ...(opts.backgroundIdleMs !== undefined ? { 'extensions.background.idle.timeout': opts.backgroundIdleMs } : {}),
      // Nothing phones home from a test profile (there is no network here anyway).
      'app.update.enabled': false,
      'browser.shell.checkDefaultBrowser': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
    },
  });
  let sites: TestSites | undefined;
  try {
    const id = await browser.installExtension(dir);
    if (id !== GECKO_ID) throw new Error(`installed add-on id ${id}, expected ${GECKO_ID}`);
    sites = await serveTestSites(1);

    const adminPage = await browser.newPage();
    void adminPage.goto(`${origin}${ADMIN_PATH}`).catch(() => {});
    await settledAt(adminPage, ADMIN_PATH);

    const client = adminClient((method, params) =>
      adminPage.evaluate(
        (m, p) => (globalThis as unknown as { browser: typeof chrome }).browser.runtime.sendMessage({ type: 'admin', method: m, params: p }),
        method,
        params,
      ),
    );
    const backgroundState = () => inParent<string>(browser, `WebExtensionPolicy.getByID(${JSON.stringify(GECKO_ID)}).extension.backgroundState`);
    return {
      browser,
      origin,
      adminPage,
      ...client,
      status: () => status(client),
      backgroundState,
      setBackgroundIdle: async (ms) => {
        // The running page keeps the timeout it started with: stop it once (what about:debugging's
        // "Terminate background script" does) so the next start, on the next event, uses the new one.
        await inParent(
          browser,
          `(async () => {
            Services.prefs.setIntPref('extensions.background.idle.timeout', ${Math.floor(ms)});
            await WebExtensionPolicy.getByID(${JSON.stringify(GECKO_ID)}).extension.terminateBackground({ ignoreDevToolsAttached: true });
          })()`,
        );
      },
      waitForBackgroundStop: async (timeout = 20_000) => {
        await until('Firefox to stop the idle event page', async () => (await backgroundState()) === 'stopped', timeout, 100);
      },
      siteUrl: sites.urls[0]!,
      close: async () => {
        sites?.close();
        await browser.close().catch(() => {});
      },
    };
  } catch (err) {
    sites?.close();
    await browser.close().catch(() => {});
    throw err;
  }
}

/** Creates an unlocked account and returns its pubkey. */
export function setupAccount(ext: Extension): Promise<{ accountId: number; pubkey: string }> {
  return createAccount(ext, 'e2e-firefox');
}

/** Opens a page of the test site and waits for window.nostr. */
export async function openSite(ext: Extension, path = '/blank.html'): Promise<Page> {
  const page = await ext.browser.newPage();
  await page.goto(`${ext.siteUrl}${path}`);
  await page.waitForFunction(() => 'nostr' in window, { timeout: 10_000 });
  return page;
}

/**
 * Arms a waiter for the prompt window (opened by the background with windows.create); call it
 * before the request that should open it. Resolves with the prompt page once it has loaded.
 */
export function catchPrompt(ext: Extension, timeout = 15_000): Promise<Page> {
  return new Promise<Page>((ok, fail) => {
    let settled = false;
    const finish = (page?: Page) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ext.browser.off('targetcreated', onTarget);
      if (page) ok(page);
      else fail(new Error('no prompt window opened'));
    };
    const timer = setTimeout(() => finish(), timeout);
    const onTarget = async (target: Target) => {
      const page = await target.page().catch(() => null);
      // A new window starts at about:blank: watch it until it shows the prompt or something else.
      while (page && !settled && !page.isClosed()) {
        const path = await page.evaluate(() => (document.readyState === 'loading' ? '' : location.pathname)).catch(() => '');
        if (path === PROMPT_PAGE) return finish(page);
        if (path && path !== 'blank') return; // another page
        await sleep(100);
      }
    };
    ext.browser.on('targetcreated', onTarget);
  });
}

/** Clicks a prompt button once the prompt has enabled it (they start disabled for a moment). */
export async function answerPrompt(prompt: Page, answer: 'allow' | 'deny'): Promise<void> {
  const selector = `[data-testid="prompt-${answer}"]`;
  await prompt.waitForSelector(`${selector}:not([disabled])`, { timeout: 10_000 });
  await prompt.click(selector);
}
