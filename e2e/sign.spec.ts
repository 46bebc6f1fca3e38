import { verifyEvent } from 'nostr-tools/pure';
import { expect, nostrCall, openSite, setupAccount, test } from './fixtures.ts';

test('a granted page signs, and the signature verifies with nostr-tools in Node', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'get_public_key' }, { method: 'sign_event', kind: 1 }] });
  const page = await openSite(ext, '/blank.html');
  const pk = await nostrCall(page, 'window.nostr.getPublicKey()');
  expect(pk).toEqual({ ok: true, value: pubkey });
  const signed = await nostrCall<{ pubkey: string; content: string }>(page, `window.nostr.signEvent({ kind: 1, content: 'hello', tags: [['t', 'x']], created_at: 1700000000 })`);
  expect(signed.ok).toBe(true);
  if (!signed.ok) return;
  expect(signed.value.pubkey).toBe(pubkey);
  expect(verifyEvent(signed.value as never)).toBe(true);
  const log = await ext.admin<{ entries: { method: string; kind: number }[] }>('get_signing_log', { limit: 10 });
  expect(log.entries).toHaveLength(1);
  expect(log.entries[0]).toMatchObject({ method: 'sign_event', kind: 1, origin: ext.siteUrl });
});
