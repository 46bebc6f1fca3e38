// docs/THREATS.md #12: the page changes the event object after calling signEvent. What the prompt
// shows, what is signed and what comes back is the event as it was at the call; later changes to
// the page's object (its content, its kind, its tags and the arrays inside them) reach nothing.
import type { Page } from '@playwright/test';
import { verifyEvent } from 'nostr-tools/pure';
import { expect, openSite, setupAccount, test } from './fixtures.ts';
import { armed, awaitCall, catchPrompt, signingLog, type SignedEvent } from './helpers.ts';

const ASKED = { kind: 1, content: 'what I asked to sign', tags: [['t', 'asked']] };

/**
 * In the page: calls signEvent with a fresh object, then changes that object in the same task (before
 * the provider's code could run again) and once more in the next task. The object stays on
 * `window.__ev` so the test can change it again later.
 */
async function signThenMutate(page: Page): Promise<void> {
  await page.evaluate((asked) => {
    const w = window as unknown as { __ev: Record<string, unknown>; __calls: Record<string, Promise<unknown>>; nostr: { signEvent(e: unknown): Promise<unknown> } };
    const ev: Record<string, unknown> = { ...structuredClone(asked), created_at: Math.floor(Date.now() / 1000) };
    w.__ev = ev;
    w.__calls = {
      sign: w.nostr.signEvent(ev).then(
        (value) => ({ ok: true, value }),
        (err: { code?: string; message?: string }) => ({ ok: false, code: err.code ?? 'none', message: err.message }),
      ),
    };
    ev.content = 'changed at once';
    (ev.tags as string[][])[0]![1] = 'changed at once';
    (ev.tags as string[][]).push(['p', 'f'.repeat(64)]);
    ev.kind = 0;
    setTimeout(() => {
      ev.content = 'changed a task later';
      ev.kind = 3;
    }, 0);
  }, ASKED);
}

/** Changes the page's object once more (while a prompt is shown, say). */
const mutateAgain = (page: Page) =>
  page.evaluate(() => {
    const ev = (window as unknown as { __ev: { content: string; tags: string[][] } }).__ev;
    ev.content = 'changed while the prompt was shown';
    ev.tags = [['e', '0'.repeat(64)]];
  });

function expectAsked(r: { ok: boolean; value?: unknown }, pubkey: string): SignedEvent {
  expect(r.ok, JSON.stringify(r)).toBe(true);
  const ev = r.value as SignedEvent;
  expect(ev).toMatchObject({ ...ASKED, pubkey });
  expect(verifyEvent({ ...ev }), 'the signature verifies').toBe(true);
  return ev;
}

test('an event changed after signEvent: the prompt shows, and the signer signs, the event as called', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const opened = catchPrompt(ext);
  await signThenMutate(page);
  const prompt = await opened;
  await mutateAgain(page);

  await expect(prompt.getByTestId('prompt-content')).toHaveText(ASKED.content);
  await expect(prompt.getByTestId('prompt-kind')).toContainText('1');
  await expect(prompt.getByTestId('prompt-tags')).toContainText('t ×1');
  await prompt.getByTestId('prompt-raw-toggle').click();
  const raw = JSON.parse((await prompt.getByTestId('prompt-raw').textContent())!) as SignedEvent;
  expect(raw).toMatchObject({ ...ASKED, pubkey });

  await armed(prompt);
  await mutateAgain(page);
  await prompt.getByTestId('prompt-allow').click();
  const ev = expectAsked(await awaitCall(page, 'sign'), pubkey);
  expect(ev.id, 'the event signed is the one the prompt showed').toBe(raw.id);
  expect((await signingLog(ext)).map((e) => e.eventId)).toEqual([raw.id]);
  // The page's own object kept its changes: the signer never wrote to it either.
  expect(await page.evaluate(() => (window as unknown as { __ev: { content: string } }).__ev.content)).toBe('changed while the prompt was shown');
});

test('an event changed after signEvent on a granted site (no prompt): the event as called is signed', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 1 }] });
  const page = await openSite(ext, '/blank.html');
  await signThenMutate(page);
  // A changed kind would not be granted and would wait on a prompt: give up after 5 s, not 60.
  const r = await page.evaluate(() =>
    Promise.race([
      (window as unknown as { __calls: Record<string, Promise<unknown>> }).__calls.sign,
      new Promise((ok) => setTimeout(() => ok({ ok: false, code: 'still_pending' }), 5_000)),
    ]),
  );
  const ev = expectAsked(r as { ok: boolean; value?: unknown }, pubkey);
  expect((await signingLog(ext)).map((e) => [e.kind, e.eventId])).toEqual([[1, ev.id]]);
});
