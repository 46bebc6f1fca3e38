// Small helpers for the spec files: calls left running in a page, polling, catching the prompt
// window. The admin RPC shapes and the page scripts are the Firefox suite's too (e2e-shared/).
import type { Frame, Page } from '@playwright/test';
import * as nip44 from 'nostr-tools/nip44';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { expect, type Extension } from './fixtures.ts';
import { PROMPT_PAGE, startCall, status, type CallResult, type Status } from '../e2e-shared/common.ts';

export const PROMPT_PATH = PROMPT_PAGE;
export const PROMPT_URL = /\/src\/ui\/prompt\/index\.html(\?.*)?$/;

export {
  activity,
  awaitCall,
  note,
  policies,
  signingLog,
  signScript,
  sleep,
  startCall,
  status,
  type CallResult,
  type LogEntry,
  type Policies,
  type RuleView,
  type SignedEvent,
  type Status,
} from '../e2e-shared/common.ts';

/** Polls get_status until `count` requests wait for an answer. */
export async function waitForPending(ext: Extension, count = 1, timeout = 10_000): Promise<Status['pending']> {
  let pending: Status['pending'] = [];
  await expect
    .poll(async () => (pending = (await status(ext)).pending).length, { timeout, message: `${count} pending prompt(s)` })
    .toBeGreaterThanOrEqual(count);
  return pending;
}

/** Arms a waiter for the prompt window; call before the request that should open it. */
export function catchPrompt(ext: Extension, timeout = 10_000): Promise<Page> {
  return (async () => {
    const page = await ext.context.waitForEvent('page', { timeout });
    await page.waitForURL(PROMPT_URL, { timeout });
    return page;
  })();
}

/** Records every page that opens from now on (to prove that no prompt window opened). */
export function watchPages(ext: Extension): string[] {
  const urls: string[] = [];
  ext.context.on('page', (p) => {
    urls.push(p.url());
    void p.waitForLoadState('domcontentloaded').then(() => urls.push(p.url()), () => {});
  });
  return urls;
}

/** Like nostrCall, but a call still pending after `ms` comes back as code 'still_pending' (a hang is a failure, not a timeout of the test). */
export async function nostrCallWithin<T = unknown>(page: Page, script: string, ms = 3_000): Promise<CallResult<T> | { ok: false; code: 'still_pending'; message: string }> {
  return page.evaluate(
    async ([src, limit]) => {
      // The call is sent as source text and run in the page, where window.nostr lives.
      const call = (new Function(`return (${src})`)() as Promise<unknown>).then(
        (value) => ({ ok: true as const, value }),
        (err: Error & { code?: string }) => ({ ok: false as const, code: err.code ?? 'none', message: err.message }),
      );
      const late = new Promise<{ ok: false; code: string; message: string }>((ok) =>
        setTimeout(() => ok({ ok: false, code: 'still_pending', message: `not settled after ${limit} ms` }), limit),
      );
      return Promise.race([call, late]);
    },
    [script, ms] as const,
  ) as Promise<CallResult<T>>;
}

// ---- Consent (prompt window) helpers -------------------------------------------------------

/** Waits until the prompt's buttons accept input (they are armed a moment after a request shows). */
export async function armed(prompt: Page, timeout = 5_000): Promise<void> {
  await expect(prompt.getByTestId('prompt-allow')).toBeEnabled({ timeout });
  await expect(prompt.getByTestId('prompt-deny')).toBeEnabled({ timeout });
}

/** Starts `script` in `page` under `name` and returns the prompt window it opens. */
export async function callAndCatchPrompt(ext: Extension, page: Page, name: string, script: string): Promise<Page> {
  const opened = catchPrompt(ext);
  await startCall(page, name, script);
  return opened;
}

/** The background closes an empty prompt window ~300 ms after its queue empties: wait for that. */
export async function promptClosed(prompt: Page, timeout = 5_000): Promise<void> {
  if (!prompt.isClosed()) await prompt.waitForEvent('close', { timeout });
}

