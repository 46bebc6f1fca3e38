// What the prompt shows (docs/ARCHITECTURE.md, The prompt; docs/THREATS.md #3, #9, #12, #13, #16): content as plain text with
// hidden characters made visible, a tag summary, the raw JSON of the very copy that is signed,
// the peer (never the plaintext) of a decrypt, the frame a request came from, and buttons that
// accept a click only a moment after a request is shown, with focus on Deny.
import { npubEncode } from 'nostr-tools/nip19';
import { verifyEvent } from 'nostr-tools/pure';
import { expect, openSite, setupAccount, test } from './fixtures.ts';
import {
  addFrame,
  armed,
  awaitCall,
  callAndCatchPrompt,
  catchPrompt,
  nip44From,
  note,
  promptClosed,
  signingLog,
  signScript,
  sleep,
  startCall,
  status,
  waitForPending,
  type SignedEvent,
} from './helpers.ts';

test('bidi override and zero-width characters are shown as ⟨U+…⟩ marks, with a warning', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const content = 'pay alice\u202Eecila yap\u200Bnow';
  const prompt = await callAndCatchPrompt(ext, page, 'sign', signScript(note(content)));
  const shown = prompt.getByTestId('prompt-content');
  await expect(shown).toContainText('⟨U+202E⟩');
  await expect(shown).toContainText('⟨U+200B⟩');
  await expect(shown).toHaveText('pay alice⟨U+202E⟩ecila yap⟨U+200B⟩now');
  // The characters themselves are not in the shown text: nothing is reordered or hidden.
  const text = await shown.textContent();
  expect(text).not.toContain('\u202E');
  expect(text).not.toContain('\u200B');
  await expect(prompt.getByTestId('prompt-hidden-chars')).toBeVisible();
  await expect(prompt.getByTestId('prompt-hidden-chars')).toContainText('2');

  // The page still gets exactly what it asked to sign.
  await armed(prompt);
  await prompt.getByTestId('prompt-allow').click();
  expect(await awaitCall(page, 'sign')).toMatchObject({ ok: true, value: { content } });
});

test('HTML content is shown as text; the tag summary counts tags; the raw JSON is the very event the page receives', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const html = '<b>x</b><img src=x onerror=alert(1)>';
  const tags = [
    ['p', 'a'.repeat(64)],
    ['e', 'b'.repeat(64)],
    ['p', 'c'.repeat(64)],
  ];
  // A stale id, sig and created_at from the page: the background computes its own copy.
  const event = note(html, { tags, id: '0'.repeat(64), sig: '1'.repeat(128) });
  const prompt = await callAndCatchPrompt(ext, page, 'sign', signScript(event));
  const dialogs: string[] = [];
  prompt.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const shown = prompt.getByTestId('prompt-content');
  await expect(shown).toHaveText(html);
  await expect(shown.locator('b')).toHaveCount(0);
  await expect(shown.locator('img')).toHaveCount(0);
  await expect(prompt.getByTestId('prompt-hidden-chars')).toHaveCount(0);
  await expect(prompt.getByTestId('prompt-tags')).toContainText('p ×2 · e ×1');

  await expect(prompt.getByTestId('prompt-raw')).toHaveCount(0);
  await prompt.getByTestId('prompt-raw-toggle').click();
  await expect(prompt.getByTestId('prompt-raw')).toBeVisible();
  const raw = JSON.parse((await prompt.getByTestId('prompt-raw').textContent())!) as SignedEvent;
  expect(raw).toMatchObject({ kind: 1, content: html, tags, pubkey });
  expect(raw.id).toMatch(/^[0-9a-f]{64}$/);
  expect(raw.id).not.toBe('0'.repeat(64));

  await armed(prompt);
  await prompt.getByTestId('prompt-allow').click();
  const r = await awaitCall<SignedEvent>(page, 'sign');
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  expect(r.value.id).toBe(raw.id);
  expect(r.value).toMatchObject({ pubkey: raw.pubkey, created_at: raw.created_at, content: html, tags });
  expect(verifyEvent({ ...r.value })).toBe(true);
  expect((await signingLog(ext))[0]?.eventId).toBe(raw.id);
  expect(dialogs).toEqual([]);
});

