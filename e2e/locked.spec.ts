// With no account, or with the vault locked, a call waits on a prompt that offers to unlock (or
// to create or import a key) and then continues; giving up refuses it with its code.
import { expect, nostrCall, openSite, PASSWORD, setupAccount, test } from './fixtures.ts';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { nsecEncode } from 'nostr-tools/nip19';
import { awaitCall, catchPrompt, note, signingLog, startCall, status, waitForPending } from './helpers.ts';

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
