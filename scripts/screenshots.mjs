// Takes the README's screenshots from the built extension in headless Chromium, with real data:
// a key, a site with stacked caps that has signed a few events, a paused site, an override, the
// activity those requests left. Run: npm run build && node scripts/screenshots.mjs
import { chromium } from '@playwright/test';
import * as nip44 from 'nostr-tools/nip44';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM_FLAGS, findChromium } from './browsers.mjs';
import { serveStatic } from './serve-demo.mjs';

const root = resolve(import.meta.dirname, '..');
const ext = join(root, 'dist', 'chrome');
const shots = join(root, 'docs', 'screenshots');
const scheme = process.env.SCHEME === 'dark' ? 'dark' : 'light';
const suffix = scheme === 'dark' ? '-dark' : '';
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'warden-shots-')), {
  executablePath: findChromium(),
  headless: true,
  colorScheme: scheme,
  args: [`--disable-extensions-except=${ext}`, `--load-extension=${ext}`, ...CHROMIUM_FLAGS],
});
// Installing opens the welcome page (no key yet).
const welcomeOpened = context.waitForEvent('page', { predicate: (p) => p.url().includes('welcome=1'), timeout: 10_000 });
const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
const id = new URL(worker.url()).host;
const demo = await serveStatic([join(root, 'demo')]);
const other = await serveStatic([join(root, 'demo')]);
// The prompt window's size (src/background/prompts/window.ts).
const PROMPT_SIZE = { width: 460, height: 680 };

const welcome = await welcomeOpened;
await welcome.setViewportSize({ width: 900, height: 640 });
await welcome.waitForSelector('[data-testid="welcome"]');
await welcome.screenshot({ path: join(shots, `welcome${suffix}.png`) });
const admin = async (method, params = {}) => {
  const r = await welcome.evaluate(([m, p]) => chrome.runtime.sendMessage({ type: 'admin', method: m, params: p }), [method, params]);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.result;
};
await admin('create_account', { password: 'demo password', label: 'Main' });
await admin('create_account', { password: 'demo password', label: 'Alt' });
await admin('select_account', { accountId: 1 });
await admin('grant', {
  origin: demo.url,
  rules: [
    { method: 'get_public_key' },
    { method: 'sign_event', kind: 1, maxUsageCount: 20, windowSeconds: 3600 },
    { method: 'sign_event', kind: 1, maxUsageCount: 200, windowSeconds: 86400 },
    { method: 'sign_event', kind: 7, maxUsageCount: 5, windowSeconds: 3600 },
    { method: 'nip44_encrypt' },
  ],
});
await admin('set_override', { origin: demo.url, method: 'sign_event', kind: 0, effect: 'deny' });
await admin('grant', { origin: other.url, rules: [{ method: 'get_public_key' }, { method: 'sign_event', kind: 1 }] });
await admin('pause_site', { origin: other.url });

const site = await context.newPage();
await site.goto(demo.url);
await site.waitForFunction(() => 'nostr' in window);
await site.evaluate(async () => {
  const ev = (kind, content) => ({ kind, content, tags: [], created_at: Math.floor(Date.now() / 1000) });
  await window.nostr.getPublicKey();
  for (let i = 0; i < 7; i++) await window.nostr.signEvent(ev(1, `note ${i}`));
  for (let i = 0; i < 5; i++) await window.nostr.signEvent(ev(7, '+'));
  await window.nostr.signEvent(ev(7, '+')).catch(() => {}); // over the cap: refused
  await window.nostr.signEvent(ev(0, '{}')).catch(() => {}); // deny override
});
const pk = await site.evaluate(() => window.nostr.getPublicKey());
await site.evaluate((peer) => window.nostr.nip44.encrypt(peer, 'hi'), pk);

