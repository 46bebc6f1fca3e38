// The prompt window (opened by the background with windows.create) answers a request no policy
// covers; and the keepalive holds Firefox's event page while the prompt stays open longer than the
// browser's idle limit.
import { afterEach, expect, test } from 'vitest';
import { verifyEvent } from 'nostr-tools/pure';
import {
  answerPrompt,
  awaitCall,
  catchPrompt,
  launchFirefox,
  openSite,
  policies,
  setupAccount,
  signCall,
  signingLog,
  sleep,
  startCall,
  type Extension,
  type SignedEvent,
} from './fixtures.ts';

let ext: Extension | undefined;
afterEach(async () => {
  await ext?.close();
  ext = undefined;
});

test('a request with no grant opens the prompt; its buttons arm after a moment; Allow signs', async () => {
  ext = await launchFirefox();
  const { pubkey } = await setupAccount(ext);
  const page = await openSite(ext);
  const prompt = catchPrompt(ext);
  await startCall(page, 'sign', signCall('please sign me'));
  const window = await prompt;

  // A stray click cannot answer: the buttons start disabled.
  await window.waitForSelector('[data-testid="prompt-allow"]');
  expect(await window.$eval('[data-testid="prompt-allow"]', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
  expect(await window.$eval('[data-testid="prompt-origin"]', (e) => e.textContent)).toBe(ext.siteUrl);
  expect((await ext.status()).pending).toHaveLength(1);
  await answerPrompt(window, 'allow');

  const r = await awaitCall<SignedEvent>(page, 'sign');
  expect(r).toMatchObject({ ok: true, value: { pubkey, content: 'please sign me' } });
  if (r.ok) expect(verifyEvent({ ...r.value })).toBe(true);
  expect(await signingLog(ext)).toHaveLength(1);
  // "Just this once" remembers nothing.
  expect((await policies(ext)).grants.flatMap((g) => g.rules)).toEqual([]);
  expect((await ext.status()).pending).toEqual([]);
});

test('Deny rejects the page with code denied and signs nothing', async () => {
  ext = await launchFirefox();
  await setupAccount(ext);
  const page = await openSite(ext);
  const prompt = catchPrompt(ext);
  await startCall(page, 'sign', signCall('deny me'));
  await answerPrompt(await prompt, 'deny');
  expect(await awaitCall(page, 'sign')).toMatchObject({ ok: false, code: 'denied' });
  expect(await signingLog(ext)).toEqual([]);
});

test('a prompt left open past the idle limit: the event page is kept alive, Allow still signs, then it may stop', async () => {
  // Firefox stops an idle event page after 8 s here (30 s by default), even while the page's
  // runtime.sendMessage waits for the prompt; the bridge's keepalive port pings every 5 s.
  ext = await launchFirefox();
  const { pubkey } = await setupAccount(ext);
  await ext.setBackgroundIdle(8_000);
  const page = await openSite(ext);
  const before = await ext.status();
  const prompt = catchPrompt(ext);
  await startCall(page, 'sign', signCall('a slow answer'));
  const window = await prompt;

  // Two and a half idle limits with nothing but the keepalive; Firefox's own view of the page
  // (read in its parent process, which neither wakes nor holds it) must stay "running".
  const states = new Set<string>();
  for (const end = Date.now() + 20_000; Date.now() < end; await sleep(500)) states.add(await ext.backgroundState());
  expect([...states]).toEqual(['running']);
  const during = await ext.status();
  expect(during.workerStartedAt).toBe(before.workerStartedAt); // never restarted
  expect(during.pending).toHaveLength(1);

  await answerPrompt(window, 'allow');
  const r = await awaitCall<SignedEvent>(page, 'sign');
  expect(r).toMatchObject({ ok: true, value: { pubkey, content: 'a slow answer' } });
  if (r.ok) expect(verifyEvent({ ...r.value })).toBe(true);

  // With nothing in flight the keepalive lets go: Firefox stops the idle page as usual.
  await ext.waitForBackgroundStop(30_000);
});
