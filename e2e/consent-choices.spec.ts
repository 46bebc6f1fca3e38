// The prompt's choices and what each one stores (docs/ARCHITECTURE.md, The prompt, Choices): scope, duration and cap of a
// remembered allow, "deny and remember", the presets offered at a site's first contact, and the
// sensitive kinds that a method-wide rule never covers. Every test clicks the real prompt and
// checks both what get_policies returns and what the page gets.
import { PRESETS } from '../src/policy/presets.ts';
import { expect, openSite, setupAccount, test, type Extension } from './fixtures.ts';
import {
  armed,
  awaitCall,
  callAndCatchPrompt,
  note,
  nostrCallWithin,
  policies,
  PROMPT_PATH,
  promptClosed,
  signingLog,
  signScript,
  status,
  watchPages,
  type Policies,
  type SignedEvent,
} from './helpers.ts';

const HOUR = 3_600;
const DAY = 86_400;

/** The live grants of the test site (revoked or expired ones are history, not policy). */
const liveGrants = async (ext: Extension) => (await policies(ext, ext.siteUrl)).grants.filter((g) => g.revokedAt === null && (g.expiresAt === null || g.expiresAt > Date.now()));
const liveOverrides = async (ext: Extension) => (await policies(ext, ext.siteUrl)).overrides.filter((o) => o.revokedAt === null);

/** A call that must settle on policy alone: no prompt window opens and nothing waits. */
async function withoutPrompt(ext: Extension, page: import('@playwright/test').Page, script: string) {
  const seen = watchPages(ext);
  const r = await nostrCallWithin(page, script, 3_000);
  expect(seen.filter((u) => u.includes(PROMPT_PATH)), 'no prompt window for a request policy decides').toEqual([]);
  expect((await status(ext)).pending).toEqual([]);
  return r;
}

/** A call that must ask: a prompt window opens with it on screen. Returns the prompt page. */
async function asks(ext: Extension, page: import('@playwright/test').Page, name: string, script: string, kind: number | null) {
  const prompt = await callAndCatchPrompt(ext, page, name, script);
  await expect(prompt.getByTestId('prompt')).toBeVisible();
  const pending = (await status(ext)).pending;
  expect(pending).toHaveLength(1);
  if (kind !== null) {
    expect(pending[0]).toMatchObject({ origin: ext.siteUrl, method: 'sign_event', kind });
    await expect(prompt.getByTestId('prompt-kind')).toContainText(`kind ${kind}`);
  }
  return prompt;
}

test("allow, scope 'kind', 1 hour, cap 2 per hour: stores that rule; the next kind 1 signs unasked, the one after the cap is refused, kind 7 still asks", async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const prompt = await asks(ext, page, 'first', signScript(note('first, asks')), 1);

  await prompt.getByTestId('prompt-scope').selectOption('kind');
  await expect(prompt.getByTestId('prompt-duration')).toBeEnabled();
  await prompt.getByTestId('prompt-duration').selectOption('3600');
  await prompt.getByTestId('prompt-cap-enabled').check();
  await prompt.getByTestId('prompt-cap-count').fill('2');
  await prompt.getByTestId('prompt-cap-window').selectOption('3600');
  await armed(prompt);
  const before = Date.now();
  await prompt.getByTestId('prompt-allow').click();
  const first = await awaitCall<SignedEvent>(page, 'first');
  const after = Date.now();
  expect(first).toMatchObject({ ok: true, value: { kind: 1, content: 'first, asks' } });

  const grants = await liveGrants(ext);
  expect(grants).toHaveLength(1);
  const rules = grants[0]!.rules as (Policies['grants'][number]['rules'][number] & { expiresAt: number | null })[];
  expect(rules).toEqual([expect.objectContaining({ method: 'sign_event', kind: 1, maxUsageCount: 2, windowSeconds: HOUR })]);
  // The rule lives one hour from the answer.
  expect(rules[0]!.expiresAt).toBeGreaterThanOrEqual(before + HOUR * 1000 - 5_000);
  expect(rules[0]!.expiresAt).toBeLessThanOrEqual(after + HOUR * 1000 + 5_000);
  // The request the user allowed counts against the cap too.
  expect(rules[0]!.used).toBe(1);
  expect(await liveOverrides(ext)).toEqual([]);

  await promptClosed(prompt);
  expect(await withoutPrompt(ext, page, signScript(note('second, within the cap')))).toMatchObject({ ok: true, value: { kind: 1, content: 'second, within the cap' } });
  const third = await withoutPrompt(ext, page, signScript(note('third, over the cap')));
  expect(third).toMatchObject({ ok: false, code: 'cap_exceeded' });
  expect(await signingLog(ext)).toHaveLength(2);

  // Another kind is not covered by a rule for kind 1.
  const other = await asks(ext, page, 'seven', signScript(note('+', { kind: 7 })), 7);
  await armed(other);
  await other.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'seven')).toMatchObject({ ok: false, code: 'denied' });
  expect(await signingLog(ext)).toHaveLength(2);
});

