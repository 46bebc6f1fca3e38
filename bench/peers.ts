// A plain web page (served on http://127.0.0.1) for the peers phase (bench/peers-phase.mjs): the
// same workloads on whichever signer this browser loaded (Warden, nos2x or the reference signer),
// beside raw nostr-tools in this very page. The page only times and collects what came back; the
// bench checks every reply in Node (bench/peer-checks.mjs), outside the timed part.
import { hexToBytes } from '@noble/hashes/utils.js';
import { decrypt, getConversationKey } from 'nostr-tools/nip44';
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure';
import { timePaired, type BatchOptions, type BatchResult } from './timing.ts';

interface Nostr {
  getPublicKey(): Promise<string>;
  signEvent(event: unknown): Promise<unknown>;
  nip44: { decrypt(peer: string, ciphertext: string): Promise<string> };
  _pubkey?: unknown;
}

/** A gift wrap as the page needs it: its one-time pubkey and its content. */
export interface WrapItem {
  pubkey: string;
  content: string;
}

/** How one call ended: its value, its refusal's code, or never settled before the deadline. */
export type Settled<T> = { value: T } | { error: string } | { lost: true };

/** One unwrapped gift wrap: the seal's author and the rumor's JSON, as the signer decrypted them. */
export interface Unwrapped {
  seal: string;
  rumor: string;
}

export interface PeersBench {
  ready(): boolean;
  pubkey(): Promise<string>;
  /** Raw finalizeEvent and signEvent batches taken in turns, so both see the same machine load. */
  paired(o: BatchOptions & { timeoutMs: number }): Promise<{ raw: BatchResult; sign: BatchResult; last: unknown }>;
  /** `count` signEvent calls at once, each with its own content; `tag` keeps contents unique across batches. */
  burst(count: number, timeoutMs: number, tag: string): Promise<{ wallMs: number; contents: string[]; replies: Settled<unknown>[] }>;
  /**
   * Unwraps `items` through window.nostr.nip44.decrypt (two decrypts each), at most `width` wraps
   * at a time: 1 = one after another, items.length = all at once.
   */
  inbox(items: WrapItem[], width: number, timeoutMs: number): Promise<{ wallMs: number; replies: Settled<Unwrapped>[] }>;
  /** The same unwrapping with nostr-tools in the page (the secret key given): the floor without messaging. */
  rawInbox(items: WrapItem[], secretHex: string): { wallMs: number; replies: Settled<Unwrapped>[] };
}

declare global {
  interface Window {
    peers: PeersBench;
  }
}

/** nos2x's provider caches the pubkey in `_pubkey`: cleared so every call is a real round trip (shared peers README). */
function nostr(): Nostr {
  const n = (window as unknown as { nostr: Nostr }).nostr;
  if ('_pubkey' in n) n._pubkey = null;
  return n;
}

const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

/** A refusal's code; a signer without codes (nos2x) by its message, numbers masked so alike ones add up. */
function refusalCode(err: { code?: string; message?: string }): string {
  if (typeof err?.code === 'string') return err.code;
  return String(err?.message ?? err).replace(/\b\d+\b/g, 'N').slice(0, 48);
}

/** Waits for `p` or the deadline, whichever first; notes when it settled. */
async function settle<T>(p: Promise<T>, deadline: Promise<void>): Promise<{ r: Settled<T>; at: number }> {
  const r = await Promise.race([
    p.then(
      (value): Settled<T> => ({ value }),
      (err: { code?: string; message?: string }): Settled<T> => ({ error: refusalCode(err) }),
    ),
    deadline.then((): Settled<T> => ({ lost: true })),
  ]);
  return { r, at: performance.now() };
}

/** Wall time to the last call that settled (a lost call is counted, not timed). */
function wall(t0: number, outs: { r: Settled<unknown>; at: number }[]): number {
  const settled = outs.filter((o) => !('lost' in o.r)).map((o) => o.at);
  return settled.length ? Math.max(...settled) - t0 : NaN;
}

let n = 0;
const note = (content = `peers bench note ${n++}`) => ({ kind: 1, content, tags: [['t', 'bench']], created_at: Math.floor(Date.now() / 1000) });

async function unwrap(item: WrapItem): Promise<Unwrapped> {
  const seal = JSON.parse(await nostr().nip44.decrypt(item.pubkey, item.content)) as { pubkey: string; content: string };
  return { seal: seal.pubkey, rumor: await nostr().nip44.decrypt(seal.pubkey, seal.content) };
}

const sk = generateSecretKey();

window.peers = {
  ready: () => 'nostr' in window,
  pubkey: () => nostr().getPublicKey(),
  async paired(o) {
    let last: unknown;
    const rawFn = () => finalizeEvent(note(), sk);
    const signFn = async () => {
      const r = await settle(nostr().signEvent(note()), sleep(o.timeoutMs));
      if (!('value' in r.r)) throw new Error(`signEvent: ${'lost' in r.r ? `no answer in ${o.timeoutMs} ms` : r.r.error}`);
      last = r.r.value;
    };
    const { raw, sign } = await timePaired(rawFn, signFn, o);
    return { raw, sign, last };
  },
  async burst(count, timeoutMs, tag) {
    const contents = Array.from({ length: count }, (_, i) => `peers burst ${tag} #${i}`);
    const deadline = sleep(timeoutMs);
    const t0 = performance.now();
    const outs = await Promise.all(contents.map((c) => settle(nostr().signEvent(note(c)), deadline)));
    return { wallMs: wall(t0, outs), contents, replies: outs.map((o) => o.r) };
  },
  async inbox(items, width, timeoutMs) {
    const outs: { r: Settled<Unwrapped>; at: number }[] = new Array(items.length);
    let next = 0;
    // `width` lanes, each unwrapping the next wrap when its last one is done: each lane starts its
    // first call in this same tick, so width = items.length sends them all at once.
    const lane = async () => {
      while (next < items.length) {
        const i = next++;
        outs[i] = await settle(unwrap(items[i]!), sleep(timeoutMs));
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
    return { wallMs: wall(t0, outs), replies: outs.map((o) => o.r) };
  },
  rawInbox(items, secretHex) {
    const secret = hexToBytes(secretHex);
    const t0 = performance.now();
    const replies = items.map((item): Settled<Unwrapped> => {
      try {
        // As nip59's unwrapEvent does: a conversation key per layer, none kept.
        const seal = JSON.parse(decrypt(item.content, getConversationKey(secret, item.pubkey))) as { pubkey: string; content: string };
        return { value: { seal: seal.pubkey, rumor: decrypt(seal.content, getConversationKey(secret, seal.pubkey)) } };
      } catch (err) {
        return { error: String((err as Error).message) };
      }
    });
    return { wallMs: performance.now() - t0, replies };
  },
};
