// Parsing and protecting secret keys. Error messages here never include the input.
import { getPublicKey } from 'nostr-tools/pure';
import * as nip19 from 'nostr-tools/nip19';
import * as nip49 from 'nostr-tools/nip49';
import { hexToBytes } from 'nostr-tools/utils';
import { bech32 } from '@scure/base';
import { fail } from '../shared/errors.ts';

export type SecretInput = { kind: 'plain'; secretKey: Uint8Array } | { kind: 'ncryptsec'; ncryptsec: string };

export function parseSecret(secret: string): SecretInput {
  const s = secret.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return { kind: 'plain', secretKey: validKey(hexToBytes(s.toLowerCase())) };
  if (s.startsWith('nsec1')) {
    try {
      const decoded = nip19.decode(s);
      if (decoded.type === 'nsec') return { kind: 'plain', secretKey: validKey(decoded.data) };
    } catch {
      /* falls through to the error below */
    }
    throw fail('invalid_request', 'secret: not a valid nsec');
  }
  if (s.startsWith('ncryptsec1')) return { kind: 'ncryptsec', ncryptsec: s };
  throw fail('invalid_request', 'secret: expected an nsec, 64 hex characters or an ncryptsec');
}

function validKey(key: Uint8Array): Uint8Array {
  try {
    getPublicKey(key);
    return key;
  } catch {
    throw fail('invalid_request', 'secret: not a valid secp256k1 secret key');
  }
}

/** NIP-49 with scrypt log_n = 16 by default; a wrong password is `denied`. */
export function decryptNcryptsec(ncryptsec: string, password: string): Uint8Array {
  try {
    return nip49.decrypt(ncryptsec, password);
  } catch {
    throw fail('denied', 'wrong password (or a damaged ncryptsec)');
  }
}

/** The scrypt cost (log_n) an ncryptsec was made with: its second byte (NIP-49). */
export function ncryptsecLogN(ncryptsec: string): number {
  try {
    const bytes = bech32.fromWords(bech32.decode(ncryptsec as `ncryptsec1${string}`, 5_000).words);
    const logN = bytes[1];
    if (logN === undefined) throw new Error('short');
    return logN;
  } catch {
    throw fail('invalid_request', 'secret: not a valid ncryptsec');
  }
}

export function encryptSecret(secretKey: Uint8Array, password: string, logN: number): string {
  // key-security byte 0x02: the key was handled securely (never stored in plain text).
  return nip49.encrypt(secretKey, password, logN, 0x02);
}
