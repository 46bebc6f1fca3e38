// Keys and data kept over time, through the real options and welcome pages: backup → wipe →
// restore gives the same policy; keys and perms strings go in and out; retention keeps every entry
// a cap counts.
import { readFileSync } from 'node:fs';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import * as nip19 from 'nostr-tools/nip19';
import * as nip49 from 'nostr-tools/nip49';
import { bytesToHex } from 'nostr-tools/utils';
import { expect, launchExtension, nostrCall, openSite, PASSWORD, setupAccount, test, type Extension } from './fixtures.ts';
import { policies, watchPages } from './helpers.ts';
import { openOptions, signScript } from './extensionPages.ts';

/** The live policy without local ids and times: what must survive a backup and restore. */
async function livePolicy(ext: Extension) {
  const p = await policies(ext);
  const { accounts } = await ext.admin<{ accounts: { id: number; pubkey: string }[] }>('list_accounts');
  const pk = (id: number) => accounts.find((a) => a.id === id)?.pubkey;
  const norm = (x: unknown) => JSON.stringify(x);
  return {
    grants: p.grants
      .filter((g) => g.revokedAt === null)
      .map((g) => ({ origin: g.origin, account: pk(g.accountId), onCapReached: g.onCapReached, expiresAt: g.expiresAt, rules: g.rules.map(({ method, kind, maxUsageCount, windowSeconds }) => ({ method, kind, maxUsageCount, windowSeconds })).sort((a, b) => norm(a).localeCompare(norm(b))) }))
      .sort((a, b) => a.origin.localeCompare(b.origin)),
    overrides: p.overrides.filter((o) => o.revokedAt === null).map(({ origin, method, kind, effect }) => ({ origin, method, kind, effect })).sort((a, b) => norm(a).localeCompare(norm(b))),
    settings: await ext.admin('get_settings'),
    retention: await ext.admin('get_retention'),
  };
}

test('backup, wipe, restore (from the welcome page of a fresh profile) gives the same keys and the same policy', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'get_public_key' }, { method: 'sign_event', kind: 1, maxUsageCount: 20, windowSeconds: 3600 }, { method: 'sign_event', kind: 1, maxUsageCount: 200, windowSeconds: 86400 }], onCapReached: 'ask' });
  await ext.admin('grant', { origin: ext.otherSiteUrl, rules: [{ method: 'nip44_encrypt', maxUsageCount: 5 }] });
  await ext.admin('set_override', { origin: ext.siteUrl, method: 'sign_event', kind: 0, effect: 'deny' });
  await ext.admin('set_settings', { autoLockMinutes: 12, relays: { 'wss://relay.example': { read: true, write: true } } });
  const before = await livePolicy(ext);

  const options = await openOptions(ext, 'backup');
  await options.getByTestId('options-backup-password').fill(PASSWORD);
  const download = options.waitForEvent('download');
  await options.getByTestId('options-backup-export').click();
  const file = (await (await download).path())!;
  const text = readFileSync(file, 'utf8');
  expect(text).toContain('ncryptsec1');
  expect(text).not.toMatch(/nsec1[02-9ac-hj-np-z]{50}/);

  // "Wipe": a fresh browser profile, where installing opened the welcome page.
  const fresh = await launchExtension();
  try {
    const two = fresh.ext;
    const welcome = await two.context.newPage();
    await welcome.goto(`chrome-extension://${two.id}/src/ui/options/index.html?welcome=1`);
    await welcome.getByTestId('welcome-restore').locator('summary').click();
    await welcome.getByTestId('options-restore-file').setInputFiles(file);
    await welcome.getByTestId('options-restore-preview').click();
    await expect(welcome.getByTestId('options-restore-change').first()).toBeVisible();
    const impacts = await welcome.getByTestId('options-restore-change').evaluateAll((els) => els.map((e) => e.getAttribute('data-impact')));
    expect(impacts).toContain('loosens'); // granting sites allows more than an empty policy: said first
    await welcome.getByTestId('options-restore-accept').check();
    await welcome.getByTestId('options-restore-password').fill(PASSWORD);
    await welcome.getByTestId('options-restore-apply').click();
    // NIP-49 (scrypt, log_n 16) runs twice per key: allow for a loaded machine.
    await expect(welcome.getByTestId('welcome-done')).toBeVisible({ timeout: 30_000 });

    const { accounts } = await two.admin<{ accounts: { pubkey: string }[] }>('list_accounts');
    expect(accounts.map((a) => a.pubkey)).toEqual([pubkey]);
    // The origins are the first profile's test servers, still running: the same strings here.
    expect(await livePolicy(two)).toEqual(before);
    // The restored key signs for the restored grant, without a prompt.
    const site = await openSite(two, '/blank.html', ext.siteUrl);
    const signed = await nostrCall<{ pubkey: string }>(site, signScript(1));
    expect(signed).toMatchObject({ ok: true, value: { pubkey } });
  } finally {
    await fresh.close();
  }
});

