// With no account, or with the vault locked, a call waits on a prompt that offers to unlock (or
// to create or import a key) and then continues; giving up refuses it with its code.
import { expect, nostrCall, openSite, PASSWORD, setupAccount, test } from './fixtures.ts';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { nsecEncode } from 'nostr-tools/nip19';
import { awaitCall, catchPrompt, note, policies, signingLog, startCall, status, waitForPending } from './helpers.ts';
import { openOptions, openPopup } from './extensionPages.ts';

const peer = getPublicKey(generateSecretKey());

test('no account: the prompt offers to create a key; "Not now" refuses with no_account, closing too', async ({ ext }) => {
  expect(await status(ext)).toMatchObject({ hasAccount: false });
  const page = await openSite(ext, '/blank.html');
  const opened = catchPrompt(ext);
  await startCall(page, 'a', 'window.nostr.getPublicKey()');
  const prompt = await opened;
  await expect(prompt.getByTestId('prompt-create')).toBeVisible();
  await expect(prompt.getByTestId('prompt-import')).toBeVisible();
  await prompt.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'a')).toMatchObject({ ok: false, code: 'no_account' });
  // The background closes the emptied prompt window; the next request opens a new one.
  if (!prompt.isClosed()) await prompt.waitForEvent('close');

  const again = catchPrompt(ext);
  await startCall(page, 'b', `window.nostr.nip44.encrypt('${peer}', 'x')`);
  await (await again).close();
  expect(await awaitCall(page, 'b')).toMatchObject({ ok: false, code: 'no_account' });
  expect(await signingLog(ext)).toEqual([]);
});

test('no account: importing a key in the prompt continues the same request', async ({ ext }) => {
  const sk = generateSecretKey();
  const page = await openSite(ext, '/blank.html');
  const opened = catchPrompt(ext);
  await startCall(page, 'a', 'window.nostr.getPublicKey()');
  const prompt = await opened;
  await prompt.getByTestId('prompt-import-secret').fill(nsecEncode(sk));
  await prompt.getByTestId('prompt-import-password').fill(PASSWORD);
  await prompt.getByTestId('prompt-import-again').fill(PASSWORD);
  await prompt.getByTestId('prompt-import-submit').click();
  // Now it asks the usual question about the public key (first contact: presets).
  await expect(prompt.getByTestId('prompt-preset-pubkey_only')).toBeVisible({ timeout: 20_000 }); // scrypt first
  await expect(prompt.getByTestId('prompt-allow')).toBeEnabled();
  await prompt.getByTestId('prompt-allow').click();
  expect(await awaitCall(page, 'a')).toEqual({ ok: true, value: getPublicKey(sk) });
});

test('locked: every call waits on one unlock prompt; unlocking there lets all of them through', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'get_public_key' }, { method: 'sign_event' }] });
  const page = await openSite(ext, '/blank.html');
  expect(await nostrCall(page, 'window.nostr.getPublicKey()')).toEqual({ ok: true, value: pubkey });
  await ext.admin('lock');

  const opened = catchPrompt(ext);
  for (let i = 0; i < 5; i++) await startCall(page, `s${i}`, `window.nostr.signEvent(${JSON.stringify(note(`while locked ${i}`))})`);
  const prompt = await opened;
  await waitForPending(ext, 5);
  await expect(prompt.getByTestId('prompt-waiting')).toHaveText('4 more waiting');
  expect(await signingLog(ext)).toEqual([]);

  await prompt.getByTestId('prompt-unlock-password').fill('wrong password');
  await prompt.getByTestId('prompt-unlock-submit').click();
  await expect(prompt.getByRole('alert')).toContainText('wrong password');
  expect((await status(ext)).locked).toBe(true);

  await prompt.getByTestId('prompt-unlock-password').fill(PASSWORD);
  await prompt.getByTestId('prompt-unlock-submit').click();
  for (let i = 0; i < 5; i++) expect(await awaitCall(page, `s${i}`)).toMatchObject({ ok: true, value: { pubkey } });
  expect(await signingLog(ext)).toHaveLength(5);
});

test('locked: giving up refuses with code locked, and nothing is signed', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }] });
  await ext.admin('lock');
  const page = await openSite(ext, '/blank.html');
  const opened = catchPrompt(ext);
  await startCall(page, 'a', `window.nostr.signEvent(${JSON.stringify(note('x'))})`);
  await (await opened).getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'a')).toMatchObject({ ok: false, code: 'locked' });
  expect(await signingLog(ext)).toEqual([]);
});

// ---- locked means locked (docs/THREATS.md #31) -------------------------------------------------

