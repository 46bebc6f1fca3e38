// Scopes beyond the kind in the built extension: a gift-wrap rule for one sender lets that
// sender's messages through and asks for another's; relay AUTH for an unlisted relay asks and
// "always for this relay" remembers it; HTTP auth for another URL or method asks; the popup and
// the options page show the constraints (screenshots in test-results/scopes/).
import { npubEncode } from 'nostr-tools/nip19';
import { expect, openSite, setupAccount, test } from './fixtures.ts';
import { armed, awaitCall, callAndCatchPrompt, policies, promptClosed, signingLog } from './helpers.ts';
import { openOptions, openPopup } from './extensionPages.ts';
import { inbox, readInboxInPage, senders } from '../e2e-shared/dm.ts';

const SHOTS = 'test-results/scopes';
const signTags = (kind: number, tags: string[][]) => `window.nostr.signEvent(${JSON.stringify({ kind, content: '', tags, created_at: Math.floor(Date.now() / 1000) })})`;

test('a gift-wrap rule for one sender: that sender reads without a prompt, another sender asks by name', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  const [alice, bob] = senders(2);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'nip44_decrypt', giftWraps: true, peers: [alice!.pk] }] });
  const page = await openSite(ext, '/blank.html');
  const fromAlice = await page.evaluate(readInboxInPage, [inbox(pubkey, [alice!], 3), 1] as const);
  expect(fromAlice.refused).toEqual([]);
  expect(fromAlice.contents).toEqual(['message 0 from sender 0', 'message 1 from sender 0', 'message 2 from sender 0']);

  const [wrap] = inbox(pubkey, [bob!], 1);
  const prompt = await callAndCatchPrompt(ext, page, 'bob', `window.nostr.nip44.decrypt(${JSON.stringify(wrap!.pubkey)}, ${JSON.stringify(wrap!.content)})`);
  await expect(prompt.getByTestId('prompt-dm-sender')).toHaveText(npubEncode(bob!.pk));
  await expect(prompt.getByTestId('prompt-dm-waiting')).toContainText('1 message from this person waits');
  await expect(prompt.locator('[data-testid=prompt-scope] option[value=peer]')).toContainText("Always for this person's direct messages");
  await prompt.screenshot({ path: `${SHOTS}/prompt-dm.png` });
  await armed(prompt);
  await prompt.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'bob')).toMatchObject({ ok: false, code: 'denied' });
  expect((await signingLog(ext)).length).toBe(6);
});

test('relay AUTH for an unlisted relay asks; "always for this relay" remembers that relay only', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 22242, relays: ['wss://relay.one'] }] });
  const page = await openSite(ext, '/blank.html');
  const listed = await page.evaluate((s) => new Function(`return ${s}`)().then((e: { kind: number }) => e.kind), signTags(22242, [['relay', 'wss://relay.one/'], ['challenge', 'x']]));
  expect(listed).toBe(22242);

  const prompt = await callAndCatchPrompt(ext, page, 'two', signTags(22242, [['relay', 'wss://relay.two'], ['challenge', 'y']]));
  await expect(prompt.getByTestId('prompt-target')).toContainText('wss://relay.two');
  await prompt.getByTestId('prompt-scope').selectOption('relay');
  await armed(prompt);
  await prompt.getByTestId('prompt-allow').click();
  expect(await awaitCall(page, 'two')).toMatchObject({ ok: true });
  const rules = (await policies(ext, ext.siteUrl)).grants[0]!.rules as unknown as { kind: number; relays: string[] | null }[];
  expect(rules.map((r) => r.relays)).toEqual([['wss://relay.one'], ['wss://relay.two']]);
  await promptClosed(prompt);
  const three = await callAndCatchPrompt(ext, page, 'three', signTags(22242, [['relay', 'wss://relay.three'], ['challenge', 'z']]));
  await armed(three);
  await three.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'three')).toMatchObject({ ok: false, code: 'denied' });
});

test('HTTP auth for another URL or another method asks', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', kind: 27235, urls: ['https://api.example/v1'], httpMethods: ['GET'] }] });
  const page = await openSite(ext, '/blank.html');
  const run = (u: string, m: string) => page.evaluate((s) => new Function(`return ${s}`)().then(() => 'ok', (e: { code: string }) => e.code), signTags(27235, [['u', u], ['method', m]]));
  expect(await run('https://api.example/v1/items', 'GET')).toBe('ok');
  for (const [u, m] of [['https://api.example/v1-evil', 'GET'], ['https://api.example/v1/items', 'DELETE']] as const) {
    const prompt = await callAndCatchPrompt(ext, page, 'other', signTags(27235, [['u', u], ['method', m]]));
    await expect(prompt.getByTestId('prompt-target')).toContainText(m);
    await armed(prompt);
    await prompt.getByTestId('prompt-deny').click();
    expect(await awaitCall(page, 'other')).toMatchObject({ ok: false, code: 'denied' });
    await promptClosed(prompt);
  }
  expect(await signingLog(ext)).toHaveLength(1);
});

test('the popup and the options page show constraints in words', async ({ ext }) => {
  await setupAccount(ext);
  const [alice, bob] = senders(2);
  await ext.admin('grant', {
    origin: ext.siteUrl,
    rules: [
      { method: 'get_public_key' },
      { method: 'nip44_decrypt', peers: [alice!.pk, bob!.pk] },
      { method: 'nip44_decrypt', giftWraps: true, maxUsageCount: 1000, windowSeconds: 86400 },
      { method: 'sign_event', kind: 22242, relays: ['wss://relay.one', 'wss://relay.two'] },
      { method: 'sign_event', kind: 27235, urls: ['https://api.example/v1'], httpMethods: ['GET', 'POST'] },
    ],
  });
  const short = (pk: string) => {
    const n = npubEncode(pk);
    return `${n.slice(0, 10)}…${n.slice(-6)}`;
  };
  const popup = await openPopup(ext, ext.siteUrl);
  const constraints = popup.getByTestId('popup-rule-constraint');
  await expect(constraints).toHaveCount(4);
  await expect(constraints.nth(0)).toHaveText(`— only with ${[alice!.pk, bob!.pk].sort().map(short).join(' and ')}`);
  await expect(popup.getByTestId('popup-site-panel')).toContainText('direct messages (NIP-17) only');
  await expect(popup.getByTestId('popup-site-panel')).toContainText('only on wss://relay.one and wss://relay.two');
  await expect(popup.getByTestId('popup-site-panel')).toContainText('only for https://api.example/v1…, only GET and POST');
  await popup.setViewportSize({ width: 400, height: 720 });
  await popup.screenshot({ path: `${SHOTS}/popup-scopes.png`, fullPage: true });

  const options = await openOptions(ext, 'sites');
  await expect(options.getByTestId('options-rule-constraint').first()).toBeVisible();
  await expect(options.getByTestId('options-rule-constraint')).toHaveCount(4);
  await options.setViewportSize({ width: 1000, height: 900 });
  await options.screenshot({ path: `${SHOTS}/options-scopes.png`, fullPage: true });
});