test('a decrypt prompt names the peer (npub) and never holds the plaintext, before or after Allow', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const a = nip44From(pubkey, 'PLAINTEXT-ONE the meeting is at dawn');
  const b = nip44From(pubkey, 'PLAINTEXT-TWO bring the map');
  const decrypt = (x: { peer: string; ciphertext: string }) => `window.nostr.nip44.decrypt(${JSON.stringify(x.peer)}, ${JSON.stringify(x.ciphertext)})`;
  const prompt = await callAndCatchPrompt(ext, page, 'a', decrypt(a));
  // A second one keeps the window open after the first is answered.
  await startCall(page, 'b', decrypt(b));
  await waitForPending(ext, 2);

  await expect(prompt.getByTestId('prompt-method')).toContainText('decrypt');
  await expect(prompt.getByTestId('prompt-peer')).toHaveText(npubEncode(a.peer));
  await expect(prompt.getByTestId('prompt-content')).toHaveCount(0);
  const noPlaintext = async () => {
    const html = await prompt.content();
    expect(html).not.toContain('PLAINTEXT-ONE');
    expect(html).not.toContain('PLAINTEXT-TWO');
    expect(html).not.toContain('meeting is at dawn');
  };
  await noPlaintext();

  await armed(prompt);
  await prompt.getByTestId('prompt-allow').click();
  expect(await awaitCall(page, 'a')).toEqual({ ok: true, value: 'PLAINTEXT-ONE the meeting is at dawn' });
  // Now the second is on screen, from its own peer; the first's plaintext went to the page only.
  await expect(prompt.getByTestId('prompt-peer')).toHaveText(npubEncode(b.peer));
  await noPlaintext();

  await armed(prompt);
  await prompt.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'b')).toMatchObject({ ok: false, code: 'denied' });
  if (!prompt.isClosed()) await noPlaintext().catch((err: Error) => {
    // The window may close between the check and content(): only a real finding fails.
    if (!prompt.isClosed()) throw err;
  });
});

type Shown = { shown: number; enabled?: number; allowDisabled: boolean; denyDisabled: boolean };

