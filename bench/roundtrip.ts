// A plain web page (served on http://127.0.0.1) where the extension injects window.nostr. It times
// the full signEvent round trip, a few cheaper round trips that isolate parts of it, and a raw
// nostr-tools finalizeEvent in this very page for the ratio.
import { finalizeEvent, generateSecretKey, verifyEvent, type VerifiedEvent } from 'nostr-tools/pure';
import { timeBatches, timeBatchesSync, timePaired, type BatchOptions, type BatchResult } from './timing.ts';

interface Nostr {
  getPublicKey(): Promise<string>;
  signEvent(event: unknown): Promise<VerifiedEvent>;
}

export interface RoundtripBench {
  ready(): boolean;
  /** One signEvent, checked: the signature verifies and the pubkey is the account's. */
  check(pubkey: string): Promise<{ ok: boolean; detail: string }>;
  raw(o: BatchOptions): BatchResult;
  /** Raw finalizeEvent and signEvent samples taken in turns, so both see the same machine load. */
  paired(o: BatchOptions): Promise<{ raw: BatchResult; sign: BatchResult }>;
  sign(o: BatchOptions): Promise<BatchResult>;
  pubkey(o: BatchOptions): Promise<BatchResult>;
  invalid(o: BatchOptions): Promise<BatchResult>;
  echo(o: BatchOptions): Promise<BatchResult>;
  concurrent(n: number, rounds: number): Promise<number[]>;
  /**
   * The flood phase (bench/flood-phase.mjs), on a site with no grant: sends `count` signEvent calls
   * at once, then again each time that round's refusals are back, `rounds` times or until
   * floodStop(). The calls that wait on the prompt are never answered from the page.
   */
  floodStart(count: number, rounds: number): void;
  floodStop(): Promise<FloodReport>;
}

export interface FloodReport {
  rounds: number;
  sent: number;
  /** How the settled calls ended, by code ('signed' for a signature). */
  codes: Record<string, number>;
}

declare global {
  interface Window {
    bench: RoundtripBench;
  }
}

const nostr = (): Nostr => (window as unknown as { nostr: Nostr }).nostr;
const sk = generateSecretKey();
let n = 0;
const template = () => ({
  kind: 1,
  content: `warden bench note ${n++}`,
  tags: [['t', 'bench']],
  created_at: Math.floor(Date.now() / 1000),
});

/** Two same-window postMessage hops (what provider → bridge and bridge → provider cost, minus the listeners' work). */
function echo(): Promise<void> {
  const hop = () =>
    new Promise<void>((resolve) => {
      const id = Math.random();
      const onMessage = (event: MessageEvent) => {
        if ((event.data as { benchEcho?: number } | null)?.benchEcho !== id) return;
        window.removeEventListener('message', onMessage);
        resolve();
      };
      window.addEventListener('message', onMessage);
      window.postMessage({ benchEcho: id }, window.location.origin);
    });
  return hop().then(hop);
}

async function expectInvalid(): Promise<void> {
  try {
    await nostr().signEvent({ kind: -1, content: 'x', tags: [] });
  } catch (err) {
    if ((err as { code?: string }).code === 'invalid_request') return;
    throw err;
  }
  throw new Error('a malformed event was signed');
}

let flooding = false;
let flood: FloodReport = { rounds: 0, sent: 0, codes: {} };
let floodLoop: Promise<void> = Promise.resolve();
/** Calls of a round that may wait on the prompt (the per-site bound) rather than settle. */
const MAY_WAIT = 20;

window.bench = {
  ready: () => 'nostr' in window,
  async check(pubkey) {
    const event = await nostr().signEvent(template());
    const ok = verifyEvent(event) && event.pubkey === pubkey;
    return { ok, detail: ok ? `event ${event.id.slice(0, 12)}… verifies` : JSON.stringify(event) };
  },
  raw: (o) => timeBatchesSync(() => finalizeEvent(template(), sk), o),
  sign: (o) => timeBatches(() => nostr().signEvent(template()), o),
  async paired(o) {
    const rawFn = () => finalizeEvent(template(), sk);
    const signFn = () => nostr().signEvent(template());
    return timePaired(rawFn, signFn, o);
  },
  pubkey: (o) => timeBatches(() => nostr().getPublicKey(), o),
  invalid: (o) => timeBatches(expectInvalid, o),
  echo: (o) => timeBatches(echo, o),
  /** `rounds` times: n signEvent calls at once; returns each round's wall time (ms). */
  async concurrent(count, rounds) {
    const out: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      await Promise.all(Array.from({ length: count }, () => nostr().signEvent(template())));
      out.push(performance.now() - t0);
    }
    return out;
  },
  floodStart(count, rounds) {
    flooding = true;
    flood = { rounds: 0, sent: 0, codes: {} };
    const report = flood;
    floodLoop = (async () => {
      while (flooding && report.rounds < rounds) {
        report.rounds++;
        let settled = 0;
        await new Promise<void>((resolve) => {
          for (let i = 0; i < count; i++) {
            report.sent++;
            nostr()
              .signEvent({ ...template(), content: `flood ${i}` })
              .then(
                () => 'signed',
                (err: { code?: string }) => err.code ?? 'none',
              )
              .then((c) => {
                report.codes[c] = (report.codes[c] ?? 0) + 1;
                if (++settled >= count - MAY_WAIT) resolve();
              });
          }
        });
      }
    })();
  },
  async floodStop() {
    flooding = false;
    await floodLoop;
    return flood;
  },
};
