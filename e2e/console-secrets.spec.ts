// docs/THREATS.md #17: no secret reaches any console. Every console message (and uncaught error) of
// the service worker, the extension's pages (options, popup, prompt) and a web page is recorded
// while a known key is imported and exported, the vault is unlocked from the prompt, events are
// signed, messages encrypted and decrypted, a request denied, and the page sends bad input; then
// no record may hold the key (hex, nsec, or its bytes as numbers), the password, a wrong password
// typed, or a plaintext. A canary logged in each context first proves each one is being heard.
import type { ConsoleMessage, Page } from '@playwright/test';
import { bytesToHex } from '@noble/hashes/utils.js';
import * as nip04 from 'nostr-tools/nip04';
import { nsecEncode } from 'nostr-tools/nip19';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { expect, openSite, test, type Extension } from './fixtures.ts';
import { openOptions, openPopup } from './extensionPages.ts';
import { armed, awaitCall, nip44From, note, promptShowing, signScript, startCall, waitForPending } from './helpers.ts';

const PASSWORD = 'console-canary passphrase 7f3a';
const WRONG_PASSWORD = 'console-canary passphrase 7f3b';
const ENCRYPT_PLAINTEXT = 'encrypt-canary: the spare key is under the mat';
const DECRYPT_PLAINTEXT = 'decrypt-canary: meet at the old mill';
const NIP04_PLAINTEXT = 'nip04-canary: bring the ledger';

interface Heard {
  from: string;
  text: string;
}

/** Records every console message and uncaught error of the worker and of every page of the context. */
function listen(ext: Extension): { heard: Heard[]; settled: () => Promise<void> } {
  const heard: Heard[] = [];
  const reading: Promise<unknown>[] = [];
  const take = (from: string) => (msg: ConsoleMessage) => {
    heard.push({ from, text: msg.text() });
    // The arguments as values too: an object logged whole would hide its fields from text().
    reading.push(
      Promise.all(msg.args().map((a) => a.jsonValue().then((v) => JSON.stringify(v), () => ''))).then((values) => heard.push({ from, text: values.join(' ') })),
    );
  };
  ext.worker.on('console', take('service worker'));
  ext.context.on('console', (msg) => take(msg.page()?.url() ?? 'a worker (no page)')(msg));
  ext.context.on('weberror', (e) => heard.push({ from: 'uncaught', text: `${e.error().message}\n${e.error().stack ?? ''}` }));
  return { heard, settled: async () => void (await Promise.allSettled(reading)) };
}

/** Logs `canary` in `where` (a page, or the worker) and waits until the listener heard it. */
async function canary(heard: Heard[], where: { evaluate: Page['evaluate'] }, name: string): Promise<void> {
  const word = `canary-${name}-${Math.random().toString(36).slice(2)}`;
  await where.evaluate((w) => console.log(w), word);
  await expect.poll(() => heard.some((h) => h.text.includes(word)), { message: `the console of ${name} is heard` }).toBe(true);
}

/** Answers the request `promptId` in whichever prompt window shows it, through its buttons. */
async function answer(ext: Extension, promptId: string, button: 'prompt-allow' | 'prompt-deny'): Promise<Page> {
  const prompt = await promptShowing(ext, promptId, 10_000);
  await armed(prompt);
  await prompt.getByTestId(button).click();
  return prompt;
}

/** Starts `script` in the page, answers the prompt it opens, and returns the call's result. */
async function askAndAnswer(ext: Extension, page: Page, name: string, script: string, button: 'prompt-allow' | 'prompt-deny') {
  const before = new Set((await waitForPending(ext, 0)).map((p) => p.promptId));
  await startCall(page, name, script);
  let promptId = '';
  await expect.poll(async () => (promptId = (await waitForPending(ext, 1)).find((p) => !before.has(p.promptId))?.promptId ?? '')).not.toBe('');
  await answer(ext, promptId, button);
  return awaitCall(page, name);
}

