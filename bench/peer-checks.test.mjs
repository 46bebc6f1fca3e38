// node --test bench/: the peers phase's judges (bench/peer-checks.mjs) and its inbox maker
// (bench/inbox.mjs), table-driven. A bench figure is only as honest as these checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unwrapEvent } from 'nostr-tools/nip59';
import { decrypt, getConversationKey } from 'nostr-tools/nip44';
import { finalizeEvent, generateSecretKey, getPublicKey, verifyEvent } from 'nostr-tools/pure';
import { makeInbox } from './inbox.mjs';
import { addTally, checkInbox, checkSigned, clean, emptyTally, tallyText } from './peer-checks.mjs';

const sk = generateSecretKey();
const pk = getPublicKey(sk);
const other = generateSecretKey();
// Through JSON, as replies come out of the page: finalizeEvent marks its own events as verified.
const signed = (content, key = sk) => JSON.parse(JSON.stringify(finalizeEvent({ kind: 1, content, tags: [], created_at: 1_700_000_000 }, key)));
const tally = (over) => ({ ...emptyTally(), ...over });

test('checkSigned: each way a reply can end', () => {
  const forged = { ...signed('b'), content: 'b changed' };
  const cases = [
    ['right reply', [{ value: signed('a') }], ['a'], tally({ ok: 1 })],
    ['never settled', [{ lost: true }], ['a'], tally({ lost: 1 })],
    ['rejected', [{ error: 'denied' }, { error: 'rate_limited' }, { error: 'denied' }], ['a', 'b', 'c'], tally({ refused: 3, codes: { denied: 2, rate_limited: 1 } })],
    ['another call’s reply', [{ value: signed('b') }, { value: signed('a') }], ['a', 'b'], tally({ swapped: 2 })],
    ['signature that does not verify', [{ value: forged }], ['b changed'], tally({ invalid: 1 })],
    ['signed by another key', [{ value: signed('a', other) }], ['a'], tally({ invalid: 1 })],
    ['no event at all', [{ value: null }, { value: 'sig' }], ['a', 'b'], tally({ invalid: 2 })],
  ];
  for (const [name, replies, contents, want] of cases) assert.deepEqual(checkSigned(replies, contents, pk, verifyEvent), want, name);
});

test('makeInbox: every wrap unwraps with the recipient key to what `expected` says', () => {
  const { items, expected } = makeInbox(pk, { messages: 12, senders: 3, tag: 't' });
  assert.equal(items.length, 12);
  assert.equal(new Set(items.map((w) => w.pubkey)).size, 12, 'one one-time key per wrap');
  assert.equal(new Set(expected.map((e) => e.sender)).size, 3);
  items.forEach((w, i) => {
    const rumor = unwrapEvent({ kind: 1059, pubkey: w.pubkey, content: w.content }, sk);
    assert.equal(rumor.content, expected[i].content);
    assert.equal(rumor.pubkey, expected[i].sender);
    assert.equal(rumor.kind, 14);
  });
});

test('checkInbox: a plaintext is right only when it is this wrap’s message from this sender', () => {
  const { items, expected } = makeInbox(pk, { messages: 2, senders: 2, tag: 'c' });
  const open = (w) => {
    const seal = JSON.parse(decrypt(w.content, getConversationKey(sk, w.pubkey)));
    return { seal: seal.pubkey, rumor: decrypt(seal.content, getConversationKey(sk, seal.pubkey)) };
  };
  const [a, b] = items.map(open);
  const cases = [
    ['both right', [{ value: a }, { value: b }], tally({ ok: 2 })],
    ['replies crossed', [{ value: b }, { value: a }], tally({ swapped: 2 })],
    ['seal author not the sender', [{ value: { ...a, seal: b.seal } }, { value: b }], tally({ ok: 1, swapped: 1 })],
    ['rumor not JSON', [{ value: { ...a, rumor: 'not json' } }, { value: b }], tally({ ok: 1, swapped: 1 })],
    ['lost and refused', [{ lost: true }, { error: 'internal' }], tally({ lost: 1, refused: 1, codes: { internal: 1 } })],
  ];
  for (const [name, replies, want] of cases) assert.deepEqual(checkInbox(replies, expected), want, name);
});

test('addTally, clean and tallyText', () => {
  const t = addTally(tally({ ok: 1, lost: 1, refused: 1, codes: { rate_limited: 1 } }), tally({ ok: 2, swapped: 3, refused: 2, codes: { rate_limited: 1, denied: 1 } }));
  assert.deepEqual(t, tally({ ok: 3, lost: 1, swapped: 3, refused: 3, codes: { rate_limited: 2, denied: 1 } }));
  assert.equal(tallyText(t), '1 lost, 3 swapped, 3 refused (rate_limited 2, denied 1)');
  assert.equal(tallyText(emptyTally()), '0 lost, 0 swapped');
  const cases = [
    ['all answered right', tally({ ok: 5 }), true],
    ['one lost', tally({ ok: 4, lost: 1 }), false],
    ['one swapped', tally({ ok: 4, swapped: 1 }), false],
    ['one invalid', tally({ ok: 4, invalid: 1 }), false],
    ['one refused', tally({ ok: 4, refused: 1, codes: { rate_limited: 1 } }), false],
  ];
  for (const [name, t, want] of cases) assert.equal(clean(t), want, name);
});
