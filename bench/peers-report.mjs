// The peers phase's summary: medians over the interleaved rounds, the ratios the performance issue
// sets targets on, every reply's check (lost / swapped), and how idle the machine was.
import { addTally, clean, emptyTally, tallyText } from './peer-checks.mjs';
import { fmt, table } from './report.mjs';
import { median } from './stats.mjs';

const COLUMNS = [
  ['ref-signer', (c) => c['ref-signer']],
  ['nos2x', (c) => c.nos2x],
  ['Warden', (c) => c.Warden],
  ['Warden, Firefox', (_, ff) => ff],
];

/** { mid, lo, hi, tally } of one workload's rounds, or undefined when it has none. */
export function over(rounds, value) {
  const v = (rounds ?? []).flatMap(value).filter((x) => x !== undefined && !Number.isNaN(x));
  if (!v.length) return undefined;
  const tally = (rounds ?? []).reduce((t, r) => (r.tally ? addTally(t, r.tally) : t), emptyTally());
  return { mid: median(v), lo: Math.min(...v), hi: Math.max(...v), n: v.length, tally };
}

/** Each workload of one signer's results, reduced across rounds. */
export function reduce(r) {
  if (!r) return {};
  return {
    seq: over(r.seq, (x) => x.sign.p50),
    raw: over(r.seq, (x) => x.raw.p50),
    perRaw: over(r.seq, (x) => x.sign.p50 / x.raw.p50),
    c50: over(r.c50, (x) => x.times),
    c200: over(r.c200, (x) => x.times),
    inboxSeq: over(r.inboxSeq, (x) => x.ms),
    inboxAll: over(r.inboxAll, (x) => x.ms),
    inbox100: over(r.inbox100, (x) => x.ms),
  };
}

