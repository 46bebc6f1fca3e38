#!/usr/bin/env node
// `npm run bench`: Warden's performance bench, in real headless Chromium. It prints numbers and
// asserts nothing (the exit code only says whether the bench itself could run). The phases live
// in bench/ (bench/README.md says which file holds which):
//
//   1. signEvent round trip (page → window.nostr → content bridge → service worker → guard
//      transaction → back) with a grant whose kind-1 rule set has three stacked caps and a
//      pre-filled signing log (1k, then 100k entries), beside raw nostr-tools finalizeEvent in
//      the same page; plus cheaper round trips that isolate the parts.
//   2. The cap check (countSince over a 1-hour window) and the guard transaction, taken apart,
//      against signing logs of 1k, 10k, 100k and 1M entries.
//   3. bench/popup.mjs's benchPopup() (popup open time).
//   4. bench/prompt.mjs: request → prompt clickable, and click → the page's promise settled.
//   5. bench/flood-phase.mjs: a granted site's signEvent while another site floods, and the rows left.
//   6. bench/unlock-phase.mjs: unlock and ncryptsec import at the scrypt floor (log_n 16), in a
//      browser of its own.
//   7. bench/peers-phase.mjs (last, its own browsers): Warden beside nos2x and the storage-less
//      reference signer from ../shared/peers (or BENCH_PEERS_DIR), interleaved, with ratios; and
//      Warden in Firefox ESR. Skipped with a line when the peers are not there.
//
// Options: --quick (fewer samples, cap table up to 100k), --no-1m (cap table up to 100k),
//          --ext-1m (also time the extension round trip at 1M entries; adds a few minutes),
//          --ext-only / --caps-only (one phase), --no-popup (skip the popup phase),
//          --no-prompt (skip the prompt phase), --no-flood (skip the flood phase, phase 5),
//          --flood-only (only the flood phase), --peers-only (only the peers phase), --no-peers,
//          --no-unlock (skip phase 6), --unlock-only (only it),
//          --no-verify / --verify-only (verify_log over 1M chained entries; 100k with --quick),
//          --no-bunker / --bunker-only (bench/bunker-phase.mjs: a NIP-46 signEvent through a local
//          relay, Warden's bunker against a plain in-Node one),
//          --wait-quiet[=MIN] (first wait up to MIN minutes, default 10, for the CPUs to be ≥ 80 % idle).
// Env: BENCH_EXT_DIR=dist/chrome uses an already built extension instead of building
//      dist/bench/extension; CHROME_PATH (default /usr/bin/chromium); BENCH_PEERS_DIR.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAGES_DIR, buildExtension, buildPages } from '../bench/build.mjs';
import { benchCaps } from '../bench/caps-phase.mjs';
import { benchExtension } from '../bench/extension-phase.mjs';
import { benchFloodPhase } from '../bench/flood-phase.mjs';
import { benchPeers, peerOptions } from '../bench/peers-phase.mjs';
import { benchUnlockPhase } from '../bench/unlock-phase.mjs';
import { benchVerify } from '../bench/verify-phase.mjs';
import { benchBunkerPhase } from '../bench/bunker-phase.mjs';
import { cpuIdle, launchBench } from '../bench/launch.mjs';
import { attempt, log } from '../bench/report.mjs';
import { summary } from '../bench/summary.mjs';
import { benchPopupPhase, benchPromptPhase } from '../bench/ui-phases.mjs';
import { serveStatic } from './serve-demo.mjs';

