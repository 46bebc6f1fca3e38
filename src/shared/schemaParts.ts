// The values the wire contract is made of: limits, keys, payloads, kinds, origins. The contract
// itself — which message carries which of them — is src/shared/protocol.ts.
import { z } from 'zod';
import { schnorr } from '@noble/curves/secp256k1.js';
import { METHODS } from './methods.ts';
import { normaliseHttpMethod, normaliseRelay, normaliseUrl } from '../policy/constraints.ts';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

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

// ---- Constraints on rules and overrides (docs/ARCHITECTURE.md, Constraints) -----------------
// Each list has at least one entry: "any" is null (or absent), never an empty list. Relays and URLs
// are normalised here, so what is stored is what decide() compares with.

const MAX_CONSTRAINT_ENTRIES = 200;
const constraintList = <T extends z.ZodType<string>>(item: T) => z.array(item).min(1, 'a constraint lists at least one value (null = no constraint)').max(MAX_CONSTRAINT_ENTRIES);

const normalised = (normalise: (v: string) => string | null, what: string) =>
  z
    .string()
    .max(2_048)
    .transform((value, ctx) => {
      const n = normalise(value);
      if (n === null) {
        ctx.addIssue({ code: 'custom', message: `not ${what}: ${JSON.stringify(value.slice(0, 80))}` });
        return z.NEVER;
      }
      return n;
    });

export const constraintSchemas = {
  peers: constraintList(hex64).nullable().optional(),
  relays: constraintList(normalised(normaliseRelay, 'a relay URL (ws:// or wss://)')).nullable().optional(),
  urls: constraintList(normalised(normaliseUrl, 'an http(s) URL')).nullable().optional(),
  httpMethods: constraintList(
    z
      .string()
      .max(16)
      .transform((m) => normaliseHttpMethod(m))
      .refine((m) => (HTTP_METHODS as readonly string[]).includes(m), 'not an HTTP method (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)'),
  )
    .nullable()
    .optional(),
  giftWraps: z.boolean().nullable().optional(),
} as const;

/** What a person can narrow a window.nostr request by when they ask "what would happen" (explain_request). */
export const targetSchema = z.strictObject({
  peer: hex64.optional(),
  relay: normalised(normaliseRelay, 'a relay URL (ws:// or wss://)').optional(),
  url: normalised(normaliseUrl, 'an http(s) URL').optional(),
  httpMethod: z.string().max(16).transform((m) => normaliseHttpMethod(m)).optional(),
  dm: z.strictObject({ layer: z.enum(['wrap', 'seal']), sender: hex64 }).optional(),
});
