// The popup, driven through its real page: what it changes binds on the site's very next request,
// and what the site does shows up in it while it is open.
import { expect, nostrCall, openSite, PASSWORD, setupAccount, test } from './fixtures.ts';
import { awaitCall, catchPrompt, policies, signingLog, startCall, status } from './helpers.ts';
import { openPopup, signMany, signScript } from './extensionPages.ts';

test('revoke from the popup: the site\'s next request asks', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }] });
  const site = await openSite(ext, '/blank.html');
  expect((await nostrCall(site, signScript())).ok).toBe(true);

  const popup = await openPopup(ext, ext.siteUrl);
  await popup.getByTestId('popup-revoke').click();
  await popup.getByTestId('confirm-ok').click();
  await expect(popup.getByTestId('popup-site-status')).toContainText('no grant');
  expect((await policies(ext, ext.siteUrl)).grants[0]?.revokedAt).toEqual(expect.any(Number));

  const prompt = catchPrompt(ext);
  await startCall(site, 'after', signScript(1, 'after revoke'));
  await (await prompt).getByTestId('prompt-deny').click();
  expect(await awaitCall(site, 'after')).toMatchObject({ ok: false, code: 'denied' });
  expect(await signingLog(ext)).toHaveLength(1);
});

test('the meter moves while the popup is open; retuning a cap there binds on the next request', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 5, windowSeconds: 3600 }] });
  const popup = await openPopup(ext, ext.siteUrl);
  const meter = popup.getByTestId('popup-meter-text');
  await expect(meter).toHaveText('0 / 5 this hour');

  const site = await openSite(ext, '/blank.html');
  expect(await signMany(site, 2)).toEqual(['ok', 'ok']);
  // No reload: the open popup follows the signing log.
  await expect(meter).toHaveText('2 / 5 this hour');
  await expect(popup.getByTestId('popup-activity-row')).toHaveCount(2);

  // Lower the cap to what is spent: the very next request is refused.
  await popup.getByTestId('popup-rule-edit').click();
  await popup.getByTestId('popup-rule-count').fill('2');
  await popup.getByTestId('popup-rule-save').click();
  await expect(meter).toHaveText('2 / 2 this hour');
  await expect(popup.getByTestId('popup-meter')).toContainText('full · frees at');
  expect(await signMany(site, 1)).toEqual(['cap_exceeded']);

  // Raise it by one and make the window a day: exactly one more goes through.
  await popup.getByTestId('popup-rule-edit').click();
  await popup.getByTestId('popup-rule-count').fill('3');
  await popup.getByTestId('popup-rule-window').selectOption('86400');
  await popup.getByTestId('popup-rule-save').click();
  await expect(meter).toHaveText('2 / 3 today (24 h)');
  expect(await signMany(site, 2)).toEqual(['ok', 'cap_exceeded']);
  await expect(meter).toHaveText('3 / 3 today (24 h)');
  expect((await policies(ext, ext.siteUrl)).grants[0]!.rules[0]).toMatchObject({ maxUsageCount: 3, windowSeconds: 86400, used: 3 });
});

test('pause and resume from the popup', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }, { method: 'get_public_key' }] });
  const site = await openSite(ext, '/blank.html');
  const popup = await openPopup(ext, ext.siteUrl);

  await popup.getByTestId('popup-pause').click();
  await expect(popup.getByTestId('popup-site-status')).toContainText('paused');
  expect(await nostrCall(site, signScript())).toMatchObject({ ok: false, code: 'denied' });
  expect(await nostrCall(site, 'window.nostr.getPublicKey()')).toMatchObject({ ok: false, code: 'denied' });

  await popup.getByTestId('popup-resume').click();
  await expect(popup.getByTestId('popup-pause')).toBeVisible();
  expect((await nostrCall(site, signScript())).ok).toBe(true);
  expect((await nostrCall(site, 'window.nostr.getPublicKey()')).ok).toBe(true);
  const live = (await policies(ext, ext.siteUrl)).overrides.filter((o) => o.revokedAt === null);
  expect(live).toEqual([]);
});

test('add and delete a rule in the popup; switch account, lock, and the waiting count', async ({ ext }) => {
  await setupAccount(ext);
  const site = await openSite(ext, '/blank.html');
  const popup = await openPopup(ext, ext.siteUrl);
  await expect(popup.getByTestId('popup-site-status')).toContainText('no grant');

  // No grant yet: the form grants the rule.
  await popup.getByTestId('popup-add-method').selectOption('sign_event');
  await popup.getByTestId('popup-add-kind').fill('1');
  await popup.getByTestId('popup-add-count').fill('3');
  await popup.getByTestId('popup-add-window').selectOption('3600');
  await popup.getByTestId('popup-add-submit').click();
  await expect(popup.getByTestId('popup-meter-text')).toHaveText('0 / 3 this hour');
  expect((await nostrCall(site, signScript(1))).ok).toBe(true);

  await popup.getByTestId('popup-rule-delete').click();
  await expect(popup.getByTestId('popup-rule')).toHaveCount(0);
  const prompt = catchPrompt(ext);
  await startCall(site, 'asks', signScript(1, 'no rule any more'));
  const window = await prompt;
  await expect(popup.getByTestId('popup-pending')).toHaveText('1 waiting');
  await window.getByTestId('prompt-deny').click();
  expect(await awaitCall(site, 'asks')).toMatchObject({ ok: false, code: 'denied' });
  await expect(popup.getByTestId('popup-pending')).toHaveCount(0);

  // A second account: the switcher selects which one the sites use.
  const second = await ext.admin<{ accountId: number }>('create_account', { password: PASSWORD, label: 'second' });
  await ext.admin('select_account', { accountId: 1 });
  await expect(popup.getByTestId('popup-account-select').locator('option')).toHaveCount(2);
  await popup.getByTestId('popup-account-select').selectOption(String(second.accountId));
  await expect.poll(async () => (await status(ext)).account?.id).toBe(second.accountId);

  await popup.getByTestId('popup-lock').click();
  await expect(popup.getByTestId('popup-lock-state')).toHaveText('Locked');
  expect((await status(ext)).locked).toBe(true);
  await popup.getByTestId('popup-unlock-password').fill(PASSWORD);
  await popup.getByTestId('popup-unlock-submit').click();
  await expect(popup.getByTestId('popup-lock-state')).toHaveText('Unlocked', { timeout: 20_000 }); // scrypt per key
});

test('the popup knows the current tab\'s site from the requests the tab made (no tabs permission needed)', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'get_public_key' }] });
  const site = await openSite(ext, '/blank.html');
  expect((await nostrCall(site, 'window.nostr.getPublicKey()')).ok).toBe(true);
  await site.bringToFront();
  // The tab's id as the popup gets it from tabs.query (the URL stays hidden without permissions).
  const tabs = await ext.worker.evaluate(() => chrome.tabs.query({ active: true }).then((t) => t.map(({ id, url }) => ({ id, url }))));
  expect(tabs.every((t) => t.url === undefined)).toBe(true);
  const found = await Promise.all(tabs.map((t) => ext.admin<{ origin: string | null }>('get_tab_site', { tabId: t.id })));
  expect(found.map((f) => f.origin)).toContain(ext.siteUrl);
  // A tab that never asked has no site.
  expect(await ext.admin('get_tab_site', { tabId: 999_999 })).toEqual({ origin: null });
});
