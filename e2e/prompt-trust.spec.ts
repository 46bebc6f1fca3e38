// Prompts that cannot be raced or rushed, and requests bound to their document (docs/THREATS.md
// #38, #41, #43): a background tab does not take the focus; the prompt names the account, shows
// an encrypt's text and marks hidden characters in tags and the raw JSON; a sub-frame that
// navigates away cancels its waiting request; three refusals pause a site's prompts.
import { npubEncode } from 'nostr-tools/nip19';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { expect, nostrCall, openSite, setupAccount, test, type Extension } from './fixtures.ts';
import {
  addFrame,
  activity,
  armed,
  awaitCall,
  callAndCatchPrompt,
  catchPrompt,
  note,
  promptClosed,
  PROMPT_URL,
  signScript,
  startCall,
  status,
  waitForPending,
  watchPages,
} from './helpers.ts';

/** The extension's view of its windows: which is focused, and which one is a prompt window. */
async function windows(ext: Extension) {
  return ext.adminPage.evaluate(async () => {
    const all = await chrome.windows.getAll({ populate: true });
    return all.map((w) => ({ id: w.id, focused: w.focused, prompt: (w.tabs ?? []).some((t) => (t.url ?? '').includes('/src/ui/prompt/')) }));
  });
}


test('a request from a background tab opens the prompt window without focusing it; one from the active tab focuses it', async ({ ext }) => {
  await setupAccount(ext);
  const site = await openSite(ext, '/blank.html?background');
  // Another tab in front: the site's tab is now in the background of its window.
  const front = await ext.context.newPage();
  await front.goto(`${ext.siteUrl}/blank.html?front`);
  await front.bringToFront();

  const prompt = await callAndCatchPrompt(ext, site, 'bg', signScript(note('from the background')));
  await expect.poll(async () => (await windows(ext)).filter((w) => w.prompt).length).toBe(1);
  const [promptWindow] = (await windows(ext)).filter((w) => w.prompt);
  expect(promptWindow!.focused).toBe(false);
  // The last focused window is still the one the person was looking at.
  const lastFocused = await ext.adminPage.evaluate(async () => (await chrome.windows.getLastFocused()).id);
  expect(lastFocused).not.toBe(promptWindow!.id);
  // The badge still counts it.
  expect(await ext.worker.evaluate(() => chrome.action.getBadgeText({}))).toBe('1');
  await armed(prompt);
  await prompt.getByTestId('prompt-deny').click();
  expect(await awaitCall(site, 'bg')).toMatchObject({ ok: false, code: 'denied' });
  await promptClosed(prompt);

  // The same site's tab in front: its prompt window takes the focus, as before.
  await site.bringToFront();
  const again = await callAndCatchPrompt(ext, site, 'fg', signScript(note('from the front')));
  await expect.poll(async () => (await windows(ext)).find((w) => w.prompt)?.focused ?? null).toBe(true);
  await armed(again);
  await again.getByTestId('prompt-deny').click();
  expect(await awaitCall(site, 'fg')).toMatchObject({ ok: false, code: 'denied' });
});

test('the prompt names the signing account; hidden characters in a tag value and in the raw JSON are marked', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const tags = [
    ['p', 'a'.repeat(64)],
    ['t', 'nostr\u202Ertson'],
  ];
  const prompt = await callAndCatchPrompt(ext, page, 'sign', signScript(note('plain text', { tags })));
  const npub = npubEncode(pubkey);
  await expect(prompt.getByTestId('prompt-account')).toContainText('e2e');
  await expect(prompt.getByTestId('prompt-account')).toContainText(npub.slice(0, 10));
  await expect(prompt.getByTestId('prompt-account')).toContainText(npub.slice(-6));
  await expect(prompt.getByTestId('prompt-account')).toHaveAttribute('title', npub);

  await expect(prompt.getByTestId('prompt-hidden-chars')).toHaveCount(0); // the content is clean
  await expect(prompt.getByTestId('prompt-tags-hidden')).toBeVisible();
  await expect(prompt.getByTestId('prompt-tags-hidden')).toContainText('1');
  const list = prompt.getByTestId('prompt-tags-hidden-list');
  await expect(list).toContainText('nostr⟨U+202E⟩rtson');
  expect(await list.textContent()).not.toContain('\u202E');

  await prompt.getByTestId('prompt-raw-toggle').click();
  const raw = (await prompt.getByTestId('prompt-raw').textContent())!;
  expect(raw).toContain('nostr⟨U+202E⟩rtson');
  expect(raw).not.toContain('\u202E');
  await expect(prompt.getByTestId('prompt-raw').locator('mark.hidden-char')).toHaveCount(1);

  await armed(prompt);
  await prompt.getByTestId('prompt-allow').click();
  // What is signed is the page's tag, character for character.
  expect(await awaitCall(page, 'sign')).toMatchObject({ ok: true, value: { tags, pubkey } });
});

