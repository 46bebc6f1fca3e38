// The options page, driven through its real page: overrides bind, the logs page correctly,
// "try a request" says what the guard then does.
import { readFileSync } from 'node:fs';
import { expect, nostrCall, openSite, setupAccount, test } from './fixtures.ts';
import { signingLog } from './helpers.ts';
import { openOptions, signMany, signScript } from './extensionPages.ts';

test('an override added in the options page binds on the next request, and lifting it restores the grant', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }] });
  const site = await openSite(ext, '/blank.html');
  expect((await nostrCall(site, signScript(1))).ok).toBe(true);

  const options = await openOptions(ext, 'overrides');
  await options.getByTestId('options-override-origin').fill(ext.siteUrl);
  await options.getByTestId('options-override-method').selectOption('sign_event');
  await options.getByTestId('options-override-kind').fill('1');
  await options.getByTestId('options-override-effect').selectOption('deny');
  await options.getByTestId('options-override-add').click();
  await expect(options.getByTestId('options-override-row')).toHaveCount(1);

  expect(await nostrCall(site, signScript(1))).toMatchObject({ ok: false, code: 'denied' });
  expect((await nostrCall(site, signScript(7))).ok).toBe(true); // only kind 1 is denied

  await options.getByTestId('options-override-lift').click();
  await expect(options.getByTestId('options-override-lift')).toHaveCount(0);
  expect((await nostrCall(site, signScript(1))).ok).toBe(true);
});

test('activity and signing log page by keyset, filter, and the log exports as JSON Lines', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 1 }, { method: 'nip44_encrypt' }] });
  await ext.admin('set_override', { origin: ext.siteUrl, method: 'sign_event', kind: 7, effect: 'deny' });
  const site = await openSite(ext, '/blank.html');
  expect(new Set(await signMany(site, 45, 1))).toEqual(new Set(['ok']));
  expect(await signMany(site, 3, 7)).toEqual(['denied', 'denied', 'denied']);
  await site.evaluate((pk) => window.nostr!.nip44.encrypt(pk, 'hi'), pubkey);
  const expected = (await signingLog(ext)).map((e) => e.id);
  expect(expected).toHaveLength(46);

  const options = await openOptions(ext, 'log');
  const ids = async () => options.getByTestId('options-log-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id'))));
  const seen: number[][] = [];
  await expect(options.getByTestId('options-log-row')).toHaveCount(20);
  seen.push(await ids());
  await options.getByTestId('options-log-older').click();
  await expect(options.getByTestId('options-log-page')).toHaveText('page 2');
  await expect(options.getByTestId('options-log-row').first()).toHaveAttribute('data-id', String(expected[20]));
  seen.push(await ids());
  await options.getByTestId('options-log-older').click();
  await expect(options.getByTestId('options-log-row')).toHaveCount(6);
  seen.push(await ids());
  await expect(options.getByTestId('options-log-older')).toBeDisabled();
  expect(seen.flat()).toEqual(expected); // newest first, no gap, no duplicate
  await options.getByTestId('options-log-newer').click();
  await expect(options.getByTestId('options-log-row').first()).toHaveAttribute('data-id', String(expected[20]));

  await options.getByTestId('options-log-method').selectOption('nip44_encrypt');
  await expect(options.getByTestId('options-log-row')).toHaveCount(1);
  await expect(options.getByTestId('options-log-page')).toHaveText('page 1');
  await options.getByTestId('options-log-method').selectOption('');

  const download = options.waitForEvent('download');
  await options.getByTestId('options-log-export').click();
  const file = await (await download).path();
  // The first line is the header with the hash chain's head and checkpoints (e2e/signing-log-chain.spec.ts checks the chain).
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: number; origin: string; warden?: string });
  expect(header?.warden).toBe('signing-log');
  expect(lines.map((l) => l.id)).toEqual(expected);
  expect(lines.every((l) => l.origin === ext.siteUrl)).toBe(true);

  // Activity: every decision, filterable by outcome, site and method.
  await options.getByTestId('options-tab-activity').click();
  await expect(options.getByTestId('options-activity-row')).toHaveCount(20);
  await options.getByTestId('options-activity-outcome').selectOption('denied');
  // The three repeated refusals are one row with their count (docs/THREATS.md #34).
  await expect(options.getByTestId('options-activity-row')).toHaveCount(1);
  await expect(options.getByTestId('options-activity-row').first()).toContainText('deny override');
  await expect(options.getByTestId('options-activity-count')).toHaveText('×3');
  await options.getByTestId('options-activity-outcome').selectOption('');
  await options.getByTestId('options-activity-method').selectOption('nip44_encrypt');
  await expect(options.getByTestId('options-activity-row')).toHaveCount(1);
  await options.getByTestId('options-activity-method').selectOption('');
  await options.getByTestId('options-activity-site').fill(ext.otherSiteUrl);
  await expect(options.getByTestId('options-activity-empty')).toBeVisible();
  await options.getByTestId('options-activity-site').fill(ext.siteUrl);
  await expect(options.getByTestId('options-activity-row')).toHaveCount(20);
  await options.getByTestId('options-activity-older').click();
  await options.getByTestId('options-activity-older').click();
  await expect(options.getByTestId('options-activity-row')).toHaveCount(47 - 40);
});

