// The open popup follows the background by push, not by polling: idle, it makes no admin call at
// all; when the site signs, the background's notice on the popup's port makes it fetch the site's
// view once, and the meter moves within a fraction of a second. When the worker stops, the popup
// does not start it again by itself; a site's request that starts it, or the user's next key
// press in the popup, brings the popup back.
import type { BrowserContext, Page, Worker } from '@playwright/test';
import { expect, nostrCall, openSite, setupAccount, test } from './fixtures.ts';
import { openPopup, signScript } from './extensionPages.ts';
import { sleep } from './helpers.ts';

interface Call {
  method: string;
  url: string;
  at: number;
}

/** Records, in the worker, every admin message it receives (method, sender URL, time). */
async function recordAdminCalls(worker: Worker): Promise<void> {
  await worker.evaluate(() => {
    const g = globalThis as unknown as { __adminCalls: { method: string; url: string; at: number }[] };
    g.__adminCalls = [];
    chrome.runtime.onMessage.addListener((m: { type?: string; method?: string }, sender) => {
      if (m?.type === 'admin') g.__adminCalls.push({ method: String(m.method), url: sender.url ?? '', at: Date.now() });
      return undefined;
    });
  });
}

async function adminCalls(worker: Worker, fromPage: Page): Promise<Call[]> {
  const calls = await worker.evaluate(() => (globalThis as unknown as { __adminCalls: Call[] }).__adminCalls);
  return calls.filter((c) => c.url === fromPage.url());
}

/** Milliseconds from now until the popup's meter shows `text` (polled on every animation frame). */
async function msUntilMeter(popup: Page, text: string, timeout = 5_000): Promise<number> {
  return popup.evaluate(
    ([want, limit]) =>
      new Promise<number>((ok, fail) => {
        const start = performance.now();
        const check = () => {
          if (document.querySelector('[data-testid="popup-meter-text"]')?.textContent === want) return ok(performance.now() - start);
          if (performance.now() - start > limit) return fail(new Error(`meter never showed ${want}`));
          requestAnimationFrame(check);
        };
        check();
      }),
    [text, timeout] as const,
  );
}

test('idle, the open popup makes no admin call; a signature moves its meter within 500 ms', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 5, windowSeconds: 3600 }] });
  const site = await openSite(ext, '/blank.html');
  const popup = await openPopup(ext, ext.siteUrl);
  const meter = popup.getByTestId('popup-meter-text');
  await expect(meter).toHaveText('0 / 5 this hour');
  await recordAdminCalls(ext.worker);

  await sleep(3_000);
  expect(await adminCalls(ext.worker, popup)).toEqual([]);

  const moved = msUntilMeter(popup, '1 / 5 this hour');
  const signedAt = Date.now();
  expect((await nostrCall(site, signScript(1, 'one'))).ok).toBe(true);
  const ms = await moved;
  console.log(`meter moved ${Math.round(ms)} ms after the page asked to sign (signature took ${Date.now() - signedAt} ms end to end)`);
  expect(ms).toBeLessThan(500);
  const after = await adminCalls(ext.worker, popup);
  expect(after.some((c) => c.method === 'get_site_view')).toBe(true);
  // The one notice is all it took: nothing else is asked once the meter has moved.
  await sleep(1_500);
  expect((await adminCalls(ext.worker, popup)).length).toBe(after.length);
});

test('a burst of 50 signatures makes the popup fetch a few times, not 50', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 100, windowSeconds: 3600 }] });
  const site = await openSite(ext, '/blank.html');
  const popup = await openPopup(ext, ext.siteUrl);
  await expect(popup.getByTestId('popup-meter-text')).toHaveText('0 / 100 this hour');
  await recordAdminCalls(ext.worker);

  const codes = await site.evaluate(() =>
    Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        window.nostr!.signEvent({ kind: 1, content: `burst ${i}`, tags: [], created_at: Math.floor(Date.now() / 1000) }).then(
          () => 'ok',
          (e: { code?: string }) => e.code ?? 'none',
        ),
      ),
    ),
  );
  expect(codes.every((c) => c === 'ok')).toBe(true);
  await expect(popup.getByTestId('popup-meter-text')).toHaveText('50 / 100 this hour');
  await sleep(1_500);
  const views = (await adminCalls(ext.worker, popup)).filter((c) => c.method === 'get_site_view');
  console.log(`50 signatures → ${views.length} get_site_view calls from the popup`);
  expect(views.length).toBeGreaterThanOrEqual(1);
  expect(views.length).toBeLessThanOrEqual(6);
});

