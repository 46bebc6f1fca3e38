// Takes the README's "locked" screenshots from the built extension in headless Chromium: the
// options page and the popup while the vault is locked, where what would loosen is disabled and
// says why (docs/THREATS.md #31). Run: npm run build && node scripts/screenshots-locked.mjs
// (scripts/screenshots.mjs takes the others; this one stays separate so either can be re-run alone.)
import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM_FLAGS, findChromium } from './browsers.mjs';
import { serveStatic } from './serve-demo.mjs';

const root = resolve(import.meta.dirname, '..');
const ext = join(root, 'dist', 'chrome');
const shots = join(root, 'docs', 'screenshots');
const profile = mkdtempSync(join(tmpdir(), 'warden-shots-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: findChromium(),
  headless: true,
  args: [`--disable-extensions-except=${ext}`, `--load-extension=${ext}`, ...CHROMIUM_FLAGS],
});
const welcome = await context.waitForEvent('page', { predicate: (p) => p.url().includes('welcome=1'), timeout: 10_000 });
const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
const id = new URL(worker.url()).host;
const demo = await serveStatic([join(root, 'demo')]);
const other = await serveStatic([join(root, 'demo')]);
await welcome.waitForSelector('[data-testid="welcome"]');
const admin = async (method, params = {}) => {
  const r = await welcome.evaluate(([m, p]) => chrome.runtime.sendMessage({ type: 'admin', method: m, params: p }), [method, params]);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.result;
};
await admin('create_account', { password: 'demo password', label: 'Main' });
await admin('grant', {
  origin: demo.url,
  rules: [
    { method: 'get_public_key' },
    { method: 'sign_event', kind: 1, maxUsageCount: 20, windowSeconds: 3600 },
    { method: 'nip44_encrypt' },
  ],
});
await admin('grant', { origin: other.url, rules: [{ method: 'sign_event', kind: 1 }] });
await admin('pause_site', { origin: other.url });
await admin('lock');

const options = await context.newPage();
await options.setViewportSize({ width: 1000, height: 900 });
await options.goto(`chrome-extension://${id}/src/ui/options/index.html#sites`);
await options.waitForSelector('[data-testid="options-rule"]');
await options.click(`[data-testid="options-site"][data-origin="${demo.url}"] [data-testid="options-add-details"] summary`);
await options.waitForSelector(`[data-testid="options-site"][data-origin="${demo.url}"] [data-testid="options-add-locked"]`);
await options.waitForTimeout(300);
await options.screenshot({ path: join(shots, 'options-locked.png') });

const popup = await context.newPage();
await popup.setViewportSize({ width: 380, height: 640 });
await popup.goto(`chrome-extension://${id}/src/ui/popup/index.html?origin=${encodeURIComponent(other.url)}`);
await popup.waitForSelector('[data-testid="popup-resume-locked"]');
await popup.waitForTimeout(300);
await popup.screenshot({ path: join(shots, 'popup-locked.png') });

await context.close();
demo.server.close();
other.server.close();
rmSync(profile, { recursive: true, force: true });
console.log('screenshots: options-locked.png, popup-locked.png');
