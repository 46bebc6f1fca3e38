// Many requests waiting on the prompt: one window, a bounded queue per site, the excess refused
// with rate_limited; a remembered answer settles the rest of the queue at once.
import { expect, openSite, setupAccount, test } from './fixtures.ts';
import { activity, catchPrompt, note, PROMPT_PATH, signingLog, sleep, status, waitForPending } from './helpers.ts';
import { openPopup } from './extensionPages.ts';

async function flood(page: import('@playwright/test').Page, count: number): Promise<void> {
  await page.evaluate(
    ([n, event]) => {
      const nostr = (window as unknown as { nostr: { signEvent: (e: unknown) => Promise<unknown> } }).nostr;
      const w = window as unknown as { __flood: Promise<string>[]; __early: string[] };
      w.__early = [];
      w.__flood = Array.from({ length: n }, (_, i) =>
        nostr.signEvent({ ...event, content: `flood ${i}` }).then(
          () => 'signed',
          (e: { code?: string }) => {
            w.__early.push(e.code ?? 'none');
            return e.code ?? 'none';
          },
        ),
      );
    },
    [count, note('')] as const,
  );
}

test('a flood of requests: one prompt window, a bounded queue, the excess refused with rate_limited; closing refuses the rest', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const prompt = catchPrompt(ext);
  await flood(page, 60);
  const window = await prompt;

  // The excess is refused at once, without waiting for any answer.
  await expect.poll(() => page.evaluate(() => (window as unknown as { __early: string[] }).__early.length), { timeout: 5_000 }).toBeGreaterThan(0);
  const pending = await waitForPending(ext, 1);
  await sleep(300);
  const queued = (await status(ext)).pending.length;
  expect(queued).toBeGreaterThan(0);
  expect(queued).toBeLessThan(60);
  const early = await page.evaluate(() => (window as unknown as { __early: string[] }).__early);
  expect(early).toEqual(Array(60 - queued).fill('rate_limited'));
  expect(pending.every((p) => p.origin === ext.siteUrl)).toBe(true);
  // Exactly one prompt window for all of them, showing how many more wait.
  expect(ext.context.pages().filter((p) => p.url().includes(PROMPT_PATH))).toHaveLength(1);
  await expect(window.getByTestId('prompt-waiting')).toContainText(`${queued - 1} more waiting`);

  await window.close();
  const all = await page.evaluate(() => Promise.all((window as unknown as { __flood: Promise<string>[] }).__flood));
  expect(all.filter((c) => c === 'denied')).toHaveLength(queued);
  expect(all.filter((c) => c === 'rate_limited')).toHaveLength(60 - queued);
  expect((await status(ext)).pending).toEqual([]);
  expect(await signingLog(ext)).toEqual([]);

  // The refusals are one activity row with their count, not a row each (docs/THREATS.md #34),
  // and the popup's latest decisions say how many.
  const rows = await activity(ext);
  expect(rows.filter((a) => a.outcome === 'asked')).toHaveLength(queued);
  expect(rows.filter((a) => a.outcome === 'rate_limited').map((a) => a.count)).toEqual([60 - queued]);
  const popup = await openPopup(ext, ext.siteUrl);
  await expect(popup.getByTestId('popup-activity-count').first()).toHaveText(`×${60 - queued}`);
});

test('remembering the answer to the first queued request settles the rest of the queue at once', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const prompt = catchPrompt(ext);
  await flood(page, 5);
  const window = await prompt;
  await waitForPending(ext, 5);
  await window.getByTestId('prompt-scope').selectOption('method');
  await window.getByTestId('prompt-allow').click();
  const all = await page.evaluate(() => Promise.all((window as unknown as { __flood: Promise<string>[] }).__flood));
  expect(all).toEqual(Array(5).fill('signed'));
  expect(await signingLog(ext)).toHaveLength(5);
  expect((await status(ext)).pending).toEqual([]);
});

test('a flood past 100 calls in flight: the bridge holds the rest back and refuses them once the background says rate_limited, so only about a hundred reach it', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const prompt = catchPrompt(ext);
  await page.evaluate(
    ([n, event]) => {
      const nostr = (window as unknown as { nostr: { signEvent: (e: unknown) => Promise<unknown> } }).nostr;
      const w = window as unknown as { __refusals: string[] };
      w.__refusals = [];
      for (let i = 0; i < n; i++) nostr.signEvent({ ...event, content: `flood ${i}` }).catch((e: { code?: string; message?: string }) => w.__refusals.push(`${e.code}: ${e.message}`));
    },
    [1_500, note('')] as const,
  );
  const window = await prompt;
  const pending = await waitForPending(ext, 20);
  expect(pending).toHaveLength(20);
  await expect.poll(() => page.evaluate(() => (window as unknown as { __refusals: string[] }).__refusals.length), { timeout: 30_000 }).toBe(1_480);
  const refusals = await page.evaluate(() => (window as unknown as { __refusals: string[] }).__refusals);
  expect(refusals.every((r) => r.startsWith('rate_limited: '))).toBe(true);
  // Refused in the page: what found both the 100 places and the line of 1,000 full, and the line
  // itself once the background answered rate_limited — so the flood reached the background about
  // a hundred calls at a time, not 1,100.
  const inPage = refusals.filter((r) => r.includes('still waiting for an answer')).length;
  expect(inPage).toBeGreaterThanOrEqual(1_300);
  // The background decided only what the bridge sent on: its activity rows stand for 1,500 − inPage calls.
  const rows = (await activity(ext)).filter((a) => a.origin === ext.siteUrl);
  expect(rows.reduce((n, a) => n + (a.count ?? 1), 0)).toBe(1_500 - inPage);
  await window.close();
});