test('import a key (nsec, hex, ncryptsec) and export it as ncryptsec; rename; delete with a confirmation and the password', async ({ ext }) => {
  await setupAccount(ext);
  const options = await openOptions(ext, 'accounts');
  const sk = generateSecretKey();
  await options.getByTestId('options-import-secret').fill(nip19.nsecEncode(sk));
  await options.getByTestId('options-import-label').fill('imported');
  await options.getByTestId('options-import-password').fill(PASSWORD);
  await options.getByTestId('options-import-submit').click();
  const row = options.getByTestId('options-account-row').filter({ hasText: 'imported' });
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row).toContainText(nip19.npubEncode(getPublicKey(sk)));

  await row.getByTestId('options-account-export').click();
  await row.getByTestId('options-account-export-password').fill(PASSWORD);
  await row.getByTestId('options-account-export-submit').click();
  const ncryptsec = await row.getByTestId('options-account-ncryptsec').inputValue({ timeout: 20_000 });
  expect(bytesToHex(nip49.decrypt(ncryptsec, PASSWORD))).toBe(bytesToHex(sk));

  await row.getByTestId('options-account-rename').click();
  await row.getByTestId('options-account-rename-input').fill('renamed');
  await row.getByTestId('options-account-rename-save').click();
  const renamed = options.getByTestId('options-account-row').filter({ hasText: 'renamed' });
  await expect(renamed).toBeVisible();

  await renamed.getByTestId('options-account-delete').click();
  await options.getByTestId('confirm-cancel').click();
  await expect(options.getByTestId('options-account-row')).toHaveCount(2);
  // Deleting needs the vault password: a wrong one is refused and the key stays.
  await renamed.getByTestId('options-account-delete').click();
  await options.getByTestId('options-account-delete-password').fill('not the password');
  await options.getByTestId('confirm-ok').click();
  await expect(renamed.getByTestId('options-account-error')).toContainText(/password/i);
  await expect(options.getByTestId('options-account-row')).toHaveCount(2);
  await renamed.getByTestId('options-account-delete').click();
  await options.getByTestId('options-account-delete-password').fill(PASSWORD);
  await options.getByTestId('confirm-ok').click();
  await expect(options.getByTestId('options-account-row')).toHaveCount(1);

  // The exported ncryptsec and a 64-hex key import back.
  let count = 1;
  for (const secret of [ncryptsec, bytesToHex(generateSecretKey())]) {
    await options.getByTestId('options-import-secret').fill(secret);
    await options.getByTestId('options-import-password').fill(PASSWORD);
    await options.getByTestId('options-import-submit').click();
    await expect(options.getByTestId('options-account-row')).toHaveCount(++count, { timeout: 20_000 });
    await expect(options.getByTestId('options-import-error')).toHaveText('');
  }
  await expect(options.getByTestId('options-account-row').filter({ hasText: nip19.npubEncode(getPublicKey(sk)) })).toHaveCount(1);
});

test('a NIP-46 perms string imports into a grant (the site signs without asking) and exports from it', async ({ ext }) => {
  await setupAccount(ext);
  const pages = watchPages(ext);
  const options = await openOptions(ext, 'sites');
  await options.getByTestId('options-perms-origin').fill(ext.siteUrl);
  await options.getByTestId('options-perms-input').fill('sign_event:1,nip44_encrypt,bogus');
  await expect(options.getByTestId('options-perms-preview')).toContainText('unknown method: "bogus"');
  await expect(options.getByTestId('options-perms-import')).toBeDisabled();
  await options.getByTestId('options-perms-input').fill('nip44_encrypt, sign_event:1');
  await expect(options.getByTestId('options-perms-preview')).toContainText('sign kind 1');
  await options.getByTestId('options-perms-import').click();
  await expect(options.getByTestId('options-perms-result')).toContainText('2 rule(s) added');

  const site = await openSite(ext, '/blank.html');
  expect((await nostrCall(site, signScript(1))).ok).toBe(true);
  expect(pages.filter((u) => u.includes('prompt'))).toEqual([]);

  const card = options.getByTestId('options-site').filter({ hasText: ext.siteUrl });
  await card.getByTestId('options-perms-export').click();
  await expect(card.getByTestId('options-perms-text')).toHaveValue('sign_event:1,nip44_encrypt');
});

