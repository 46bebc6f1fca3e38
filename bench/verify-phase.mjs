// The verify phase: verify_log's walk (verifyChain) over a chained signing log of 1,000,000
// entries (100,000 with --quick), in bench/verifylog.html, which bundles src/db; and the time of
// an append made every 20 ms while the walk runs (the walk must not block signing).
import { call } from './measure.mjs';
import { quantile } from './stats.mjs';
import { attempt, fmt, int, log } from './report.mjs';

export async function benchVerify(context, site, results, { verifySize }) {
  log(`— verify phase: verify_log over ${int(verifySize)} chained entries, in a page bundling src/db —`);
  const page = await context.newPage();
  await page.goto(`${site.url}/verifylog.html`);
  await page.waitForFunction(() => !!window.verifylog);
  const started = Date.now();
  await call(page, 'verifylog', 'init', [verifySize]);
  for (;;) {
    const f = await call(page, 'verifylog', 'fill', [100_000, 10_000]);
    log(`  filling: ${int(f.written)} / ${int(verifySize)} entries (${int(Math.round(Math.min(100_000, f.written) / (f.ms / 1000)))} rows/s)`);
    if (f.left <= 0) break;
  }
  const n = await call(page, 'verifylog', 'finish');
  log(`N = ${int(n)}: filled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const r = { size: n, walks: [] };
  for (let i = 0; i < 3; i++) {
    const w = await attempt(`verify walk ${i + 1}`, () => call(page, 'verifylog', 'verify'));
    if (!w) continue;
    r.walks.push(w.ms);
    log(`  verify_log walk ${i + 1}: ${fmt(w.ms / 1000, 2)} s, ${int(w.entries)} entries, ${w.intact ? 'intact' : 'BROKEN'} (${int(Math.round(w.entries / (w.ms / 1000)))} entries/s)`);
  }
  const busy = await attempt('verify while appending', () => call(page, 'verifylog', 'verifyWhileAppending', [20]));
  if (busy) {
    r.busy = { ms: busy.ms, appends: busy.appendsMs.length, p50: quantile(busy.appendsMs, 0.5), p99: quantile(busy.appendsMs, 0.99), max: Math.max(...busy.appendsMs) };
    log(`  walk with an append every 20 ms beside it: ${fmt(busy.ms / 1000, 2)} s, ${busy.intact ? 'intact' : 'BROKEN'}; ${int(busy.appendsMs.length)} appends, each p50 ${fmt(r.busy.p50)} ms, p99 ${fmt(r.busy.p99)} ms, max ${fmt(r.busy.max)} ms`);
  }
  results.verify = r;
  await page.close();
}
