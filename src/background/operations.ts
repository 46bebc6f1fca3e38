// The crypto of each NIP-07 method, prepared before the decision and run only inside the guard.
import { getEventHash } from 'nostr-tools/pure';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import * as nip04 from 'nostr-tools/nip04';
import * as nip44 from 'nostr-tools/nip44';
import { conversationKey } from './conversationKeys.ts';
import { signingKey, signWith } from './signingKeys.ts';
import { fail } from '../shared/errors.ts';
import type { Nip07Request } from '../shared/protocol.ts';
import type { Account } from '../policy/records.ts';
import type { Operation } from './guard.ts';
import type { PromptDetails } from '../shared/adminResults.ts';

export type { PromptDetails };

export interface Prepared {
  kind: number | null;
  details: PromptDetails;
  run: Operation<unknown>;
}

export interface OperationDeps {
  secretKey: (accountId: number) => Uint8Array;
  relays: Record<string, { read: boolean; write: boolean }>;
  nowSeconds: number;
}

const CIPHERS = {
  nip04_encrypt: (sk: Uint8Array, peer: string, text: string) => nip04.encrypt(sk, peer, text),
  nip04_decrypt: (sk: Uint8Array, peer: string, text: string) => nip04.decrypt(sk, peer, text),
  nip44_encrypt: (sk: Uint8Array, peer: string, text: string) => nip44.encrypt(text, conversationKey(sk, peer)),
  nip44_decrypt: (sk: Uint8Array, peer: string, text: string) => nip44.decrypt(text, conversationKey(sk, peer)),
};

/** The event kind a request is judged by (sign_event), known before anything touches a key. */
export function requestKind(request: Nip07Request): number | null {
  return request.method === 'sign_event' ? request.params.event.kind : null;
}

export function prepare(request: Nip07Request, account: Account, deps: OperationDeps): Prepared {
  const sk = () => deps.secretKey(account.id);
  switch (request.method) {
    case 'get_public_key':
      return { kind: null, details: { type: 'none' }, run: () => ({ value: account.pubkey }) };
    case 'get_relays':
      return { kind: null, details: { type: 'none' }, run: () => ({ value: deps.relays }) };
    case 'sign_event': {
      const e = request.params.event;
      // A different pubkey is refused, never silently rewritten (docs/THREATS.md #14) — but only
      // once the request is allowed or approved, inside the guard: refusing it earlier would tell
      // any page whether its guess is the user's key (docs/THREATS.md #28).
      const otherKey = e.pubkey !== undefined && e.pubkey !== account.pubkey;
      // A fresh copy: what is shown is what is signed, whatever the page does after the call.
      const template = {
        kind: e.kind,
        content: e.content,
        tags: e.tags.map((t) => [...t]),
        created_at: e.created_at ?? deps.nowSeconds,
      };
      const unsigned = { ...template, pubkey: account.pubkey };
      const id = getEventHash(unsigned);
      return {
        kind: e.kind,
        details: { type: 'event', event: { ...unsigned, id } },
        run: () => {
          if (otherKey) throw fail('invalid_request', 'event.pubkey names another key than the active account');
          // Everything that can refuse is checked now, before the guard writes the entry; the
          // signature itself is computed while the entry commits (docs/ARCHITECTURE.md, Group
          // commit). The prepared key is taken now: a lock meanwhile drops the vault's own.
          const key = signingKey(sk());
          return {
            eventId: id,
            // The id was computed over this very event with the account's pubkey, the key belongs
            // to that account: finalizeEvent would only derive both again.
            later: () => ({ ...unsigned, id, sig: bytesToHex(signWith(key, hexToBytes(id))) }),
          };
        },
      };
    }
    default: {
      const { method, params } = request;
      const text = 'plaintext' in params ? params.plaintext : params.ciphertext;
      // An encrypt shows the text it will send (docs/THREATS.md #43); a decrypt's text is never shown.
      const details: PromptDetails = 'plaintext' in params ? { type: 'peer', pubkey: params.pubkey, plaintext: params.plaintext } : { type: 'peer', pubkey: params.pubkey };
      return { kind: null, details, run: () => ({ value: CIPHERS[method](sk(), params.pubkey, text) }) };
    }
  }
}
