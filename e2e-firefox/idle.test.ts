// An open options page must let Firefox stop the idle event page: the page learns of changes from
// the background over a runtime.connect port instead of asking every second, and an idle port is
// no event for Firefox. When a site's request starts the background again, the page that is still
// open hears of it and shows the new data.
//
// WARDEN_IDLE_REAL=1 runs the long variant instead: Firefox's own idle limit (about 30 s), the
// options page open for 2 minutes with nothing happening (too slow for the suite).
import { afterEach, expect, test } from 'vitest';
import type { Page } from 'puppeteer-core';
import { launchFirefox, nostrCall, openSite, setupAccount, signCall, sleep, until, type Extension } from './fixtures.ts';

const REAL = process.env.WARDEN_IDLE_REAL === '1';
const OPTIONS_PATH = '/src/ui/options/index.html';

let ext: Extension | undefined;
afterEach(async () => {
  await ext?.close();
  ext = undefined;
});

async function openOptions(e: Extension, hash: string): Promise<Page> {
  const page = await e.browser.newPage();
  void page.goto(`${e.origin}${OPTIONS_PATH}#${hash}`).catch(() => {});
  await until('the options page', () => page.evaluate(() => !!document.querySelector('[data-testid="options"]')).catch(() => false));
  return page;
}

/**
 * Samples Firefox's view of the event page every `every` ms for `ms`: the states it went through,
 * and when (ms from the start) it first left 'running' — stopped, or already starting again after a
 * stop too short to sample (with the real idle limit the autolock alarm, every 30 s, can wake it).
 */
async function watchBackground(e: Extension, ms: number, every: number): Promise<{ stoppedAfter: number | null; states: string[] }> {
  const start = Date.now();
  const states: string[] = [];
  let stoppedAfter: number | null = null;
  while (Date.now() - start < ms) {
    const state = await e.backgroundState();
    if (states[states.length - 1] !== state) states.push(state);
    if (state !== 'running' && stoppedAfter === null) {
      stoppedAfter = Date.now() - start;
      if (!REAL) break;
    }
    await sleep(every);
  }
  return { stoppedAfter, states };
}

const meterText = (page: Page) => page.evaluate(() => document.querySelector('[data-testid="options-meter-text"]')?.textContent ?? null);

test(
  REAL ? 'an options page open for 2 minutes with nothing happening lets Firefox stop the event page (real idle limit)' : 'an open options page lets Firefox stop the idle event page; a site request starts it again and the page follows',
  { timeout: REAL ? 240_000 : 60_000 },
  async () => {
    ext = await launchFirefox();
    await setupAccount(ext);
    await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 5, windowSeconds: 3600 }] });
    const site = await openSite(ext);
    expect((await nostrCall(site, signCall('before'))).ok).toBe(true);
    // The suite's variant lowers the idle limit only now: scrypt in create_account must not be cut.
    if (!REAL) await ext.setBackgroundIdle(2_000);

    const options = await openOptions(ext, 'sites');
    await until('the meter', async () => (await meterText(options)) === '1 / 5 this hour');
    const before = await ext.status();
    // From here nothing touches the background but the options page itself.
    const watched = await watchBackground(ext, REAL ? 120_000 : 20_000, REAL ? 100 : 250);
    console.log(`event page states while the options page stayed open: ${watched.states.join(' → ')}; first 'stopped' after ${watched.stoppedAfter ?? 'never'} ms`);
    expect(watched.stoppedAfter).not.toBeNull();

    // A site's request starts the background again; the page, still open and untouched, follows.
    expect((await nostrCall(site, signCall('after the stop'))).ok).toBe(true);
    await until('the meter after the restart', async () => (await meterText(options)) === '2 / 5 this hour', 5_000, 50);
    const after = await ext.status();
    console.log(`workerStartedAt: ${before.workerStartedAt} before, ${after.workerStartedAt} after (+${after.workerStartedAt! - before.workerStartedAt!} ms)`);
    expect(after.workerStartedAt!).toBeGreaterThan(before.workerStartedAt!);
  },
);
