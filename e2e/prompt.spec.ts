// The prompt window: opens for a request no policy covers; Allow, Deny, "remember for the method",
// and closing the window all settle the page's promise.
import { verifyEvent } from 'nostr-tools/pure';
import { expect, nostrCall, openSite, setupAccount, test } from './fixtures.ts';
import { awaitCall, note, PROMPT_PATH, policies, signingLog, sleep, startCall, status, watchPages, type SignedEvent } from './helpers.ts';

const sign = (content: string) => `window.nostr.signEvent(${JSON.stringify(note(content))})`;

test('a request with no grant opens the prompt; Allow resolves the page with a signature', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const opened = ext.context.waitForEvent('page');
  await startCall(page, 'sign', sign('please sign me'));
  const prompt = await opened;
  await prompt.waitForURL((url) => url.href.includes(PROMPT_PATH));
  expect(prompt.url().includes(PROMPT_PATH)).toBe(true);
  expect(prompt.url().startsWith(`chrome-extension://${ext.id}/`)).toBe(true);

  const allow = prompt.getByTestId('prompt-allow');
  await expect(allow).toBeVisible();
  // A stray click cannot answer: the buttons start disabled, and are enabled a moment later.
  expect(await allow.isDisabled()).toBe(true);
  await expect(prompt.getByTestId('prompt-origin')).toHaveText(ext.siteUrl);
  await expect(prompt.getByTestId('prompt-content')).toHaveText('please sign me');
  await expect(allow).toBeEnabled();
  // Still waiting until the user answers.
  expect((await status(ext)).pending).toHaveLength(1);
  await allow.click();

  const r = await awaitCall<SignedEvent>(page, 'sign');
  expect(r).toMatchObject({ ok: true, value: { pubkey, content: 'please sign me', kind: 1 } });
  if (r.ok) expect(verifyEvent({ ...r.value })).toBe(true);
  expect(await signingLog(ext)).toHaveLength(1);
  // "Just this once" remembers nothing.
  expect((await policies(ext)).grants.flatMap((g) => g.rules)).toEqual([]);
  expect((await status(ext)).pending).toEqual([]);
});

test('Deny rejects the page with code denied and signs nothing', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const opened = ext.context.waitForEvent('page');
  await startCall(page, 'sign', sign('deny me'));
  const prompt = await opened;
  await prompt.waitForURL((url) => url.href.includes(PROMPT_PATH));
  await expect(prompt.getByTestId('prompt-deny')).toBeEnabled();
  await prompt.getByTestId('prompt-deny').click();
  const r = await awaitCall(page, 'sign');
  expect(r).toMatchObject({ ok: false, code: 'denied' });
  if (!r.ok) expect(r.message.length).toBeGreaterThan(0);
  expect(await signingLog(ext)).toEqual([]);
  expect((await policies(ext)).overrides).toEqual([]);
});

test("scope 'method' then Allow creates a rule; the next request needs no prompt", async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const opened = ext.context.waitForEvent('page');
  await startCall(page, 'first', sign('first, asks'));
  const prompt = await opened;
  await prompt.waitForURL((url) => url.href.includes(PROMPT_PATH));
  await prompt.getByTestId('prompt-scope').selectOption('method');
  await expect(prompt.getByTestId('prompt-allow')).toBeEnabled();
  await prompt.getByTestId('prompt-allow').click();
  expect(await awaitCall(page, 'first')).toMatchObject({ ok: true });

  const { grants } = await policies(ext, ext.siteUrl);
  const live = grants.filter((g) => g.revokedAt === null);
  expect(live).toHaveLength(1);
  expect(live[0]!.rules).toEqual([expect.objectContaining({ method: 'sign_event', kind: null, maxUsageCount: null })]);

  // The prompt window goes away once nothing waits; the next two requests sign with no prompt.
  if (!prompt.isClosed()) await prompt.waitForEvent('close', { timeout: 5_000 });
  const seen = watchPages(ext);
  expect(await nostrCall(page, sign('second, remembered'))).toMatchObject({ ok: true });
  expect(await nostrCall(page, `window.nostr.signEvent(${JSON.stringify(note('kind 7', { kind: 7 }))})`)).toMatchObject({ ok: true });
  await sleep(300);
  expect(seen.filter((u) => u.includes(PROMPT_PATH))).toEqual([]);
  expect((await status(ext)).pending).toEqual([]);
  expect(await signingLog(ext)).toHaveLength(3);
});

test('closing the prompt window rejects the waiting request with denied', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const opened = ext.context.waitForEvent('page');
  await startCall(page, 'sign', sign('never answered'));
  const prompt = await opened;
  await prompt.waitForURL((url) => url.href.includes(PROMPT_PATH));
  await expect(prompt.getByTestId('prompt')).toBeVisible();
  const started = Date.now();
  await prompt.close();
  const r = await awaitCall(page, 'sign');
  expect(r).toMatchObject({ ok: false, code: 'denied' });
  expect(Date.now() - started).toBeLessThan(5_000);
  expect((await status(ext)).pending).toEqual([]);
  expect(await signingLog(ext)).toEqual([]);
});