test('no key, password or plaintext in any console: worker, options, popup, prompt and a page under attack', async ({ ext }) => {
  test.setTimeout(120_000);
  const { heard, settled } = listen(ext);
  const sk = generateSecretKey();
  const sk2 = generateSecretKey();
  const pubkey = getPublicKey(sk);

  // The key the account uses is one the test knows; a second is imported through the options page.
  const { accountId } = await ext.admin<{ accountId: number }>('import_account', { secret: nsecEncode(sk), password: PASSWORD, label: 'known' });
  const options = await openOptions(ext, 'accounts');
  await options.getByTestId('options-import-secret').fill(bytesToHex(sk2));
  await options.getByTestId('options-import-label').fill('second');
  await options.getByTestId('options-import-password').fill(PASSWORD);
  await options.getByTestId('options-import-submit').click();
  await expect(options.getByTestId('options-account-row').filter({ hasText: 'second' })).toBeVisible({ timeout: 30_000 });
  await ext.admin('select_account', { accountId }); // the import made the second key the one in use

  // Export through the options page: once with a wrong password, then with the right one.
  const row = options.getByTestId('options-account-row').filter({ hasText: 'known' });
  await row.getByTestId('options-account-export').click();
  await row.getByTestId('options-account-export-password').fill(WRONG_PASSWORD);
  await row.getByTestId('options-account-export-submit').click();
  await expect(row.getByTestId('options-account-error')).not.toBeEmpty({ timeout: 30_000 });
  await row.getByTestId('options-account-export-password').fill(PASSWORD);
  await row.getByTestId('options-account-export-submit').click();
  await expect(row.getByTestId('options-account-ncryptsec')).not.toHaveValue('', { timeout: 30_000 });

  const page = await openSite(ext, '/blank.html');
  const popup = await openPopup(ext, ext.siteUrl);
  await canary(heard, ext.worker, 'service worker');
  await canary(heard, options, 'options');
  await canary(heard, popup, 'popup');
  await canary(heard, page, 'web page');

  // The page under attack: bad input of every kind, some of it carrying a plaintext.
  const bad = [
    'window.nostr.signEvent({ kind: "x", content: 1 })',
    'window.nostr.signEvent({ kind: 1, content: "", tags: [], created_at: 1n })',
    `window.nostr.nip44.encrypt("not a key", ${JSON.stringify(ENCRYPT_PLAINTEXT)})`,
    `window.nostr.nip04.encrypt("${'f'.repeat(64)}", ${JSON.stringify(NIP04_PLAINTEXT)})`,
    `window.nostr.nip44.decrypt("${pubkey}", "!!! not base64 !!!")`,
    `window.nostr.nip04.decrypt("${pubkey}", "no iv here")`,
    `window.nostr.signEvent(${JSON.stringify(note('x'.repeat(200_000)))})`,
  ];
  for (const [i, script] of bad.entries()) await startCall(page, `bad${i}`, script);
  for (let i = 0; i < bad.length; i++) {
    const r = await page.evaluate((n) => Promise.race([(window as unknown as { __calls: Record<string, Promise<unknown>> }).__calls[n], new Promise((ok) => setTimeout(() => ok('still pending'), 5_000))]), `bad${i}`);
    expect(r, bad[i]).toMatchObject({ ok: false });
  }
  await page.evaluate((pw) => {
    window.postMessage({ type: 'admin', method: 'unlock', params: { password: pw } }, '*');
    window.postMessage({ source: 'warden:request', id: crypto.randomUUID(), method: 'import_account', params: { password: pw } }, '*');
  }, PASSWORD);

  // Locked: the page's request opens the unlock prompt; a wrong password first, then the right one.
  await ext.admin('lock');
  await startCall(page, 'locked', signScript(note('signed after an unlock')));
  const [unlock] = await waitForPending(ext, 1);
  const prompt = await promptShowing(ext, unlock!.promptId, 10_000);
  await canary(heard, prompt, 'prompt');
  await prompt.getByTestId('prompt-unlock-password').fill(WRONG_PASSWORD);
  await prompt.getByTestId('prompt-unlock-submit').click();
  await expect(prompt.getByRole('alert')).toBeVisible({ timeout: 30_000 });
  await prompt.getByTestId('prompt-unlock-password').fill(PASSWORD);
  await prompt.getByTestId('prompt-unlock-submit').click();
  let consent = '';
  await expect.poll(async () => (consent = (await waitForPending(ext, 1)).find((p) => p.promptId !== unlock!.promptId)?.promptId ?? ''), { timeout: 30_000 }).not.toBe('');
  await answer(ext, consent, 'prompt-allow');
  expect(await awaitCall(page, 'locked')).toMatchObject({ ok: true, value: { pubkey } });

  // Encrypt and decrypt, allowed in the prompt; a sign denied there.
  const peer = generateSecretKey();
  const peerPub = getPublicKey(peer);
  const encrypted = await askAndAnswer(ext, page, 'enc', `window.nostr.nip44.encrypt("${peerPub}", ${JSON.stringify(ENCRYPT_PLAINTEXT)})`, 'prompt-allow');
  expect(encrypted.ok).toBe(true);
  const incoming = nip44From(pubkey, DECRYPT_PLAINTEXT, peer);
  expect(await askAndAnswer(ext, page, 'dec', `window.nostr.nip44.decrypt("${incoming.peer}", "${incoming.ciphertext}")`, 'prompt-allow')).toEqual({ ok: true, value: DECRYPT_PLAINTEXT });
  const old = nip04.encrypt(peer, pubkey, NIP04_PLAINTEXT);
  expect(await askAndAnswer(ext, page, 'dec04', `window.nostr.nip04.decrypt("${peerPub}", "${old}")`, 'prompt-allow')).toEqual({ ok: true, value: NIP04_PLAINTEXT });
  expect(await askAndAnswer(ext, page, 'denied', signScript(note('to be denied')), 'prompt-deny')).toMatchObject({ ok: false, code: 'denied' });

  await settled();
  const secrets: Record<string, string> = {
    'the secret key (hex)': bytesToHex(sk),
    'the secret key (nsec)': nsecEncode(sk),
    'the key as numbers': Array.from(sk).join(','),
    'the second key (hex)': bytesToHex(sk2),
    'the second key (nsec)': nsecEncode(sk2),
    'the password': PASSWORD,
    'a wrong password typed': WRONG_PASSWORD,
    'an encrypt plaintext': ENCRYPT_PLAINTEXT,
    'a decrypt plaintext': DECRYPT_PLAINTEXT,
    'a nip04 plaintext': NIP04_PLAINTEXT,
  };
  const leaks: string[] = [];
  for (const h of heard) {
    const text = h.text.toLowerCase();
    const numbers = (h.text.match(/\d+/g) ?? []).join(',');
    for (const [what, secret] of Object.entries(secrets)) {
      if (text.includes(secret.toLowerCase()) || numbers.includes(secret)) leaks.push(`${what} in the console of ${h.from}: ${h.text.slice(0, 200)}`);
    }
  }
  expect(heard.length, 'the console was heard').toBeGreaterThanOrEqual(5);
  expect(leaks).toEqual([]);
});
