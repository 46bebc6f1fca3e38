// Phase 6: what the scrypt floor (NIP-49 log_n 16, docs/THREATS.md #33) costs a person, timed in
// the real browser through the admin RPC: `unlock` with one account, `create_account`, and
// `import_account` of an ncryptsec made at a lower cost (which the vault encrypts again at 16) or at
// 16 (kept as it is). Runs in a browser and profile of its own, so the accounts it adds never mix
// with the other phases' state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nip49 from 'nostr-tools/nip49';
import { generateSecretKey } from 'nostr-tools/pure';
import { extensionAdmin, launchBench } from './launch.mjs';
import { fmt, log } from './report.mjs';
import { median } from './stats.mjs';

const PASSWORD = 'bench password, not a secret';
/** The cost of the imported ncryptsec that has to be encrypted again. */
const LOW_LOG_N = 8;

/** Times one admin call in the extension page itself (no Playwright round trip in the figure). */
async function timed(adminPage, method, params) {
  const r = await adminPage.evaluate(async ([m, p]) => {
    const t0 = performance.now();
    const reply = await chrome.runtime.sendMessage({ type: 'admin', method: m, params: p });
    return { ms: performance.now() - t0, reply };
  }, [method, params]);
  if (!r.reply?.ok) throw new Error(`${method}: ${r.reply?.error?.code} ${r.reply?.error?.message}`);
  return r.ms;
}

const summarise = (samples) => ({ p50: median(samples), min: Math.min(...samples), max: Math.max(...samples), n: samples.length });

/** Sets results.unlock. `extDir`: the extension build the other phases use. */
export async function benchUnlockPhase(extDir, results, { quick }) {
  log('— phase 6: unlock and import at the scrypt floor (log_n 16), through the admin RPC —');
  const samples = quick ? 3 : 7;
  const profile = mkdtempSync(join(tmpdir(), 'warden-bench-unlock-'));
  const context = await launchBench(profile, extDir);
  try {
    const { adminPage } = await extensionAdmin(context);
    const create = await timed(adminPage, 'create_account', { password: PASSWORD, label: 'unlock bench' });
    log(`  create_account (encrypt at log_n 16): ${fmt(create)} ms`);

    const unlock = [];
    for (let i = 0; i < samples; i++) {
      await timed(adminPage, 'lock', {});
      unlock.push(await timed(adminPage, 'unlock', { password: PASSWORD }));
    }
    log(`  unlock, 1 account: ${unlock.map((x) => fmt(x)).join(', ')} ms`);

    // Each import adds an account under the vault password, which is checked against the first
    // account first (one log_n 16 decryption), then the file's own is decrypted.
    const importLow = [];
    const importKept = [];
    for (let i = 0; i < samples; i++) {
      importLow.push(await timed(adminPage, 'import_account', { secret: nip49.encrypt(generateSecretKey(), PASSWORD, LOW_LOG_N), password: PASSWORD }));
    }
    log(`  import_account, ncryptsec at log_n ${LOW_LOG_N} (encrypted again at 16): ${importLow.map((x) => fmt(x)).join(', ')} ms`);
    const keptCount = quick ? 1 : 3;
    for (let i = 0; i < keptCount; i++) {
      importKept.push(await timed(adminPage, 'import_account', { secret: nip49.encrypt(generateSecretKey(), PASSWORD, 16), password: PASSWORD }));
    }
    log(`  import_account, ncryptsec at log_n 16 (kept): ${importKept.map((x) => fmt(x)).join(', ')} ms`);

    // Unlock decrypts every account: the figure grows with their number.
    const accounts = 1 + importLow.length + importKept.length;
    await timed(adminPage, 'lock', {});
    const unlockAll = await timed(adminPage, 'unlock', { password: PASSWORD });
    log(`  unlock, ${accounts} accounts: ${fmt(unlockAll)} ms`);
    results.unlock = { create, unlock: summarise(unlock), importLow: summarise(importLow), importKept: summarise(importKept), accounts, unlockAll };
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

export function unlockSummary(u) {
  const row = (label, s) => `   ${label.padEnd(62)} p50 ${fmt(s.p50).padStart(6)} ms   (min ${fmt(s.min)}, max ${fmt(s.max)}, n = ${s.n})`;
  return [
    'unlock and import at the scrypt floor (NIP-49 log_n 16), admin RPC timed in the options page',
    row('unlock, 1 account', u.unlock),
    row(`import_account, ncryptsec at log_n ${LOW_LOG_N} → encrypted again at 16`, u.importLow),
    row('import_account, ncryptsec at log_n 16 (kept)', u.importKept),
    `   create_account: ${fmt(u.create)} ms; unlock with ${u.accounts} accounts: ${fmt(u.unlockAll)} ms`,
  ].join('\n');
}
