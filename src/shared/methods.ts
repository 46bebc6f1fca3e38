// Method names follow NIP-46 (DESIGN.md §4, contract).
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

/** Written to the signing log and subject to caps. */
export const CONSEQUENTIAL_METHODS = [
  'sign_event',
  'nip04_encrypt',
  'nip04_decrypt',
  'nip44_encrypt',
  'nip44_decrypt',
] as const satisfies readonly Method[];
export type ConsequentialMethod = (typeof CONSEQUENTIAL_METHODS)[number];

export function isConsequential(method: Method): method is ConsequentialMethod {
  return (CONSEQUENTIAL_METHODS as readonly Method[]).includes(method);
}

/** getRelays is not a policy subject of its own: it is allowed wherever get_public_key is. */
export function policyMethod(method: Method): Method {
  return method === 'get_relays' ? 'get_public_key' : method;
}

/** Profile, contact list, deletion, relay list: only a rule naming the kind allows them. */
export const DEFAULT_SENSITIVE_KINDS: readonly number[] = [0, 3, 5, 10002];

/** The NIP-07 call names the page may use, mapped to the policy method. */
export const NIP07_CALLS = {
  getPublicKey: 'get_public_key',
  signEvent: 'sign_event',
  getRelays: 'get_relays',
  'nip04.encrypt': 'nip04_encrypt',
  'nip04.decrypt': 'nip04_decrypt',
  'nip44.encrypt': 'nip44_encrypt',
  'nip44.decrypt': 'nip44_decrypt',
} as const satisfies Record<string, Method>;
