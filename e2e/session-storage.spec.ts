// docs/THREATS.md #18: a content script cannot read storage.session, where the unlocked keys are
// mirrored. Playwright cannot run code in a content script's world, but the DevTools protocol can:
// every isolated world of an extension is an execution context of the page, named for the
// extension. The probe below runs there, with exactly the chrome.* APIs the bridge has.
import type { CDPSession, Page } from '@playwright/test';
import { expect, openSite, setupAccount, test, type Extension } from './fixtures.ts';

interface Probe {
  local: string;
  session: string;
}

/** The isolated world of Warden's content script in `page`'s main frame. */
async function contentScriptWorld(ext: Extension, page: Page): Promise<{ cdp: CDPSession; contextId: number }> {
  const cdp = await ext.context.newCDPSession(page);
  const worlds: { id: number; origin: string; name: string; auxData?: { type?: string; isDefault?: boolean; frameId?: string } }[] = [];
  cdp.on('Runtime.executionContextCreated', (e) => worlds.push(e.context));
  await cdp.send('Runtime.enable'); // reports every existing context first
  const mainFrame = (await cdp.send('Page.getFrameTree')).frameTree.frame.id;
  const world = worlds.find((w) => w.auxData?.type === 'isolated' && w.auxData.frameId === mainFrame && w.origin === `chrome-extension://${ext.id}`);
  if (!world) throw new Error(`no content-script world in ${JSON.stringify(worlds)}`);
  return { cdp, contextId: world.id };
}

/** In the content script's world: what chrome.storage.local and chrome.storage.session give it. */
const PROBE = `(async () => {
  const attempt = async (area) => {
    try {
      const all = await chrome.storage[area].get(null);
      return 'read ' + JSON.stringify(Object.keys(all));
    } catch (e) {
      return 'refused: ' + (e && e.message);
    }
  };
  return { local: await attempt('local'), session: await attempt('session') };
})()`;

test('a content script cannot read storage.session, where the unlocked keys are mirrored', async ({ ext }) => {
  await setupAccount(ext); // unlocked: the session area now holds the keys
  const held = await ext.worker.evaluate(async () => Object.keys(await chrome.storage.session.get(null)));
  expect(held.length, 'the session area is not empty').toBeGreaterThan(0);

  const page = await openSite(ext, '/blank.html');
  const { cdp, contextId } = await contentScriptWorld(ext, page);
  const r = await cdp.send('Runtime.evaluate', { expression: PROBE, contextId, awaitPromise: true, returnByValue: true });
  const probe = r.result.value as Probe;
  expect(probe.local, 'the probe runs with the content script\'s extension APIs').toMatch(/^read /);
  expect(probe.session).toMatch(/^refused: /);
});
