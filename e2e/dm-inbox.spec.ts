// A DM client's inbox in the built extension: 200 real NIP-17 gift wraps (nostr-tools nip17) from
// 10 senders to the extension's key, read through window.nostr the NIP-17 way. Answered
// "always for this person" in the prompt window, it costs one prompt per sender; with the DM
// client preset, one prompt in all. A plaintext that is no seal never reaches the page.
import type { Page } from '@playwright/test';
import { npubEncode } from 'nostr-tools/nip19';
import * as nip44 from 'nostr-tools/nip44';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { expect, openSite, setupAccount, test, type Extension } from './fixtures.ts';
import { armed, awaitCall, callAndCatchPrompt, PROMPT_URL, policies, signingLog, sleep, waitForPending } from './helpers.ts';
import { inbox, readInboxInPage, senders, type ReadResult } from '../e2e-shared/dm.ts';

const SENDERS = 10;
const PER_SENDER = 20;

/** The prompt windows open now. */
const promptPages = (ext: Extension) => ext.context.pages().filter((p) => !p.isClosed() && PROMPT_URL.test(p.url()));

/**
 * Answers every direct-message prompt "always for this person" until `finished` says the inbox is
 * read; returns the senders named, one per answer, in order.
 */
async function answerPerPerson(ext: Extension, finished: () => boolean): Promise<string[]> {
  const named: string[] = [];
  while (!finished()) {
    const prompt = promptPages(ext)[0];
    if (!prompt) {
      await sleep(50);
      continue;
    }
    try {
      const id = await prompt.getByTestId('prompt').getAttribute('data-prompt-id', { timeout: 2_000 });
      if (!id) continue;
      const sender = (await prompt.getByTestId('prompt-dm-sender').textContent({ timeout: 2_000 })) ?? '';
      expect(sender, 'every prompt of the inbox names a sender').toMatch(/^npub1/);
      await expect(prompt.getByTestId('prompt-method')).toContainText('read your direct messages from');
      await prompt.getByTestId('prompt-scope').selectOption('peer');
      await armed(prompt);
      await prompt.getByTestId('prompt-allow').click();
      named.push(sender);
      // The next request on screen, or the window gone: never answer one request twice.
      await expect.poll(async () => prompt.isClosed() || (await prompt.getByTestId('prompt').getAttribute('data-prompt-id').catch(() => null)) !== id, { timeout: 10_000 }).toBe(true);
    } catch (err) {
      // The background closed this window (its queue emptied) while we looked: take the next one.
      if (!prompt.isClosed() && !/closed/.test(String(err))) throw err;
    }
  }
  return named;
}

async function readInbox(page: Page, wraps: { pubkey: string; content: string }[], concurrency = 4): Promise<ReadResult> {
  return page.evaluate(readInboxInPage, [wraps, concurrency] as const);
}