function parseOptions(argv) {
  const args = new Set(argv);
  const waitArg = argv.find((a) => a.startsWith('--wait-quiet'));
  const quick = args.has('--quick');
  const floodOnly = args.has('--flood-only');
  const unlockOnly = args.has('--unlock-only');
  const verifyOnly = args.has('--verify-only');
  const bunkerOnly = args.has('--bunker-only');
  const oneOnly = floodOnly || unlockOnly || verifyOnly || bunkerOnly;
  return {
    quick,
    waitQuietMin: waitArg === undefined ? 0 : Number(waitArg.split('=')[1] ?? 10),
    capSizes: quick || args.has('--no-1m') ? [1_000, 10_000, 100_000] : [1_000, 10_000, 100_000, 1_000_000],
    extSizes: args.has('--ext-1m') ? [1_000, 100_000, 1_000_000] : [1_000, 100_000],
    scale: quick ? 0.3 : 1, // sample-count scale
    ext: !oneOnly && !args.has('--caps-only'),
    caps: !oneOnly && !args.has('--ext-only'),
    popup: !oneOnly && !args.has('--caps-only') && !args.has('--no-popup'),
    prompt: !oneOnly && !args.has('--caps-only') && !args.has('--no-prompt'),
    flood: floodOnly || (!oneOnly && !args.has('--caps-only') && !args.has('--no-flood')),
    unlock: unlockOnly || (!oneOnly && !args.has('--caps-only') && !args.has('--ext-only') && !args.has('--no-unlock')),
    unlockOnly,
    verify: verifyOnly || (!oneOnly && !args.has('--caps-only') && !args.has('--ext-only') && !args.has('--no-verify')),
    verifySize: quick ? 100_000 : 1_000_000,
    bunker: bunkerOnly || (!oneOnly && !args.has('--caps-only') && !args.has('--ext-only') && !args.has('--no-bunker')),
    bunkerOnly,
  };
}

/** Waits (up to opts.waitQuietMin minutes) for ≥ 80 % idle CPUs, says how idle they are, and returns that fraction. */
async function idleBeforeStart(opts) {
  let idle = await cpuIdle(3_000);
  for (const until = Date.now() + opts.waitQuietMin * 60_000; idle !== null && idle < 0.8 && Date.now() < until; idle = await cpuIdle(5_000)) {
    log(`waiting for a quiet machine: CPUs ${(idle * 100).toFixed(0)} % idle`);
  }
  const pct = (x) => (x === null ? 'n/a' : `${(x * 100).toFixed(0)} %`);
  log(`CPUs idle before the bench: ${pct(idle)}${idle !== null && idle < 0.8 ? ' — NOTE: other work is running; expect slower, noisier figures' : ''}`);
  return idle;
}

async function main() {
  const opts = peerOptions(process.argv.slice(2), parseOptions(process.argv.slice(2)));
  const la = loadavg();
  log(`Warden bench on ${process.platform}, node ${process.version}, load average ${la.map((x) => x.toFixed(2)).join(' ')}${opts.quick ? ' (--quick)' : ''}`);
  const idleAtStart = await idleBeforeStart(opts);
  const extDir = buildExtension();
  await buildPages();

  const profile = mkdtempSync(join(tmpdir(), 'warden-bench-'));
  const sites = await Promise.all(opts.extSizes.map(() => serveStatic([PAGES_DIR])));
  let context;
  const results = { ext: [], caps: [] };
  try {
    if (!opts.unlockOnly && !opts.bunkerOnly) context = await launchBench(profile, extDir);
    if (context) log(`chromium ${context.browser()?.version() ?? ''} up; bench pages on ${sites.map((s) => s.url).join(', ')}`);
    if (opts.ext) await attempt('phase 1', () => benchExtension(context, sites, results, opts));
    if (opts.caps) await attempt('phase 2', () => benchCaps(context, sites[0], results, opts));
    if (opts.verify) await attempt('verify phase', () => benchVerify(context, sites[0], results, opts));
    if (opts.popup) await attempt('phase 3', () => benchPopupPhase(context, results));
    if (opts.prompt) await attempt('phase 4', () => benchPromptPhase(context, results));
    // Last: it leaves prompt windows and rows behind that the other phases should not see.
    if (opts.flood) await attempt('phase 5', () => benchFloodPhase(context, results, opts));
    // A browser of its own: the accounts it adds stay out of the other phases.
    if (opts.unlock) await attempt('phase 6', () => benchUnlockPhase(extDir, results, opts));
    // Its own browser and a relay on 127.0.0.1: a remote client's round trip against a plain bunker.
    if (opts.bunker) await attempt('bunker phase', () => benchBunkerPhase(extDir, results, { n: opts.quick ? 100 : 200 }));
  } finally {
    await context?.close().catch(() => {});
    for (const s of sites) s.server.close();
    rmSync(profile, { recursive: true, force: true });
  }
  results.idle = { start: idleAtStart, end: await cpuIdle(2_000) };
  summary(results);
  if (opts.peers) await attempt('peers phase', () => benchPeers(extDir, opts));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
