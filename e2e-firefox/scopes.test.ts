// The core of the scopes in Firefox: real NIP-17 gift wraps under a gift-wrap rule for one sender
// (that sender reads, another asks), a plaintext that is no seal never released, and relay AUTH
// for an unlisted relay asking.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { answerPrompt, awaitCall, catchPrompt, launchFirefox, openSite, setupAccount, signingLog, sleep, startCall, until, type Extension } from './fixtures.ts';
import * as nip44 from 'nostr-tools/nip44';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { inbox, readInboxInPage, senders } from '../e2e-shared/dm.ts';

let ext: Extension;
beforeEach(async () => {
  ext = await launchFirefox();
});
afterEach(async () => {
  await ext?.close();
});

const decryptCall = (pubkey: string, ciphertext: string) => `window.nostr.nip44.decrypt(${JSON.stringify(pubkey)}, ${JSON.stringify(ciphertext)})`;

test('a gift-wrap rule for one sender: that sender reads both layers; another sender asks; a non-seal plaintext is never released', async () => {
  const { pubkey } = await setupAccount(ext);
  const [alice, bob] = senders(2);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'nip44_decrypt', giftWraps: true, peers: [alice!.pk] }] });
  const page = await openSite(ext);
  const read = await page.evaluate(readInboxInPage, [inbox(pubkey, [alice!], 3), 1] as const);
  expect(read.refused).toEqual([]);
  expect(read.contents).toEqual(['message 0 from sender 0', 'message 1 from sender 0', 'message 2 from sender 0']);

  const [wrap] = inbox(pubkey, [bob!], 1);
  const prompt = catchPrompt(ext);
  await startCall(page, 'bob', decryptCall(wrap!.pubkey, wrap!.content));
  const window = await prompt;
  const named = await until('the sender on the prompt', async () => window.evaluate(() => document.querySelector('[data-testid=prompt-dm-sender]')?.textContent || undefined).catch(() => undefined));
  expect(named).toMatch(/^npub1/);
  await answerPrompt(window, 'deny');
  expect(await awaitCall(page, 'bob')).toMatchObject({ ok: false, code: 'denied' });
  // The background closes the emptied prompt window; the next request opens a new one.
  // (BiDi does not report that window as closed: give the background its ~300 ms, and more.)
  await sleep(1_000);

  const sk = generateSecretKey();
  const secret = `a private note, no seal ${'.'.repeat(200)}`;
  const next = catchPrompt(ext);
  await startCall(page, 'note', decryptCall(getPublicKey(sk), nip44.encrypt(secret, nip44.getConversationKey(sk, pubkey))));
  await answerPrompt(await next, 'deny');
  const refused = await awaitCall(page, 'note');
  expect(refused).toMatchObject({ ok: false, code: 'denied' });
  expect(JSON.stringify(refused)).not.toContain('private note');
  expect(await signingLog(ext)).toHaveLength(6);
});

test('relay AUTH: a listed relay signs; an unlisted relay asks', async () => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 22242, relays: ['wss://relay.one'] }] });
  const page = await openSite(ext);
  const auth = (relay: string) => `window.nostr.signEvent(${JSON.stringify({ kind: 22242, content: '', tags: [['relay', relay], ['challenge', 'c']], created_at: Math.floor(Date.now() / 1000) })})`;
  await startCall(page, 'one', auth('wss://relay.one'));
  expect(await awaitCall(page, 'one')).toMatchObject({ ok: true });
  const prompt = catchPrompt(ext);
  await startCall(page, 'two', auth('wss://relay.two'));
  await answerPrompt(await prompt, 'deny');
  expect(await awaitCall(page, 'two')).toMatchObject({ ok: false, code: 'denied' });
  expect(await signingLog(ext)).toHaveLength(1);
});