test('retention set in the options page prunes old entries but leaves every entry a live cap counts', async ({ ext }) => {
  const { accountId } = await setupAccount(ext);
  const origin = ext.siteUrl;
  // A 30-day cap on kind 1 and a lifetime cap on nip44_encrypt; kind 7 is uncapped.
  await ext.admin('grant', { origin, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 500, windowSeconds: 30 * 86400 }, { method: 'sign_event', kind: 7 }, { method: 'nip44_encrypt', maxUsageCount: 500 }] });
  const DAY = 86_400_000;
  const now = Date.now();
  // Old entries, written as the guard writes them (with their positions in their scopes), before any request.
  const rows = [
    ...[45, 40, 20, 10].map((d) => ({ method: 'sign_event', kind: 1, age: d })),
    ...[45, 20, 10].map((d) => ({ method: 'sign_event', kind: 7, age: d })),
    ...[60, 50].map((d) => ({ method: 'nip44_encrypt', age: d })),
  ];
  await ext.adminPage.evaluate(
    async ({ rows, origin, accountId, now, DAY }) => {
      const db = await new Promise<IDBDatabase>((ok, no) => {
        const r = indexedDB.open('warden');
        r.onsuccess = () => ok(r.result);
        r.onerror = () => no(r.error);
      });
      const sorted = [...rows].sort((a, b) => b.age - a.age);
      const seq = new Map<string, number>();
      const next = (k: string) => (seq.set(k, (seq.get(k) ?? 0) + 1), seq.get(k)!);
      await new Promise<void>((ok, no) => {
        const tx = db.transaction('signingLog', 'readwrite');
        for (const r of sorted) {
          const entry: Record<string, unknown> = { origin, accountId, method: r.method, createdAt: now - r.age * DAY, seqMethod: next(r.method) };
          if ('kind' in r) (entry.kind = r.kind), (entry.seqKind = next(`${r.method}:${r.kind}`));
          tx.objectStore('signingLog').add(entry);
        }
        tx.oncomplete = () => ok();
        tx.onerror = () => no(tx.error);
      });
      db.close();
    },
    { rows, origin, accountId, now, DAY },
  );
  const usedBefore = (await policies(ext, origin)).grants[0]!.rules.map((r) => r.used);
  expect(usedBefore).toEqual([2, 3, 2]); // kind 1 in 30 days: 20 d and 10 d; kind 7 (any time); nip44 lifetime

  const options = await openOptions(ext, 'settings');
  await options.getByTestId('options-retention-log').fill('7');
  await options.getByTestId('options-retention-save').click();
  await expect(options.getByTestId('options-settings-saved')).toBeVisible();
  await options.getByTestId('options-prune').click();
  // Deleted: kind 1 at 45 and 40 days (outside the 30-day window), kind 7 at 45, 20, 10 days (no cap counts them).
  await expect(options.getByTestId('options-settings-saved')).toContainText('5 log entries');
  await expect(options.getByTestId('options-settings-saved')).toContainText('4 old log entries kept');

  const left = (await ext.admin<{ entries: { method: string; kind: number | null; createdAt: number }[] }>('get_signing_log', { limit: 100 })).entries;
  expect(left.map((e) => `${e.method}:${e.kind ?? '-'}:${Math.round((now - e.createdAt) / DAY)}`).sort()).toEqual(['nip44_encrypt:-:50', 'nip44_encrypt:-:60', 'sign_event:1:10', 'sign_event:1:20']);
  const usedAfter = (await policies(ext, origin)).grants[0]!.rules.map((r) => r.used);
  expect([usedAfter[0], usedAfter[2]]).toEqual([usedBefore[0], usedBefore[2]]); // every capped count unchanged
});
