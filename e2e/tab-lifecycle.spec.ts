// A request waiting on the prompt belongs to its page: when the tab closes or navigates away, the
// request is cancelled (docs/THREATS.md #23) and the prompt stops showing it.
import { expect, openSite, setupAccount, test } from './fixtures.ts';
import { note, signingLog, startCall, status, waitForPending } from './helpers.ts';

test('closing the requesting tab cancels its pending requests', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  await startCall(page, 'sign', `window.nostr.signEvent(${JSON.stringify(note('orphan'))})`);
  await waitForPending(ext, 1);
  await page.close();
  await expect.poll(async () => (await status(ext)).pending, { timeout: 5_000, message: 'pending requests of the closed tab' }).toEqual([]);
  expect(await signingLog(ext)).toEqual([]);
});

test('navigating the requesting tab away cancels its pending requests', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  await startCall(page, 'sign', `window.nostr.signEvent(${JSON.stringify(note('left behind'))})`);
  await waitForPending(ext, 1);
  await page.goto(`${ext.otherSiteUrl}/blank.html`);
  await expect.poll(async () => (await status(ext)).pending, { timeout: 5_000, message: 'pending requests of the page that navigated away' }).toEqual([]);
  expect(await signingLog(ext)).toEqual([]);
});
