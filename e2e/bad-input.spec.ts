// Malformed input is refused with invalid_request: no prompt, nothing signed, nothing logged.
// (An event.pubkey of another key is not malformed: see the granted case below.)
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { expect, nostrCall, openSite, setupAccount, test } from './fixtures.ts';
import { activity, nostrCallWithin, PROMPT_PATH, signingLog, sleep, status, watchPages } from './helpers.ts';

const now = 1_700_000_000;
const base = { kind: 1, content: 'x', tags: [], created_at: now };

const MALFORMED: [string, string][] = [
  ['kind -1', JSON.stringify({ ...base, kind: -1 })],
  ["kind 'x'", JSON.stringify({ ...base, kind: 'x' })],
  ['kind 1.5', JSON.stringify({ ...base, kind: 1.5 })],
  ['kind above 65535', JSON.stringify({ ...base, kind: 70_000 })],
  ['no kind', JSON.stringify({ content: 'x', tags: [], created_at: now })],
  ["tags 'x'", JSON.stringify({ ...base, tags: 'x' })],
  ['tags [1, 2]', JSON.stringify({ ...base, tags: [1, 2] })],
  ['tags [[1]]', JSON.stringify({ ...base, tags: [[1]] })],
  ['tags {}', JSON.stringify({ ...base, tags: {} })],
  ['content 5', JSON.stringify({ ...base, content: 5 })],
  ['content null', JSON.stringify({ ...base, content: null })],
  ['created_at -1', JSON.stringify({ ...base, created_at: -1 })],
  ["created_at '1'", JSON.stringify({ ...base, created_at: '1' })],
  ['event null', 'null'],
  ['event a string', JSON.stringify('kind 1 please')],
  ['huge content (129 KiB ASCII)', JSON.stringify({ ...base, content: 'a'.repeat(129 * 1024) })],
  ['pubkey not hex', JSON.stringify({ ...base, pubkey: 'npub1notahexkey' })],
];

for (const granted of [true, false]) {
  test(`malformed events are refused with invalid_request, nothing logged, no prompt (${granted ? 'granted site' : 'no grant'})`, async ({ ext }) => {
    await setupAccount(ext);
    if (granted) await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }, { method: 'nip44_encrypt' }, { method: 'nip04_decrypt' }] });
    const page = await openSite(ext, '/blank.html');
    const opened = watchPages(ext);

    for (const [label, event] of MALFORMED) {
      const r = await nostrCallWithin(page, `window.nostr.signEvent(${event})`, 3_000);
      expect(r, label).toMatchObject({ ok: false, code: 'invalid_request' });
    }
    // Bad encrypt/decrypt arguments are refused the same way.
    const pk = getPublicKey(generateSecretKey());
    const badCrypto: [string, string][] = [
      ['nip44 pubkey not hex', `window.nostr.nip44.encrypt('zz', 'hi')`],
      ['nip44 plaintext not a string', `window.nostr.nip44.encrypt('${pk}', 42)`],
      ['nip04 empty ciphertext', `window.nostr.nip04.decrypt('${pk}', '')`],
    ];
    // Values JSON cannot carry are bad input too, never a signer failure.
    badCrypto.push(
      ['a BigInt created_at', `window.nostr.signEvent({ kind: 1, content: 'x', tags: [], created_at: 1700000000n })`],
      ['a cycle in the event', `(() => { const e = { kind: 1, content: 'x', tags: [] }; e.self = e; return window.nostr.signEvent(e); })()`],
      ['a function as content', `window.nostr.signEvent({ kind: 1, content: () => 1, tags: [] })`],
      ['a symbol as plaintext', `window.nostr.nip44.encrypt('${pk}', Symbol('x'))`],
    );
    for (const [label, script] of badCrypto) {
      expect(await nostrCallWithin(page, script, 3_000), label).toMatchObject({ ok: false, code: 'invalid_request' });
    }

    // The controls: a well-formed event is accepted when granted, asks otherwise. The pubkey of
    // another key is checked only once a request is allowed: on a granted site it is refused, on
    // any other it is asked about exactly like the right one (docs/THREATS.md #28, unit-tested).
    if (granted) {
      const wrongKey = JSON.stringify({ ...base, pubkey: getPublicKey(generateSecretKey()) });
      expect(await nostrCallWithin(page, `window.nostr.signEvent(${wrongKey})`, 3_000)).toMatchObject({ ok: false, code: 'invalid_request' });
      expect((await nostrCall(page, `window.nostr.signEvent(${JSON.stringify(base)})`)).ok).toBe(true);
    }

    await sleep(300);
    expect((await status(ext)).pending).toEqual([]);
    expect(opened.filter((u) => u.includes(PROMPT_PATH))).toEqual([]);
    expect(ext.context.pages().filter((p) => p.url().includes(PROMPT_PATH))).toEqual([]);
    expect(await signingLog(ext)).toHaveLength(granted ? 1 : 0);
    expect((await activity(ext)).filter((a) => a.outcome === 'allowed')).toHaveLength(granted ? 1 : 0);
  });
}

test('an event over 128 KiB of UTF-8 is refused even when its character count is lower', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }] });
  const page = await openSite(ext, '/blank.html');
  // 45,000 × '€' is 135,000 bytes of UTF-8 (> 128 KiB = 131,072) but only 45,000 UTF-16 units.
  const event = JSON.stringify({ ...base, content: '€'.repeat(45_000) });
  expect(new TextEncoder().encode(event).length).toBeGreaterThan(128 * 1024);
  const r = await nostrCallWithin(page, `window.nostr.signEvent(${event})`, 3_000);
  expect(r).toMatchObject({ ok: false, code: 'invalid_request' });
  expect(await signingLog(ext)).toEqual([]);
});