test('200 wraps from 10 senders: one prompt per sender answered "always for this person"; then the inbox reads with none', async ({ ext }) => {
  test.setTimeout(180_000);
  const { pubkey } = await setupAccount(ext);
  // The site already knows who you are; everything about messages asks.
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'get_public_key' }] });
  const from = senders(SENDERS);
  const wraps = inbox(pubkey, from, PER_SENDER);
  const page = await openSite(ext, '/blank.html');

  let done = false;
  const reading = readInbox(page, wraps).finally(() => (done = true));
  const named = await answerPerPerson(ext, () => done);
  const first = await reading;

  expect(first.refused).toEqual([]);
  expect(first.contents.filter(Boolean)).toHaveLength(SENDERS * PER_SENDER);
  expect(first.contents[0]).toBe('message 0 from sender 0');
  // The consent count: one prompt per sender, each naming that sender.
  expect(named.length).toBeLessThanOrEqual(SENDERS);
  expect(new Set(named)).toEqual(new Set(from.map((s) => npubEncode(s.pk))));
  // Each answer stored one rule: that person's direct messages.
  const rules = (await policies(ext, ext.siteUrl)).grants[0]!.rules as unknown as { method: string; giftWraps: boolean | null; peers: string[] | null }[];
  const dmRules = rules.filter((r) => r.method === 'nip44_decrypt');
  expect(dmRules).toHaveLength(SENDERS);
  for (const r of dmRules) expect(r).toMatchObject({ giftWraps: true, peers: [expect.stringMatching(/^[0-9a-f]{64}$/)] });
  // Two decrypts per message, logged once each; the wrap layer as kind 1059 (one per message).
  const log = await signingLog(ext);
  expect(log.filter((e) => e.kind === 1059)).toHaveLength(SENDERS * PER_SENDER);
  expect(log).toHaveLength(2 * SENDERS * PER_SENDER);

  // Read again (a reload of the client): remembered, so no prompt and no window.
  const again = await readInbox(page, inbox(pubkey, from, 5));
  expect(again.refused).toEqual([]);
  expect(promptPages(ext)).toHaveLength(0);
  console.log(`[dm-inbox] prompts answered: ${named.length} for ${SENDERS * PER_SENDER} wraps from ${SENDERS} senders; first read ${first.ms.toFixed(0)} ms (with prompts); 50 remembered messages ${again.ms.toFixed(0)} ms`);
});

test('the DM client preset: 200 wraps from 10 senders cost one prompt (the first contact)', async ({ ext }) => {
  test.setTimeout(120_000);
  const { pubkey } = await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const prompt = await callAndCatchPrompt(ext, page, 'pk', 'window.nostr.getPublicKey()');
  await expect(prompt.getByTestId('prompt')).toContainText('direct messages only');
  await prompt.getByTestId('prompt-preset-dm_client').check();
  await armed(prompt);
  await prompt.getByTestId('prompt-allow').click();
  expect(await awaitCall(page, 'pk')).toEqual({ ok: true, value: pubkey });

  const opened: string[] = [];
  ext.context.on('page', (p) => opened.push(p.url()));
  const result = await readInbox(page, inbox(pubkey, senders(SENDERS), PER_SENDER));
  expect(result.refused).toEqual([]);
  expect(result.contents.filter(Boolean)).toHaveLength(SENDERS * PER_SENDER);
  expect(opened.filter((u) => PROMPT_URL.test(u))).toEqual([]);
  // The daily cap counts messages (one per wrap), not the two layers.
  const rule = (await policies(ext, ext.siteUrl)).grants[0]!.rules.find((r) => r.method === 'nip44_decrypt')!;
  expect(rule).toMatchObject({ used: SENDERS * PER_SENDER, maxUsageCount: 1_000 });
  console.log(`[dm-inbox] DM client preset: 1 prompt for ${SENDERS * PER_SENDER} wraps; read in ${result.ms.toFixed(0)} ms`);
});

test('a plaintext that is no seal, under the gift-wrap rule, asks, and after Deny never reaches the page', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'nip44_decrypt', giftWraps: true }] });
  const secret = `not a seal: a private note that only a decrypt grant for everything should open ${'.'.repeat(200)}`;
  const sk = generateSecretKey();
  const ciphertext = nip44.encrypt(secret, nip44.getConversationKey(sk, pubkey));
  const page = await openSite(ext, '/blank.html');
  const prompt = await callAndCatchPrompt(ext, page, 'dec', `window.nostr.nip44.decrypt(${JSON.stringify(getPublicKey(sk))}, ${JSON.stringify(ciphertext)})`);
  await waitForPending(ext, 1);
  // Not a direct message: the prompt is the plain decrypt prompt, and holds no plaintext.
  await expect(prompt.getByTestId('prompt-dm-sender')).toHaveCount(0);
  expect(await prompt.content()).not.toContain('private note');
  await armed(prompt);
  await prompt.getByTestId('prompt-deny').click();
  const result = await awaitCall(page, 'dec');
  expect(result).toMatchObject({ ok: false, code: 'denied' });
  expect(JSON.stringify(result)).not.toContain('private note');
  expect(await signingLog(ext)).toHaveLength(0);
});
