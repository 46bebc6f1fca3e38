// The bunker as the Node tests drive it: a real background context whose bunker talks to a real
// relay (src/test/relay.ts) over the `ws` package, and real NIP-46 clients (nostr-tools'
// BunkerSigner) on the same relay. The clock starts at the real time, because the client stamps
// its requests with Date.now() and the bunker checks their freshness against its own clock.
import WebSocket from 'ws';
import { SimplePool, useWebSocketImplementation } from 'nostr-tools/pool';
import { BunkerSigner, parseBunkerInput } from 'nostr-tools/nip46';
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import * as nip44 from 'nostr-tools/nip44';
import type { SocketLike } from '../background/bunker/relayLink.ts';
import { withAccount, type AccountHarness, type HarnessSetup } from './background.ts';
import { waitFor } from './fixtures.ts';
import type { TestRelay } from './relay.ts';

useWebSocketImplementation(WebSocket);

export const wsSocket = (url: string) => new WebSocket(url) as unknown as SocketLike;

export interface BunkerHarness extends AccountHarness {
  bunkerPubkey: string;
}

/** An unlocked vault with one account and the bunker running on `relay`, connected. */
export async function bunkerOn(relay: TestRelay, setup: HarnessSetup = {}): Promise<BunkerHarness> {
  const h = await withAccount({ clock: { t: Date.now() }, bunkerSocket: wsSocket, ...setup });
  const { bunkerPubkey } = await h.ok('bunker_start', { relays: [relay.url] });
  await waitFor(async () => ((await h.ok('bunker_status')).relays.every((r: { connected: boolean }) => r.connected) ? true : null), 5_000, 'the bunker to connect');
  return Object.assign(h, { bunkerPubkey });
}

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
