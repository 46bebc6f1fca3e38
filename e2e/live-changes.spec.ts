// Policy changes bind on the very next request, with no reload of the site.
import { expect, nostrCall, openSite, setupAccount, test } from './fixtures.ts';
import { awaitCall, catchPrompt, note, policies, signingLog, startCall, status } from './helpers.ts';

const sign = (content: string) => `window.nostr.signEvent(${JSON.stringify(note(content))})`;

test('revoke_grant: the very next request is no longer allowed and asks; deny refuses it', async ({ ext }) => {
  await setupAccount(ext);
  const { grantId } = await ext.admin<{ grantId: number }>('grant', {
    origin: ext.siteUrl,
    rules: [{ method: 'get_public_key' }, { method: 'sign_event' }],
  });
  const page = await openSite(ext, '/blank.html');
  expect((await nostrCall(page, sign('before revoke'))).ok).toBe(true);

  await ext.admin('revoke_grant', { grantId });
  const grant = (await policies(ext, ext.siteUrl)).grants.find((g) => g.id === grantId);
  expect(grant?.revokedAt).toEqual(expect.any(Number));

  const prompt = catchPrompt(ext);
  await startCall(page, 'after', sign('after revoke'));
  const window = await prompt;
  const pending = (await status(ext)).pending;
  expect(pending).toHaveLength(1);
  expect(pending[0]).toMatchObject({ origin: ext.siteUrl, method: 'sign_event', kind: 1 });
  await window.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'after')).toMatchObject({ ok: false, code: 'denied' });
  // With nothing left waiting, the prompt window closes itself.
  if (!window.isClosed()) await window.waitForEvent('close', { timeout: 5_000 });

  // getPublicKey lost its permission too; only the first event was ever signed.
  const prompt2 = catchPrompt(ext);
  await startCall(page, 'pk', 'window.nostr.getPublicKey()');
  await (await prompt2).getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'pk')).toMatchObject({ ok: false, code: 'denied' });
  const log = await signingLog(ext);
  expect(log).toHaveLength(1);
});

test('update_policy_rule: lowering a cap binds on the next request, raising it lets the next one through', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', maxUsageCount: 5, windowSeconds: 3600 }] });
  const ruleId = (await policies(ext, ext.siteUrl)).grants[0]!.rules[0]!.id;
  const page = await openSite(ext, '/blank.html');
  for (let i = 0; i < 3; i++) expect((await nostrCall(page, sign(`spend ${i}`))).ok).toBe(true);

  // Lower the cap to what is already spent: the very next request is refused.
  await ext.admin('update_policy_rule', { ruleId, maxUsageCount: 3 });
  const refused = await nostrCall(page, sign('over the lowered cap'));
  expect(refused).toMatchObject({ ok: false, code: 'cap_exceeded' });
  expect((await policies(ext, ext.siteUrl)).grants[0]!.rules[0]).toMatchObject({ maxUsageCount: 3, used: 3 });

  // Raise it by one: exactly one more goes through, then it binds again.
  await ext.admin('update_policy_rule', { ruleId, maxUsageCount: 4 });
  expect((await nostrCall(page, sign('under the raised cap'))).ok).toBe(true);
  expect(await nostrCall(page, sign('over the raised cap'))).toMatchObject({ ok: false, code: 'cap_exceeded' });

  // Clearing the cap (null) makes the rule uncapped at once.
  await ext.admin('update_policy_rule', { ruleId, maxUsageCount: null });
  expect((await nostrCall(page, sign('uncapped'))).ok).toBe(true);
  expect(await signingLog(ext)).toHaveLength(5);
  expect((await status(ext)).pending).toEqual([]);
});

test('a deny override set while a request waits on its prompt wins over a later Allow', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const prompt = catchPrompt(ext);
  await startCall(page, 'sign', sign('waits, then the site is blocked'));
  const window = await prompt;
  await ext.admin('set_override', { origin: ext.siteUrl, method: 'sign_event', effect: 'deny' });
  // If the request is still shown, the user's Allow must not sign it.
  if ((await status(ext)).pending.length > 0) {
    const allow = window.getByTestId('prompt-allow');
    await allow.click({ timeout: 5_000 }).catch(() => {});
  }
  expect(await awaitCall(page, 'sign')).toMatchObject({ ok: false, code: 'denied' });
  expect(await signingLog(ext)).toEqual([]);
});
