// The inbox load of the peers phase: NIP-17 direct messages to one recipient, as gift wraps
// (kind 1059) around seals (kind 13) around rumors (kind 14), made in Node with nostr-tools.
// Unwrapping one takes two nip44.decrypt calls on the recipient's side: the wrap with its one-time
// pubkey, then the seal with the sender's pubkey.
import { createRumor, createWrap } from 'nostr-tools/nip59';
import { encrypt, getConversationKey } from 'nostr-tools/nip44';
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure';

/**
 * `messages` wraps from `senders` fresh senders (taking turns) to `recipient` (hex pubkey).
 * Returns the wraps as the page needs them ({ pubkey, content }: the wrap's one-time key and its
 * payload) and, in the same order, what each carries ({ sender, content }) for checking.
 * Every wrap has its own one-time key, so no signer can have its conversation key from before.
 */
export function makeInbox(recipient, { messages = 200, senders = 10, tag = '' } = {}) {
  const from = Array.from({ length: senders }, () => {
    const secret = generateSecretKey();
    // The seal's key is the same for every message of one sender: computed once here (what a
    // sending client may do), which only makes the setup faster; the wraps are as nip59 makes them.
    return { secret, pubkey: getPublicKey(secret), sealKey: getConversationKey(secret, recipient) };
  });
  const items = [];
  const expected = [];
  for (let i = 0; i < messages; i++) {
    const s = from[i % senders];
    const content = `inbox ${tag} message ${i} from sender ${i % senders}`;
    const rumor = createRumor({ kind: 14, content, tags: [['p', recipient]] }, s.secret);
    const seal = finalizeEvent({ kind: 13, content: encrypt(JSON.stringify(rumor), s.sealKey), created_at: rumor.created_at, tags: [] }, s.secret);
    const wrap = createWrap(seal, recipient);
    items.push({ pubkey: wrap.pubkey, content: wrap.content });
    expected.push({ sender: s.pubkey, content });
  }
  return { items, expected };
}
