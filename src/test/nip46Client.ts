// A real NIP-46 client for tests (nostr-tools' BunkerSigner over the `ws` package), and requests
// made by hand. Free of vitest, so the Playwright specs use it too.
import WebSocket from 'ws';
import { SimplePool, useWebSocketImplementation } from 'nostr-tools/pool';
import { BunkerSigner, parseBunkerInput } from 'nostr-tools/nip46';
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import * as nip44 from 'nostr-tools/nip44';
import type { SocketLike } from '../background/bunker/relayLink.ts';

useWebSocketImplementation(WebSocket);

export const wsSocket = (url: string) => new WebSocket(url) as unknown as SocketLike;

export interface Client {
  signer: BunkerSigner;
  secretKey: Uint8Array;
  pubkey: string;
  origin: string;
  close(): void;
}

const pools: SimplePool[] = [];

/** A NIP-46 client (a phone app, say) made from a bunker:// URL; not connected yet. */
export async function clientFor(bunkerUrl: string): Promise<Client> {
  const pointer = await parseBunkerInput(bunkerUrl);
  if (!pointer) throw new Error(`not a bunker URL: ${bunkerUrl}`);
  const secretKey = generateSecretKey();
  const pool = new SimplePool();
  pools.push(pool);
  const signer = BunkerSigner.fromBunker(secretKey, pointer, { pool });
  const pubkey = getPublicKey(secretKey);
  return { signer, secretKey, pubkey, origin: `nip46:${pubkey}`, close: () => void signer.close().then(() => pool.destroy()) };
}

export function closeClients(): void {
  for (const pool of pools.splice(0)) pool.destroy();
}

/** A client call that must settle in time: its value, or the error message the bunker replied with. */
export async function outcome<T>(p: Promise<T>, ms = 5_000): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no reply in time')), ms)));
  try {
    return { ok: true, value: await Promise.race([p, timeout]) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** A kind-24133 request event made by hand (for replays, stale requests and junk). */
export function requestEvent(clientSk: Uint8Array, bunkerPubkey: string, body: unknown, createdAtSeconds: number) {
  const key = nip44.v2.utils.getConversationKey(clientSk, bunkerPubkey);
  const content = nip44.v2.encrypt(typeof body === 'string' ? body : JSON.stringify(body), key);
  return finalizeEvent({ kind: 24133, content, tags: [['p', bunkerPubkey]], created_at: createdAtSeconds }, clientSk);
}
