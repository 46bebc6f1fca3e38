// Launches Debian's Firefox ESR with the built extension (dist/firefox) as a temporary add-on,
// driven by puppeteer-core over WebDriver BiDi, serves the demo site and test pages on localhost,
// and hands tests an admin RPC client. Firefox counterpart of e2e/fixtures.ts.
import puppeteer, { type Browser, type Page, type Target } from 'puppeteer-core';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { serveStatic } from '../scripts/serve-demo.mjs';
import { GECKO_ID } from '../manifest.config.ts';

export const ROOT = resolve(import.meta.dirname, '..');
export const DIST = resolve(ROOT, 'dist', 'firefox');
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const PASSWORD = 'correct horse battery staple';
export const PROMPT_PATH = '/src/ui/prompt/index.html';
/**
 * The extension document admin calls are made from. Any moz-extension:// document gets the
 * extension API and counts as an extension page for the admin RPC; an image is the quietest one.
 * The options page would do too, but it fetches its own data on load and on each live notice:
 * calls the restart tests do not want.
 */
const ADMIN_PATH = '/icons/icon-16.png';

export interface AdminReply<T = unknown> {
  ok: boolean;
  result?: T;
  error?: { code: string; message: string };
}

export interface Status {
  locked: boolean;
  hasAccount: boolean;
  account?: { id: number; pubkey: string; label: string };
  workerStartedAt?: number;
  pending: { promptId: string; origin: string; method: string; kind?: number }[];
}

export type CallResult<T = unknown> = { ok: true; value: T } | { ok: false; code: string; message: string };

export interface LaunchOptions {
  /**
   * Firefox's `extensions.background.idle.timeout` (ms) at start: how soon an idle event page is
   * stopped. Keep it above the slowest admin call (create_account runs scrypt for seconds and
   * blocks the extension process meanwhile), or Firefox stops the page in the middle of that call;
   * to go lower, set it after the setup with setBackgroundIdle.
   */
  backgroundIdleMs?: number;
}

export interface Extension {
  browser: Browser;
  /** The moz-extension:// origin, pinned through the `extensions.webextensions.uuids` pref. */
  origin: string;
  /** An extension document that admin calls are made from (see ADMIN_PATH). */
  adminPage: Page;
  adminRaw<T = unknown>(method: string, params?: unknown): Promise<AdminReply<T>>;
  admin<T = unknown>(method: string, params?: unknown): Promise<T>;
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

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Polls `probe` until it returns a value other than undefined/false, or throws after `timeout`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeout = 10_000, every = 100): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(every);
  }
}

