// The MV3 service worker is stopped mid-session: the vault stays unlocked (its sealed copy in
// storage.session) and the spent budget still binds (the signing log is in IndexedDB).
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import * as nip19 from 'nostr-tools/nip19';
import { bytesToHex } from 'nostr-tools/utils';
import { base64 } from '@scure/base';
import { expect, nostrCall, openSite, PASSWORD, setupAccount, test } from './fixtures.ts';
import { awaitCall, catchPrompt, note, policies, signingLog, sleep, startCall, status, stopServiceWorker, waitForPending } from './helpers.ts';


test('after a service worker restart the vault is still unlocked and the spent budget still binds', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', maxUsageCount: 5, windowSeconds: 3600 }] });
  const page = await openSite(ext, '/blank.html');
  for (let i = 0; i < 3; i++) expect((await nostrCall(page, `window.nostr.signEvent(${JSON.stringify(note(`before ${i}`))})`)).ok).toBe(true);
  const before = await status(ext);
  expect(before.locked).toBe(false);
  expect(before.workerStartedAt).toEqual(expect.any(Number));
  expect((await policies(ext, ext.siteUrl)).grants[0]!.rules[0]!.used).toBe(3);

  await stopServiceWorker(page, ext.id);

  // The first request after the stop wakes the worker: it waits for setup and is signed, with
  // no false `locked` and no reset budget.
  const first = await nostrCall<{ pubkey: string }>(page, `window.nostr.signEvent(${JSON.stringify(note('after restart 1'))})`);
  expect(first).toMatchObject({ ok: true, value: { pubkey } });

  const after = await status(ext);
  expect(after.workerStartedAt).toEqual(expect.any(Number));
  expect(after.workerStartedAt).not.toBe(before.workerStartedAt);
  expect(after.workerStartedAt!).toBeGreaterThan(before.workerStartedAt!);
  expect(after.locked).toBe(false);
  expect(after.account?.pubkey).toBe(pubkey);
  expect((await policies(ext, ext.siteUrl)).grants[0]!.rules[0]!.used).toBe(4);

  expect((await nostrCall(page, `window.nostr.signEvent(${JSON.stringify(note('after restart 2'))})`)).ok).toBe(true);
  expect(await nostrCall(page, `window.nostr.signEvent(${JSON.stringify(note('over the cap'))})`)).toMatchObject({ ok: false, code: 'cap_exceeded' });
  expect(await signingLog(ext)).toHaveLength(5);

  // A second stop: still the same state.
  await stopServiceWorker(page, ext.id);
  expect(await nostrCall(page, `window.nostr.signEvent(${JSON.stringify(note('still over the cap'))})`)).toMatchObject({ ok: false, code: 'cap_exceeded' });
  const third = await status(ext);
  expect(third.workerStartedAt!).toBeGreaterThan(after.workerStartedAt!);
  expect(third.locked).toBe(false);
});

// docs/THREATS.md #18, #26: storage.session holds the unlocked key sealed (AES-GCM under a
// non-extractable key kept in IndexedDB), never in a readable form, and the restarted worker still
// opens it and signs without the password.
test('storage.session holds no readable copy of the key, and a restarted worker still signs with it', async ({ ext }) => {
  const sk = generateSecretKey();
  const hex = bytesToHex(sk);
  const forms = [hex, hex.toUpperCase(), nip19.nsecEncode(sk), base64.encode(sk)];
  const { pubkey } = await ext.admin<{ pubkey: string }>('import_account', { secret: nip19.nsecEncode(sk), password: PASSWORD, label: 'known key' });
  expect(pubkey).toBe(getPublicKey(sk));
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }] });
  const sessionText = () => ext.adminPage.evaluate(async () => JSON.stringify(await chrome.storage.session.get(null)));
  const leaks = (text: string) => forms.filter((f) => text.includes(f));

  const page = await openSite(ext, '/blank.html');
  expect((await nostrCall(page, `window.nostr.signEvent(${JSON.stringify(note('before'))})`)).ok).toBe(true);
  const before = await sessionText();
  expect(before).toContain('vault.unlocked');
  expect(leaks(before)).toEqual([]);
  const startedBefore = (await status(ext)).workerStartedAt;

  await stopServiceWorker(page, ext.id);
  const signed = await nostrCall<{ pubkey: string }>(page, `window.nostr.signEvent(${JSON.stringify(note('after'))})`);
  expect(signed).toMatchObject({ ok: true, value: { pubkey } });
  const after = await status(ext);
  expect(after.workerStartedAt).not.toBe(startedBefore);
  expect(after.locked).toBe(false);
  expect(leaks(await sessionText())).toEqual([]);

  // A lock removes the sealed copy: nothing of the key is left in storage.session.
  await ext.admin('lock');
  expect(await sessionText()).not.toContain('vault.unlocked');
});

test('a locked vault stays locked across a worker restart', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'get_public_key' }] });
  await ext.admin('lock');
  const page = await openSite(ext, '/blank.html');
  const before = await status(ext);
  await stopServiceWorker(page, ext.id);
  // The call wakes the worker, which is still locked: the request waits on the unlock prompt.
  const opened = catchPrompt(ext);
  await startCall(page, 'pk', 'window.nostr.getPublicKey()');
  const window = await opened;
  await expect(window.getByTestId('prompt-unlock')).toBeVisible();
  const after = await status(ext);
  expect(after.workerStartedAt!).toBeGreaterThan(before.workerStartedAt!);
  expect(after.locked).toBe(true);
  await window.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'pk')).toMatchObject({ ok: false, code: 'locked' });
});

// docs/THREATS.md #24: a stop while a prompt is open. The bridge sends the same request again, the
// restarted worker knows it by id and params, and the prompt keeps its place: the answer given
// after the restart completes it exactly once.
for (const decision of ['allow', 'deny'] as const) {
  test(`a worker stopped while a prompt is open: the request survives, and ${decision} after the restart settles it once`, async ({ ext }) => {
    const { pubkey } = await setupAccount(ext);
    const page = await openSite(ext, '/blank.html');
    const prompt = catchPrompt(ext);
    await startCall(page, 'sign', `window.nostr.signEvent(${JSON.stringify(note('asked, then the worker stops'))})`);
    const window = await prompt;
    const [before] = await waitForPending(ext, 1);
    const startedBefore = (await status(ext)).workerStartedAt;

    await stopServiceWorker(page, ext.id);
    // The page's re-sent request wakes the worker; the same prompt is waiting again.
    await expect.poll(async () => (await status(ext)).workerStartedAt, { timeout: 10_000 }).not.toBe(startedBefore);
    await expect.poll(async () => (await status(ext)).pending.map((p) => p.promptId), { timeout: 10_000 }).toEqual([before!.promptId]);
    expect(window.isClosed()).toBe(false);
    expect(await signingLog(ext)).toEqual([]);

    const button = window.getByTestId(decision === 'allow' ? 'prompt-allow' : 'prompt-deny');
    await expect(button).toBeEnabled();
    await button.click();
    const r = await awaitCall<{ pubkey: string }>(page, 'sign');
    if (decision === 'allow') {
      expect(r).toMatchObject({ ok: true, value: { pubkey } });
      expect(await signingLog(ext)).toHaveLength(1);
    } else {
      expect(r).toMatchObject({ ok: false, code: 'denied' });
      expect(await signingLog(ext)).toEqual([]);
    }
    await sleep(300);
    expect((await status(ext)).pending).toEqual([]);
    expect(await signingLog(ext)).toHaveLength(decision === 'allow' ? 1 : 0);
  });
}
