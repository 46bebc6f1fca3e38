// The prompt queue (docs/ARCHITECTURE.md, The prompt, Queue; docs/THREATS.md #7–#11): one prompt window per browser window, "N more
// waiting", identical requests collapsed into one line, "also answer the similar ones", "apply to
// all from this site", the queue re-evaluated after a remembered answer, and closing one prompt
// window refusing only what it held.
import type { Page } from '@playwright/test';
import { generateSecretKey } from 'nostr-tools/pure';
import { expect, openSite, setupAccount, test } from './fixtures.ts';
import {
  armed,
  awaitCall,
  callAndCatchPrompt,
  catchPrompt,
  nip44From,
  note,
  policies,
  PROMPT_PATH,
  promptFor,
  promptShowing,
  openSiteInNewWindow,
  signingLog,
  signScript,
  startCall,
  status,
  waitForPending,
} from './helpers.ts';

/** Page-side: results of calls started with startCall, still pending ones as 'pending'. */
async function settledSoFar(page: Page, names: string[]): Promise<Record<string, unknown>> {
  return page.evaluate(async (ns) => {
    const calls = (window as unknown as { __calls: Record<string, Promise<unknown>> }).__calls;
    const out: Record<string, unknown> = {};
    for (const n of ns) out[n] = await Promise.race([calls[n], new Promise((ok) => setTimeout(() => ok('pending'), 50))]);
    return out;
  }, names);
}

test('5 concurrent NIP-44 decrypts: one prompt window, "4 more waiting", one collapsed line; "answer the similar ones" + Allow once resolves all 5, remembers nothing', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  // One peer, five messages from it to the account: identical requests as far as the queue goes.
  const peerSecret = generateSecretKey();
  const payloads = Array.from({ length: 5 }, (_, i) => {
    const plaintext = `secret message #${i}`;
    return { plaintext, ...nip44From(pubkey, plaintext, peerSecret) };
  });

  const opened = catchPrompt(ext);
  let windowsOpened = 0;
  ext.context.on('page', () => void (windowsOpened += 1));
  for (const [i, p] of payloads.entries()) await startCall(page, `d${i}`, `window.nostr.nip44.decrypt(${JSON.stringify(p.peer)}, ${JSON.stringify(p.ciphertext)})`);
  const prompt = await opened;
  const pending = await waitForPending(ext, 5);
  expect(pending.map((p) => p.method)).toEqual(Array(5).fill('nip44_decrypt'));

  await expect(prompt.getByTestId('prompt-waiting')).toHaveText('4 more waiting');
  await expect(prompt.getByTestId('prompt-group')).toHaveCount(1);
  await expect(prompt.getByTestId('prompt-group')).toHaveText(`4 decrypts from ${ext.siteUrl}`);
  await expect(prompt.getByTestId('prompt-method')).toContainText('decrypt');
  // Just this once (the default scope), for this one and the 4 like it.
  await expect(prompt.getByTestId('prompt-scope')).toHaveValue('once');
  await prompt.getByTestId('prompt-similar').check();
  await armed(prompt);
  await prompt.getByTestId('prompt-allow').click();

  for (const [i, p] of payloads.entries()) expect(await awaitCall(page, `d${i}`), `decrypt #${i}`).toEqual({ ok: true, value: p.plaintext });
  expect((await status(ext)).pending).toEqual([]);
  // One prompt window for the five.
  expect(windowsOpened).toBe(1);
  expect(ext.context.pages().filter((p) => p.url().includes(PROMPT_PATH)).length).toBeLessThanOrEqual(1);
  // Nothing remembered: no rule, no override.
  const stored = await policies(ext, ext.siteUrl);
  expect(stored.grants.flatMap((g) => g.rules)).toEqual([]);
  expect(stored.overrides).toEqual([]);
  expect((await signingLog(ext)).filter((e) => e.method === 'nip44_decrypt')).toHaveLength(5);
});

test('apply to all waiting from this site + Deny refuses mixed requests (kind 1, nip44 encrypt, kind 7) at once, remembers nothing', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const { peer } = nip44From(pubkey, 'unused');
  const prompt = await callAndCatchPrompt(ext, page, 'note', signScript(note('mixed 1')));
  await startCall(page, 'enc', `window.nostr.nip44.encrypt(${JSON.stringify(peer)}, 'hello')`);
  await startCall(page, 'react', signScript(note('+', { kind: 7 })));
  await waitForPending(ext, 3);
  await expect(prompt.getByTestId('prompt-waiting')).toHaveText('2 more waiting');
  await expect(prompt.getByTestId('prompt-group')).toHaveCount(2);
  await expect(prompt.getByTestId('prompt-apply-all')).toBeVisible();
  // Nothing else waits that is identical to the one on screen.
  await expect(prompt.getByTestId('prompt-similar')).toHaveCount(0);

  await prompt.getByTestId('prompt-apply-all').check();
  await armed(prompt);
  await prompt.getByTestId('prompt-deny').click();
  for (const n of ['note', 'enc', 'react']) expect(await awaitCall(page, n), n).toMatchObject({ ok: false, code: 'denied' });
  expect((await status(ext)).pending).toEqual([]);
  expect(await signingLog(ext)).toEqual([]);
  const stored = await policies(ext, ext.siteUrl);
  expect(stored.overrides).toEqual([]);
  expect(stored.grants.flatMap((g) => g.rules)).toEqual([]);
});

