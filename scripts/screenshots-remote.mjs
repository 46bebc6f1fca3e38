// Takes the README's Remote signing screenshots from the built extension in headless Chromium,
// with a relay on 127.0.0.1 and a real NIP-46 client in Node (nostr-tools' BunkerSigner) that
// connects with the token shown and signs a few notes. Run: npm run build && node scripts/screenshots-remote.mjs
// (the TypeScript test helpers it uses are bundled first with rolldown, which vite brings).
import { chromium } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM_FLAGS, findChromium } from './browsers.mjs';
import { loadRemoteHelpers } from './remote-helpers.mjs';

const { startRelay, clientFor, closeClients } = await loadRemoteHelpers();

const root = resolve(import.meta.dirname, '..');
const ext = join(root, 'dist', 'chrome');
const shots = join(root, 'docs', 'screenshots');
const relay = await startRelay();
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'warden-shots-')), {
  executablePath: findChromium(),
  headless: true,
  args: [`--disable-extensions-except=${ext}`, `--load-extension=${ext}`, ...CHROMIUM_FLAGS],
});
const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
const id = new URL(worker.url()).host;
const page = await context.newPage();
await page.setViewportSize({ width: 900, height: 1100 });
await page.goto(`chrome-extension://${id}/src/ui/options/index.html?rpc`);
const admin = async (method, params = {}) => {
  const r = await page.evaluate(([m, p]) => chrome.runtime.sendMessage({ type: 'admin', method: m, params: p }), [method, params]);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.result;
};
await admin('create_account', { password: 'demo password', label: 'Main' });
await page.goto(`chrome-extension://${id}/src/ui/options/index.html#remote`);
await page.getByTestId('options-remote-relays').fill(relay.url);
await page.getByTestId('options-remote-start').click();
await page.getByTestId('options-remote-relay').filter({ hasText: 'connected' }).waitFor();
await page.getByTestId('options-token-label').fill('Phone');
await page.getByTestId('options-token-create').click();
await page.getByTestId('options-token-qr').waitFor();
await page.screenshot({ path: join(shots, 'options-remote-token.png'), fullPage: true });
const bunkerUrl = await page.getByTestId('options-token-url').textContent();

const client = await clientFor(bunkerUrl);
await client.signer.connect({ name: 'Amethyst on my phone' });
for (let i = 0; i < 3; i++) await client.signer.signEvent({ kind: 1, content: `note ${i}`, tags: [], created_at: Math.floor(Date.now() / 1000) });
await page.reload();
await page.getByTestId('options-remote-client').waitFor();
await page.getByTestId('options-remote-client').scrollIntoViewIfNeeded();
await page.getByTestId('options-remote-clients').screenshot({ path: join(shots, 'options-remote-clients.png') });

const popup = await context.newPage();
await popup.setViewportSize({ width: 380, height: 640 });
await popup.goto(`chrome-extension://${id}/src/ui/popup/index.html?origin=${encodeURIComponent(client.origin)}`);
await popup.getByTestId('popup-site-panel').waitFor();
await popup.getByTestId('popup-remote-client').waitFor();
await popup.screenshot({ path: join(shots, 'popup-remote-client.png'), fullPage: true });

// A request the token does not cover: the prompt window names the client as it named itself.
const prompted = context.waitForEvent('page', { predicate: (p) => p.url().includes('/src/ui/prompt/') });
const asked = client.signer.signEvent({ kind: 7, content: '+', tags: [], created_at: Math.floor(Date.now() / 1000) }).catch(() => null);
const prompt = await prompted;
await prompt.setViewportSize({ width: 460, height: 640 });
await prompt.getByTestId('prompt-remote').waitFor();
await prompt.screenshot({ path: join(shots, 'prompt-remote.png'), fullPage: true });
await prompt.getByTestId('prompt-deny').click({ timeout: 5_000 }).catch(() => {});
await asked;

client.close();
closeClients();
await context.close();
await relay.close();
console.log('screenshots written: options-remote-token.png, options-remote-clients.png, popup-remote-client.png, prompt-remote.png');
