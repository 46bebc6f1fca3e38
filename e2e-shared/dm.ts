// NIP-17 direct messages for the e2e suites: real gift wraps made in Node with nostr-tools
// (nip17.wrapEvent: rumor → seal signed by the sender → gift wrap from a one-time key), and the
// reading path a DM client runs in the page: open each wrap, then its seal, through window.nostr.
import { generateSecretKey, getPublicKey, type NostrEvent } from 'nostr-tools/pure';
import * as nip17 from 'nostr-tools/nip17';

export interface Sender {
  sk: Uint8Array;
  pk: string;
}

export function senders(n: number): Sender[] {
  return Array.from({ length: n }, () => {
    const sk = generateSecretKey();
    return { sk, pk: getPublicKey(sk) };
  });
}

/** `perSender` messages from each sender to `recipient`, interleaved as an inbox would list them. */
export function inbox(recipient: string, from: readonly Sender[], perSender: number): NostrEvent[] {
  const out: NostrEvent[] = [];
  for (let i = 0; i < perSender; i++) {
    for (const [n, s] of from.entries()) out.push(nip17.wrapEvent(s.sk, { publicKey: recipient }, `message ${i} from sender ${n}`));
  }
  return out;
}

export interface ReadResult {
  /** Message contents read, in inbox order ('' where a layer was refused). */
  contents: string[];
  /** For a refused message: the layer and the code. */
  refused: { index: number; layer: 'wrap' | 'seal'; code: string }[];
  ms: number;
}

/**
 * Runs in the page (sent as a function by the driver's evaluate, so it uses nothing from this
 * module): reads every wrap the NIP-17 way, `concurrency` messages at a time, as a DM client's
 * inbox does, and times the whole read.
 */
export async function readInboxInPage([wraps, concurrency]: readonly [{ pubkey: string; content: string }[], number]): Promise<ReadResult> {
  type Nip44 = { decrypt(pk: string, c: string): Promise<string> };
  const nip44 = (window as unknown as { nostr: { nip44: Nip44 } }).nostr.nip44;
  const contents: string[] = new Array(wraps.length).fill('');
  const refused: ReadResult['refused'] = [];
  const start = performance.now();
  let next = 0;
  async function worker(): Promise<void> {
    while (next < wraps.length) {
      const index = next++;
      const wrap = wraps[index]!;
      let seal: { pubkey: string; content: string };
      try {
        seal = JSON.parse(await nip44.decrypt(wrap.pubkey, wrap.content));
      } catch (err) {
        refused.push({ index, layer: 'wrap', code: (err as { code?: string }).code ?? 'none' });
        continue;
      }
      try {
        contents[index] = (JSON.parse(await nip44.decrypt(seal.pubkey, seal.content)) as { content: string }).content;
      } catch (err) {
        refused.push({ index, layer: 'seal', code: (err as { code?: string }).code ?? 'none' });
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { contents, refused, ms: performance.now() - start };
}
