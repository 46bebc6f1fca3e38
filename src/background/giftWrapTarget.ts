// Before the decision on a nip44_decrypt, the background looks inside (docs/THREATS.md #51): a
// gift-wrap rule covers a wrap only if it holds a well-formed seal, and is judged by the seal's
// sender, which nothing but the decrypted text names. The plaintext stays in this function: only
// the classification (which layer, whose message) leaves it, and the page gets the plaintext
// only if the request is then allowed, from the guard's own decrypt.
import * as nip44 from 'nostr-tools/nip44';
import type { Nip07Request } from '../shared/protocol.ts';
import { classifyDm, type DmLayer } from '../policy/giftWrap.ts';
import { conversationKey } from './conversationKeys.ts';
import { verifySignedEvent } from './eventVerify.ts';

/**
 * The shortest NIP-44 payload that can hold a message layer. The smallest event JSON with a 64-hex
 * pubkey is over 64 characters, so its plaintext pads to at least 96 bytes: version 1 + nonce 32 +
 * length 2 + 96 + MAC 32 = 163 bytes, 220 base64 characters. A shorter payload is never a seal or
 * a rumor, so it is never decrypted before the decision (docs/THREATS.md #16 holds for it as ever).
 */
export const MIN_DM_PAYLOAD_CHARS = 220;

export function openDmLayer(request: Nip07Request, secretKey: () => Uint8Array): DmLayer | null {
  if (request.method !== 'nip44_decrypt') return null;
  const { pubkey, ciphertext } = request.params;
  if (ciphertext.length < MIN_DM_PAYLOAD_CHARS) return null;
  try {
    return classifyDm(nip44.decrypt(ciphertext, conversationKey(secretKey(), pubkey)), pubkey, verifySignedEvent);
  } catch {
    // Not decryptable with this key (or the vault locked meanwhile): no layer; the guard's own
    // decrypt, if the request is allowed, gives the error.
    return null;
  }
}