let snapshot: string | undefined;
/** A private copy of dist/firefox, so that a rebuild during the run cannot break a launch. */
function extensionDir(): string {
  if (process.env.WARDEN_FIREFOX_EXTENSION_DIR) return process.env.WARDEN_FIREFOX_EXTENSION_DIR;
  if (snapshot) return snapshot;
  if (!existsSync(join(DIST, 'manifest.json'))) throw new Error('dist/firefox is missing: run `TARGET=firefox npx vite build`');
  const manifest = JSON.parse(readFileSync(join(DIST, 'manifest.json'), 'utf8')) as { browser_specific_settings?: { gecko?: { id?: string } } };
  if (manifest.browser_specific_settings?.gecko?.id !== GECKO_ID) throw new Error('dist/firefox is not a Firefox build: run `TARGET=firefox npx vite build`');
  snapshot = mkdtempSync(join(tmpdir(), 'warden-ff-ext-'));
  cpSync(DIST, snapshot, { recursive: true });
  process.once('exit', () => rmSync(snapshot!, { recursive: true, force: true }));
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
async function inParent<T>(browser: Browser, expression: string): Promise<T> {
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
  const servers: Server[] = [];
  try {
    const id = await browser.installExtension(dir);
    if (id !== GECKO_ID) throw new Error(`installed add-on id ${id}, expected ${GECKO_ID}`);
    const roots = [resolve(ROOT, 'demo'), resolve(ROOT, 'e2e', 'site')];
    const site = (await serveStatic(roots)) as { server: Server; url: string };
    servers.push(site.server);

    const adminPage = await browser.newPage();
    void adminPage.goto(`${origin}${ADMIN_PATH}`).catch(() => {});
    await settledAt(adminPage, ADMIN_PATH);

    const adminRaw = <T>(method: string, params: unknown = {}) =>
      adminPage.evaluate(
        (m, p) => (globalThis as unknown as { browser: typeof chrome }).browser.runtime.sendMessage({ type: 'admin', method: m, params: p }),
        method,
        params,
      ) as Promise<AdminReply<T>>;
    const admin = async <T>(method: string, params: unknown = {}) => {
      const reply = await adminRaw<T>(method, params).catch((err: Error) => {
        throw new Error(`${method}: ${err.message}`);
      });
      if (!reply?.ok) throw new Error(`${method}: ${reply?.error?.code} ${reply?.error?.message}`);
      return reply.result as T;
    };
    const backgroundState = () => inParent<string>(browser, `WebExtensionPolicy.getByID(${JSON.stringify(GECKO_ID)}).extension.backgroundState`);
    return {
      browser,
      origin,
      adminPage,
      adminRaw,
      admin,
      status: () => admin<Status>('get_status'),
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
      siteUrl: site.url,
      close: async () => {
        for (const s of servers) s.close();
        await browser.close().catch(() => {});
      },
    };
  } catch (err) {
    for (const s of servers) s.close();
    await browser.close().catch(() => {});
    throw err;
  }
}

/** Creates an unlocked account and returns its pubkey. */
export function setupAccount(ext: Extension): Promise<{ accountId: number; pubkey: string }> {
  return ext.admin('create_account', { password: PASSWORD, label: 'e2e-firefox' });
}

/** Opens a page of the test site and waits for window.nostr. */
export async function openSite(ext: Extension, path = '/blank.html'): Promise<Page> {
  const page = await ext.browser.newPage();
  await page.goto(`${ext.siteUrl}${path}`);
  await page.waitForFunction(() => 'nostr' in window, { timeout: 10_000 });
  return page;
}

/** Calls window.nostr in the page (`script` is an expression giving a promise); a refusal comes back with its code. */
export function nostrCall<T = unknown>(page: Page, script: string): Promise<CallResult<T>> {
  return page.evaluate(async (src) => {
    try {
      // eslint-disable-next-line no-new-func
      const value = await new Function(`return (${src})`)();
      return { ok: true as const, value };
    } catch (err) {
      const e = err as Error & { code?: string };
      return { ok: false as const, code: e.code ?? 'none', message: e.message };
    }
  }, script) as Promise<CallResult<T>>;
}

/** Starts a call without waiting; awaitCall(page, name) collects its result later. */
export async function startCall(page: Page, name: string, script: string): Promise<void> {
  await page.evaluate(
    (n, src) => {
      const w = window as unknown as { __calls?: Record<string, Promise<unknown>> };
      w.__calls ??= {};
      // eslint-disable-next-line no-new-func
      w.__calls[n] = (new Function(`return (${src})`)() as Promise<unknown>).then(
        (value) => ({ ok: true, value }),
        (err: Error & { code?: string }) => ({ ok: false, code: err.code ?? 'none', message: err.message }),
      );
    },
    name,
    script,
  );
}

export function awaitCall<T = unknown>(page: Page, name: string): Promise<CallResult<T>> {
  return page.evaluate((n) => (window as unknown as { __calls: Record<string, Promise<unknown>> }).__calls[n], name) as Promise<CallResult<T>>;
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
        if (path === PROMPT_PATH) return finish(page);
        if (path && path !== 'blank') return; // another page
        await sleep(100);
      }
    };
    ext.browser.on('targetcreated', onTarget);
  });
}

/** A kind-1 event template as pages send it. */
export function note(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 1, content, tags: [], created_at: Math.floor(Date.now() / 1000), ...extra };
}

export const signCall = (content: string) => `window.nostr.signEvent(${JSON.stringify(note(content))})`;

export interface RuleView {
  id: number;
  method: string;
  kind: number | null;
  maxUsageCount: number | null;
  windowSeconds: number | null;
  used: number;
}

export interface Policies {
  grants: { id: number; origin: string; revokedAt: number | null; rules: RuleView[] }[];
  overrides: { id: number; origin: string; method: string; effect: string }[];
}

export const policies = (ext: Extension, origin?: string) => ext.admin<Policies>('get_policies', origin ? { origin } : {});

export async function signingLog(ext: Extension): Promise<{ id: number; origin: string; method: string; eventId?: string }[]> {
  return (await ext.admin<{ entries: { id: number; origin: string; method: string; eventId?: string }[] }>('get_signing_log', { limit: 1000 })).entries;
}

export interface SignedEvent {
  id: string;
  pubkey: string;
  kind: number;
  content: string;
  tags: string[][];
  created_at: number;
  sig: string;
}

/** Clicks a prompt button once the prompt has enabled it (they start disabled for a moment). */
export async function answerPrompt(prompt: Page, answer: 'allow' | 'deny'): Promise<void> {
  const selector = `[data-testid="prompt-${answer}"]`;
  await prompt.waitForSelector(`${selector}:not([disabled])`, { timeout: 10_000 });
  await prompt.click(selector);
}
