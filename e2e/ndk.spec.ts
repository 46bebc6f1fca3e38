// A real client library: NDK's NIP-07 signer (bundled into e2e/site/.build/ndk.js by the global
// setup) signs through window.nostr; Node verifies with nostr-tools.
import { generateSecretKey, getPublicKey, verifyEvent } from 'nostr-tools/pure';
import * as nip44 from 'nostr-tools/nip44';
import { expect, openSite, setupAccount, test } from './fixtures.ts';
import { npubEncode } from 'nostr-tools/nip19';
import { armed, catchPrompt, signingLog, type SignedEvent } from './helpers.ts';
import { inbox, senders } from '../e2e-shared/dm.ts';

test('NDKNip07Signer signs an NDKEvent through the extension and Node verifies it', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', {
    origin: ext.siteUrl,
    rules: [{ method: 'get_public_key' }, { method: 'sign_event', kind: 1 }, { method: 'nip44_encrypt' }],
  });
  const page = await openSite(ext, '/ndk.html');
  await page.waitForFunction(() => (window as unknown as { ndkReady?: boolean }).ndkReady === true);

  const user = await page.evaluate(() => (window as unknown as { ndkUserPubkey: () => Promise<string> }).ndkUserPubkey());
  expect(user).toBe(pubkey);

  const content = `signed by NDK ${Date.now()}`;
  const event = await page.evaluate(
    (c) => (window as unknown as { ndkSign: (c: string) => Promise<unknown> }).ndkSign(c),
    content,
  ) as SignedEvent;
  expect(event).toMatchObject({ kind: 1, content, pubkey, tags: [['t', 'warden-e2e']] });
  expect(event.sig).toMatch(/^[0-9a-f]{128}$/);
  // NDK computed the id itself and took only the signature from the extension: the two agree
  // only if the extension signed exactly the event NDK serialised.
  expect(verifyEvent({ ...event })).toBe(true);

  const log = await signingLog(ext);
  expect(log).toHaveLength(1);
  expect(log[0]).toMatchObject({ origin: ext.siteUrl, method: 'sign_event', kind: 1, eventId: event.id });

  // NDK's encryption path (nip44) reaches the extension too; the peer decrypts in Node.
  const peerSk = generateSecretKey();
  const ciphertext = await page.evaluate(
    ([peer, text]) => (window as unknown as { ndkEncrypt: (p: string, t: string) => Promise<string> }).ndkEncrypt(peer, text),
    [getPublicKey(peerSk), 'hello from NDK'] as const,
  );
  expect(nip44.decrypt(ciphertext, nip44.getConversationKey(peerSk, pubkey))).toBe('hello from NDK');
});

test("NDK's NIP-17 reading path (giftUnwrap) through the extension: a gift-wrap rule for one person reads their messages with no prompt", async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  const [friend] = senders(1);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'get_public_key' }, { method: 'nip44_decrypt', giftWraps: true, peers: [friend!.pk] }] });
  const wraps = inbox(pubkey, [friend!], 3);
  const page = await openSite(ext, '/ndk.html');
  await page.waitForFunction(() => (window as unknown as { ndkReady?: boolean }).ndkReady === true);
  const rumors = await page.evaluate(
    (w) => (window as unknown as { ndkUnwrap: (w: unknown[]) => Promise<{ pubkey: string; content: string }[]> }).ndkUnwrap(w),
    wraps,
  );
  // NDK checked the seal's signature and that the message is the seal signer's own.
  expect(rumors).toEqual([0, 1, 2].map((i) => ({ pubkey: friend!.pk, content: `message ${i} from sender 0` })));
  // Both layers are logged; a DM cap counts the wrap layer's entries (kind 1059): one per message.
  const log = (await signingLog(ext)).filter((e) => e.method === 'nip44_decrypt');
  expect(log.filter((e) => e.kind === 1059)).toHaveLength(3);
  expect(log).toHaveLength(6);
  expect(ext.context.pages().some((p) => /prompt/.test(p.url()))).toBe(false);

  // Someone the rule does not name: the wrap's layer asks, and a "deny" leaves NDK with nothing.
  const [stranger] = senders(1);
  const prompt = catchPrompt(ext);
  const read = page
    .evaluate((w) => (window as unknown as { ndkUnwrap: (w: unknown[]) => Promise<unknown> }).ndkUnwrap(w), inbox(pubkey, [stranger!], 1))
    .then(() => 'read', () => 'refused');
  const p = await prompt;
  await expect(p.getByTestId('prompt-dm-sender')).toHaveText(npubEncode(stranger!.pk));
  await armed(p);
  await p.getByTestId('prompt-deny').click();
  expect(await read).toBe('refused');
});
