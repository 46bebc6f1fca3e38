// Phase 2, the cap check: in bench/caplog.html, which bundles the background's own code, the
// time of countSince and of the background's hot path (no messaging) against signing logs of
// growing size, each in a fresh database.
import { call, measure } from './measure.mjs';
import { attempt, int, line, log } from './report.mjs';

/** Pushes one result per entry of opts.capSizes onto results.caps. */
export async function benchCaps(context, site, results, { capSizes, quick, scale }) {
  log('— phase 2: cap check (countSince) and the background hot path vs signing-log size, in a page bundling src/ —');
  const page = await context.newPage();
  await page.goto(`${site.url}/caplog.html`);
  await page.waitForFunction(() => !!window.caplog);
  const budget = quick ? 1_500 : 3_000;

  for (const size of capSizes) {
    const started = Date.now();
    const init = await call(page, 'caplog', 'init', [size]);
    for (;;) {
      const f = await call(page, 'caplog', 'fill', [100_000, 10_000]);
      if (size >= 100_000) log(`  filling: ${int(f.written)} / ${int(size)} entries (${int(Math.round(Math.min(100_000, f.written) / (f.ms / 1000)))} rows/s)`);
      if (f.left <= 0) break;
    }
    const total = await call(page, 'caplog', 'finish');
    log(`N = ${int(total)}: fresh WardenDb filled in ${((Date.now() - started) / 1000).toFixed(1)} s (account #${init.accountId}, grant #${init.grantId} with rules ${init.ruleIds.join(', ')})`);
    const r = { size };
    const m = async (key, label, fn, args, o) => {
      const st = await attempt(label, () => measure(page, 'caplog', fn, args, { ...o, scale }));
      if (st) line(label.replace('{v}', st.value === undefined ? '' : int(st.value)), st);
      r[key] = st;
    };
    await m('hour', 'countSince 1 h, in a tx  [count {v}]', 'count', [3_600], { samples: 60, budgetMs: budget, warmup: 20 });
    await m('hourAlone', 'countSince 1 h, own transaction', 'countAlone', [3_600], { samples: 40, budgetMs: budget, warmup: 20 });
    await m('day', 'countSince 1 day, in a tx  [count {v}]', 'count', [86_400], { samples: 40, budgetMs: budget });
    await m('life', 'countSince lifetime, in a tx  [count {v}]', 'count', [null], { samples: 40, budgetMs: budget });
    await m('tx', 'empty read-write transaction', 'part', ['tx'], { samples: 40, budgetMs: budget, warmup: 10 });
    // Parts that append: at most ~850 calls each, undone afterwards so every part sees the same log.
    const appending = async (key, label, part, prepare) => {
      await call(page, 'caplog', 'mark');
      try {
        if (prepare) await prepare();
        await m(key, label, 'part', [part], { samples: 100, budgetMs: budget, warmup: 10 });
      } finally {
        await attempt('undo', () => call(page, 'caplog', 'undo'));
      }
    };
    await m('bareWrite', 'rw tx adding 1 row, store without indexes', 'part', ['bareWrite'], { samples: 100, budgetMs: budget, warmup: 10 });
    await appending('txWrite', 'rw tx adding 1 signing-log row', 'txWrite');
    await appending('guardNoop', 'guard tx, caps as given, no crypto', 'guardNoop');
    await appending('guardNoActivity', 'the same, refusal rows dropped (diagnostic)', 'guardNoActivity');
    await appending('guardSign', 'guard tx + finalizeEvent, caps as given', 'guardSign');
    await appending('route', 'background pipeline (router→guard→sign)', 'route');
    let tight;
    await appending('guardTight', 'guard tx + sign, tight caps (seeks)', 'guardSign', async () => {
      tight = await call(page, 'caplog', 'tighten');
    });
    await attempt('loosen', () => call(page, 'caplog', 'loosen'));
    r.tightCaps = tight;
    results.caps.push(r);
  }
  await page.close();
}