test("allow, scope 'method', until the browser closes: the rule is stored and covers the next requests", async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const prompt = await asks(ext, page, 'first', signScript(note('session rule')), 1);
  await prompt.getByTestId('prompt-scope').selectOption('method');
  await prompt.getByTestId('prompt-duration').selectOption('session');
  await armed(prompt);
  await prompt.getByTestId('prompt-allow').click();
  expect(await awaitCall(page, 'first')).toMatchObject({ ok: true });

  const grants = await liveGrants(ext);
  expect(grants).toHaveLength(1);
  // No clock expiry: it ends with the browser session.
  expect(grants[0]!.rules).toEqual([expect.objectContaining({ method: 'sign_event', kind: null, maxUsageCount: null, windowSeconds: null, expiresAt: null })]);

  await promptClosed(prompt);
  expect(await withoutPrompt(ext, page, signScript(note('kind 1 again')))).toMatchObject({ ok: true, value: { kind: 1 } });
  expect(await withoutPrompt(ext, page, signScript(note('+', { kind: 7 })))).toMatchObject({ ok: true, value: { kind: 7 } });
  expect(await signingLog(ext)).toHaveLength(3);
});

test("deny, scope 'method': a deny override for the whole method; the next requests are refused at once", async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const prompt = await asks(ext, page, 'first', signScript(note('deny them all')), 1);
  await prompt.getByTestId('prompt-scope').selectOption('method');
  await armed(prompt);
  await prompt.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'first')).toMatchObject({ ok: false, code: 'denied' });

  expect(await liveOverrides(ext)).toEqual([expect.objectContaining({ origin: ext.siteUrl, method: 'sign_event', kind: null, effect: 'deny' })]);
  expect((await liveGrants(ext)).flatMap((g) => g.rules)).toEqual([]);

  await promptClosed(prompt);
  const started = Date.now();
  expect(await withoutPrompt(ext, page, signScript(note('again')))).toMatchObject({ ok: false, code: 'denied' });
  expect(await withoutPrompt(ext, page, signScript(note('+', { kind: 7 })))).toMatchObject({ ok: false, code: 'denied' });
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(await signingLog(ext)).toEqual([]);
});

test("deny, scope 'kind': a deny override for that kind only; another kind still asks", async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const prompt = await asks(ext, page, 'first', signScript(note('deny kind 1')), 1);
  await prompt.getByTestId('prompt-scope').selectOption('kind');
  await armed(prompt);
  await prompt.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'first')).toMatchObject({ ok: false, code: 'denied' });

  expect(await liveOverrides(ext)).toEqual([expect.objectContaining({ origin: ext.siteUrl, method: 'sign_event', kind: 1, effect: 'deny' })]);
  expect((await liveGrants(ext)).flatMap((g) => g.rules)).toEqual([]);

  await promptClosed(prompt);
  expect(await withoutPrompt(ext, page, signScript(note('kind 1 again')))).toMatchObject({ ok: false, code: 'denied' });
  const other = await asks(ext, page, 'seven', signScript(note('+', { kind: 7 })), 7);
  await armed(other);
  await other.getByTestId('prompt-allow').click();
  expect(await awaitCall(page, 'seven')).toMatchObject({ ok: true, value: { kind: 7 } });
  expect(await signingLog(ext)).toHaveLength(1);
});

