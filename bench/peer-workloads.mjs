// The workloads of the peers phase, each run on one signer's bench page (bench/peers.ts) and
// checked here in Node: sequential signEvent beside raw finalizeEvent, bursts of concurrent
// signEvent, and the gift-wrap inbox. Driver-neutral: the page may be Playwright's (Chromium) or
// puppeteer's (Firefox).
import { verifyEvent } from 'nostr-tools/pure';
import { addTally, checkInbox, checkSigned, emptyTally, tallyText } from './peer-checks.mjs';
import { peersCall } from './peer-signers.mjs';
import { fmt } from './report.mjs';
import { median, stats } from './stats.mjs';

/** How long a call may stay unanswered before it counts as lost. */
// Far above the slowest answer seen (about 2 s for a whole batch of 200), so only a call that was
// never going to be answered counts; a lost call costs the bench this long.
export const LOST_AFTER_MS = { call: 5_000, batch: 10_000 };

let tags = 0;
const tag = () => `${Date.now().toString(36)}.${tags++}`;

/**
 * `samples` batches of `batch` sequential signEvents, each batch taken in turn with a batch of raw
 * finalizeEvent in the same page. Returns both stats() and the last signed event's check.
 */
export async function sequentialSign(page, pubkey, { batch = 20, samples, warmup = 20 }) {
  const r = await peersCall(page, 'paired', { batch, samples, warmup, timeoutMs: LOST_AFTER_MS.call });
  const t = checkSigned([{ value: r.last }], [r.last?.content], pubkey, verifyEvent);
  if (t.ok !== 1) throw new Error(`the last signed event does not verify for ${pubkey.slice(0, 12)}…`);
  return { sign: stats(r.sign), raw: stats(r.raw) };
}

/** `batches` times `count` signEvent calls at once: each batch's wall time and the tally of every reply. */
export async function concurrentSign(page, pubkey, count, batches) {
  const times = [];
  const tally = emptyTally();
  for (let b = 0; b < batches; b++) {
    const r = await peersCall(page, 'burst', count, LOST_AFTER_MS.batch, tag());
    times.push(r.wallMs);
    addTally(tally, checkSigned(r.replies, r.contents, pubkey, verifyEvent));
  }
  return { times, median: median(times.filter((t) => !Number.isNaN(t))), tally };
}

/** A few untimed calls, so no signer pays a cold worker or JIT inside a timed part. */
export const warm = (page) => peersCall(page, 'burst', 5, LOST_AFTER_MS.batch, 'warm');

/** One inbox (a makeInbox() set) unwrapped through window.nostr, at most `width` wraps at a time (1 = sequential). */
export async function inboxLoad(page, set, width) {
  const r = await peersCall(page, 'inbox', set.items, width, width > 1 ? LOST_AFTER_MS.batch : LOST_AFTER_MS.call);
  return { ms: r.wallMs, tally: checkInbox(r.replies, set.expected) };
}

/** The same inbox unwrapped by nostr-tools in the page with the secret key: no messaging, no storage. */
export async function rawInbox(page, set, secret) {
  const r = await peersCall(page, 'rawInbox', set.items, secret);
  return { ms: r.wallMs, tally: checkInbox(r.replies, set.expected) };
}

/** One workload's result on a progress line. */
export function describe(key, v) {
  if (key === 'seq') return `p50 ${fmt(v.sign.p50)} ms (raw finalizeEvent ${fmt(v.raw.p50)} ms, ${v.sign.calls} calls)`;
  if (key === 'c50' || key === 'c200') return `batch median ${fmt(v.median, 1)} ms over ${v.times.length}; ${tallyText(v.tally)}`;
  return `${fmt(v.ms, 0)} ms; ${tallyText(v.tally)}`;
}
