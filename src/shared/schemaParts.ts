// The values the wire contract is made of: limits, keys, payloads, kinds, origins. The contract
// itself — which message carries which of them — is src/shared/protocol.ts.
import { z } from 'zod';
import { schnorr } from '@noble/curves/secp256k1.js';
import { METHODS } from './methods.ts';

/** Documented limits: an event or payload above them is refused as invalid_request. */
export const LIMITS = {
  eventJsonBytes: 128 * 1024,
  plaintextChars: 65_535,
  ciphertextChars: 512 * 1024,
  tags: 2_000,
  requestIdChars: 64,
} as const;

export const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters');

/** A peer's public key: 64 hex characters that name a point on secp256k1 (checked without any secret). */
export const peerPubkey = hex64.refine((hex) => {
  try {
    schnorr.utils.lift_x(BigInt(`0x${hex}`));
    return true;
  } catch {
    return false;
  }
}, 'not a valid public key (no such point on secp256k1)');

const BASE64 = '[A-Za-z0-9+/]+={0,2}';
/** NIP-04: `<base64 ciphertext>?iv=<base64 16-byte iv>`. */
export const nip04Payload = z.string().regex(new RegExp(`^${BASE64}\\?iv=[A-Za-z0-9+/]{22}==$`), 'not a NIP-04 payload (base64?iv=base64)');
/** NIP-44 v2: base64 of version byte 2 (so it starts with "A"), 132 to 87,472 characters. */
export const nip44Payload = z
  .string()
  .min(132)
  .max(87_472)
  .regex(new RegExp(`^A${BASE64}$`), 'not a NIP-44 v2 payload');

export const kindSchema = z.int().min(0).max(65_535);
export const idSchema = z.int().positive();
export const methodSchema = z.enum(METHODS);

/** A remote NIP-46 client's site: `nip46:` and its pubkey (docs/ARCHITECTURE.md, Remote signing). */
export const NIP46_ORIGIN = /^nip46:[0-9a-f]{64}$/;

/** A browser-serialised http(s) origin, e.g. `https://example.com` or `http://127.0.0.1:5173`, or a remote client's `nip46:<hex>`. */
export const originSchema = z.string().max(2_048).refine((value) => {
  if (NIP46_ORIGIN.test(value)) return true;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}, 'expected an http(s) origin such as https://example.com');
