// A client's nostrconnect:// URI (NIP-46, client-initiated): its key, relays, secret, the perms
// it asks for and its name. nostr-tools makes these URIs (createNostrConnectURI) but does not
// read them on the bunker's side, so this does — and keeps only what it can check.
import { METHODS, type Method } from '../../shared/methods.ts';
import { relayUrlSchema } from '../../shared/protocol.ts';

export interface NostrConnectRequest {
  clientPubkey: string;
  relays: string[];
  secret: string;
  /** The methods of the `perms` it asks for (kind-scoped perms are widened to nothing: only known names count). */
  perms: Method[];
  name: string | null;
  url: string | null;
}

export function parseNostrConnectURI(uri: string): NostrConnectRequest | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  if (url.protocol !== 'nostrconnect:') return null;
  const clientPubkey = (url.host || url.pathname.replace(/^\/\//, '')).toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(clientPubkey)) return null;
  const relays = url.searchParams.getAll('relay').filter((r) => relayUrlSchema.safeParse(r).success).slice(0, 10);
  const secret = url.searchParams.get('secret') ?? '';
  if (!relays.length || !secret || secret.length > 256) return null;
  const perms = (url.searchParams.get('perms') ?? '')
    .split(',')
    .map((p) => p.split(':')[0]!.trim())
    .filter((m): m is Method => (METHODS as readonly string[]).includes(m) && m !== 'get_relays');
  const text = (key: string) => url.searchParams.get(key)?.slice(0, 100) || null;
  return { clientPubkey, relays, secret, perms: [...new Set(perms)], name: text('name'), url: text('url') };
}
