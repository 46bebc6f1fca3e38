// Wiring only: browser APIs in, router out. Listeners are registered synchronously at start, as
// MV3 requires; each message then waits for setup inside the router.
import browser, { type Runtime } from 'webextension-polyfill';
import { createContext } from './context.ts';
import { createRouter } from './router.ts';
import { AUTOLOCK_ALARM, createAutoLock } from './autolock.ts';
import { PromptWindows } from './prompts/window.ts';
import type { SessionStore } from '../vault/sessionStore.ts';
import { pruneLogs } from '../db/retention.ts';
import { fail } from '../shared/errors.ts';
import { LIVE_STARTED, LiveUpdates } from './liveUpdates.ts';
import { acceptDocumentPort } from './documents.ts';
import { Badge } from './badge.ts';
import { stopSigning } from './handlers/admin/killSwitch.ts';
import { STOP_SIGNING_COMMAND } from '../shared/commands.ts';
import './keepalive.ts'; // Firefox: the bridge's port keeps the event page alive while a page waits
import { followVault, keepAwake, syncBunker } from './bunker/lifecycle.ts';

const RETENTION_ALARM = 'warden-retention';
const BUNKER_ALARM = 'warden-bunker';
const WELCOME_PATH = 'src/ui/options/index.html?welcome=1';

const extensionOrigin = browser.runtime.getURL('').replace(/\/$/, '');
// Open popup/options/prompt pages hear what changed over a port (see liveUpdates.ts).
const live = new LiveUpdates({ extensionOrigin });
// The bunker follows the vault: it runs while unlocked (src/background/bunker/lifecycle.ts).
let onVault = () => {};
const session: SessionStore = followVault(
  live.watchSession({
    get: async <T>(key: string) => (await browser.storage.session.get(key))[key] as T | undefined,
    set: (key, value) => browser.storage.session.set({ [key]: value }),
    remove: (key) => browser.storage.session.remove(key),
  }),
  () => onVault(),
);

// Content scripts must never read the unlocked keys mirrored in storage.session (docs/THREATS.md
// #18). Chromium refuses them by default, but keeps the level in the profile: set it at every start,
// so no earlier build or stray call can have left it open. Browsers without the call refuse anyway.
type SessionArea = { setAccessLevel?: (o: { accessLevel: 'TRUSTED_CONTEXTS' }) => Promise<void> };
void (browser.storage.session as SessionArea).setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => {});

const promptWindows = new PromptWindows();
const badge = new Badge((view) =>
  void Promise.all([
    browser.action.setBadgeText({ text: view.text }),
    browser.action.setBadgeBackgroundColor({ color: view.color }),
    browser.action.setTitle({ title: view.title }),
  ]).catch(() => undefined),
);
const ctx = createContext({
  session,
  extensionOrigin,
  onPromptsChanged: (pending) => (promptWindows.sync(pending), badge.setPending(pending.length), live.changed('prompts')),
  onBunkerChanged: () => live.changed('policy'),
});
// Remote signing (NIP-46): on at start if it was on and the vault is unlocked; paused by a lock.
onVault = () => void syncBunker(ctx);
void syncBunker(ctx);
keepAwake(ctx, () => browser.runtime.getPlatformInfo());
// The badge says STOP while the kill switch is on, above any count; from setup on, after a restart too.
ctx.killSwitch.subscribe((on) => badge.setStopped(on));
live.watchDb(ctx.db);
browser.runtime.onConnect.addListener((port: Runtime.Port) => void (live.accept(port) || acceptDocumentPort(port, ctx.prompts)));
// Once per start: pages whose port went away when the background stopped reconnect now.
void browser.runtime.sendMessage({ type: LIVE_STARTED }).catch(() => {});
promptWindows.attach(ctx.prompts, (origins) => origins.forEach((o) => ctx.backoff.refused(o)));
const autoLock = createAutoLock(ctx, (when) =>
  // The deadline is in the background's time (src/background/clock.ts); alarms fire by the system clock.
  void (when === null ? browser.alarms.clear(AUTOLOCK_ALARM) : browser.alarms.create(AUTOLOCK_ALARM, { when: ctx.time.toWall(when) })).catch(() => undefined),
);
const route = createRouter(ctx, () => autoLock.touch());

browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => route(message, sender));

// The keyboard shortcut turns the kill switch on from anywhere, never off (resuming needs the
// vault unlocked, in the popup). Registered at start like every listener, so a press wakes a
// stopped worker; it acts once setup has read the stored state.
browser.commands.onCommand.addListener((command: string) => {
  if (command === STOP_SIGNING_COMMAND) void ctx.ready.then(() => stopSigning(ctx)).catch(() => {});
});

// A tab that closes cancels the requests it was waiting on (docs/THREATS.md #23).
const cancelTab = (tabId: number, why: string) => ctx.prompts.refuseAll(fail('denied', why), (p) => p.tabId === tabId);
browser.tabs.onRemoved.addListener((tabId) => {
  cancelTab(tabId, 'The requesting tab was closed');
  ctx.tabSites.forget(tabId);
});
// A navigation ends the document, and with it its waiting requests (src/background/documents.ts,
// docs/THREATS.md #41). The tab's 'loading' status is no sign of that: it also turns to 'loading'
// when a sub-frame loads, and used to cancel the top page's requests along with it.

// First run: a new install with no key opens the welcome page (create or import a key).
// Firefox's temporary add-ons (web-ext, test runners) skip it.
browser.runtime.onInstalled.addListener((details) => {
  if (details.reason !== 'install' || details.temporary) return;
  void ctx.ready.then(async () => {
    if (!ctx.vault.status().hasAccount) await browser.tabs.create({ url: browser.runtime.getURL(WELCOME_PATH) });
  });
});

// Alarms survive worker stops: auto-lock once at its deadline (src/background/autolock.ts), log
// retention hourly.
browser.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === AUTOLOCK_ALARM) void autoLock.check();
  if (alarm.name === RETENTION_ALARM) void ctx.ready.then(() => pruneLogs(ctx.db, ctx.clock)).catch(() => {});
  // A worker the browser stopped anyway (an update, a crash) is started again by this alarm, and
  // the bunker reconnects if it is on and the vault unlocked (src/background/bunker/lifecycle.ts).
  if (alarm.name === BUNKER_ALARM) void syncBunker(ctx);
});
const ensureAlarm = (name: string, info: { periodInMinutes: number; delayInMinutes?: number }) =>
  void browser.alarms.get(name).then((existing) => {
    if (!existing) void browser.alarms.create(name, info);
  });
// Also replaces the periodic auto-lock alarm of earlier versions (same name).
void autoLock.arm().catch(() => undefined);
ensureAlarm(RETENTION_ALARM, { periodInMinutes: 60, delayInMinutes: 1 });
ensureAlarm(BUNKER_ALARM, { periodInMinutes: 0.5 });