test('"try a request" says what the guard then decides, and why', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 2, windowSeconds: 3600 }] });
  const site = await openSite(ext, '/blank.html');
  expect((await nostrCall(site, signScript(1))).ok).toBe(true);
  const ruleId = (await ext.admin<{ grants: { rules: { id: number }[] }[] }>('get_policies', { origin: ext.siteUrl })).grants[0]!.rules[0]!.id;

  const options = await openOptions(ext, 'try');
  const tryIt = async (kind: string) => {
    await options.getByTestId('options-try-origin').fill(ext.siteUrl);
    await options.getByTestId('options-try-method').selectOption('sign_event');
    await options.getByTestId('options-try-kind').fill(kind);
    await options.getByTestId('options-try-submit').click();
  };
  await tryIt('1');
  await expect(options.getByTestId('options-try-outcome')).toHaveText('allow');
  await expect(options.getByTestId('options-try-text')).toContainText(`rule #${ruleId} allows; 1 of 2 left this hour; frees at`);
  const logged = (await signingLog(ext)).length;
  expect(logged).toBe(1); // trying signs and logs nothing
  expect((await nostrCall(site, signScript(1))).ok).toBe(true);

  await tryIt('1');
  await expect(options.getByTestId('options-try-outcome')).toHaveText('cap_exceeded');
  await expect(options.getByTestId('options-try-text')).toContainText(`the cap of rule #${ruleId} is spent`);
  expect(await nostrCall(site, signScript(1))).toMatchObject({ ok: false, code: 'cap_exceeded' });

  await tryIt('7');
  await expect(options.getByTestId('options-try-outcome')).toHaveText('ask');
  await expect(options.getByTestId('options-try-text')).toContainText('no rule covers it');
});

test('keyboard: the tabs move with the arrow keys, Home and End; a confirmation closes with Escape and changes nothing', async ({ ext }) => {
  await setupAccount(ext);
  const options = await openOptions(ext, 'sites');
  await options.getByTestId('options-tab-sites').focus();
  await options.keyboard.press('ArrowRight');
  await expect(options.getByTestId('options-tab-overrides')).toHaveAttribute('aria-selected', 'true');
  await expect(options.getByTestId('options-tab-overrides')).toBeFocused();
  await options.keyboard.press('End');
  await expect(options.getByTestId('options-tab-settings')).toHaveAttribute('aria-selected', 'true');
  await options.keyboard.press('ArrowRight');
  await expect(options.getByTestId('options-tab-sites')).toHaveAttribute('aria-selected', 'true');
  await options.keyboard.press('ArrowLeft');
  await options.keyboard.press('Home');
  await expect(options.getByTestId('options-tab-sites')).toHaveAttribute('aria-selected', 'true');

  await options.getByTestId('options-tab-accounts').click();
  await options.getByTestId('options-account-delete').click();
  await expect(options.getByTestId('confirm')).toBeVisible();
  await expect(options.getByTestId('confirm-cancel')).toBeFocused();
  await options.keyboard.press('Escape');
  await expect(options.getByTestId('confirm')).toHaveCount(0);
  await expect(options.getByTestId('options-account-row')).toHaveCount(1);
});
