// The kill switch in Firefox (docs/THREATS.md #44): the keyboard shortcut and the popup stop every
// request of a granted site with `denied`, no prompt opens, the state outlasts an event-page
// restart, and Resume in the popup signs again.
//
// The shortcut is pressed for real: a trusted Alt+Shift+K key event dispatched in the browser
// window from Firefox's parent process (allowed by --remote-allow-system-access, see fixtures.ts)
// goes through Firefox's own handling of extension shortcuts, which fires `commands.onCommand`.
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Page } from 'puppeteer-core';
import { catchPrompt, inParent, launchFirefox, nostrCall, openSite, setupAccount, signCall, signingLog, sleep, until, type Extension } from './fixtures.ts';
import { STOP_SIGNING_KEY } from '../src/shared/commands.ts';

let ext: Extension;
beforeEach(async () => {
  ext = await launchFirefox();
});
afterEach(async () => {
  await ext?.close();
});

const killSwitch = async () => ((await ext.status()) as { killSwitch?: boolean }).killSwitch;

/** Presses Alt+Shift+K in the browser window, as a person would. */
async function pressStopShortcut(): Promise<void> {
  expect(STOP_SIGNING_KEY).toBe('Alt+Shift+K');
  await inParent(
    ext.browser,
    `(() => {
      const win = Services.wm.getMostRecentWindow('navigator:browser');
      const key = { key: 'K', code: 'KeyK', keyCode: 75, altKey: true, shiftKey: true, bubbles: true, cancelable: true };
      win.document.documentElement.dispatchEvent(new win.KeyboardEvent('keydown', key));
      win.document.documentElement.dispatchEvent(new win.KeyboardEvent('keypress', { ...key, charCode: 75 }));
      win.document.documentElement.dispatchEvent(new win.KeyboardEvent('keyup', key));
    })()`,
  );
}

async function openPopup(origin: string): Promise<Page> {
  const page = await ext.browser.newPage();
  const path = '/src/ui/popup/index.html';
  void page.goto(`${ext.origin}${path}?origin=${encodeURIComponent(origin)}`).catch(() => {});
  await until('the popup', async () => (await page.evaluate(() => location.pathname).catch(() => '')) === path, 10_000);
  await page.waitForSelector('[data-testid="popup-kill-switch"]', { timeout: 10_000 });
  return page;
}

async function grantedSite(): Promise<Page> {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }] });
  const site = await openSite(ext);
  expect((await nostrCall(site, signCall('before'))).ok).toBe(true);
  return site;
}

test('the shortcut stops a granted site with denied and no prompt; it outlasts an event-page restart; Resume in the popup signs again', async () => {
  const site = await grantedSite();
  await pressStopShortcut();
  await until('the switch to be on', async () => (await killSwitch()) === true, 5_000);

  let prompted = false;
  void catchPrompt(ext, 3_000).then(() => (prompted = true), () => {});
  expect(await nostrCall(site, signCall('stopped'))).toMatchObject({ ok: false, code: 'denied', message: 'Denied: all signing is stopped in Warden' });
  await sleep(3_000);
  expect(prompted).toBe(false);

  // The event page stops and starts again: the switch is read back before the first request.
  const before = (await ext.status()).workerStartedAt!;
  await ext.setBackgroundIdle(1_000);
  await ext.waitForBackgroundStop();
  expect(await nostrCall(site, signCall('after the restart'))).toMatchObject({ ok: false, code: 'denied' });
  expect((await ext.status()).workerStartedAt!).toBeGreaterThan(before);
  expect(await killSwitch()).toBe(true);
  expect(await signingLog(ext)).toHaveLength(1);

  const popup = await openPopup(ext.siteUrl);
  await popup.waitForSelector('[data-testid="popup-kill-state"][data-state="on"]');
  await popup.click('[data-testid="popup-kill-switch"]');
  await popup.waitForSelector('[data-testid="popup-kill-state"][data-state="off"]');
  expect(await nostrCall(site, signCall('resumed'))).toMatchObject({ ok: true });
  expect(await signingLog(ext)).toHaveLength(2);
});

test('Stop all signing in the popup refuses a granted site; the popup shows the shortcut', async () => {
  const site = await grantedSite();
  const popup = await openPopup(ext.siteUrl);
  await until('the shortcut text', async () => /Alt\+Shift\+K/.test(await popup.$eval('[data-testid="popup-kill-shortcut"]', (e) => e.textContent ?? '')), 5_000);
  await popup.click('[data-testid="popup-kill-switch"]');
  await popup.waitForSelector('[data-testid="popup-kill-state"][data-state="on"]');
  expect(await killSwitch()).toBe(true);
  expect(await nostrCall(site, signCall('stopped'))).toMatchObject({ ok: false, code: 'denied' });
  expect(await signingLog(ext)).toHaveLength(1);
});