/**
 * Opens `path` of the test site in a new browser window (chrome.windows.create from the admin
 * page: context.newPage() opens a tab in the same window) and returns its page and window id.
 */
export async function openSiteInNewWindow(ext: Extension, path = '/blank.html', base = ext.siteUrl): Promise<{ page: Page; windowId: number }> {
  const url = `${base}${path}${path.includes('?') ? '&' : '?'}w=${Math.random().toString(36).slice(2)}`;
  const opened = ext.context.waitForEvent('page', { timeout: 10_000 });
  const windowId = await ext.adminPage.evaluate(async (u) => (await chrome.windows.create({ url: u, type: 'normal' }))?.id ?? -1, url);
  expect(windowId, 'chrome.windows.create gave a window id').toBeGreaterThanOrEqual(0);
  const page = await opened;
  await page.waitForURL(url);
  await page.waitForFunction(() => 'nostr' in window);
  return { page, windowId };
}

/** The window id of the prompt window's target browser window (its `?for=` parameter). */
export const promptFor = (prompt: Page) => Number(new URL(prompt.url()).searchParams.get('for'));

/** A NIP-44 payload from a fresh peer to `pubkey`, made in Node: what a site would ask to decrypt. */
export function nip44From(pubkey: string, plaintext: string, peerSecret: Uint8Array = generateSecretKey()): { peer: string; ciphertext: string; peerSecret: Uint8Array } {
  const ciphertext = nip44.encrypt(plaintext, nip44.getConversationKey(peerSecret, pubkey));
  return { peer: getPublicKey(peerSecret), ciphertext, peerSecret };
}

/**
 * The open prompt window that shows the request `promptId` on screen (polls every open prompt
 * page: after a "remember" the background may have replaced the window).
 */
export async function promptShowing(ext: Extension, promptId: string, timeout = 5_000): Promise<Page> {
  let found: Page | undefined;
  await expect
    .poll(
      async () => {
        for (const p of ext.context.pages()) {
          if (p.isClosed() || !PROMPT_URL.test(p.url())) continue;
          const id = await p.getByTestId('prompt').getAttribute('data-prompt-id', { timeout: 200 }).catch(() => null);
          if (id === promptId) {
            found = p;
            return true;
          }
        }
        return false;
      },
      { timeout, message: `a prompt window showing ${promptId}` },
    )
    .toBe(true);
  return found!;
}

/** Adds an iframe of `src` to the page and returns it once loaded and its window.nostr is there. */
export async function addFrame(page: Page, src: string): Promise<Frame> {
  await page.evaluate(
    (url) =>
      new Promise<void>((ok, fail) => {
        const f = document.createElement('iframe');
        f.src = url;
        f.onload = () => ok();
        f.onerror = () => fail(new Error('iframe failed'));
        document.body.appendChild(f);
      }),
    src,
  );
  const frame = page.frames().find((f) => f !== page.mainFrame() && f.url() === src);
  if (!frame) throw new Error(`no frame for ${src}`);
  await frame.waitForFunction(() => 'nostr' in window);
  return frame;
}

interface VersionInfo { versionId: string; registrationId: string; scriptURL: string; runningStatus: string; status: string }

/** Stops every service worker through CDP and waits until the extension's worker reports `stopped`. */
export async function stopServiceWorker(page: Page, extensionId: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const running = new Map<string, string>();
  let onUpdate: () => void = () => {};
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }: { versions: VersionInfo[] }) => {
    for (const v of versions) if (v.scriptURL.startsWith(`chrome-extension://${extensionId}/`)) running.set(v.versionId, v.runningStatus);
    onUpdate();
  });
  await cdp.send('ServiceWorker.enable');
  const stopped = new Promise<void>((ok) => {
    onUpdate = () => {
      if (running.size > 0 && [...running.values()].every((s) => s === 'stopped')) ok();
    };
  });
  await cdp.send('ServiceWorker.stopAllWorkers');
  await Promise.race([
    stopped,
    new Promise((_, fail) => setTimeout(() => fail(new Error(`worker not reported stopped: ${JSON.stringify([...running])}`)), 5_000)),
  ]);
  await cdp.detach();
}
