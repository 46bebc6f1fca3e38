// NIP-44 conversation keys, kept per (secret key, peer) so a burst of decrypts from one sender (an
// inbox at login: two layers per message, many messages per person) pays the ECDH once. The cache
// is keyed by the vault's own Uint8Array of the secret key: when the vault locks or deletes an
// account it zeroes and drops that array, and with it every key derived from it, whatever path
// locked it. Each secret key's peers are bounded (least recently used first out), so a page
// naming endless peers cannot grow the background's memory.
import * as nip44 from 'nostr-tools/nip44';

export const MAX_PEERS_PER_KEY = 1_000;

const bySecret = new WeakMap<Uint8Array, Map<string, Uint8Array>>();

/** The conversation key of `secretKey` with `peer` (64 hex), computed once. */
export function conversationKey(secretKey: Uint8Array, peer: string, maxPeers = MAX_PEERS_PER_KEY): Uint8Array {
  let peers = bySecret.get(secretKey);
  if (!peers) bySecret.set(secretKey, (peers = new Map()));
  const known = peers.get(peer);
  if (known) {
    // Most recently used last.
    peers.delete(peer);
    peers.set(peer, known);
    return known;
  }
  const key = nip44.getConversationKey(secretKey, peer);
  peers.set(peer, key);
  if (peers.size > maxPeers) {
    const [oldest, oldKey] = peers.entries().next().value!;
    oldKey.fill(0);
    peers.delete(oldest);
  }
  return key;
}

/** How many peers are cached for this secret key (for tests). */
export function cachedPeers(secretKey: Uint8Array): number {
  return bySecret.get(secretKey)?.size ?? 0;
}