test('locked options page: what would loosen is disabled and says why (and the background refuses it), what tightens works', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 5, windowSeconds: 3600 }, { method: 'nip44_encrypt' }] });
  await ext.admin('pause_site', { origin: ext.otherSiteUrl });
  await ext.admin('lock');
  const before = await policies(ext);

  // The background refuses a grant, an allow override, fewer sensitive kinds and a deletion, with the reason.
  for (const [method, params] of [
    ['grant', { origin: 'https://evil.example', rules: [{ method: 'sign_event' }] }],
    ['set_override', { origin: ext.siteUrl, method: 'sign_event', kind: 3, effect: 'allow' }],
    ['set_settings', { sensitiveKinds: [], autoLockMinutes: 0 }],
    ['delete_account', { accountId: 1, password: PASSWORD }],
  ] as const) {
    expect(await ext.adminRaw(method, params), method).toEqual({ ok: false, error: { code: 'locked', message: expect.stringContaining('Unlock to loosen') } });
  }
  expect(await policies(ext)).toEqual(before);

  const options = await openOptions(ext, 'sites');
  const site = options.getByTestId('options-site').filter({ hasText: ext.siteUrl });
  await site.getByTestId('options-add-details').locator('summary').click();
  await expect(site.getByTestId('options-add-submit')).toBeDisabled();
  await expect(site.getByTestId('options-add-locked')).toHaveText('Unlock to loosen');
  // Deleting the capped rule would remove its cap; the uncapped one may go.
  const capped = site.getByTestId('options-rule').filter({ hasText: 'kind 1' });
  await expect(capped.getByTestId('options-rule-delete')).toBeDisabled();
  await expect(capped.getByTestId('options-rule-delete-locked')).toBeVisible();
  // Retune: a lower cap saves, a higher one is disabled with the reason.
  await capped.getByTestId('options-rule-edit').click();
  await capped.getByTestId('options-rule-count').fill('50');
  await expect(capped.getByTestId('options-rule-save')).toBeDisabled();
  await expect(capped.getByTestId('options-rule-save-locked')).toHaveText('Unlock to raise or remove a cap');
  await capped.getByTestId('options-rule-count').fill('2');
  await capped.getByTestId('options-rule-save').click();
  await expect(site.getByTestId('options-meter').first()).toContainText('/ 2');
  const paused = options.getByTestId('options-site').filter({ hasText: ext.otherSiteUrl });
  await expect(paused.getByTestId('options-site-resume')).toBeDisabled();
  await expect(paused.getByTestId('options-site-resume-locked')).toHaveText('Unlock to loosen');
  await expect(options.getByTestId('options-perms-import')).toBeDisabled();

  // Revoke works while locked.
  await site.getByTestId('options-site-revoke').click();
  await expect.poll(async () => (await policies(ext, ext.siteUrl)).grants[0]?.revokedAt).not.toBeNull();

  // Overrides: a deny can be added, an allow cannot; lifting a deny is disabled.
  const tab = await openOptions(ext, 'overrides');
  await tab.getByTestId('options-override-origin').fill(ext.siteUrl);
  await tab.getByTestId('options-override-effect').selectOption('allow');
  await expect(tab.getByTestId('options-override-add')).toBeDisabled();
  await expect(tab.getByTestId('options-override-add-locked')).toHaveText('Unlock to loosen');
  await tab.getByTestId('options-override-effect').selectOption('deny');
  await tab.getByTestId('options-override-add').click();
  await expect.poll(async () => (await policies(ext, ext.siteUrl)).overrides.filter((o) => o.effect === 'deny').length).toBe(1);
  await expect(tab.getByTestId('options-override-lift').first()).toBeDisabled();

  // Accounts: delete is disabled while locked; after unlocking it asks for the password.
  const accounts = await openOptions(ext, 'accounts');
  await expect(accounts.getByTestId('options-account-delete')).toBeDisabled();
  await expect(accounts.getByTestId('options-account-delete-locked')).toHaveText('Unlock to delete');
  await ext.admin('unlock', { password: PASSWORD });
  await expect(accounts.getByTestId('options-account-delete')).toBeEnabled();
  await expect(accounts.getByTestId('options-account-delete-locked')).toHaveCount(0);
  await expect(options.getByTestId('options-perms-import')).toBeEnabled();
});

test('locked popup: Resume is disabled with the reason; Pause and a lower cap work', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 5, windowSeconds: 3600 }] });
  await ext.admin('lock');
  const popup = await openPopup(ext, ext.siteUrl);
  await expect(popup.getByTestId('popup-lock-state')).toHaveText('Locked');
  await popup.getByTestId('popup-rule-edit').click();
  await popup.getByTestId('popup-rule-count').fill('9');
  await expect(popup.getByTestId('popup-rule-save')).toBeDisabled();
  await popup.getByTestId('popup-rule-count').fill('3');
  await popup.getByTestId('popup-rule-save').click();
  await expect(popup.getByTestId('popup-meter')).toContainText('0 / 3');
  await popup.getByTestId('popup-pause').click();
  await expect(popup.getByTestId('popup-resume')).toBeDisabled();
  await expect(popup.getByTestId('popup-resume-locked')).toHaveText('Unlock to loosen');
  expect((await status(ext)).locked).toBe(true);
  expect((await ext.adminRaw('resume_site', { origin: ext.siteUrl })).error?.code).toBe('locked');
  expect((await policies(ext, ext.siteUrl)).overrides.filter((o) => o.revokedAt === null).length).toBeGreaterThan(0);
});
