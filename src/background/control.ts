// Background wiring for the popup and options pages (issue 4): the first-run welcome page, the
// tab → site notes behind the popup's "current site", and log retention on an alarm.
// Registered synchronously at worker start, like every other listener.
import browser, { type Runtime } from 'webextension-polyfill';
import type { BackgroundContext } from './context.ts';
import { siteOrigin } from './sender.ts';
import { tabSitesFor } from './tabSites.ts';
import { pruneLogs } from '../db/retention.ts';

export const RETENTION_ALARM = 'warden-retention';
export const WELCOME_PATH = 'src/ui/options/index.html?welcome=1';

export function wireControl(ctx: BackgroundContext): void {
  const tabSites = tabSitesFor(ctx.session);
  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
    const m = message as { type?: unknown } | null;
    if (m?.type === 'nip07' && sender.tab?.id !== undefined && !sender.frameId) {
      try {
        tabSites.note(sender.tab.id, siteOrigin(sender));
      } catch {
        /* not a site the signer serves: nothing to note */
      }
    }
    return undefined; // the router answers; this listener only notes
  });
  browser.tabs.onRemoved.addListener((tabId) => tabSites.forget(tabId));

  // First run: a new install with no key opens the welcome page (create or import a key).
  // Firefox's temporary add-ons (web-ext, test runners) skip it.
  browser.runtime.onInstalled.addListener((details) => {
    if (details.reason !== 'install' || details.temporary) return;
    void ctx.ready.then(async () => {
      if (!ctx.vault.status().hasAccount) await browser.tabs.create({ url: browser.runtime.getURL(WELCOME_PATH) });
    });
  });

  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === RETENTION_ALARM) void ctx.ready.then(() => pruneLogs(ctx.db, ctx.clock)).catch(() => {});
  });
  void browser.alarms.get(RETENTION_ALARM).then((existing) => {
    if (!existing) void browser.alarms.create(RETENTION_ALARM, { periodInMinutes: 60, delayInMinutes: 1 });
  });
}