test('an encrypt prompt shows the text to be encrypted, hidden characters marked', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const peer = getPublicKey(generateSecretKey());
  const text = 'meet at the\u200B old mill';
  const prompt = await callAndCatchPrompt(ext, page, 'enc', `window.nostr.nip44.encrypt(${JSON.stringify(peer)}, ${JSON.stringify(text)})`);
  await expect(prompt.getByTestId('prompt-plaintext')).toHaveText('meet at the⟨U+200B⟩ old mill');
  await expect(prompt.getByTestId('prompt-plaintext-hidden')).toBeVisible();
  await expect(prompt.getByTestId('prompt-peer')).toHaveText(npubEncode(peer));
  await expect(prompt.getByTestId('prompt-account')).toContainText('e2e');
  await armed(prompt);
  await prompt.getByTestId('prompt-allow').click();
  const r = await awaitCall<string>(page, 'enc');
  expect(r.ok).toBe(true);
});


for (const how of ['navigates away', 'is removed'] as const) {
  test(`a sub-frame that ${how} cancels its waiting request; the top page's own request keeps waiting`, async ({ ext }) => {
    await setupAccount(ext);
    const page = await openSite(ext, '/blank.html');
    const frame = await addFrame(page, `${ext.otherSiteUrl}/blank.html?frame`);
    const prompt = catchPrompt(ext);
    await startCall(frame, 'fromFrame', signScript(note('from the frame')));
    await waitForPending(ext, 1);
    await startCall(page, 'fromTop', signScript(note('from the top')));
    const pending = await waitForPending(ext, 2);
    const shown = await prompt;
    await expect(shown.getByTestId('prompt-origin')).toHaveText(ext.otherSiteUrl);

    await page.evaluate((to) => {
      const f = document.querySelector('iframe')!;
      if (to) f.src = to;
      else f.remove();
    }, how === 'navigates away' ? `${ext.otherSiteUrl}/blank.html?elsewhere` : null);

    // The frame's request is gone from the queue and from the prompt, which now shows the top page's.
    await expect.poll(async () => (await status(ext)).pending.map((p) => p.origin)).toEqual([ext.siteUrl]);
    expect((await status(ext)).pending[0]!.promptId).toBe(pending.find((p) => p.origin === ext.siteUrl)!.promptId);
    await expect(shown.getByTestId('prompt-origin')).toHaveText(ext.siteUrl);
    await armed(shown);
    await shown.getByTestId('prompt-allow').click();
    expect(await awaitCall(page, 'fromTop')).toMatchObject({ ok: true });
  });
}

test('after three refusals within a minute (two Deny answers, one closed prompt window) the fourth request gets rate_limited with no prompt', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  for (let i = 0; i < 3; i++) {
    const prompt = await callAndCatchPrompt(ext, page, `try${i}`, signScript(note(`try ${i}`)));
    await armed(prompt);
    if (i < 2) await prompt.getByTestId('prompt-deny').click();
    else await prompt.close();
    expect(await awaitCall(page, `try${i}`)).toMatchObject({ ok: false, code: 'denied' });
    await promptClosed(prompt);
  }
  const opened = watchPages(ext);
  expect(await nostrCall(page, signScript(note('fourth')))).toMatchObject({ ok: false, code: 'rate_limited' });
  expect(await nostrCall(page, 'window.nostr.nip44.encrypt("' + getPublicKey(generateSecretKey()) + '", "x")')).toMatchObject({ ok: false, code: 'rate_limited' });
  expect((await status(ext)).pending).toEqual([]);
  expect(opened.filter((u) => PROMPT_URL.test(u))).toEqual([]);
  // The activity log says why.
  const rows = await activity(ext);
  expect(rows.find((r) => r.outcome === 'rate_limited')?.reason).toMatch(/refused 3 times within a minute/);
  // What the site's rules allow still works.
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 1 }] });
  expect(await nostrCall(page, signScript(note('allowed')))).toMatchObject({ ok: true });
});