test('click safety: Allow and Deny start disabled for each request shown, are armed ~600 ms later with focus on Deny; clicks before that do nothing', async ({ ext }) => {
  await setupAccount(ext);
  // Inside the prompt page, for every request that comes on screen (by its prompt id): note when
  // the buttons appear and when they are enabled, and click Allow the moment it appears, as a
  // double-click or key repeat that lands on a fresh prompt would.
  await ext.context.addInitScript(() => {
    if (!location.pathname.endsWith('/src/ui/prompt/index.html')) return;
    const seen: Record<string, Shown> = ((window as unknown as { __shown: Record<string, Shown> }).__shown = {});
    const check = () => {
      const id = document.querySelector('[data-testid="prompt"]')?.getAttribute('data-prompt-id');
      const allow = document.querySelector<HTMLButtonElement>('[data-testid="prompt-allow"]');
      const deny = document.querySelector<HTMLButtonElement>('[data-testid="prompt-deny"]');
      if (!id || !allow || !deny) return;
      if (!seen[id]) {
        seen[id] = { shown: performance.now(), allowDisabled: allow.disabled, denyDisabled: deny.disabled };
        allow.click();
        allow.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
      }
      if (seen[id].enabled === undefined && !allow.disabled && !deny.disabled) seen[id].enabled = performance.now();
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
  });
  const page = await openSite(ext, '/blank.html');
  const prompt = await callAndCatchPrompt(ext, page, 'a', signScript(note('first on screen')));
  await startCall(page, 'b', signScript(note('second on screen')));
  const [a, b] = await waitForPending(ext, 2);
  const shown = () => prompt.evaluate(() => (window as unknown as { __shown: Record<string, Shown> }).__shown);
  const deny = prompt.getByTestId('prompt-deny');

  for (const [name, request] of [['a', a!], ['b', b!]] as const) {
    await expect(prompt.getByTestId('prompt')).toHaveAttribute('data-prompt-id', request.promptId);
    await armed(prompt);
    const rec = (await shown())[request.promptId]!;
    expect(rec, `request ${name}: both buttons disabled when it came on screen`).toMatchObject({ allowDisabled: true, denyDisabled: true });
    const delay = rec.enabled! - rec.shown;
    // 600 ms in the source; the page's own observer can note the appearance a little late on a
    // loaded machine, so the bound is lower (a missing delay measures ~0-50 ms).
    expect(delay, `request ${name}: armed after the click delay`).toBeGreaterThanOrEqual(450);
    expect(delay).toBeLessThan(3_000);
    // Focus starts on Deny (soft: the checks below still run if it does not).
    await expect.soft(deny, `request ${name}: focus is on Deny once the buttons are armed`).toBeFocused({ timeout: 2_000 });
    // The early clicks answered nothing: the request still waits, nothing was signed.
    await sleep(200);
    expect((await status(ext)).pending.map((p) => p.promptId)).toContain(request.promptId);
    expect(await signingLog(ext)).toEqual([]);
    // A stray Enter hits the focused button: Deny, not Allow.
    if (await deny.evaluate((el) => el === document.activeElement)) await prompt.keyboard.press('Enter');
    else await deny.click();
    expect(await awaitCall(page, name)).toMatchObject({ ok: false, code: 'denied' });
  }
  expect(await signingLog(ext)).toEqual([]);
});


test("a cross-origin iframe's request says it is embedded, and names the top-level site", async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const frame = await addFrame(page, `${ext.otherSiteUrl}/blank.html`);
  await frame.waitForFunction(() => 'nostr' in window);
  const opened = catchPrompt(ext);
  await frame.evaluate((src) => {
    const w = window as unknown as { __r?: Promise<unknown> };
    // The call is sent as source text and run in the page, where window.nostr lives.
    w.__r = (new Function(`return (${src})`)() as Promise<unknown>).then(
      (v) => ({ ok: true, v }),
      (e: { code?: string }) => ({ ok: false, code: e.code }),
    );
  }, signScript(note('from the frame')));
  const prompt = await opened;
  await expect(prompt.getByTestId('prompt-origin')).toHaveText(ext.otherSiteUrl);
  await expect(prompt.getByTestId('prompt-embedded')).toBeVisible();
  await expect(prompt.getByTestId('prompt-embedded')).toContainText(ext.siteUrl);
  await armed(prompt);
  await prompt.getByTestId('prompt-deny').click();
  expect(await frame.evaluate(() => (window as unknown as { __r: Promise<unknown> }).__r)).toEqual({ ok: false, code: 'denied' });

  // A request of the top-level page itself is not marked as embedded.
  await promptClosed(prompt);
  const top = await callAndCatchPrompt(ext, page, 'top', signScript(note('from the top')));
  await expect(top.getByTestId('prompt-origin')).toHaveText(ext.siteUrl);
  await expect(top.getByTestId('prompt-content')).toHaveText('from the top');
  await expect(top.getByTestId('prompt-embedded')).toHaveCount(0);
  await armed(top);
  await top.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'top')).toMatchObject({ ok: false, code: 'denied' });
});

test('a credential kind asks under a method-wide rule and says in words what it signs in to', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }] });
  const page = await openSite(ext, '/blank.html');
  const auth = { kind: 27235, content: '', tags: [['u', 'https://api.example/upload'], ['method', 'POST']], created_at: Math.floor(Date.now() / 1000) };
  const prompt = await callAndCatchPrompt(ext, page, 'auth', signScript(auth));
  await expect(prompt.getByTestId('prompt-sensitive')).toBeVisible();
  await expect(prompt.getByTestId('prompt-target')).toHaveText('This authorizes POST https://api.example/upload in your name.');
  await armed(prompt);
  await prompt.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'auth')).toMatchObject({ ok: false, code: 'denied' });
  // A note still signs without asking under the same rule.
  expect(await page.evaluate(signScript(note('hello')))).toMatchObject({ kind: 1 });
});
