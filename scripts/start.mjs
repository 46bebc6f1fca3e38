// `npm start`: build, then open Chromium on a fresh profile with the extension loaded, the demo
// site and the extension's settings page (to create or import a key): one tab each.
import { execSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_FLAGS, CHROMIUM_HELP, findChromium } from './browsers.mjs';
import { serveStatic } from './serve-demo.mjs';

const root = resolve(import.meta.dirname, '..');
const extensionDir = join(root, 'dist', 'chrome');

execSync('npx vite build', { cwd: root, stdio: 'inherit' });
const demo = await serveStatic([join(root, 'demo')], Number(process.env.PORT ?? 5174));
console.log(`\nDemo site: ${demo.url}`);

const chromePath = findChromium();
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
if (!chromePath || !hasDisplay) {
  console.log(chromePath ? '\nNo display found ($DISPLAY and $WAYLAND_DISPLAY are empty), so no browser window can open.' : `\n${CHROMIUM_HELP}`);
  console.log(`\nTo load the extension by hand:
  1. open chrome://extensions in Chromium or Chrome and switch on "Developer mode";
  2. click "Load unpacked" and choose ${extensionDir};
  3. open the extension's settings page (Details → Extension options) and create or import a key;
  4. open ${demo.url} (this server keeps running; Ctrl+C stops it).`);
} else {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'warden-start-')), {
    executablePath: chromePath,
    headless: false,
    viewport: null,
    args: [`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, ...CHROMIUM_FLAGS],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const id = new URL(worker.url()).host;
  const settingsUrl = `chrome-extension://${id}/src/ui/options/index.html`;
  // The profile is new, so installing opens the welcome page (the settings page in its first-run
  // form); opening the settings page as well would give two "Warden — settings" tabs. Use that
  // one; only if it does not come (a background that no longer opens it) open the settings page.
  const settings = (await waitForPage(context, (url) => url.startsWith(settingsUrl), 10_000)) ?? (await openIn(context, settingsUrl));
  const blank = context.pages().find((p) => p !== settings && p.url() === 'about:blank');
  const site = blank ?? (await context.newPage());
  await site.goto(demo.url);
  await settings.bringToFront();
  console.log('Chromium is open with Warden loaded: create a key in the settings tab, then use the demo tab.');
  console.log('Close the browser (or press Ctrl+C) to stop.');
  context.on('close', () => process.exit(0));
}

/** The first page whose URL passes `test`, polled for up to `ms` (null if none came). */
async function waitForPage(context, test, ms) {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((ok) => setTimeout(ok, 50))) {
    const page = context.pages().find((p) => test(p.url()));
    if (page) return page;
  }
  return null;
}

/** `url` in the browser's start tab if it is still blank, else in a new tab. */
async function openIn(context, url) {
  const page = context.pages().find((p) => p.url() === 'about:blank') ?? (await context.newPage());
  await page.goto(url);
  return page;
}
