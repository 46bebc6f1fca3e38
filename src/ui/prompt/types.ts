/** A waiting request as the background's list_prompts shows it. */
export interface PromptView {
  promptId: string;
  origin: string;
  method: string;
  kind: number | null;
  kindName: string | null;
  sensitive: boolean;
  reason: string;
  topOrigin: string | null;
  need: 'unlock' | 'account' | null;
  firstContact: boolean;
  createdAt: number;
  details:
    | { type: 'event'; event: { kind: number; content: string; tags: string[][]; created_at: number; pubkey: string; id: string } }
    | { type: 'peer'; pubkey: string }
    | { type: 'none' };
}

export const METHOD_TEXT: Record<string, string> = {
  get_public_key: 'read your public key',
  get_relays: 'read your relay list',
  sign_event: 'sign an event',
  nip04_encrypt: 'encrypt a message to someone (NIP-04)',
  nip04_decrypt: 'decrypt a message from someone (NIP-04)',
  nip44_encrypt: 'encrypt a message to someone (NIP-44)',
  nip44_decrypt: 'decrypt a message from someone (NIP-44)',
};

/** "37 decrypts", "3 signatures of kind 7": how a collapsed group of requests reads. */
export function groupNoun(p: Pick<PromptView, 'method' | 'kind'>, n: number): string {
  const noun: Record<string, [string, string]> = {
    get_public_key: ['public key request', 'public key requests'],
    get_relays: ['relay list request', 'relay list requests'],
    sign_event: ['signature', 'signatures'],
    nip04_encrypt: ['encryption', 'encryptions'],
    nip44_encrypt: ['encryption', 'encryptions'],
    nip04_decrypt: ['decrypt', 'decrypts'],
    nip44_decrypt: ['decrypt', 'decrypts'],
  };
  const [one, many] = noun[p.method] ?? ['request', 'requests'];
  return `${n} ${n === 1 ? one : many}${p.kind !== null ? ` of kind ${p.kind}` : ''}`;
}
