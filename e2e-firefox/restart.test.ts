// Firefox stops the idle MV3 event page (here after 1 s, via extensions.background.idle.timeout)
// and starts it again on the next request: the vault stays unlocked (storage.session), the spent
// budget still binds (the signing log is in IndexedDB), and a locked vault stays locked.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { launchFirefox, nostrCall, openSite, policies, setupAccount, signCall, signingLog, type Extension } from './fixtures.ts';

let ext: Extension;
beforeEach(async () => {
  ext = await launchFirefox();
});
afterEach(async () => {
  await ext?.close();
});

test('after the event page restarts, the vault is still unlocked and the spent budget still binds', async () => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', maxUsageCount: 4, windowSeconds: 3600 }] });
  const page = await openSite(ext);
  for (let i = 0; i < 3; i++) expect((await nostrCall(page, signCall(`before ${i}`))).ok).toBe(true);
  // Only now a short idle limit: Firefox would otherwise stop the page in the middle of
  // create_account's scrypt, which blocks the extension process for seconds.
  await ext.setBackgroundIdle(1_000);
  const before = await ext.status();
  expect(before).toMatchObject({ locked: false, workerStartedAt: expect.any(Number) });

  await ext.waitForBackgroundStop();
  // The first request after the stop wakes the event page: it waits for setup and is signed,
  // with no false `locked` and no reset budget.
  expect(await nostrCall(page, signCall('after the restart'))).toMatchObject({ ok: true, value: { pubkey } });
  const after = await ext.status();
  expect(after.workerStartedAt!).toBeGreaterThan(before.workerStartedAt!);
  expect(after).toMatchObject({ locked: false, account: { pubkey } });
  expect((await policies(ext, ext.siteUrl)).grants[0]!.rules[0]!.used).toBe(4);

  await ext.waitForBackgroundStop();
  expect(await nostrCall(page, signCall('over the cap'))).toMatchObject({ ok: false, code: 'cap_exceeded' });
  const third = await ext.status();
  expect(third.workerStartedAt!).toBeGreaterThan(after.workerStartedAt!);
  expect(third.locked).toBe(false);
  expect(await signingLog(ext)).toHaveLength(4);

  // And the other way round: a locked vault stays locked across a restart.
  await ext.admin('lock');
  await ext.waitForBackgroundStop();
  const fourth = await ext.status();
  expect(fourth.workerStartedAt!).toBeGreaterThan(third.workerStartedAt!);
  expect(fourth).toMatchObject({ locked: true, hasAccount: true });
});
