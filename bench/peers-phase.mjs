// The peers phase: Warden beside nos2x and the storage-less reference signer (the built peers in
// ../shared/peers, or BENCH_PEERS_DIR), each in its own headless Chromium, the same workloads
// interleaved round by round (Warden, nos2x, ref-signer; again; again), and Warden's own figures
// in Firefox ESR after that. Prints medians and ratios (bench/peers-report.mjs).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { serveStatic } from '../scripts/serve-demo.mjs';
import { PAGES_DIR, ROOT } from './build.mjs';
import { makeInbox } from './inbox.mjs';
import { cpuIdle } from './launch.mjs';
import { setupNos2x, setupRefSigner, setupWarden } from './peer-signers.mjs';
import { concurrentSign, describe, inboxLoad, rawInbox, sequentialSign, warm } from './peer-workloads.mjs';
import { benchFirefox } from './peers-firefox.mjs';
import { peersSummary } from './peers-report.mjs';
import { attempt, log } from './report.mjs';

/** Where the peer builds are: BENCH_PEERS_DIR, else `shared/peers` beside the repository. */
export const PEERS_DIR = resolve(process.env.BENCH_PEERS_DIR ?? join(ROOT, '..', 'shared', 'peers'));
const LOG_SIZE = 100_000;

/**
 * The phase's flags, added to scripts/bench.mjs's options: --peers-only turns the other phases
 * off; --no-peers, or another phase's --*-only, turns this one off.
 */
export function peerOptions(argv, opts) {
  const args = new Set(argv);
  const peersOnly = args.has('--peers-only');
  const otherOnly = ['--ext-only', '--caps-only', '--flood-only', '--unlock-only', '--verify-only', '--bunker-only'].some((a) => args.has(a));
  const off = peersOnly ? { ext: false, caps: false, popup: false, prompt: false, flood: false, unlock: false, verify: false, bunker: false } : {};
  return {
    ...opts,
    ...off,
    peers: peersOnly || (!otherOnly && !args.has('--no-peers')),
    // Rounds stay at least 3 with --quick (the interleaving is the point); samples shrink.
    peerRounds: opts.quick ? 3 : 5,
    peerSamples: { seq: opts.quick ? 5 : 10, c50: opts.quick ? 2 : 4, c200: opts.quick ? 1 : 2 },
  };
}

/**
 * One round of one workload on every signer in turn, its result kept under res[signer][key] and
 * printed; a failure is printed and the others go on.
 */
async function eachSigner(signers, res, key, label, fn) {
  for (const s of signers) {
    await attempt(`${s.name} ${label}`, async () => {
      await s.ensure();
      await warm(s.page);
      const v = await fn(s);
      ((res[s.name] ??= {})[key] ??= []).push(v);
      log(`  ${s.name.padEnd(10)} ${label.padEnd(22)} ${describe(key, v)}`);
    });
  }
}

/** Runs the rounds; returns { [signer]: { seq: [...], c50, c200, inboxSeq, inboxAll, inbox100 }, raw: { inbox } }. */
async function rounds(signers, sets, pubkey, secret, opts) {
  const res = {};
  const n = opts.peerSamples;
  for (let r = 0; r < opts.peerRounds; r++) {
    log(`· round ${r + 1} of ${opts.peerRounds}: ${signers.map((s) => s.name).join(', ')} in turn`);
    await eachSigner(signers, res, 'seq', 'sequential signEvent', (s) => sequentialSign(s.page, pubkey, { samples: n.seq }));
    await eachSigner(signers, res, 'c50', '50 concurrent', (s) => concurrentSign(s.page, pubkey, 50, n.c50));
    await eachSigner(signers, res, 'c200', '200 concurrent', (s) => concurrentSign(s.page, pubkey, 200, n.c200));
    await eachSigner(signers, res, 'inboxSeq', 'inbox, sequential', (s) => inboxLoad(s.page, sets[r].seq, 1));
    await eachSigner(signers, res, 'inboxAll', 'inbox, all at once', (s) => inboxLoad(s.page, sets[r].all, 200));
    // Warden's bridge refuses a frame's calls past 100 in flight (docs/THREATS.md #7): the same
    // inbox kept within that, for a figure of Warden's that answers every wrap.
    await eachSigner(signers, res, 'inbox100', 'inbox, 100 at a time', (s) => inboxLoad(s.page, sets[r].pool, 100));
    await attempt('raw inbox', async () => {
      const v = await rawInbox(signers[0].page, sets[r].seq, secret);
      ((res.raw ??= {}).inbox ??= []).push(v);
      log(`  ${'raw'.padEnd(10)} ${'inbox in the page'.padEnd(22)} ${describe('inboxSeq', v)}`);
    });
  }
  return res;
}

/** The peers phase; `extDir` is the Warden build the bench loads. Prints its own summary. */
export async function benchPeers(extDir, opts) {
  log('— peers phase: Warden beside nos2x and the reference signer (bench/peers-phase.mjs) —');
  const dirs = { nos2x: join(PEERS_DIR, 'nos2x'), ref: join(PEERS_DIR, 'ref-signer') };
  if (!existsSync(join(dirs.nos2x, 'manifest.json')) || !existsSync(join(dirs.ref, 'manifest.json'))) {
    log(`peers: SKIPPED — no nos2x/ and ref-signer/ builds in ${PEERS_DIR} (set BENCH_PEERS_DIR to where they are)`);
    return;
  }
  const idle = { start: await cpuIdle(3_000) };
  const site = await serveStatic([PAGES_DIR]);
  const secretKey = generateSecretKey();
  const key = { secret: bytesToHex(secretKey), pubkey: getPublicKey(secretKey), logSize: LOG_SIZE };
  log(`one bench key for all signers: ${key.pubkey.slice(0, 16)}…; bench page on ${site.url}`);

  let started = Date.now();
  // Fresh wraps for every round and mode: a signer that keeps conversation keys cannot have them
  // from an earlier run of the same inbox. Each signer gets the same sets (their caches are their own).
  const sets = Array.from({ length: opts.peerRounds }, (_, r) => ({
    seq: makeInbox(key.pubkey, { tag: `r${r}s` }),
    all: makeInbox(key.pubkey, { tag: `r${r}a` }),
    pool: makeInbox(key.pubkey, { tag: `r${r}p` }),
  }));
  log(`inbox: ${opts.peerRounds * 3} sets of 200 gift wraps from 10 senders each, made in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const signers = [];
  const results = { opts, idle };
  try {
    started = Date.now();
    signers.push(await setupWarden(extDir, site, key));
    signers.push(await setupNos2x(dirs.nos2x, site, key));
    signers.push(await setupRefSigner(dirs.ref, site, key));
    log(`three browsers up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    results.chromium = await rounds(signers, sets, key.pubkey, key.secret, opts);
    const ref = signers.find((s) => s.name === 'ref-signer');
    if (ref?.restarts()) log(`ref-signer: its worker restarted ${ref.restarts()} time(s) between workloads; set up again each time`);
  } finally {
    for (const s of signers) await s.close();
  }
  // Firefox after the Chromium browsers are gone, so the two never share the CPUs.
  results.firefox = await attempt('Firefox', () => benchFirefox(site, key, sets, opts));
  site.server.close();
  idle.end = await cpuIdle(2_000);
  peersSummary(results);
}