/** A figure whose calls were not all answered right is starred: its time covers fewer answers. */
const star = (...fs) => (fs.some((f) => f && !clean(f.tally)) ? '*' : '');
const cell = (f, unit = ' ms') => (f ? `${fmt(f.mid, 2)}${unit} (${fmt(f.lo, 2)}–${fmt(f.hi, 2)})${star(f)}` : 'n/a');
const ratio = (a, b) => (a && b ? a.mid / b.mid : undefined);
const x = (q) => (q === undefined ? 'n/a' : `${q.toFixed(2)}×`);
const xs = (a, b) => `${x(ratio(a, b))}${star(a, b)}`;
const verdict = (ok) => (ok === undefined ? 'n/a' : ok ? 'met' : 'NOT met');
const pct = (v) => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(0)} %`);

export function peersSummary({ chromium = {}, firefox, idle, opts }) {
  const c = Object.fromEntries(['Warden', 'nos2x', 'ref-signer'].map((n) => [n, reduce(chromium[n])]));
  const ff = reduce(firefox);
  const raw = over(chromium.raw?.inbox, (x) => x.ms);
  const W = c.Warden;
  console.log('\n============================ Warden beside its peers (peers phase) ============================');
  console.log(`${opts.peerRounds} interleaved rounds (Warden, nos2x, ref-signer in turn, one headless Chromium each); figures are medians, (min–max) across rounds.`);
  console.log('Warden: sign_event kind 1 with 3 stacked caps, 100,000-entry signing log, nip44_decrypt granted; nos2x: conditions {} for the host; ref-signer: granted.\n');
  const rows = [
    ['signEvent p50, sequential', 'seq', ' ms'],
    ['raw finalizeEvent p50 (same page)', 'raw', ' ms'],
    ['signEvent ÷ raw finalizeEvent', 'perRaw', '×'],
    ['50 concurrent signEvent, batch', 'c50', ' ms'],
    ['200 concurrent signEvent, batch', 'c200', ' ms'],
    ['inbox 200 wraps, sequential', 'inboxSeq', ' ms'],
    ['inbox 200 wraps, all at once', 'inboxAll', ' ms'],
    ['inbox 200 wraps, 100 at a time', 'inbox100', ' ms'],
  ];
  console.log(
    table(
      ['workload', ...COLUMNS.map(([h]) => h), 'Warden ÷ nos2x', 'Warden ÷ ref-signer'],
      rows.map(([label, k, unit]) => [label, ...COLUMNS.map(([, pick]) => cell(pick(c, ff)?.[k], unit)), k === 'perRaw' || k === 'raw' ? '' : xs(W[k], c.nos2x[k]), k === 'perRaw' || k === 'raw' ? '' : xs(W[k], c['ref-signer'][k])]),
    ),
  );
  console.log('   * not every call of that figure was answered right (lost, swapped or refused: see below); its time covers fewer answers.');
  console.log(`   raw nostr-tools unwrapping of the same 200 wraps in the page (no messaging): ${cell(raw)}; Warden's inbox ÷ that: sequential ${x(ratio(W.inboxSeq, raw))}, all at once ${x(ratio(W.inboxAll, raw))}`);
  console.log('\n   every reply checked (signatures with verifyEvent, plaintexts against what was sent), all rounds added up:\n');
  console.log(
    table(
      ['workload', ...COLUMNS.map(([h]) => h)],
      [
        ['sequential signEvent', 'seq'],
        ['50 concurrent signEvent', 'c50'],
        ['200 concurrent signEvent', 'c200'],
        ['inbox, sequential', 'inboxSeq'],
        ['inbox, all at once', 'inboxAll'],
        ['inbox, 100 at a time', 'inbox100'],
      ].map(([label, k]) => [label, ...COLUMNS.map(([, pick]) => {
        const f = pick(c, ff)?.[k];
        return !f ? 'n/a' : k === 'seq' ? 'verified' : tallyText(f.tally);
      })]),
    ),
  );
  // A target is met only by a ratio in range with every one of Warden's calls answered right.
  const at = (q, max, f) => (q === undefined || !f ? undefined : q <= max && clean(f.tally));
  const both = (a, b) => (a === undefined || b === undefined ? undefined : a && b);
  const ref = c['ref-signer'];
  const wt = (f) => (f ? `; Warden ${tallyText(f.tally)}` : '');
  console.log('\n   targets (issue 11), in this run (met = the ratio in range and every Warden call answered right):');
  console.log(`   - signEvent p50 ≤ 1.0× nos2x and ≤ 1.3× ref-signer: ${x(ratio(W.seq, c.nos2x.seq))} / ${x(ratio(W.seq, ref.seq))} → ${verdict(both(at(ratio(W.seq, c.nos2x.seq), 1.0, W.seq), at(ratio(W.seq, ref.seq), 1.3, W.seq)))}`);
  console.log(`   - 50 concurrent ≤ 0.8× nos2x, 0 lost, 0 swapped: ${x(ratio(W.c50, c.nos2x.c50))}${wt(W.c50)} → ${verdict(at(ratio(W.c50, c.nos2x.c50), 0.8, W.c50))}`);
  console.log(`   - inbox all at once ≤ 1.3× ref-signer: ${x(ratio(W.inboxAll, ref.inboxAll))}${wt(W.inboxAll)} → ${verdict(at(ratio(W.inboxAll, ref.inboxAll), 1.3, W.inboxAll))}`);
  console.log(`   - inbox sequential ≤ 1.5× ref-signer: ${x(ratio(W.inboxSeq, ref.inboxSeq))}${wt(W.inboxSeq)} → ${verdict(at(ratio(W.inboxSeq, ref.inboxSeq), 1.5, W.inboxSeq))}`);
  console.log(`   - Firefox signEvent p50 and inbox reported: ${ff.seq && ff.inboxSeq ? `yes (${fmt(ff.seq.mid, 2)} ms; inbox ${fmt(ff.inboxSeq.mid, 0)} / ${fmt(ff.inboxAll?.mid, 0)} ms)` : 'no'}`);
  console.log(`\n   CPUs idle before the peers phase ${pct(idle?.start)}, after ${pct(idle?.end)}${idle?.start !== null && idle?.start < 0.8 ? ' — other work was running: ratios (same moment) hold better than absolute figures' : ''}`);
}