test("remembering the first of several queued (scope 'kind'): the other kind-1 request settles unasked, the kind-7 one keeps waiting", async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const prompt = await callAndCatchPrompt(ext, page, 'a', signScript(note('first kind 1')));
  await startCall(page, 'b', signScript(note('second kind 1')));
  await startCall(page, 'c', signScript(note('+', { kind: 7 })));
  await waitForPending(ext, 3);
  await expect(prompt.getByTestId('prompt-waiting')).toHaveText('2 more waiting');
  await expect(prompt.getByTestId('prompt-content')).toHaveText('first kind 1');

  await prompt.getByTestId('prompt-scope').selectOption('kind');
  await armed(prompt);
  await prompt.getByTestId('prompt-allow').click();
  expect(await awaitCall(page, 'a')).toMatchObject({ ok: true, value: { content: 'first kind 1' } });
  expect(await awaitCall(page, 'b')).toMatchObject({ ok: true, value: { content: 'second kind 1' } });
  expect(await settledSoFar(page, ['c'])).toEqual({ c: 'pending' });
  const pending = (await status(ext)).pending;
  expect(pending).toEqual([expect.objectContaining({ origin: ext.siteUrl, method: 'sign_event', kind: 7 })]);
  expect((await policies(ext, ext.siteUrl)).grants.flatMap((g) => g.rules)).toEqual([expect.objectContaining({ method: 'sign_event', kind: 1 })]);

  // The prompt now shows the kind-7 request, armed again from scratch.
  const now = await promptShowing(ext, pending[0]!.promptId);
  await expect(now.getByTestId('prompt-kind')).toContainText('kind 7');
  await expect(now.getByTestId('prompt-waiting')).toHaveCount(0);
  await armed(now);
  await now.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'c')).toMatchObject({ ok: false, code: 'denied' });
  expect(await signingLog(ext)).toHaveLength(2);
});

test('a remembered answer over a long queue keeps the same prompt window open for the request it does not cover', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const prompt = await callAndCatchPrompt(ext, page, 'k0', signScript(note('kind 1 #0')));
  let closed = false;
  prompt.on('close', () => void (closed = true));
  let windowsOpened = 0;
  ext.context.on('page', () => void (windowsOpened += 1));
  for (let i = 1; i < 18; i++) await startCall(page, `k${i}`, signScript(note(`kind 1 #${i}`)));
  await startCall(page, 'seven', signScript(note('+', { kind: 7 })));
  await waitForPending(ext, 19);
  await expect(prompt.getByTestId('prompt-waiting')).toHaveText('18 more waiting');

  await prompt.getByTestId('prompt-scope').selectOption('kind');
  await armed(prompt);
  // While the queue is re-evaluated the kind-7 request is sent back through the guard too, so for
  // those milliseconds it is not waiting for a person (get_status leaves it out); the window keeps
  // it on screen and it asks again under the same prompt id.
  await prompt.getByTestId('prompt-allow').click();
  const covered = await page.evaluate(() => {
    const calls = (window as unknown as { __calls: Record<string, Promise<{ ok: boolean; value?: { content?: string } }>> }).__calls;
    return Promise.all(Array.from({ length: 18 }, (_, i) => calls[`k${i}`]!.then((r) => (r.ok ? r.value?.content : 'refused'))));
  });
  expect(covered).toEqual(Array.from({ length: 18 }, (_, i) => `kind 1 #${i}`));
  const [seven] = await waitForPending(ext, 1);
  expect(methodKind(seven)).toEqual({ method: 'sign_event', kind: 7 });
  // Longer than the background's close-when-empty delay: the window the user is looking at stays.
  await page.waitForTimeout(800);
  expect(closed, 'the prompt window closed (and another opened) while a request still waited').toBe(false);
  expect(windowsOpened).toBe(0);
  await expect(prompt.getByTestId('prompt')).toHaveAttribute('data-prompt-id', seven!.promptId);
  await armed(prompt);
  await prompt.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'seven')).toMatchObject({ ok: false, code: 'denied' });
});

const methodKind = (p: { method: string; kind?: number } | undefined) => ({ method: p?.method, kind: p?.kind });

test('each browser window gets its own prompt window; closing one refuses only its own requests', async ({ ext }) => {
  await setupAccount(ext);
  const first = await openSite(ext, '/blank.html');
  const promptA = await callAndCatchPrompt(ext, first, 'a', signScript(note('from window A')));
  await expect(promptA.getByTestId('prompt-content')).toHaveText('from window A');

  const { page: second, windowId } = await openSiteInNewWindow(ext);
  const promptB = await callAndCatchPrompt(ext, second, 'b', signScript(note('from window B')));
  await waitForPending(ext, 2);
  expect(promptFor(promptB)).toBe(windowId);
  expect(promptFor(promptA)).not.toBe(windowId);
  expect(promptA).not.toBe(promptB);
  // Each shows only its own window's request.
  await expect(promptB.getByTestId('prompt-content')).toHaveText('from window B');
  await expect(promptA.getByTestId('prompt-content')).toHaveText('from window A');
  await expect(promptA.getByTestId('prompt-waiting')).toHaveCount(0);
  await expect(promptB.getByTestId('prompt-waiting')).toHaveCount(0);

  // Closing some other window refuses nothing.
  const { page: unrelated } = await openSiteInNewWindow(ext);
  await unrelated.close();
  await first.waitForTimeout(300);
  expect((await status(ext)).pending).toHaveLength(2);

  await promptB.close();
  expect(await awaitCall(second, 'b')).toMatchObject({ ok: false, code: 'denied' });
  const left = (await status(ext)).pending;
  expect(left).toHaveLength(1);
  expect(await settledSoFar(first, ['a'])).toEqual({ a: 'pending' });
  expect(promptA.isClosed()).toBe(false);

  await armed(promptA);
  await promptA.getByTestId('prompt-allow').click();
  expect(await awaitCall(first, 'a')).toMatchObject({ ok: true, value: { content: 'from window A' } });
  expect(await signingLog(ext)).toHaveLength(1);
});
