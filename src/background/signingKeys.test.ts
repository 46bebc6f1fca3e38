// The prepared-key Schnorr signer against @noble/curves' own schnorr.sign and schnorr.verify.
import { describe, expect, it } from 'vitest';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import { finalizeEvent, generateSecretKey, getEventHash, getPublicKey, verifyEvent } from 'nostr-tools/pure';
import { signingKey, signWith, verifiesFor } from './signingKeys.ts';

describe('signWith', () => {
  it('makes, byte for byte, the signature noble makes with the same key, message and auxiliary randomness', () => {
    let odd = 0;
    for (let i = 0; i < 40; i++) {
      const sk = schnorr.utils.randomSecretKey();
      const key = signingKey(sk);
      expect(bytesToHex(key.px)).toBe(bytesToHex(schnorr.getPublicKey(sk)));
      // Half of all keys have an odd-y point, which BIP-340 signs with n − d: both kinds are covered.
      if (key.d !== BigInt(`0x${bytesToHex(sk)}`)) odd++;
      for (const m of [randomBytes(32), new Uint8Array(32), randomBytes(7)]) {
        const aux = randomBytes(32);
        const sig = signWith(key, m, aux);
        expect(bytesToHex(sig)).toBe(bytesToHex(schnorr.sign(m, sk, aux)));
        expect(schnorr.verify(sig, m, key.px)).toBe(true);
      }
    }
    expect(odd).toBeGreaterThan(0);
    expect(odd).toBeLessThan(40);
  });

  it('signs the same before its point has a table (the first signature) and after (built in a later task)', async () => {
    const sk = schnorr.utils.randomSecretKey();
    const m = randomBytes(32);
    const aux = randomBytes(32);
    const before = signWith(signingKey(sk), m, aux);
    await new Promise((r) => setTimeout(r, 10));
    const after = signWith(signingKey(sk), m, aux);
    expect(bytesToHex(after)).toBe(bytesToHex(before));
    expect(bytesToHex(after)).toBe(bytesToHex(schnorr.sign(m, sk, aux)));
    const key = signingKey(sk);
    expect(() => signWith({ ...key, d: key.d + 1n }, m)).toThrow(/does not verify/);
  });

  it('BIP-340 test vector 0 (secret key 3, zero message and auxiliary randomness)', () => {
    const sk = hexToBytes('0000000000000000000000000000000000000000000000000000000000000003');
    const sig = signWith(signingKey(sk), new Uint8Array(32), new Uint8Array(32));
    expect(bytesToHex(sig).toUpperCase()).toBe(
      'E907831F80848D1069A5371B402410364BDF1C5F8307B0084C55F1CE2DCA821525F66A4A85EA8B71E482A74F382D2CE5EBEEE8FDB2172F477DF4900D310536C0',
    );
  });

  it('an event signed with it verifies with nostr-tools, as one from finalizeEvent does', () => {
    const sk = generateSecretKey();
    const unsigned = { kind: 1, content: 'hello', tags: [['t', 'x']], created_at: 1_700_000_000, pubkey: getPublicKey(sk) };
    const id = getEventHash(unsigned);
    const event = { ...unsigned, id, sig: bytesToHex(signWith(signingKey(sk), hexToBytes(id))) };
    expect(verifyEvent(event)).toBe(true);
    expect(event.id).toBe(finalizeEvent({ ...unsigned }, sk).id);
  });

  it('prepares a key once per secret-key array', () => {
    const sk = generateSecretKey();
    expect(signingKey(sk)).toBe(signingKey(sk));
    expect(signingKey(sk.slice())).not.toBe(signingKey(sk));
  });

  it('refuses a secret key out of range and auxiliary randomness of the wrong size', () => {
    expect(() => signingKey(new Uint8Array(32))).toThrow();
    expect(() => signingKey(hexToBytes('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'))).toThrow();
    expect(() => signWith(signingKey(generateSecretKey()), new Uint8Array(32), new Uint8Array(16))).toThrow(/32 bytes/);
  });

  it('checks each signature before returning it: a fault in the key is caught, not released', () => {
    const key = signingKey(generateSecretKey());
    // A flipped scalar (what a fault in memory or computation would leave) signs for another key.
    expect(() => signWith({ ...key, d: key.d + 1n }, new Uint8Array(32))).toThrow(/does not verify/);
  });
});

describe('verifiesFor', () => {
  it('agrees with noble on good signatures, altered ones and other messages', () => {
    const sk = generateSecretKey();
    const key = signingKey(sk);
    for (let i = 0; i < 20; i++) {
      const m = randomBytes(32);
      const sig = schnorr.sign(m, sk);
      expect(verifiesFor(key, m, sig)).toBe(true);
      const bad = sig.slice();
      bad[i % 64]! ^= 1 << i % 8;
      expect(verifiesFor(key, m, bad)).toBe(schnorr.verify(bad, m, key.px));
      expect(verifiesFor(key, m, bad)).toBe(false);
      expect(verifiesFor(key, randomBytes(32), sig)).toBe(false);
    }
    // r ≥ p and s ≥ n are refused, as BIP-340 says.
    const m = randomBytes(32);
    const sig = schnorr.sign(m, sk);
    const rTooBig = sig.slice();
    rTooBig.set(hexToBytes('fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f'), 0);
    const sTooBig = sig.slice();
    sTooBig.set(hexToBytes('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'), 32);
    expect(verifiesFor(key, m, rTooBig)).toBe(false);
    expect(verifiesFor(key, m, sTooBig)).toBe(false);
  });
});
