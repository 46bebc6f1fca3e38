// NIP-04 and NIP-44 round trips between the page (through the extension) and Node (nostr-tools),
// and getRelays: {} by default, allowed exactly where get_public_key is.
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import * as nip04 from 'nostr-tools/nip04';
import * as nip44 from 'nostr-tools/nip44';
import { expect, nostrCall, openSite, setupAccount, test } from './fixtures.ts';
import { awaitCall, signingLog, startCall, status, waitForPending } from './helpers.ts';

const CRYPTO_RULES = ['get_public_key', 'nip04_encrypt', 'nip04_decrypt', 'nip44_encrypt', 'nip44_decrypt'].map((method) => ({ method }));

test('nip04: the page encrypts to a Node peer and decrypts what the peer sends', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: CRYPTO_RULES });
  const page = await openSite(ext, '/blank.html');
  const peerSk = generateSecretKey();
  const peerPk = getPublicKey(peerSk);
  const message = 'nip04 secret ☕ from the page';

  const ct = await nostrCall<string>(page, `window.nostr.nip04.encrypt(${JSON.stringify(peerPk)}, ${JSON.stringify(message)})`);
  expect(ct.ok, JSON.stringify(ct)).toBe(true);
  if (!ct.ok) return;
  expect(ct.value).toMatch(/\?iv=/);
  expect(ct.value).not.toContain(message);
  expect(await nip04.decrypt(peerSk, pubkey, ct.value)).toBe(message);

  const reply = 'nip04 answer from Node';
  const fromNode = await nip04.encrypt(peerSk, pubkey, reply);
  const pt = await nostrCall<string>(page, `window.nostr.nip04.decrypt(${JSON.stringify(peerPk)}, ${JSON.stringify(fromNode)})`);
  expect(pt).toEqual({ ok: true, value: reply });

  // Decrypting with the wrong peer cannot yield the plaintext.
  const wrong = await nostrCall<string>(page, `window.nostr.nip04.decrypt(${JSON.stringify(getPublicKey(generateSecretKey()))}, ${JSON.stringify(fromNode)})`);
  expect(wrong.ok && wrong.value === reply).toBe(false);

  const log = await signingLog(ext);
  expect(log.filter((e) => e.method === 'nip04_encrypt')).toHaveLength(1);
  expect(log.filter((e) => e.method === 'nip04_decrypt').length).toBeGreaterThanOrEqual(1);
  expect(log.every((e) => e.origin === ext.siteUrl)).toBe(true);
});

test('nip44: the page encrypts to a Node peer and decrypts what the peer sends', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: CRYPTO_RULES });
  const page = await openSite(ext, '/blank.html');
  const peerSk = generateSecretKey();
  const peerPk = getPublicKey(peerSk);
  const conversation = nip44.getConversationKey(peerSk, pubkey);
  const message = 'nip44 secret 🔐 from the page';

  const ct = await nostrCall<string>(page, `window.nostr.nip44.encrypt(${JSON.stringify(peerPk)}, ${JSON.stringify(message)})`);
  expect(ct.ok, JSON.stringify(ct)).toBe(true);
  if (!ct.ok) return;
  expect(ct.value).not.toContain(message);
  expect(nip44.decrypt(ct.value, conversation)).toBe(message);

  const reply = 'nip44 answer from Node';
  const fromNode = nip44.encrypt(reply, conversation);
  const pt = await nostrCall<string>(page, `window.nostr.nip44.decrypt(${JSON.stringify(peerPk)}, ${JSON.stringify(fromNode)})`);
  expect(pt).toEqual({ ok: true, value: reply });

  // A ciphertext for another conversation does not decrypt: a refusal with a code, not a hang.
  const stranger = generateSecretKey();
  const foreign = nip44.encrypt('not for you', nip44.getConversationKey(stranger, getPublicKey(generateSecretKey())));
  const bad = await nostrCall<string>(page, `window.nostr.nip44.decrypt(${JSON.stringify(getPublicKey(stranger))}, ${JSON.stringify(foreign)})`);
  expect(bad.ok).toBe(false);
  if (!bad.ok) expect(['invalid_request', 'internal']).toContain(bad.code);

  const log = await signingLog(ext);
  expect(log.filter((e) => e.method === 'nip44_encrypt')).toHaveLength(1);
  expect(log.filter((e) => e.method === 'nip44_decrypt')).toHaveLength(1);
});

test('getRelays returns {} by default and follows the get_public_key permission', async ({ ext }) => {
  await setupAccount(ext);
  // No get_public_key rule yet: getRelays asks, like getPublicKey would.
  const grant = await ext.admin<{ grantId: number }>('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 1 }] });
  const page = await openSite(ext, '/blank.html');
  await startCall(page, 'relays', 'window.nostr.getRelays()');
  const [pending] = await waitForPending(ext, 1);
  expect(pending).toMatchObject({ origin: ext.siteUrl });
  expect(['get_relays', 'get_public_key']).toContain(pending!.method);
  await ext.admin('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
  expect(await awaitCall(page, 'relays')).toMatchObject({ ok: false, code: 'denied' });

  await ext.admin('add_policy_rule', { grantId: grant.grantId, method: 'get_public_key' });
  expect(await nostrCall(page, 'window.nostr.getRelays()')).toEqual({ ok: true, value: {} });
  expect((await status(ext)).pending).toEqual([]);

  // Configured relays come back as the NIP-07 map, still without a prompt; nothing is logged.
  const relays = { 'wss://relay.example.com': { read: true, write: false } };
  await ext.admin('set_settings', { relays });
  expect(await nostrCall(page, 'window.nostr.getRelays()')).toEqual({ ok: true, value: relays });
  expect(await signingLog(ext)).toEqual([]);
});
