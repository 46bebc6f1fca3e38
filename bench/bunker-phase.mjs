// Remote signing: a NIP-46 signEvent round trip through a relay on 127.0.0.1, Warden's bunker
// (the built extension in headless Chromium, under a token's grant, through the full policy path)
// against a plain in-Node bunker on the same relay (no policy, no storage: the protocol's own
// floor). Both are driven by the same client, nostr-tools' BunkerSigner, sequentially and
// interleaved in rounds, so machine noise falls on both alike. The figure is the ratio of medians.
// Run: npm run build && node bench/bunker-phase.mjs --bunker-only [--n 200]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SimplePool } from 'nostr-tools/pool';
import * as nip44 from 'nostr-tools/nip44';
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { toBunkerURL } from 'nostr-tools/nip46';
import { extensionAdmin, launchBench } from './launch.mjs';
import { fmt, log } from './report.mjs';
import { median, quantile } from './stats.mjs';
import { loadRemoteHelpers } from '../scripts/remote-helpers.mjs';

/** The floor: answers sign_event (and connect) for one key, nothing else checked. */
function plainBunker(pool, relayUrl) {
  const bunkerSk = generateSecretKey();
  const userSk = generateSecretKey();
  const bunkerPubkey = getPublicKey(bunkerSk);
  const sub = pool.subscribe([relayUrl], { kinds: [24133], '#p': [bunkerPubkey], limit: 0 }, {
    onevent: async (event) => {
      const key = nip44.v2.utils.getConversationKey(bunkerSk, event.pubkey);
      const { id, method, params } = JSON.parse(nip44.v2.decrypt(event.content, key));
      const result = method === 'sign_event' ? JSON.stringify(finalizeEvent(JSON.parse(params[0]), userSk)) : method === 'get_public_key' ? getPublicKey(userSk) : 'ack';
      const reply = finalizeEvent({ kind: 24133, content: nip44.v2.encrypt(JSON.stringify({ id, result }), key), tags: [['p', event.pubkey]], created_at: Math.floor(Date.now() / 1000) }, bunkerSk);
      await Promise.any(pool.publish([relayUrl], reply));
    },
  });
  return { url: toBunkerURL({ pubkey: bunkerPubkey, relays: [relayUrl], secret: 'plain' }), close: () => sub.close() };
}

const note = (i) => ({ kind: 1, content: `bench ${i}`, tags: [], created_at: Math.floor(Date.now() / 1000) });

async function timedSigns(signer, n, from) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await signer.signEvent(note(from + i));
    out.push(performance.now() - t0);
  }
  return out;
}

export async function benchBunkerPhase(extDir, results = {}, { n = 200, rounds = 5 } = {}) {
  const { startRelay, clientFor, closeClients } = await loadRemoteHelpers();
  const relay = await startRelay();
  const profile = mkdtempSync(join(tmpdir(), 'warden-bench-bunker-'));
  const context = await launchBench(profile, extDir);
  const pool = new SimplePool();
  const plain = plainBunker(pool, relay.url);
  try {
    const { admin, adminPage } = await extensionAdmin(context);
    await admin('create_account', { password: 'bench password, not a secret' });
    await admin('bunker_start', { relays: [relay.url] });
    for (let i = 0; i < 100 && !(await admin('bunker_status')).relays.every((r) => r.connected); i++) await new Promise((r) => setTimeout(r, 50));
    // The grant a phone would get: notes capped at a generous 10,000 an hour, so the cap is counted on every call.
    const { bunkerUrl } = await admin('create_connect_token', { rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 10_000, windowSeconds: 3600 }] });
    const warden = await clientFor(bunkerUrl);
    await warden.signer.connect();
    const floor = await clientFor(plain.url);
    await floor.signer.connect();
    // Warm both paths.
    await timedSigns(warden.signer, 10, 0);
    await timedSigns(floor.signer, 10, 0);
    const w = [];
    const f = [];
    const per = Math.ceil(n / rounds);
    for (let r = 0; r < rounds; r++) {
      w.push(...(await timedSigns(warden.signer, per, r * per)));
      f.push(...(await timedSigns(floor.signer, per, r * per)));
    }
    const summary = (s) => ({ p50: median(s), p90: quantile(s, 0.9), n: s.length });
    results.bunker = { warden: summary(w), plain: summary(f), ratio: median(w) / median(f) };
    log(`bunker signEvent round trip through the relay: Warden p50 ${fmt(median(w))} ms (p90 ${fmt(quantile(w, 0.9))}), plain in-Node bunker p50 ${fmt(median(f))} ms (p90 ${fmt(quantile(f, 0.9))}); ratio ${results.bunker.ratio.toFixed(2)}× (n = ${w.length} each, ${rounds} interleaved rounds)`);
    warden.close();
    floor.close();
    await adminPage.close();
    return results;
  } finally {
    plain.close();
    pool.destroy();
    closeClients();
    await context.close();
    await relay.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// Run on its own: `--bunker-only` (the flag the bench runner's other phases use for "this one only").
if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  if (!args.includes('--bunker-only')) console.log('(running the bunker phase only; pass --bunker-only to say so)');
  const nAt = args.indexOf('--n');
  const n = nAt >= 0 ? Number(args[nAt + 1]) : 200;
  const extDir = resolve(import.meta.dirname, '..', 'dist', 'chrome');
  const results = await benchBunkerPhase(extDir, {}, { n });
  console.log(JSON.stringify(results.bunker));
}
