import { describe, expect, it, vi } from 'vitest';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import * as nip44 from 'nostr-tools/nip44';
import { cachedPeers, conversationKey, MAX_PEERS_PER_KEY } from './conversationKeys.ts';

vi.mock('nostr-tools/nip44', async (original) => {
  const real = await original<typeof import('nostr-tools/nip44')>();
  return { ...real, getConversationKey: vi.fn(real.getConversationKey) };
});
const derive = vi.mocked(nip44.getConversationKey);

describe('NIP-44 conversation keys', () => {
  it('computed once per (secret key, peer), and the same as computing it each time', () => {
    const sk = generateSecretKey();
    const peers = [generateSecretKey(), generateSecretKey()].map(getPublicKey);
    derive.mockClear();
    for (let i = 0; i < 5; i++) for (const p of peers) expect(conversationKey(sk, p)).toEqual(nip44.getConversationKey(sk, p));
    // 2 peers cached + the 10 direct calls of the comparison itself.
    expect(derive).toHaveBeenCalledTimes(2 + 10);
    expect(cachedPeers(sk)).toBe(2);
  });

  it('a message encrypted with the cached key decrypts with the peer’s own', () => {
    const me = generateSecretKey();
    const them = generateSecretKey();
    const text = nip44.encrypt('hello', conversationKey(me, getPublicKey(them)));
    expect(nip44.decrypt(text, nip44.getConversationKey(them, getPublicKey(me)))).toBe('hello');
  });

  it('another secret key (another account, or the same one unlocked again: a new array) shares nothing', () => {
    const sk = generateSecretKey();
    const peer = getPublicKey(generateSecretKey());
    conversationKey(sk, peer);
    const again = new Uint8Array(sk);
    expect(cachedPeers(again)).toBe(0);
    derive.mockClear();
    expect(conversationKey(again, peer)).toEqual(conversationKey(sk, peer));
    expect(derive).toHaveBeenCalledTimes(1);
  });

  it(`bounded (${MAX_PEERS_PER_KEY} peers per key): past the bound the least recently used goes, zeroed`, () => {
    const sk = generateSecretKey();
    const [a, b, c, d] = Array.from({ length: 4 }, () => getPublicKey(generateSecretKey()));
    const keys = [a!, b!, c!].map((p) => conversationKey(sk, p, 3));
    conversationKey(sk, a!, 3); // a used again: b is now the least recently used
    conversationKey(sk, d!, 3);
    expect(cachedPeers(sk)).toBe(3);
    expect(keys[1]!.every((x) => x === 0)).toBe(true);
    expect(keys[0]!.some((x) => x !== 0) && keys[2]!.some((x) => x !== 0)).toBe(true);
    // b comes back computed afresh, right.
    expect(conversationKey(sk, b!, 3)).toEqual(nip44.getConversationKey(sk, b!));
  });

  it('an invalid peer caches nothing', () => {
    const sk = generateSecretKey();
    expect(() => conversationKey(sk, 'ff'.repeat(32))).toThrow();
    expect(cachedPeers(sk)).toBe(0);
  });
});
