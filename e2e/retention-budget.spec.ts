// Retention never resets a budget: a revoked grant's entries pruned, the same cap granted again
// still counts them (docs/THREATS.md #39), in the built extension's own database.
import { expect, nostrCall, openSite, setupAccount, test } from './fixtures.ts';
import { editLogInPage } from '../e2e-shared/common.ts';
import { policies } from './helpers.ts';

const DAY = 86_400_000;

test('revoke → prune → re-grant: the lifetime cap is still spent, from the pruned tally', async ({ ext }) => {
  const { accountId } = await setupAccount(ext);
  const origin = ext.siteUrl;
  const cap = [{ method: 'sign_event', maxUsageCount: 3 }];
  await ext.admin('grant', { origin, rules: cap });
  const now = Date.now();
  // Three signatures from ten days ago, written as the guard writes them, before any request.
  const createdAt = now - 10 * DAY;
  const rows = [1, 2, 3].map((seq) => ({ origin, accountId, method: 'sign_event', kind: 1, createdAt: createdAt + seq, seqMethod: seq, seqKind: seq }));
  await ext.adminPage.evaluate(editLogInPage, { add: rows });
  const before = (await policies(ext, origin)).grants[0]!;
  expect(before.rules[0]!.used).toBe(3);

  await ext.admin('revoke_grant', { grantId: before.id });
  await ext.admin('set_retention', { signingLogDays: 1 });
  expect(await ext.admin('prune_now', {})).toMatchObject({ signingLogDeleted: 3 });
  expect((await ext.admin<{ entries: unknown[] }>('get_signing_log', { limit: 10 })).entries).toEqual([]);

  // What was pruned is in the tally (schema version 4): the method-wide row and the kind-1 row.
  const tally = await ext.adminPage.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, no) => {
      const r = indexedDB.open('warden');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => no(r.error);
    });
    const rows = await new Promise<{ kind: number; count: number }[]>((ok, no) => {
      const req = db.transaction('logTally').objectStore('logTally').getAll();
      req.onsuccess = () => ok(req.result as { kind: number; count: number }[]);
      req.onerror = () => no(req.error);
    });
    db.close();
    return rows.map((r) => `${r.kind}×${r.count}`).sort();
  });
  expect(tally).toEqual(['-1×3', '1×3']);

  await ext.admin('grant', { origin, rules: cap });
  const regranted = (await policies(ext, origin)).grants.find((g) => g.revokedAt === null)!;
  expect(regranted.rules[0]!.used).toBe(3);
  const page = await openSite(ext, '/blank.html');
  const r = await nostrCall(page, `window.nostr.signEvent({ kind: 1, content: 'after the prune', tags: [] })`);
  expect(r).toMatchObject({ ok: false, code: 'cap_exceeded' });
  expect((await ext.admin<{ entries: unknown[] }>('get_signing_log', { limit: 10 })).entries).toEqual([]);
});
