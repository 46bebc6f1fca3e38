// Signed-event verification for the NIP-17 look-inside (docs/THREATS.md #51): every gift wrap's
// seal is checked — its id is the event's hash and its signature verifies for its pubkey — before
// the decision, so an inbox at login checks hundreds of seals from a handful of senders. nostr-tools'
// verifyEvent lifts the sender's public key to a point and multiplies it from scratch each time;
// here a sender's point is kept (public data, bounded, least recently used out), and from a
// sender's third seal on it carries a multiplication table, which makes each check about twice as
// fast. The answer is the same as verifyEvent's: the unit tests hold the two side by side.
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { getEventHash } from 'nostr-tools/pure';
import { verifiesAgainst, type CurvePoint } from './signingKeys.ts';

/** How many senders' points are kept. A table is about 80 kB; a page naming endless keys only churns this. */
export const MAX_KEPT_POINTS = 64;
/** The use at which a sender's point gets its table: a window-4 table costs about three plain checks. */
const TABLE_AT_USE = 3;
const TABLE_WINDOW = 4;

interface Kept {
  point: CurvePoint;
  px: Uint8Array;
  uses: number;
}
const kept = new Map<string, Kept>();

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;

function pointOf(pubkey: string): Kept {
  const known = kept.get(pubkey);
  if (known) {
    kept.delete(pubkey);
    kept.set(pubkey, known);
    if (++known.uses === TABLE_AT_USE) known.point.precompute(TABLE_WINDOW, false);
    return known;
  }
  const px = hexToBytes(pubkey);
  // lift_x refuses an x that is no point's: the caller's try turns that into "does not verify".
  const entry = { point: schnorr.utils.lift_x(bytesToNumberBE(px)), px, uses: 1 };
  kept.set(pubkey, entry);
  if (kept.size > MAX_KEPT_POINTS) kept.delete(kept.keys().next().value!);
  return entry;
}

/** Whether `event` is signed: its id is its hash, and its sig a valid BIP-340 signature of that id by its pubkey. */
export function verifySignedEvent(event: { id: string; pubkey: string; sig: string; kind: number; created_at: number; tags: string[][]; content: string }): boolean {
  if (!HEX64.test(event.id) || !HEX64.test(event.pubkey) || !HEX128.test(event.sig)) return false;
  try {
    if (getEventHash(event) !== event.id) return false;
    const { point, px } = pointOf(event.pubkey);
    return verifiesAgainst(point, px, hexToBytes(event.id), hexToBytes(event.sig));
  } catch {
    return false;
  }
}

/** How many senders' points are kept now (for tests). */
export const keptPoints = (): number => kept.size;
