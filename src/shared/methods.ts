// The NIP-07 method vocabulary, once. Every list of methods elsewhere (the page's window.nostr,
// the wire enum, which are logged and capped, what "Pause site" denies, the pages' labels and
// the prompt's sentences) is derived from METHOD_TABLE; a method missing an entry fails to
// compile. Wire names follow NIP-46 and never change (docs/ARCHITECTURE.md, "Wire contract").
// Pure data: the MAIN-world provider imports it, so it stays small and dependency-free.

/** Wire names, in the order the pages list them. */
export const METHODS = [
  'get_public_key',
  'sign_event',
  'nip04_encrypt',
  'nip04_decrypt',
  'nip44_encrypt',
  'nip44_decrypt',
  'get_relays',
] as const;
export type Method = (typeof METHODS)[number];

interface MethodBase {
  /** The page's call on window.nostr, dotted (`nip44.decrypt`). */
  call: string;
  /** The call's positional arguments, by the name each takes in the request's params. */
  args: readonly string[];
  /** What narrows a rule beyond the method: an event kind, the other party's key, or nothing. */
  subject: 'kind' | 'peer' | 'none';
  /** For a peer method: whether the peer receives (`to`) or sent (`from`) the message. */
  peer?: 'to' | 'from';
  /** The popup and options pages' short label ("decrypt (NIP-44)"). */
  label: string;
  /** The prompt's sentence after "wants to". */
  prompt: string;
  /** How a group of waiting requests is counted: [one, many]. */
  noun: readonly [string, string];
}

/**
 * A consequential method is written to the signing log and capped; it always has a policy of its
 * own, so every cap on it counts exactly the entries filed under its name. A method that is not
 * logged may borrow another's policy (`policyOf`): it is allowed, denied and paused wherever that
 * one is.
 */
export type MethodSpec = MethodBase & ({ consequential: true; policyOf?: never } | { consequential: false; policyOf?: Method });

export const METHOD_TABLE = {
  get_public_key: {
    call: 'getPublicKey',
    args: [],
    consequential: false,
    subject: 'none',
    label: 'read public key',
    prompt: 'read your public key',
    noun: ['public key request', 'public key requests'],
  },
  sign_event: {
    call: 'signEvent',
    args: ['event'],
    consequential: true,
    subject: 'kind',
    label: 'sign events',
    prompt: 'sign an event',
    noun: ['signature', 'signatures'],
  },
  nip04_encrypt: {
    call: 'nip04.encrypt',
    args: ['pubkey', 'plaintext'],
    consequential: true,
    subject: 'peer',
    peer: 'to',
    label: 'encrypt (NIP-04)',
    prompt: 'encrypt a message to someone (NIP-04)',
    noun: ['encryption', 'encryptions'],
  },
  nip04_decrypt: {
    call: 'nip04.decrypt',
    args: ['pubkey', 'ciphertext'],
    consequential: true,
    subject: 'peer',
    peer: 'from',
    label: 'decrypt (NIP-04)',
    prompt: 'decrypt a message from someone (NIP-04)',
    noun: ['decrypt', 'decrypts'],
  },
  nip44_encrypt: {
    call: 'nip44.encrypt',
    args: ['pubkey', 'plaintext'],
    consequential: true,
    subject: 'peer',
    peer: 'to',
    label: 'encrypt (NIP-44)',
    prompt: 'encrypt a message to someone (NIP-44)',
    noun: ['encryption', 'encryptions'],
  },
  nip44_decrypt: {
    call: 'nip44.decrypt',
    args: ['pubkey', 'ciphertext'],
    consequential: true,
    subject: 'peer',
    peer: 'from',
    label: 'decrypt (NIP-44)',
    prompt: 'decrypt a message from someone (NIP-44)',
    noun: ['decrypt', 'decrypts'],
  },
  get_relays: {
    call: 'getRelays',
    args: [],
    consequential: false,
    subject: 'none',
    policyOf: 'get_public_key',
    label: 'read relays',
    prompt: 'read your relay list',
    noun: ['relay list request', 'relay list requests'],
  },
} as const satisfies { readonly [M in Method]: MethodSpec };

type Table = typeof METHOD_TABLE;

export type ConsequentialMethod = { [M in Method]: Table[M]['consequential'] extends true ? M : never }[Method];

export const CONSEQUENTIAL_METHODS = METHODS.filter((m): m is ConsequentialMethod => METHOD_TABLE[m].consequential);

export function isConsequential(method: Method): method is ConsequentialMethod {
  return METHOD_TABLE[method].consequential;
}

/** A method's entry, seen through the general shape (every optional field readable). */
export function specOf(method: Method): MethodSpec {
  return METHOD_TABLE[method];
}

/** The method whose policy a request is judged by (itself, unless it borrows another's). */
export function policyMethod(method: Method): Method {
  return specOf(method).policyOf ?? method;
}

/** Takes an event kind: rules, overrides and prompts may name one. */
export function takesKind(method: string): boolean {
  return isMethod(method) && METHOD_TABLE[method].subject === 'kind';
}

/** The methods with a policy of their own: what "Pause site" denies and the pages offer in rules. */
export const POLICY_METHODS: readonly Method[] = METHODS.filter((m) => policyMethod(m) === m);

export function isMethod(value: string): value is Method {
  return Object.hasOwn(METHOD_TABLE, value);
}

export { DEFAULT_SENSITIVE_KINDS } from './kinds.ts';
