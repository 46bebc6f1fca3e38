// A page signs through window.nostr in real Firefox, and the signature verifies in Node.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { verifyEvent } from 'nostr-tools/pure';
import { launchFirefox, nostrCall, openSite, setupAccount, signCall, signingLog, type Extension, type SignedEvent } from './fixtures.ts';

let ext: Extension;
beforeEach(async () => {
  ext = await launchFirefox();
});
afterEach(async () => {
  await ext?.close();
});

test('a granted page gets its public key and a signed event that verifies', async () => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'get_public_key' }, { method: 'sign_event' }] });
  const page = await openSite(ext);

  expect(await nostrCall(page, 'window.nostr.getPublicKey()')).toEqual({ ok: true, value: pubkey });
  const r = await nostrCall<SignedEvent>(page, signCall('hello from Firefox'));
  expect(r).toMatchObject({ ok: true, value: { pubkey, kind: 1, content: 'hello from Firefox' } });
  if (!r.ok) return;
  expect(verifyEvent({ ...r.value })).toBe(true);
  // A tampered copy does not verify: the check above is a real one.
  expect(verifyEvent({ ...r.value, content: 'tampered' })).toBe(false);

  const log = await signingLog(ext);
  expect(log).toHaveLength(1);
  expect(log[0]).toMatchObject({ origin: ext.siteUrl, method: 'sign_event', eventId: r.value.id });
});
