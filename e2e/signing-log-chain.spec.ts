// The signing log's hash chain in the built extension: verified from the options page after real
// signatures, an entry deleted through the extension's own IndexedDB found at its id, and the
// exported file checked by the stand-alone verifier in plain Node.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, openSite, setupAccount, test, type Extension } from './fixtures.ts';
import { editLogInPage } from '../e2e-shared/common.ts';
import { openOptions, signMany } from './extensionPages.ts';

const ROOT = resolve(import.meta.dirname, '..');
const VERIFIER = join(ROOT, 'scripts', 'verify-log.mjs');
const SHOTS = join(ROOT, 'test-results', 'signing-log-chain');

async function exportAndVerify(options: Page): Promise<{ status: number | null; out: string }> {
  const download = options.waitForEvent('download');
  await options.getByTestId('options-log-export').click();
  const file = await (await download).path();
  const r = spawnSync(process.execPath, [VERIFIER, file], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function verifyInPage(options: Page) {
  await options.getByTestId('options-log-verify').click();
  const status = options.getByTestId('options-log-chain');
  await expect(status).toBeVisible();
  return status;
}

async function logIds(ext: Extension): Promise<number[]> {
  return (await ext.admin<{ entries: { id: number }[] }>('get_signing_log', { limit: 100 })).entries.map((e) => e.id).reverse();
}

test('signing, then verify in the options page and with the stand-alone verifier; an entry deleted through IndexedDB is found at its id', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }] });
  const site = await openSite(ext, '/blank.html');
  expect(await signMany(site, 6, 1)).toEqual(Array(6).fill('ok'));
  const ids = await logIds(ext);
  expect(ids).toHaveLength(6);

  const options = await openOptions(ext, 'log');
  await options.setViewportSize({ width: 1000, height: 640 });
  const intact = await verifyInPage(options);
  await expect(intact).toHaveAttribute('data-intact', 'true');
  await expect(intact).toContainText('Chain intact — 6 entries, checked at');
  mkdirSync(SHOTS, { recursive: true });
  await options.screenshot({ path: join(SHOTS, 'options-log-chain-intact.png') });

  const good = await exportAndVerify(options);
  expect(good.out).toContain('intact: 6 entries');
  expect(good.status).toBe(0);

  // Another program (here: an extension page) removes one entry straight from the database.
  const victim = ids[2]!;
  await options.evaluate(editLogInPage, { remove: [victim] });

  expect(await ext.admin('verify_log', {})).toMatchObject({ intact: false, firstBrokenId: victim });
  // The table learns of changes from the background, which did not make this one: load it again.
  await options.reload();
  await expect(options.getByTestId('options-log-row')).toHaveCount(5);
  const broken = await verifyInPage(options);
  await expect(broken).toHaveAttribute('data-intact', 'false');
  await expect(broken).toHaveAttribute('data-broken-id', String(victim));
  await expect(broken).toContainText(`entry #${victim}: altered, removed or reordered`);
  await options.screenshot({ path: join(SHOTS, 'options-log-chain-broken.png') });

  const bad = await exportAndVerify(options);
  expect(bad.out).toContain(`entry #${victim}: altered, removed or reordered`);
  expect(bad.status).toBe(1);

  // Signing goes on after the break; the break stays where it was.
  expect(await signMany(site, 2, 1)).toEqual(['ok', 'ok']);
  expect(await ext.admin('verify_log', {})).toMatchObject({ intact: false, firstBrokenId: victim });
});
