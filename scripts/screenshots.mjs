// Takes the README's screenshots from the built extension in headless Chromium, with real data.
// Run: npm run build && node scripts/screenshots.mjs
import { chromium } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM_FLAGS, findChromium } from './browsers.mjs';
import { serveStatic } from './serve-demo.mjs';

const root = resolve(import.meta.dirname, '..');
const ext = join(root, 'dist', 'chrome');
const shots = join(root, 'docs', 'screenshots');
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'warden-shots-')), {
  executablePath: findChromium(),
  headless: true,
  args: [`--disable-extensions-except=${ext}`, `--load-extension=${ext}`, ...CHROMIUM_FLAGS],
});
const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
const id = new URL(worker.url()).host;
const demo = await serveStatic([join(root, 'demo')]);

const options = await context.newPage();
await options.setViewportSize({ width: 900, height: 760 });
await options.goto(`chrome-extension://${id}/src/ui/options/index.html`);
await options.screenshot({ path: join(shots, 'options-first-run.png') });
const admin = (method, params = {}) => options.evaluate(([m, p]) => chrome.runtime.sendMessage({ type: 'admin', method: m, params: p }), [method, params]);
await admin('create_account', { password: 'demo password', label: 'Main' });
await admin('grant', { origin: demo.url, rules: [{ method: 'get_public_key' }] });
await options.reload();
await options.waitForSelector('[data-testid="account-row"]');
await options.screenshot({ path: join(shots, 'options.png') });

const site = await context.newPage();
await site.setViewportSize({ width: 900, height: 760 });
await site.goto(demo.url);
const promptOpened = context.waitForEvent('page');
await site.fill('#content', 'gm nostr ⚡ — signed through Warden');
await site.click('#signEvent');
const prompt = await promptOpened;
await prompt.setViewportSize({ width: 440, height: 640 });
await prompt.waitForSelector('[data-testid="prompt-allow"]:enabled');
await prompt.screenshot({ path: join(shots, 'prompt-sign.png') });
await prompt.click('[data-testid="prompt-allow"]');
await site.waitForFunction(() => document.getElementById('result').textContent.includes('"sig"'));
await site.screenshot({ path: join(shots, 'demo-signed.png') });

const popup = await context.newPage();
await popup.setViewportSize({ width: 340, height: 300 });
await popup.goto(`chrome-extension://${id}/src/ui/popup/index.html`);
await popup.waitForSelector('[data-testid="popup-lock-state"]');
await popup.screenshot({ path: join(shots, 'popup.png') });

console.log(`screenshots written to ${shots}`);
await context.close();
demo.server.close();
