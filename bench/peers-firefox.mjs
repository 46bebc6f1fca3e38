// Warden's own figures in Firefox ESR for the peers phase (the peers are Chromium builds): the same
// sequential signEvent and inbox workloads, with the same grant and log size, in a Firefox launched
// by the e2e suite's own fixture (e2e-firefox/fixtures.ts, loaded through vite's module runner).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runnerImport } from 'vite';
import { findFirefox } from '../scripts/browsers.mjs';
import { ROOT } from './build.mjs';
import { fillLog, openPeersPage, wardenRules } from './peer-signers.mjs';
import { inboxLoad, sequentialSign, warm } from './peer-workloads.mjs';
import { attempt, log } from './report.mjs';

const PASSWORD = 'bench password, not a secret';

/** Returns { seq: [...], inboxSeq: [...], inboxAll: [...], inbox100: [...] } (one entry per round), or undefined when there is no Firefox. */
export async function benchFirefox(site, key, sets, opts) {
  if (!findFirefox()) return void log('Firefox: SKIPPED — no firefox-esr (FIREFOX_PATH)');
  const outDir = join('dist', 'bench', 'firefox');
  const built = spawnSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, TARGET: 'firefox' } });
  if (built.status !== 0) throw new Error(`the Firefox build failed (status ${built.status})`);
  process.env.WARDEN_FIREFOX_EXTENSION_DIR = join(ROOT, outDir); // what the fixture installs
  const { module: ff } = await runnerImport(join(ROOT, 'e2e-firefox', 'fixtures.ts'), { configFile: false, logLevel: 'warn' });
  const ext = await ff.launchFirefox();
  try {
    const started = Date.now();
    const { accountId } = await ext.admin('import_account', { secret: key.secret, password: PASSWORD, label: 'peers bench' });
    const { grantId } = await ext.admin('grant', { origin: site.url, rules: wardenRules() });
    await fillLog(ext.adminPage, { origin: site.url, accountId, grantId, size: key.logSize });
    const page = await openPeersPage(() => ext.browser.newPage(), site, key.pubkey, 'Warden (Firefox)');
    log(`Firefox ${await ext.browser.version()}: Warden set up as in Chromium in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const res = { seq: [], inboxSeq: [], inboxAll: [], inbox100: [] };
    for (let r = 0; r < opts.peerRounds; r++) {
      log(`· Firefox round ${r + 1} of ${opts.peerRounds}`);
      const run = (label, k, fn) =>
        attempt(`Firefox ${label}`, async () => {
          await warm(page);
          res[k].push(await fn());
        });
      await run('sequential signEvent', 'seq', () => sequentialSign(page, key.pubkey, { samples: opts.peerSamples.seq }));
      await run('inbox, sequential', 'inboxSeq', () => inboxLoad(page, sets[r].seq, 1));
      await run('inbox, all at once', 'inboxAll', () => inboxLoad(page, sets[r].all, 200));
      await run('inbox, 100 at a time', 'inbox100', () => inboxLoad(page, sets[r].pool, 100));
    }
    return res;
  } finally {
    await ext.close();
    delete process.env.WARDEN_FIREFOX_EXTENSION_DIR;
  }
}