test("first contact offers presets; 'Social client' stores exactly its rules: kind 1 then signs unasked, kind 0 asks", async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const prompt = await callAndCatchPrompt(ext, page, 'pk', 'window.nostr.getPublicKey()');
  await expect(prompt.getByTestId('prompt-method')).toContainText('public key');
  await expect(prompt.getByTestId('prompt-preset-pubkey_only')).toBeChecked();
  await expect(prompt.getByTestId('prompt-preset-social')).not.toBeChecked();
  await expect(prompt.getByTestId('prompt-preset-custom')).not.toBeChecked();
  // The user sees what each preset contains.
  await expect(prompt.getByTestId('prompt')).toContainText('sign kind 1, at most 200 per day');
  // Relay AUTH is a credential: the Social client preset asks once per relay instead.
  await expect(prompt.getByTestId('prompt')).toContainText('Signing in to a relay asks once per relay');
  await expect(prompt.getByTestId('prompt')).toContainText('nip44 decrypt (direct messages only), at most 1000 per day');

  await prompt.getByTestId('prompt-preset-social').check();
  await armed(prompt);
  await prompt.getByTestId('prompt-allow').click();
  expect(await awaitCall(page, 'pk')).toEqual({ ok: true, value: pubkey });

  const grants = await liveGrants(ext);
  expect(grants).toHaveLength(1);
  expect(grants[0]!.expiresAt).toBeNull();
  const stored = grants[0]!.rules.map(({ method, kind, maxUsageCount, windowSeconds }) => ({ method, kind, maxUsageCount, windowSeconds }));
  const social = PRESETS.find((p) => p.id === 'social')!;
  const shown = social.rules.map((r) => ({ method: r.method, kind: r.kind ?? null, maxUsageCount: r.maxUsageCount ?? null, windowSeconds: r.windowSeconds ?? null }));
  const byKey = (a: { method: string; kind: number | null }, b: { method: string; kind: number | null }) => `${a.method}/${a.kind}`.localeCompare(`${b.method}/${b.kind}`);
  expect(stored.sort(byKey)).toEqual(shown.sort(byKey));
  // The public key, and notes, reactions and reposts under daily caps; relay AUTH is asked per relay.
  expect(stored.filter((r) => r.method === 'sign_event').map((r) => r.kind).sort((a, b) => a! - b!)).toEqual([1, 6, 7]);
  for (const r of stored.filter((x) => x.method === 'sign_event')) expect(r).toMatchObject({ windowSeconds: DAY, maxUsageCount: expect.any(Number) });
  expect(stored.filter((r) => r.method === 'get_public_key')).toHaveLength(1);

  await promptClosed(prompt);
  expect(await withoutPrompt(ext, page, signScript(note('a note under the preset')))).toMatchObject({ ok: true, value: { kind: 1 } });
  expect(await withoutPrompt(ext, page, 'window.nostr.getPublicKey()')).toEqual({ ok: true, value: pubkey });
  const profile = await asks(ext, page, 'profile', signScript(note('{"name":"x"}', { kind: 0 })), 0);
  await armed(profile);
  await profile.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'profile')).toMatchObject({ ok: false, code: 'denied' });
  expect(await signingLog(ext)).toHaveLength(1);
});

test("first contact, 'Read my public key only' (the default): one get_public_key rule, signing still asks", async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const prompt = await callAndCatchPrompt(ext, page, 'pk', 'window.nostr.getPublicKey()');
  await expect(prompt.getByTestId('prompt-preset-pubkey_only')).toBeChecked();
  await armed(prompt);
  await prompt.getByTestId('prompt-allow').click();
  expect(await awaitCall(page, 'pk')).toEqual({ ok: true, value: pubkey });

  const grants = await liveGrants(ext);
  expect(grants).toHaveLength(1);
  expect(grants[0]!.rules).toEqual([expect.objectContaining({ method: 'get_public_key', kind: null, maxUsageCount: null, windowSeconds: null })]);
  expect(await liveOverrides(ext)).toEqual([]);

  await promptClosed(prompt);
  expect(await withoutPrompt(ext, page, 'window.nostr.getPublicKey()')).toEqual({ ok: true, value: pubkey });
  const sign = await asks(ext, page, 'note', signScript(note('asks')), 1);
  // Not a first contact any more: no presets, the plain choices.
  await expect(sign.getByTestId('prompt-preset-social')).toHaveCount(0);
  await expect(sign.getByTestId('prompt-scope')).toBeVisible();
  await armed(sign);
  await sign.getByTestId('prompt-deny').click();
  expect(await awaitCall(page, 'note')).toMatchObject({ ok: false, code: 'denied' });
});

for (const [kind, content] of [
  [0, JSON.stringify({ name: 'alice', about: 'profile' })],
  [3, ''],
] as const) {
  test(`sensitive kind ${kind}: a method-wide rule does not cover it; the prompt marks it; scope 'kind' stores a kind-${kind} rule that then covers it`, async ({ ext }) => {
    await setupAccount(ext);
    await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }] });
    const page = await openSite(ext, '/blank.html');
    // The method-wide rule works for an ordinary kind.
    expect(await withoutPrompt(ext, page, signScript(note('ordinary')))).toMatchObject({ ok: true, value: { kind: 1 } });

    const event = note(content, { kind, tags: kind === 3 ? [['p', 'a'.repeat(64)]] : [] });
    const prompt = await asks(ext, page, 'sensitive', signScript(event), kind);
    await expect(prompt.getByTestId('prompt-sensitive')).toBeVisible();
    await prompt.getByTestId('prompt-scope').selectOption('kind');
    await armed(prompt);
    await prompt.getByTestId('prompt-allow').click();
    expect(await awaitCall(page, 'sensitive')).toMatchObject({ ok: true, value: { kind } });

    const grants = await liveGrants(ext);
    expect(grants).toHaveLength(1);
    const rules = grants[0]!.rules.map(({ method, kind: k }) => ({ method, kind: k }));
    expect(rules).toHaveLength(2);
    expect(rules).toEqual(expect.arrayContaining([{ method: 'sign_event', kind: null }, { method: 'sign_event', kind }]));

    await promptClosed(prompt);
    expect(await withoutPrompt(ext, page, signScript(event))).toMatchObject({ ok: true, value: { kind } });
    expect(await signingLog(ext)).toHaveLength(3);
  });
}
