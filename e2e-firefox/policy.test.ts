// The per-site policy binds in Firefox as in Chromium: a usage cap is enforced, and a revoke
// binds on the very next request.
import { afterEach, beforeEach, expect, test } from 'vitest';
import {
  answerPrompt,
  awaitCall,
  catchPrompt,
  launchFirefox,
  nostrCall,
  openSite,
  policies,
  setupAccount,
  signCall,
  signingLog,
  startCall,
  type Extension,
} from './fixtures.ts';

let ext: Extension;
beforeEach(async () => {
  ext = await launchFirefox();
});
afterEach(async () => {
  await ext?.close();
});

test('a cap of 3 per hour signs 3 and refuses the 4th with cap_exceeded', async () => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', maxUsageCount: 3, windowSeconds: 3600 }] });
  const page = await openSite(ext);
  for (let i = 0; i < 3; i++) expect((await nostrCall(page, signCall(`within the cap ${i}`))).ok).toBe(true);

  const over = await nostrCall(page, signCall('over the cap'));
  expect(over).toMatchObject({ ok: false, code: 'cap_exceeded' });
  expect(await signingLog(ext)).toHaveLength(3);
  expect((await policies(ext, ext.siteUrl)).grants[0]!.rules[0]!.used).toBe(3);
});

test('revoke_grant binds on the next request: it asks instead of signing, and Deny refuses it', async () => {
  await setupAccount(ext);
  const { grantId } = await ext.admin<{ grantId: number }>('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }] });
  const page = await openSite(ext);
  expect((await nostrCall(page, signCall('before the revoke'))).ok).toBe(true);

  await ext.admin('revoke_grant', { grantId });
  expect((await policies(ext, ext.siteUrl)).grants.find((g) => g.id === grantId)?.revokedAt).toEqual(expect.any(Number));

  const prompt = catchPrompt(ext);
  await startCall(page, 'after', signCall('after the revoke'));
  const window = await prompt;
  expect((await ext.status()).pending).toMatchObject([{ origin: ext.siteUrl, method: 'sign_event', kind: 1 }]);
  await answerPrompt(window, 'deny');
  expect(await awaitCall(page, 'after')).toMatchObject({ ok: false, code: 'denied' });
  expect(await signingLog(ext)).toHaveLength(1);
});