const popup = await context.newPage();
await popup.setViewportSize({ width: 380, height: 760 });
await popup.goto(`chrome-extension://${id}/src/ui/popup/index.html?origin=${encodeURIComponent(demo.url)}`);
await popup.waitForSelector('[data-testid="popup-site-panel"]');
await popup.waitForTimeout(300);
await popup.screenshot({ path: join(shots, `popup${suffix}.png`), fullPage: true });
await popup.click('[data-testid="popup-rule-edit"] >> nth=0');
await popup.screenshot({ path: join(shots, `popup-retune${suffix}.png`), fullPage: true });
// The kill switch on: the popup's first control, then back off for the rest of the shots.
await popup.reload();
await popup.waitForSelector('[data-testid="popup-site-panel"]');
await popup.click('[data-testid="popup-kill-switch"]');
await popup.waitForSelector('[data-testid="popup-kill-state"][data-state="on"]');
await popup.waitForTimeout(300);
await popup.screenshot({ path: join(shots, `popup-kill-switch${suffix}.png`), fullPage: true });
await popup.click('[data-testid="popup-kill-switch"]');
await popup.waitForSelector('[data-testid="popup-kill-state"][data-state="off"]');

/** A backup from "another profile": looser caps here, a deny there, a new site (what a restore preview shows). */
function variant(text) {
  const b = JSON.parse(text);
  for (const g of b.grants) for (const r of g.rules) if (r.maxUsageCount) r.maxUsageCount *= 5;
  b.grants[0].rules.push({ method: 'sign_event', kind: 1, maxUsageCount: 10, windowSeconds: 3600, expiresAt: null });
  b.grants.push({ ...b.grants[0], origin: 'https://snort.social', rules: [{ method: 'sign_event', kind: 1, maxUsageCount: null, windowSeconds: null, expiresAt: null }] });
  b.overrides.push({ ...b.overrides[0], origin: 'https://spam.example', method: 'sign_event', kind: null });
  b.settings.sensitiveKinds.push(30078);
  return JSON.stringify(b);
}

const options = await context.newPage();
await options.setViewportSize({ width: 1000, height: 900 });
for (const tab of ['sites', 'activity', 'try', 'backup', 'accounts']) {
  await options.goto(`chrome-extension://${id}/src/ui/options/index.html#${tab}`);
  await options.waitForSelector('[data-testid="options"]');
  if (tab === 'sites') await options.waitForSelector('[data-testid="options-rule"]');
  if (tab === 'activity') await options.waitForSelector('[data-testid="options-activity-row"]');
  if (tab === 'try') {
    await options.fill('[data-testid="options-try-origin"]', demo.url);
    await options.fill('[data-testid="options-try-kind"]', '7');
    await options.click('[data-testid="options-try-submit"]');
    await options.waitForSelector('[data-testid="options-try-result"]');
  }
  if (tab === 'backup') {
    const backup = await admin('backup_export', { password: 'demo password' });
    await options.setInputFiles('[data-testid="options-restore-file"]', { name: 'backup.json', mimeType: 'application/json', buffer: Buffer.from(variant(backup.backup)) });
    await options.click('[data-testid="options-restore-preview"]');
    await options.waitForSelector('[data-testid="options-restore-plan"]');
  }
  await options.waitForTimeout(300);
  await options.screenshot({ path: join(shots, `options-${tab}${suffix}.png`), fullPage: tab !== 'sites' });
}

// The prompt: a site with no rule asks to sign; then the demo site after Allow.
const fresh = await serveStatic([join(root, 'demo')]);
const asking = await context.newPage();
await asking.setViewportSize({ width: 900, height: 760 });
await asking.goto(fresh.url);
await asking.waitForFunction(() => 'nostr' in window);
const promptOpened = context.waitForEvent('page');
await asking.fill('#content', 'gm nostr ⚡ — signed through Warden');
await asking.click('#signEvent');
const prompt = await promptOpened;
await prompt.setViewportSize(PROMPT_SIZE);
await prompt.waitForSelector('[data-testid="prompt-allow"]:enabled');
await prompt.screenshot({ path: join(shots, `prompt-sign${suffix}.png`) });
await prompt.click('[data-testid="prompt-allow"]');
await asking.waitForFunction(() => document.getElementById('result').textContent.includes('"sig"'));
await asking.screenshot({ path: join(shots, `demo-signed${suffix}.png`) });
fresh.server.close();

