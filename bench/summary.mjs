// The summary printed at the end of a run: one table per phase, from the results the phases
// collected.
import { loadavg } from 'node:os';
import { fmt, int, T0, table } from './report.mjs';
import { floodSummary } from './flood-phase.mjs';
import { unlockSummary } from './unlock-phase.mjs';

export function summary({ ext, caps, idle, popup, prompt, flood, unlock }) {
  const ms = (st, key = 'p50') => (st ? `${fmt(st[key])} ms` : 'n/a');
  console.log('\n================================ Warden bench summary ================================');
  console.log('p50/p99 are of per-call means over batches of sequential calls (the page timer is 0.1 ms).');
  if (ext.length) {
    console.log('\n1) signEvent round trip: page → window.nostr → bridge → service worker → guard tx → page');
    console.log('   grant: sign_event kind 1 with 3 stacked caps (1M/hour, 5M/day, 50M lifetime); log spread over 30 days\n');
    console.log(
      table(
        ['log entries', 'round trip p50', 'p99', 'single-call p99', 'quiet p50', 'raw finalizeEvent p50', 'ratio', 'quiet ratio', 'getPublicKey p50', 'malformed (no DB) p50', 'admin get_status p50', '50 concurrent'],
        ext.map((r) => [
          int(r.size),
          ms(r.sign),
          ms(r.sign, 'p99'),
          ms(r.sign, 'single99'),
          ms(r.sign, 'quiet'),
          ms(r.raw),
          r.sign && r.raw ? `${(r.sign.p50 / r.raw.p50).toFixed(2)}×` : 'n/a',
          r.quietRatio ? `${r.quietRatio.toFixed(2)}×` : 'n/a',
          ms(r.pubkey),
          ms(r.invalid),
          ms(r.admin),
          r.concurrent50 === undefined ? 'n/a' : `${fmt(r.concurrent50, 1)} ms`,
        ]),
      ),
    );
    console.log('   targets: round trip ≤ ~2.2 ms (nos2x p50), ratio ≤ 3× (nos2x 4.4×); a minimal no-storage signer ~1.65 ms');
    if (ext.some((r) => r.sw)) {
      console.log('\n   the same signEvents as the service worker saw them (medians; timestamps taken in the worker):\n');
      console.log(
        table(
          ['log entries', 'arrival → log add (zod, policy, sign)', 'add → commit', 'commit → next arrival', 'arrival → arrival', 'activity tx (after)'],
          ext.filter((r) => r.sw).map((r) => [int(r.size), `${fmt(r.sw.toAdd)} ms`, `${fmt(r.sw.commit)} ms`, `${fmt(r.sw.rest)} ms`, `${fmt(r.sw.cycle)} ms`, `${fmt(r.sw.activity)} ms`]),
        ),
      );
      console.log('   "commit → next arrival" = reply to the page + the page\'s next call back to the worker (messaging, both ways).');
    }
  }
  if (caps.length) {
    console.log('\n2) cap check: countSince over a 1-hour window holding 20 entries, the rest of the log older (in-page, same IndexedDB)\n');
    console.log(
      table(
        ['log entries', 'countSince 1h p50', 'p99', 'quiet p50', 'own-tx p50', 'own-tx quiet p50', '1-day count', '1-day p50', 'lifetime p50'],
        caps.map((r) => [int(r.size), ms(r.hour), ms(r.hour, 'p99'), ms(r.hour, 'quiet'), ms(r.hourAlone), ms(r.hourAlone, 'quiet'), r.day ? int(r.day.value) : 'n/a', ms(r.day), ms(r.life)]),
      ),
    );
    const spread = (key, stat = 'p50') => {
      const m = caps.map((r) => r[key]?.[stat]).filter((x) => x !== undefined);
      if (m.length < 2) return 'n/a';
      const lo = Math.min(...m);
      const hi = Math.max(...m);
      return `max/min ${(hi / lo).toFixed(2)} (±${(((hi - lo) / (hi + lo)) * 100).toFixed(0)} % around the midpoint)`;
    };
    console.log(`   spread of the 1-hour countSince p50s: in a tx ${spread('hour')}; own transaction ${spread('hourAlone')}   (target: flat within ±20 %)`);
    console.log(`   the same on the quiet p50s: in a tx ${spread('hour', 'quiet')}; own transaction ${spread('hourAlone', 'quiet')}`);
    console.log('\n   background hot path without messaging, same logs (quiet p50 ms per request; all-sample p50s are in the log above):');
    console.log(
      table(
        ['log entries', 'empty rw tx', 'rw tx + 1 add (no index)', 'rw tx + 1 log add', 'guard, no crypto', 'same, no activity row', 'guard + sign', 'router→guard→sign', 'guard + sign, tight caps', 'tight caps (1h/1d)'],
        caps.map((r) => [int(r.size), ...['tx', 'bareWrite', 'txWrite', 'guardNoop', 'guardNoActivity', 'guardSign', 'route', 'guardTight'].map((k) => ms(r[k], 'quiet')), r.tightCaps ? r.tightCaps.map(int).join(' / ') : 'n/a']),
      ),
    );
    console.log(`   spread (quiet p50s): guard + sign ${spread('guardSign', 'quiet')}; tight caps ${spread('guardTight', 'quiet')}`);
  }
  if (popup) console.log(`\n3) ${popup.trimStart()}`);
  if (prompt) console.log(`\n4) ${prompt}`);
  if (flood) console.log(`\n5) ${floodSummary(flood)}`);
  if (unlock) console.log(`\n6) ${unlockSummary(unlock)}`);
  const pct = (x) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(0)} %`);
  console.log(`\ntotal bench time ${((Date.now() - T0) / 1000).toFixed(0)} s; CPUs idle before ${pct(idle?.start)}, after ${pct(idle?.end)}; load average now ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}
