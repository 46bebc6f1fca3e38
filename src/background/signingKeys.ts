// BIP-340 Schnorr signatures with the account's key prepared once. @noble/curves' schnorr.sign
// derives the public point from the secret key on every call and then checks the signature it
// made against that point, also from scratch: two of its three point multiplications redo work
// that depends only on the key. Here the key's scalar, x-only public key and public point (with a
// multiplication table) are computed once per secret key and reused; every signature is still
// checked before it is returned, as BIP-340 recommends, against the cached point. The steps are
// BIP-340's, on noble's own field, point and tagged-hash primitives, and the unit tests hold
// every signature byte for byte to noble's schnorr.sign with the same auxiliary randomness
// (docs/ARCHITECTURE.md, Signatures).
//
// The cache is keyed by the vault's own Uint8Array of the secret key, like conversationKeys.ts:
// when the vault locks or removes an account it zeroes and drops that array, and the prepared key
// goes with it.
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { randomBytes } from '@noble/hashes/utils.js';

const Point = secp256k1.Point;
const { Fn, BASE } = Point;
const { taggedHash, pointToBytes } = schnorr.utils;
export type CurvePoint = InstanceType<typeof Point>;
const evenY = (p: CurvePoint) => (p.toAffine().y & 1n) === 0n;

/** What signing needs from a secret key, computed once: d (made even-y), bytes(P), and P itself. */
export interface SigningKey {
  readonly d: bigint;
  readonly px: Uint8Array;
  readonly point: CurvePoint;
}

/**
 * The window of the public point's multiplication table. 8 makes the check's e⋅P cost about what a
 * multiple of G does; the table takes about 20 ms to build in Node, once per key and worker start,
 * off the request path (6: 8 ms, and each signature some 10 % slower).
 */
const TABLE_WINDOW = 8;
const prepared = new WeakMap<Uint8Array, SigningKey>();

/** `secretKey`'s signing key, prepared on first use (throws for a key out of range, as noble does). */
export function signingKey(secretKey: Uint8Array): SigningKey {
  const known = prepared.get(secretKey);
  if (known) return known;
  const d0 = Fn.fromBytes(secretKey);
  const p = BASE.multiply(d0);
  const d = evenY(p) ? d0 : Fn.neg(d0);
  // The even-y point BIP-340 verifies against (P = lift_x(x(d0⋅G))).
  const point = evenY(p) ? p : p.negate();
  const key = { d, px: pointToBytes(p), point };
  prepared.set(secretKey, key);
  // Its table is built in a task of its own, not inside the guard's transaction: the first
  // signature after a start is checked without it (as noble checks every one), the next ones with it.
  setTimeout(() => point.precompute(TABLE_WINDOW, false), 0);
  return key;
}

const challenge = (rx: Uint8Array, px: Uint8Array, m: Uint8Array) => Fn.create(bytesToNumberBE(taggedHash('BIP0340/challenge', rx, px, m)));

/**
 * BIP-340 Verify(bytes(P), m, sig) for a point P already lifted from `px` (even y): the steps after
 * lift_x. A point with a multiplication table (precompute) makes e⋅P cost about what s⋅G does.
 */
export function verifiesAgainst(point: CurvePoint, px: Uint8Array, m: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length !== 64) return false;
  const r = bytesToNumberBE(sig.subarray(0, 32));
  const s = bytesToNumberBE(sig.subarray(32, 64));
  if (!Point.Fp.isValidNot0(r) || !Fn.isValidNot0(s)) return false;
  const e = challenge(sig.subarray(0, 32), px, m);
  // R = s⋅G − e⋅P
  const R = BASE.multiplyUnsafe(s).add(point.multiplyUnsafe(Fn.neg(e)));
  if (R.is0()) return false;
  const { x, y } = R.toAffine();
  return x === r && (y & 1n) === 0n;
}

/** BIP-340 Verify against the prepared key's own point. */
export const verifiesFor = (key: SigningKey, m: Uint8Array, sig: Uint8Array): boolean => verifiesAgainst(key.point, key.px, m, sig);

/** BIP-340 Sign(sk, m) with auxiliary randomness `aux` (32 bytes; fresh random by default). */
export function signWith(key: SigningKey, m: Uint8Array, aux: Uint8Array = randomBytes(32)): Uint8Array {
  if (aux.length !== 32) throw new Error('auxRand must be 32 bytes');
  const t = Fn.toBytes(key.d ^ bytesToNumberBE(taggedHash('BIP0340/aux', aux)));
  const rand = taggedHash('BIP0340/nonce', t, key.px, m);
  // k' = int(rand) mod n, R = k'⋅G, k = k' or n − k' so that R has an even y.
  const k0 = Fn.fromBytes(rand);
  const R = BASE.multiply(k0);
  const k = evenY(R) ? k0 : Fn.neg(k0);
  const rx = pointToBytes(R);
  const sig = new Uint8Array(64);
  sig.set(rx, 0);
  sig.set(Fn.toBytes(Fn.create(k + challenge(rx, key.px, m) * key.d)), 32);
  if (!verifiesFor(key, m, sig)) throw new Error('sign: the signature does not verify');
  return sig;
}
