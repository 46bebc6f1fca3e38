// The signing log's hash chain in real Firefox: entries signed before and after the event page
// stopped chain as one (the head is read back from its row), and an entry deleted through the
// extension's IndexedDB from an extension page is reported by verify_log at its id.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { launchFirefox, nostrCall, openSite, setupAccount, signCall, signingLog, type Extension } from './fixtures.ts';
import { editLogInPage } from '../e2e-shared/common.ts';

let ext: Extension;
beforeEach(async () => {
  ext = await launchFirefox();
});
afterEach(async () => {
  await ext?.close();
});

test('the chain survives an event-page restart and a deleted entry is found at its id', async () => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }] });
  const page = await openSite(ext);
  for (let i = 0; i < 3; i++) expect((await nostrCall(page, signCall(`before ${i}`))).ok).toBe(true);
  // A short idle limit only now (scrypt in create_account must not be cut).
  await ext.setBackgroundIdle(1_000);
  const before = await ext.status();
  await ext.waitForBackgroundStop();
  for (let i = 0; i < 3; i++) expect((await nostrCall(page, signCall(`after ${i}`))).ok).toBe(true);
  expect((await ext.status()).workerStartedAt!).toBeGreaterThan(before.workerStartedAt!);
  expect(await ext.admin('verify_log')).toMatchObject({ entries: 6, intact: true });

  const ids = (await signingLog(ext)).map((e) => e.id).sort((a, b) => a - b);
  const victim = ids[4]!;
  await ext.adminPage.evaluate(editLogInPage, { remove: [victim] });
  expect(await ext.admin('verify_log')).toMatchObject({ intact: false, firstBrokenId: victim });
});