/**
 * Watches the extension's service worker through CDP: `stop()` stops it and waits until CDP says
 * so; `states` lists every running status CDP reported for it since.
 */
async function watchWorker(context: BrowserContext, page: Page, extensionId: string) {
  const cdp = await context.newCDPSession(page);
  const states: string[] = [];
  let latest = '';
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }: { versions: { scriptURL: string; runningStatus: string }[] }) => {
    for (const v of versions) {
      if (!v.scriptURL.startsWith(`chrome-extension://${extensionId}/`)) continue;
      latest = v.runningStatus;
      states.push(v.runningStatus);
    }
  });
  await cdp.send('ServiceWorker.enable');
  return {
    states,
    async stop() {
      await cdp.send('ServiceWorker.stopAllWorkers');
      const deadline = Date.now() + 5_000;
      while (latest !== 'stopped') {
        if (Date.now() > deadline) throw new Error(`the worker did not stop: ${states.join(' → ')}`);
        await sleep(25);
      }
      states.length = 0;
    },
    detach: () => cdp.detach(),
  };
}

test('after the worker stops the popup does not wake it; a site request that starts it moves the meter', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 5, windowSeconds: 3600 }] });
  const site = await openSite(ext, '/blank.html');
  const popup = await openPopup(ext, ext.siteUrl);
  await expect(popup.getByTestId('popup-meter-text')).toHaveText('0 / 5 this hour');

  const worker = await watchWorker(ext.context, site, ext.id);
  await worker.stop();
  // The popup's port went away with the worker; it must not reconnect (which would start it).
  await sleep(2_000);
  expect(worker.states).toEqual([]);

  const moved = msUntilMeter(popup, '1 / 5 this hour');
  expect((await nostrCall(site, signScript(1, 'wakes the worker'))).ok).toBe(true);
  const ms = await moved;
  console.log(`after the restart the meter moved ${Math.round(ms)} ms after the page asked to sign`);
  expect(ms).toBeLessThan(1_000);
  expect(worker.states).toContain('running');

  // Stopped again: the user's next key press in the popup reconnects it (and so starts the worker).
  await worker.stop();
  await sleep(1_000);
  expect(worker.states).toEqual([]);
  await popup.keyboard.press('Shift');
  await expect.poll(() => worker.states.includes('running'), { timeout: 5_000 }).toBe(true);
  await worker.detach();
});

test('a window that frees with no write still shows: the popup asks once, at the time its data gave', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 2, windowSeconds: 3 }] });
  const site = await openSite(ext, '/blank.html');
  const popup = await openPopup(ext, ext.siteUrl);
  const meter = popup.getByTestId('popup-meter-text');
  expect((await nostrCall(site, signScript(1, 'a'))).ok).toBe(true);
  expect((await nostrCall(site, signScript(1, 'b'))).ok).toBe(true);
  await expect(meter).toHaveText('2 / 2 in 3 s');
  await recordAdminCalls(ext.worker);
  // Nothing is written from here on: only the popup's own timer can bring the count down.
  await expect(meter).toHaveText('0 / 2 in 3 s', { timeout: 5_000 });
  const calls = await adminCalls(ext.worker, popup);
  expect(calls.map((c) => c.method)).toContain('get_site_view');
  // One fetch per moment something frees (the two entries leave the window at about the same time), not one a second.
  expect(calls.length).toBeLessThanOrEqual(3);
});
