// Locked means locked in Firefox too (docs/THREATS.md #31): while the vault is locked the
// background refuses a grant with `locked` and changes nothing, and a revoke still works.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { launchFirefox, PASSWORD, policies, setupAccount, type Extension } from './fixtures.ts';

let ext: Extension;
beforeEach(async () => {
  ext = await launchFirefox();
});
afterEach(async () => {
  await ext?.close();
});

test('locked: a grant is refused with locked and nothing changes; revoking works; after unlocking the grant goes through', async () => {
  await setupAccount(ext);
  const { grantId } = await ext.admin<{ grantId: number }>('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 1 }] });
  await ext.admin('lock');
  const before = await policies(ext);
  expect(await ext.adminRaw('grant', { origin: 'https://evil.example', rules: [{ method: 'sign_event' }] })).toEqual({
    ok: false,
    error: { code: 'locked', message: expect.stringContaining('Unlock to loosen') },
  });
  expect(await policies(ext)).toEqual(before);

  await ext.admin('revoke_grant', { grantId });
  expect((await policies(ext, ext.siteUrl)).grants[0]?.revokedAt).toEqual(expect.any(Number));

  await ext.admin('unlock', { password: PASSWORD });
  expect((await ext.adminRaw('grant', { origin: 'https://evil.example', rules: [{ method: 'sign_event' }] })).ok).toBe(true);
});
