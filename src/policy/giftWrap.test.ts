// Which nip44 plaintexts are a layer of a NIP-17 message: built with nostr-tools' own nip59.
import { describe, expect, it } from 'vitest';
import { finalizeEvent, generateSecretKey, getEventHash, getPublicKey } from 'nostr-tools/pure';
import * as nip44 from 'nostr-tools/nip44';
import * as nip59 from 'nostr-tools/nip59';
import { classifyDm, isRumorFrom, sealSender, type VerifyEvent } from './giftWrap.ts';
import { verifySignedEvent } from '../background/eventVerify.ts';

const me = generateSecretKey();
const mePk = getPublicKey(me);
const alice = generateSecretKey();
const alicePk = getPublicKey(alice);

const rumor = nip59.createRumor({ kind: 14, content: 'hello', tags: [['p', mePk]] }, alice);
const seal = nip59.createSeal(rumor, alice, mePk);
const wrap = nip59.createWrap(seal, mePk);
const otherSeal = nip59.createSeal(nip59.createRumor({ kind: 14, content: 'other', tags: [['p', mePk]] }, alice), alice, mePk);
const wrapPlain = nip44.decrypt(wrap.content, nip44.getConversationKey(me, wrap.pubkey));
const sealPlain = nip44.decrypt(seal.content, nip44.getConversationKey(me, alicePk));

// Each case with nostr-tools' verifyEvent (the default) and with the background's own verifier,
// which the look-inside uses (src/background/eventVerify.ts).
describe.each<[string, VerifyEvent | undefined]>([
  ['verifyEvent', undefined],
  ["the background's verifier", verifySignedEvent],
])('classifyDm with %s', (_by, verify) => {
  it('a real gift wrap holds a seal by its sender', () => {
    expect(classifyDm(wrapPlain, wrap.pubkey, verify)).toEqual({ layer: 'wrap', sender: alicePk });
    // Again, past the use at which the background keeps a table for the sender's point.
    for (let i = 0; i < 4; i++) expect(classifyDm(wrapPlain, wrap.pubkey, verify)?.sender).toBe(alicePk);
  });

  it("a real seal's content is the sender's message", () => {
    expect(classifyDm(sealPlain, alicePk, verify)).toEqual({ layer: 'seal', sender: alicePk });
  });

  const forged = (patch: Record<string, unknown>) => JSON.stringify({ ...seal, ...patch });
  const rehashed = (patch: Record<string, unknown>) => {
    const e = { ...seal, ...patch };
    return { ...e, id: getEventHash(e) };
  };
  it.each<[string, string]>([
    ['plain text', 'hello'],
    ['a JSON array (an encrypted list)', '[["p","' + alicePk + '"]]'],
    ['a NIP-46 message', JSON.stringify({ id: '1', method: 'sign_event', params: [] })],
    ['a seal whose signature does not match (sender swapped)', forged({ pubkey: mePk })],
    ['a seal re-hashed for another sender (its id right, its signature not)', JSON.stringify(rehashed({ pubkey: mePk }))],
    ['a seal carrying the signature of another seal', JSON.stringify({ ...seal, sig: otherSeal.sig })],
    ['a seal with tags', forged({ tags: [['p', mePk]] })],
    ['a seal of another kind', forged({ kind: 14 })],
    ['a seal without sig', forged({ sig: undefined })],
    ['a seal whose content is not a NIP-44 payload', forged({ content: 'hello' })],
    ['a signed kind-1 note', JSON.stringify(finalizeEvent({ kind: 1, content: 'x', tags: [], created_at: 1 }, alice))],
    ['broken JSON', wrapPlain.slice(0, -1)],
  ])('%s is not a wrap layer', (_name, text) => {
    expect(sealSender(text, verify)).toBeNull();
    expect(classifyDm(text, wrap.pubkey, verify)?.layer).not.toBe('wrap');
  });

  it.each<[string, string, string]>([
    ['a rumor from someone else than the peer', sealPlain, mePk],
    ['a signed event (not a rumor)', JSON.stringify(finalizeEvent({ kind: 14, content: 'x', tags: [], created_at: 1 }, alice)), alicePk],
    ['a rumor without tags', JSON.stringify({ ...rumor, tags: undefined }), alicePk],
    ['plain text', 'hi', alicePk],
  ])('%s is not a seal layer', (_name, text, peer) => {
    expect(isRumorFrom(text, peer)).toBe(false);
    expect(classifyDm(text, peer, verify)).toBeNull();
  });
});
