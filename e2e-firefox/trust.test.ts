// The page-side trust rules (docs/THREATS.md #28, #38, #41) in Firefox, where the browser differs
// from Chromium: no `documentId` on the sender (requests are bound to tab and frame instead), and
// its own handling of an unfocused `windows.create`.
import { afterEach, expect, test } from 'vitest';
import type { Frame } from 'puppeteer-core';
import { answerPrompt, awaitCall, catchPrompt, launchFirefox, note, nostrCall, openSite, PASSWORD, setupAccount, signCall, sleep, startCall, until, type Extension } from './fixtures.ts';
import { signScript } from '../e2e-shared/common.ts';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { npubEncode } from 'nostr-tools/nip19';

let ext: Extension | undefined;
afterEach(async () => {
  await ext?.close();
  ext = undefined;
});

/** Resolves false if no prompt window opens within `ms`. */
const promptOpens = (e: Extension, ms: number) => catchPrompt(e, ms).then(() => true, () => false);

test('a paused site is refused at once while the vault is locked: no unlock window, the same code whatever pubkey it guesses', async () => {
  ext = await launchFirefox();
  const { pubkey } = await setupAccount(ext);
  const page = await openSite(ext);
  await ext.admin('pause_site', { origin: ext.siteUrl, expiresAt: null });
  await ext.admin('lock');
  const opened = promptOpens(ext, 3_000);
  const guesses = [pubkey, 'ab'.repeat(32), undefined];
  for (const guess of guesses) {
    const r = await nostrCall(page, signScript(note('who are you', guess ? { pubkey: guess } : {})));
    expect(r).toMatchObject({ ok: false, code: 'denied' });
  }
  expect(await opened).toBe(false);
  expect((await ext.status()).pending).toEqual([]);
  // Unlocked, the answer is the same.
  await ext.admin('unlock', { password: PASSWORD });
  for (const guess of guesses) {
    expect(await nostrCall(page, signScript(note('who are you', guess ? { pubkey: guess } : {})))).toMatchObject({ ok: false, code: 'denied' });
  }
});

test('a sub-frame that navigates away cancels its waiting request (Firefox senders have no documentId)', async () => {
  ext = await launchFirefox();
  await setupAccount(ext);
  const page = await openSite(ext);
  await page.evaluate(() => {
    const frame = document.createElement('iframe');
    frame.name = 'child';
    frame.src = '/blank.html?child';
    document.body.append(frame);
  });
  const child = await until('the child frame with window.nostr', async () => {
    const f = page.frames().find((x: Frame) => x.url().endsWith('?child'));
    return f && (await f.evaluate(() => 'nostr' in window).catch(() => false)) ? f : undefined;
  });
  const prompt = catchPrompt(ext);
  // The top document asks too: its request must outlive the frame's navigation.
  await startCall(page, 'top', signCall('from the top document'));
  await startCall(child, 'child', signCall('from the frame'));
  await until('both waiting', async () => ((await ext!.status()).pending.length === 2 ? true : undefined));
  await prompt;
  await child.evaluate(() => {
    location.href = '/blank.html?elsewhere';
  });
  const left = await until('the frame’s request cancelled', async () => {
    const pending = (await ext!.status()).pending;
    return pending.length === 1 ? pending : undefined;
  });
  expect(left).toHaveLength(1);
  await sleep(500);
  expect((await ext.status()).pending).toHaveLength(1);
  // The top document's request is untouched and still answerable.
  await ext.admin('resolve_prompt', { promptId: left[0]!.promptId, decision: 'deny' });
  expect(await awaitCall(page, 'top')).toMatchObject({ ok: false, code: 'denied' });
});

test('a request from a background tab opens the prompt window without taking the focus', async () => {
  ext = await launchFirefox();
  await setupAccount(ext);
  const behind = await openSite(ext);
  const front = await openSite(ext, '/blank.html?front');
  await front.bringToFront();
  const prompt = catchPrompt(ext);
  await startCall(behind, 'sign', signCall('from a tab in the background'));
  await prompt;
  const windows = await ext.adminPage.evaluate(async () => {
    const b = (globalThis as unknown as { browser: typeof chrome }).browser;
    return (await b.windows.getAll()).map((w) => ({ type: w.type, focused: w.focused }));
  });
  const popup = windows.find((w) => w.type === 'popup');
  expect(popup, JSON.stringify(windows)).toBeDefined();
  expect(popup!.focused).toBe(false);
  // Firefox focuses a new window even when asked not to: the focus was given back.
  expect(windows.find((w) => w.type === 'normal')?.focused).toBe(true);
});

test('an encrypt prompt names the signing account and shows the text to be encrypted, hidden characters marked; Allow encrypts it', async () => {
  ext = await launchFirefox();
  const { pubkey } = await setupAccount(ext);
  const page = await openSite(ext);
  const peer = getPublicKey(generateSecretKey());
  const prompt = catchPrompt(ext);
  await startCall(page, 'enc', `window.nostr.nip44.encrypt(${JSON.stringify(peer)}, ${JSON.stringify('meet at the\u200B old mill')})`);
  const window = await prompt;
  await window.waitForSelector('[data-testid="prompt-plaintext"]');
  const text = (id: string) => window.$eval(`[data-testid="${id}"]`, (e) => e.textContent ?? '');
  expect(await text('prompt-plaintext')).toBe('meet at the⟨U+200B⟩ old mill');
  expect(await window.$('[data-testid="prompt-plaintext-hidden"]')).not.toBeNull();
  expect(await text('prompt-peer')).toBe(npubEncode(peer));
  expect(await text('prompt-account')).toContain('e2e-firefox');
  expect(await window.$eval('[data-testid="prompt-account"]', (e) => e.getAttribute('title'))).toBe(npubEncode(pubkey));
  await answerPrompt(window, 'allow');
  const r = await awaitCall<string>(page, 'enc');
  expect(r.ok).toBe(true);
});
