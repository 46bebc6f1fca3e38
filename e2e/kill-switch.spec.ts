// The kill switch in the built extension (docs/THREATS.md #44): from the popup and from the
// keyboard shortcut, a granted site is refused with `denied`, no prompt opens, what waited is
// refused and its window closes, the badge says STOP, and it outlasts a worker restart.
//
// The shortcut: Playwright's key presses go to the page, not to the browser's own shortcut
// handling, so pressing Alt+Shift+K in a tab does nothing here (tried). The test instead fires
// the browser's own `commands.onCommand` event in the service worker (`onCommand.dispatch`, the
// event object Chromium gives the extension): it reaches exactly the listener the extension
// registered for the command, as a real key press would.
import type { Page } from '@playwright/test';
import { expect, nostrCall, openSite, PASSWORD, setupAccount, test, type Extension } from './fixtures.ts';
import { awaitCall, catchPrompt, PROMPT_URL, signingLog, startCall, status, stopServiceWorker, waitForPending, watchPages } from './helpers.ts';
import { openPopup, signScript } from './extensionPages.ts';

const killSwitch = async (ext: Extension) => ((await status(ext)) as { killSwitch?: boolean }).killSwitch;
const badgeText = (ext: Extension) => ext.worker.evaluate(() => chrome.action.getBadgeText({}));

/** What a press of the shortcut does: the browser dispatches the command to the extension. */
function pressStopShortcut(ext: Extension): Promise<void> {
  return ext.worker.evaluate(() => {
    const event = chrome.commands.onCommand as unknown as { dispatch(command: string): void };
    event.dispatch('stop-signing');
  });
}

async function grantedSite(ext: Extension): Promise<Page> {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }, { method: 'get_public_key' }] });
  const site = await openSite(ext, '/blank.html');
  expect((await nostrCall(site, signScript())).ok).toBe(true);
  return site;
}

test('from the popup: all signing stops, a granted site is refused without a prompt, and Resume signs again', async ({ ext }) => {
  const site = await grantedSite(ext);
  const popup = await openPopup(ext, ext.siteUrl);
  const control = popup.getByTestId('popup-kill-switch');
  await expect(control).toHaveText('Stop all signing');
  await expect(popup.getByTestId('popup-kill-shortcut')).toHaveText('or press Alt+Shift+K, anywhere');

  await control.click();
  await expect(popup.getByTestId('popup-kill-state')).toHaveAttribute('data-state', 'on');
  await expect(popup.getByTestId('popup-kill-state')).toContainText('All signing stopped');
  await expect(control).toHaveText('Resume');
  expect(await killSwitch(ext)).toBe(true);
  expect(await badgeText(ext)).toBe('STOP');

  const opened = watchPages(ext);
  for (const script of [signScript(1, 'stopped'), 'window.nostr.getPublicKey()']) {
    expect(await nostrCall(site, script)).toMatchObject({ ok: false, code: 'denied', message: 'Denied: all signing is stopped in Warden' });
  }
  expect(opened.filter((u) => PROMPT_URL.test(u))).toEqual([]);
  expect(await signingLog(ext)).toHaveLength(1);

  await control.click();
  await expect(popup.getByTestId('popup-kill-state')).toHaveAttribute('data-state', 'off');
  expect(await badgeText(ext)).toBe('');
  expect((await nostrCall(site, signScript(1, 'resumed'))).ok).toBe(true);
  expect(await signingLog(ext)).toHaveLength(2);
});

test('the shortcut turns it on from anywhere: a waiting request is refused and its prompt window closes; it outlasts a worker restart', async ({ ext }) => {
  const site = await grantedSite(ext);
  // A request that waits on a prompt: another site, with no grant.
  const other = await openSite(ext, '/blank.html', ext.otherSiteUrl);
  const prompt = catchPrompt(ext);
  await startCall(other, 'waiting', signScript(1, 'waits'));
  const promptPage = await prompt;
  await waitForPending(ext, 1);

  await pressStopShortcut(ext);
  expect(await awaitCall(other, 'waiting')).toMatchObject({ ok: false, code: 'denied' });
  await promptPage.waitForEvent('close', { timeout: 5_000 });
  expect((await status(ext)).pending).toEqual([]);
  await expect.poll(() => killSwitch(ext)).toBe(true);
  expect(await badgeText(ext)).toBe('STOP');
  expect(await nostrCall(site, signScript(1, 'after shortcut'))).toMatchObject({ ok: false, code: 'denied' });

  // The shortcut never turns it off.
  await pressStopShortcut(ext);
  await new Promise((r) => setTimeout(r, 200));
  expect(await killSwitch(ext)).toBe(true);

  // A new worker reads it back before it serves the first request.
  const before = (await status(ext)).workerStartedAt;
  await stopServiceWorker(site, ext.id);
  expect(await nostrCall(site, signScript(1, 'after restart'))).toMatchObject({ ok: false, code: 'denied' });
  expect((await status(ext)).workerStartedAt).not.toBe(before);
  expect(await killSwitch(ext)).toBe(true);
  expect(await signingLog(ext)).toHaveLength(1);
});

test('while locked: the shortcut still stops, no unlock window opens, and the popup asks to unlock before Resume', async ({ ext }) => {
  const site = await grantedSite(ext);
  await ext.admin('lock');
  await pressStopShortcut(ext);
  await expect.poll(() => killSwitch(ext)).toBe(true);

  const opened = watchPages(ext);
  expect(await nostrCall(site, signScript(1, 'locked and stopped'))).toMatchObject({ ok: false, code: 'denied' });
  expect(opened.filter((u) => PROMPT_URL.test(u))).toEqual([]);
  expect(await ext.adminRaw('set_kill_switch', { on: false })).toMatchObject({ ok: false, error: { code: 'locked' } });

  const popup = await openPopup(ext, ext.siteUrl);
  await expect(popup.getByTestId('popup-kill-switch')).toBeDisabled();
  await expect(popup.getByTestId('popup-kill-locked')).toBeVisible();
  await popup.getByTestId('popup-unlock-password').fill(PASSWORD);
  await popup.getByTestId('popup-unlock-submit').click();
  await expect(popup.getByTestId('popup-kill-switch')).toBeEnabled();
  await popup.getByTestId('popup-kill-switch').click();
  await expect(popup.getByTestId('popup-kill-state')).toHaveAttribute('data-state', 'off');
  expect((await nostrCall(site, signScript(1, 'unlocked and resumed'))).ok).toBe(true);
});
