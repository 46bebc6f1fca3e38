// Retention never resets a budget in Firefox either: a revoked grant's entries pruned, the same
// lifetime cap granted again still counts them (docs/THREATS.md #39).
import { afterEach, beforeEach, expect, test } from 'vitest';
import { launchFirefox, nostrCall, openSite, policies, setupAccount, signCall, signingLog, type Extension } from './fixtures.ts';
import { editLogInPage } from '../e2e-shared/common.ts';

let ext: Extension;
beforeEach(async () => {
  ext = await launchFirefox();
});
afterEach(async () => {
  await ext?.close();
});

test('revoke → prune → re-grant: the lifetime cap is still spent, from the pruned tally', async () => {
  const { accountId } = await setupAccount(ext);
  const origin = ext.siteUrl;
  const cap = [{ method: 'sign_event', maxUsageCount: 3 }];
  await ext.admin('grant', { origin, rules: cap });
  // Three signatures from ten days ago, written as the guard writes them, before any request.
  const createdAt = Date.now() - 10 * 86_400_000;
  const rows = [1, 2, 3].map((seq) => ({ origin, accountId, method: 'sign_event', kind: 1, createdAt: createdAt + seq, seqMethod: seq, seqKind: seq }));
  await ext.adminPage.evaluate(editLogInPage, { add: rows });
  const before = (await policies(ext, origin)).grants[0]!;
  expect(before.rules[0]!.used).toBe(3);

  await ext.admin('revoke_grant', { grantId: before.id });
  await ext.admin('set_retention', { signingLogDays: 1 });
  expect(await ext.admin('prune_now', {})).toMatchObject({ signingLogDeleted: 3 });
  expect(await signingLog(ext)).toHaveLength(0);

  await ext.admin('grant', { origin, rules: cap });
  expect((await policies(ext, origin)).grants.find((g) => g.revokedAt === null)!.rules[0]!.used).toBe(3);
  const page = await openSite(ext);
  expect(await nostrCall(page, signCall('after the prune'))).toMatchObject({ ok: false, code: 'cap_exceeded' });
  expect(await signingLog(ext)).toHaveLength(0);
}, 60_000);
