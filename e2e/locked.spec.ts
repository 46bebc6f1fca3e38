// With no account, or with the vault locked, every call settles promptly with its code.
import { expect, nostrCall, openSite, PASSWORD, setupAccount, test } from './fixtures.ts';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { nostrCallWithin, note, signingLog, status } from './helpers.ts';

const peer = getPublicKey(generateSecretKey());
const CALLS = [
  'window.nostr.getPublicKey()',
  `window.nostr.signEvent(${JSON.stringify(note('x'))})`,
  'window.nostr.getRelays()',
  `window.nostr.nip04.encrypt('${peer}', 'x')`,
  `window.nostr.nip44.encrypt('${peer}', 'x')`,
];

test('no account: calls reject with code no_account, promptly', async ({ ext }) => {
  expect(await status(ext)).toMatchObject({ hasAccount: false });
  const page = await openSite(ext, '/blank.html');
  for (const call of CALLS) {
    const started = Date.now();
    const r = await nostrCallWithin(page, call, 3_000);
    expect(r, call).toMatchObject({ ok: false, code: 'no_account' });
    expect(Date.now() - started, call).toBeLessThan(2_000);
  }
  expect(await signingLog(ext)).toEqual([]);
});

test('locked: calls reject with code locked, promptly; unlocking restores service', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'get_public_key' }, { method: 'sign_event' }, { method: 'nip04_encrypt' }, { method: 'nip44_encrypt' }] });
  const page = await openSite(ext, '/blank.html');
  expect(await nostrCall(page, 'window.nostr.getPublicKey()')).toEqual({ ok: true, value: pubkey });

  await ext.admin('lock');
  expect(await status(ext)).toMatchObject({ locked: true, hasAccount: true });
  for (const call of CALLS) {
    const started = Date.now();
    const r = await nostrCallWithin(page, call, 3_000);
    expect(r, call).toMatchObject({ ok: false, code: 'locked' });
    expect(Date.now() - started, call).toBeLessThan(2_000);
  }
  // 20 at once settle too.
  const many = await page.evaluate(async (event) => {
    const nostr = (window as unknown as { nostr: { signEvent: (e: unknown) => Promise<unknown> } }).nostr;
    const s = await Promise.allSettled(Array.from({ length: 20 }, () => nostr.signEvent(event)));
    return s.map((x) => (x.status === 'rejected' ? (x.reason as { code?: string }).code : 'signed'));
  }, note('many'));
  expect(many).toEqual(Array(20).fill('locked'));
  expect(await signingLog(ext)).toEqual([]);

  expect((await ext.adminRaw('unlock', { password: 'wrong password' })).error?.code).toBe('denied');
  expect((await status(ext)).locked).toBe(true);
  await ext.admin('unlock', { password: PASSWORD });
  expect(await nostrCall(page, `window.nostr.signEvent(${JSON.stringify(note('after unlock'))})`)).toMatchObject({ ok: true, value: { pubkey } });
});
