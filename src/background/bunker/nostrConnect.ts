// A client's nostrconnect:// URI (NIP-46, client-initiated): its key, relays, secret, the perms
// it asks for and its name. nostr-tools makes these URIs (createNostrConnectURI) but does not
// read them on the bunker's side, so this does — and keeps only what it can check.
import { METHODS, type Method } from '../../shared/methods.ts';
import { relayUrlSchema } from '../../shared/protocol.ts';

export interface NostrConnectRequest {
  clientPubkey: string;
  relays: string[];
  secret: string;
  /** The `perms` it asks for, as rules: `sign_event:1` is kind 1 only; unknown names are left out. */
  perms: { method: Method; kind?: number }[];
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
  const perms = new Map<string, { method: Method; kind?: number }>();
  for (const perm of (url.searchParams.get('perms') ?? '').split(',').slice(0, 50)) {
    const [name = '', arg] = perm.trim().split(':');
    if (!(METHODS as readonly string[]).includes(name) || name === 'get_relays') continue;
    const kind = name === 'sign_event' && arg !== undefined && /^\d{1,5}$/.test(arg) && Number(arg) <= 65_535 ? Number(arg) : undefined;
    // A sign_event perm with a kind argument that is no kind is left out rather than widened to every kind.
    if (name === 'sign_event' && arg !== undefined && kind === undefined) continue;
    perms.set(`${name}:${kind ?? ''}`, { method: name as Method, ...(kind !== undefined ? { kind } : {}) });
  }
  const text = (key: string) => url.searchParams.get(key)?.slice(0, 100) || null;
  return { clientPubkey, relays, secret, perms: [...perms.values()], name: text('name'), url: text('url') };
}
