// NIP-17 direct messages: is a nip44 plaintext one layer of a message, and whose? Reading one
// message takes two nip44_decrypt calls — the gift wrap (from a one-time key) holds a kind-13 seal
// signed by the real sender; the seal's content holds the unsigned message (the rumor), whose
// author is that same sender. Pure: the background decrypts, this only reads what came out.
import { verifyEvent } from 'nostr-tools/pure';
import { KIND_SEAL } from './constraints.ts';

export type DmLayer = { layer: 'wrap' | 'seal'; sender: string };
/** Checks a signed event's id and signature (nostr-tools' verifyEvent, or the background's faster equal). */
export type VerifyEvent = (event: { kind: number; pubkey: string; tags: string[][]; content: string; created_at: number; id: string; sig: string }) => boolean;

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;
const NIP44_PAYLOAD = /^A[A-Za-z0-9+/]+={0,2}$/;

function parseObject(text: string): Record<string, unknown> | null {
  // A seal or a rumor is a JSON object; anything else is not worth parsing at length.
  if (text.length > 512 * 1024 || text[0] !== '{') return null;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const isTags = (tags: unknown): tags is string[][] => Array.isArray(tags) && tags.every((t) => Array.isArray(t) && t.every((v) => typeof v === 'string'));
const isTime = (t: unknown) => Number.isInteger(t) && (t as number) >= 0;

/**
 * A well-formed seal: kind 13, no tags (NIP-59), a NIP-44 payload as content, and a valid id and
 * signature by its pubkey — so the sender it names really sealed it.
 */
export function sealSender(plaintext: string, verify: VerifyEvent = verifyEvent): string | null {
  const e = parseObject(plaintext);
  if (!e || e.kind !== KIND_SEAL) return null;
  if (typeof e.pubkey !== 'string' || !HEX64.test(e.pubkey)) return null;
  if (!Array.isArray(e.tags) || e.tags.length !== 0) return null;
  if (typeof e.content !== 'string' || !NIP44_PAYLOAD.test(e.content) || !isTime(e.created_at)) return null;
  if (typeof e.id !== 'string' || !HEX64.test(e.id) || typeof e.sig !== 'string' || !HEX128.test(e.sig)) return null;
  const event = { kind: KIND_SEAL, pubkey: e.pubkey, tags: [], content: e.content, created_at: e.created_at as number, id: e.id, sig: e.sig };
  try {
    return verify(event) ? e.pubkey : null;
  } catch {
    return null;
  }
}

/**
 * The seal's content: an unsigned event (no sig) whose author is the peer that sealed it — NIP-17
 * requires the rumor's pubkey to match the seal's. Any other nip44 plaintext from that peer (a
 * NIP-46 message, an encrypted list) is not a message and is not covered by a gift-wrap rule.
 */
export function isRumorFrom(plaintext: string, peer: string): boolean {
  const e = parseObject(plaintext);
  if (!e || 'sig' in e) return false;
  return Number.isInteger(e.kind) && e.kind !== KIND_SEAL && e.pubkey === peer && typeof e.content === 'string' && isTags(e.tags) && isTime(e.created_at);
}

/** Which layer of a direct message a nip44 plaintext is, and whose message it is; null if neither. */
export function classifyDm(plaintext: string, peer: string, verify: VerifyEvent = verifyEvent): DmLayer | null {
  const sender = sealSender(plaintext, verify);
  if (sender) return { layer: 'wrap', sender };
  return isRumorFrom(plaintext, peer) ? { layer: 'seal', sender: peer } : null;
}
