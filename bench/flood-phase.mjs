// Phase 5, a flood (docs/THREATS.md #34): while a tab of a site with no grant keeps 1,000
// unanswered signEvent calls coming, a granted site's signEvent round trip is timed against its
// idle figure, and the rows the flood left in storage are counted.
import { serveStatic } from '../scripts/serve-demo.mjs';
import { PAGES_DIR } from './build.mjs';
import { extensionAdmin } from './launch.mjs';
import { call } from './measure.mjs';
import { attempt, fmt, int, line, log } from './report.mjs';
import { stats } from './stats.mjs';

const PASSWORD = 'bench password, not a secret';
const FLOOD = 1_000;

/** Rows in the extension's activity and signing-log tables, read from an extension page. */
function countRows(adminPage) {
  return adminPage.evaluate(async () => {
    const db = await new Promise((ok, no) => {
      const r = indexedDB.open('warden');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => no(r.error);
    });
    const count = (store) =>
      new Promise((ok, no) => {
        const req = db.transaction(store, 'readonly').objectStore(store).count();
        req.onsuccess = () => ok(req.result);
        req.onerror = () => no(req.error);
      });
    const out = { activity: await count('activity'), signingLog: await count('signingLog') };
    db.close();
    return out;
  });
}

/** Sets results.flood. */
export async function benchFloodPhase(context, results, { scale: S }) {
  log('— phase 5: a flood of one site beside a granted site (bench/flood-phase.mjs) —');
  const { adminPage, admin } = await extensionAdmin(context);
  const [granted, flooder] = await Promise.all([0, 1].map(() => serveStatic([PAGES_DIR])));
  const r = { flood: FLOOD };
  try {
    const st = await admin('get_status');
    if (!st.hasAccount) await admin('create_account', { password: PASSWORD, label: 'bench' });
    else if (st.locked) await admin('unlock', { password: PASSWORD });
    await admin('grant', { origin: granted.url, rules: [{ method: 'get_public_key' }, { method: 'sign_event', kind: 1 }] });

    const site = await context.newPage();
    await site.goto(`${granted.url}/roundtrip.html`);
    await site.waitForFunction(() => window.bench?.ready());
    const floodPage = await context.newPage();
    await floodPage.goto(`${flooder.url}/roundtrip.html`);
    await floodPage.waitForFunction(() => window.bench?.ready());
    await site.bringToFront();

    const o = { batch: 10, samples: Math.max(10, Math.round(40 * S)), warmup: 0 };
    await call(site, 'bench', 'sign', [], { batch: 10, samples: 5, warmup: 50 }); // warm worker, JIT, caches
    await admin('get_activity', { limit: 1 }); // rows written behind are flushed
    r.before = await countRows(adminPage);

    const idle = await attempt('idle signEvent', () => call(site, 'bench', 'sign', [], o));
    if (idle) line('granted site signEvent, idle', (r.idle = stats(idle)));

    // One unanswered call of the flood site: its prompt window opens and stays, as during the flood.
    await call(floodPage, 'bench', 'floodStart', [1, 1]);
    for (let t = Date.now(); !(await admin('get_status')).pending.length && Date.now() - t < 5_000; ) await new Promise((ok) => setTimeout(ok, 50));
    await new Promise((ok) => setTimeout(ok, 1_000));
    await site.bringToFront();
    const prompt = await attempt('signEvent beside an open prompt', () => call(site, 'bench', 'sign', [], o));
    if (prompt) line('granted site signEvent, a prompt window open', (r.prompt = stats(prompt)));

    // Rounds of 1,000 until the measurement is done: the flood lasts as long as it does.
    await call(floodPage, 'bench', 'floodStart', [FLOOD, Number.MAX_SAFE_INTEGER]);
    const busy = await attempt('signEvent under flood', () => call(site, 'bench', 'sign', [], o));
    const report = await call(floodPage, 'bench', 'floodStop', []);
    if (busy) line('granted site signEvent, during the flood', (r.busy = stats(busy)));
    r.report = report;
    log(`flood: ${int(report.sent)} calls in ${report.rounds} round(s) of ${int(FLOOD)}; settled: ${Object.entries(report.codes).map(([c, n]) => `${c} ${int(n)}`).join(', ')}`);

    // A single burst of 1,000, timed from its start (most of it is refused within the first samples).
    await call(floodPage, 'bench', 'floodStart', [FLOOD, 1]);
    const burst = await attempt('signEvent during one burst', () => call(site, 'bench', 'sign', [], { ...o, samples: Math.max(5, Math.round(10 * S)) }));
    await call(floodPage, 'bench', 'floodStop', []);
    if (burst) line('granted site signEvent, one burst of 1,000', (r.burst = stats(burst)));

    await admin('get_activity', { limit: 1 });
    r.after = await countRows(adminPage);
    r.signed = (idle?.calls ?? 0) + (prompt?.calls ?? 0) + (busy?.calls ?? 0) + (burst?.calls ?? 0);
    if (r.idle && r.busy) log(`ratio during the flood / idle p50: ${(r.busy.p50 / r.idle.p50).toFixed(2)}× (target ≤ 1.5×)${r.prompt ? `; against the figure with a prompt window open: ${(r.busy.p50 / r.prompt.p50).toFixed(2)}×` : ''}`);
    log(
      `rows before → after: activity ${int(r.before.activity)} → ${int(r.after.activity)}, signing log ${int(r.before.signingLog)} → ${int(r.after.signingLog)} ` +
        `(the granted site signed ${int(r.signed)} times; the flood sent ${int(report.sent + FLOOD + 1)})`,
    );

    // Leave no waiting request behind for the phases after this one.
    const waiting = (await admin('get_status')).pending.find((p) => p.origin === flooder.url);
    if (waiting) await admin('resolve_prompt', { promptId: waiting.promptId, decision: 'deny', applyToAllFromOrigin: true });
    await floodPage.close();
    await site.close();
  } finally {
    await adminPage.close();
    granted.server.close();
    flooder.server.close();
  }
  results.flood = r;
}

/** The flood's summary lines. */
export function floodSummary(r) {
  if (!r) return undefined;
  const ms = (st) => (st ? `${fmt(st.p50)} ms` : 'n/a');
  const ratio = (st) => (st && r.idle ? `${(st.p50 / r.idle.p50).toFixed(2)}×` : 'n/a');
  return [
    `flood: a site with no grant sends ${int(r.flood)} signEvent calls at once, again as soon as they are refused; a granted site signs meanwhile`,
    `   granted signEvent p50: idle ${ms(r.idle)}; with the flood site's prompt window open ${ms(r.prompt)} (${ratio(r.prompt)}); during the flood ${ms(r.busy)} (${ratio(r.busy)}); during one burst ${ms(r.burst)} (${ratio(r.burst)})   (target ≤ 1.5×)`,
    `   rows: activity ${int(r.before.activity)} → ${int(r.after.activity)}, signing log ${int(r.before.signingLog)} → ${int(r.after.signingLog)} for ${int(r.signed)} signatures and ${int((r.report?.sent ?? 0) + r.flood + 1)} flood calls`,
  ].join('\n');
}