// More of the prompt, from a site with no grant (every request asks): a decrypt, a sensitive
// kind, a queue of several, and a first contact with its presets. Each is denied afterwards.
if (!prompt.isClosed()) await prompt.waitForEvent('close');
const { pubkey } = (await admin('get_status')).account;
const asksSite = await serveStatic([join(root, 'demo')]);
const asker = await context.newPage();
await asker.setViewportSize({ width: 900, height: 760 });
await asker.goto(asksSite.url);
await asker.waitForFunction(() => 'nostr' in window);

/** Starts window.nostr calls in the page (not awaited) and returns the prompt window they open, armed. */
async function promptFor(calls) {
  const opened = context.waitForEvent('page');
  await asker.evaluate((srcs) => {
    // The call is sent as source text and run in the page, where window.nostr lives.
    window.__asks = [...(window.__asks ?? []), ...srcs.map((src) => new Function(`return (${src})`)().catch((e) => e.code))];
  }, calls);
  const shown = await opened;
  await shown.waitForURL(/\/src\/ui\/prompt\/index\.html/);
  await shown.setViewportSize(PROMPT_SIZE);
  if (calls.length > 1) await shown.waitForSelector(`[data-testid="prompt-waiting"]:text("${calls.length - 1} more waiting")`);
  await shown.waitForSelector('[data-testid="prompt-allow"]:enabled');
  await shown.waitForTimeout(200);
  return shown;
}

/** Denies all that the prompt holds and waits for the window to close. */
async function dismiss(shown) {
  const all = await shown.$('[data-testid="prompt-apply-all"]');
  if (all) await all.check();
  const closed = shown.waitForEvent('close');
  await shown.click('[data-testid="prompt-deny"]');
  await closed;
}

const peer = generateSecretKey();
const dm = (text) => nip44.encrypt(text, nip44.getConversationKey(peer, pubkey));
const decrypt = (text) => `window.nostr.nip44.decrypt(${JSON.stringify(getPublicKey(peer))}, ${JSON.stringify(dm(text))})`;
const decryptPrompt = await promptFor([decrypt('see you at the meetup')]);
await decryptPrompt.screenshot({ path: join(shots, `prompt-decrypt${suffix}.png`) });
await dismiss(decryptPrompt);

const profile = {
  kind: 0,
  created_at: Math.floor(Date.now() / 1000),
  tags: [],
  content: JSON.stringify({ name: 'alice', about: 'Nostr enthusiast, building things', picture: 'https://example.com/alice.png', nip05: 'alice@example.com' }),
};
const sensitivePrompt = await promptFor([`window.nostr.signEvent(${JSON.stringify(profile)})`]);
await sensitivePrompt.screenshot({ path: join(shots, `prompt-sensitive${suffix}.png`) });
await dismiss(sensitivePrompt);

const now = Math.floor(Date.now() / 1000);
const queuePrompt = await promptFor([
  `window.nostr.signEvent(${JSON.stringify({ kind: 1, created_at: now, tags: [['t', 'nostr']], content: 'Replying to the thread about relays: thanks all!' })})`,
  ...['one', 'two', 'three', 'four'].map((w) => decrypt(`message ${w}`)),
  ...[1, 2, 3].map((i) => `window.nostr.signEvent(${JSON.stringify({ kind: 7, created_at: now, tags: [['e', String(i).repeat(64)]], content: '+' })})`),
]);
await queuePrompt.screenshot({ path: join(shots, `prompt-queue${suffix}.png`) });
await dismiss(queuePrompt);

// A site whose prompts were refused 3 times within a minute may not ask for a while (the
// back-off, docs/THREATS.md #38): the first contact comes from a site of its own.
const firstSite = await serveStatic([join(root, 'demo')]);
await asker.goto(firstSite.url);
await asker.waitForFunction(() => 'nostr' in window);
const firstContact = await promptFor(['window.nostr.getPublicKey()']);
await firstContact.screenshot({ path: join(shots, `prompt-first-contact${suffix}.png`) });
await dismiss(firstContact);
asksSite.server.close();
firstSite.server.close();

console.log(`screenshots written to ${shots}`);
await context.close();
demo.server.close();
other.server.close();
