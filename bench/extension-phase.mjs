// Phase 1, the extension: the signEvent round trip through the loaded extension (page →
// window.nostr → content bridge → service worker → guard transaction → back) against pre-filled
// signing logs, beside raw finalizeEvent in the same page, and cheaper round trips that isolate
// the parts.
import { extensionAdmin } from './launch.mjs';
import { call } from './measure.mjs';
import { attempt, fmt, int, line, log } from './report.mjs';
import { median, quietest, stats } from './stats.mjs';
import { installSwProbe, readSwProbe } from './sw-probe.mjs';

const PASSWORD = 'bench password, not a secret';
const DAY_MS = 24 * 3600 * 1000;
/** The kind-1 rule set: three stacked caps the bench never reaches. */
export const CAPS = [
  { method: 'sign_event', kind: 1, maxUsageCount: 1_000_000, windowSeconds: 3_600 },
  { method: 'sign_event', kind: 1, maxUsageCount: 5_000_000, windowSeconds: 86_400 },
  { method: 'sign_event', kind: 1, maxUsageCount: 50_000_000 },
];

/**
 * Fills the extension's own 'warden' database from an extension page (same origin as the service
 * worker): `n` signingLog rows for one (origin, account, sign_event, kind 1) scope, in createdAt
 * order over the `spreadMs` before `now`, each with its position in the scope (seqMethod /
 * seqKind, as src/db/signingLog.ts appends them). Done before the scope's first request, so the
 * worker's tail cache never holds a stale tail. Rows [from, to) of `size`.
 */
export function fillExtensionLogRange(page, p) {
  return page.evaluate(async ({ origin, accountId, grantId, size, from, to, chunk, now, spreadMs }) => {
    const db = await new Promise((ok, no) => {
      const r = indexedDB.open('warden');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => no(r.error);
      r.onupgradeneeded = () => {
        r.transaction.abort();
        no(new Error('the extension has not created its warden database yet'));
      };
    });
    if (!db.objectStoreNames.contains('signingLog')) throw new Error('no signingLog store in the warden database');
    const random = new Uint8Array(32);
    const hex = () => {
      crypto.getRandomValues(random);
      let s = '';
      for (const b of random) s += b.toString(16).padStart(2, '0');
      return s;
    };
    for (let done = from; done < to; done += chunk) {
      const end = Math.min(to, done + chunk);
      await new Promise((ok, no) => {
        const tx = db.transaction('signingLog', 'readwrite', { durability: 'relaxed' });
        const store = tx.objectStore('signingLog');
        for (let i = done; i < end; i++) {
          const createdAt = now - spreadMs + Math.floor(((i + 1) * (spreadMs - 1)) / size);
          store.add({ origin, accountId, method: 'sign_event', kind: 1, createdAt, grantId, eventId: hex(), seqMethod: i + 1, seqKind: i + 1 });
        }
        tx.oncomplete = () => ok();
        tx.onerror = () => no(tx.error);
        tx.onabort = () => no(tx.error);
      });
    }
    db.close();
  }, p);
}

/** admin get_status from the options page: extension page → service worker → back, no DB, no bridge. */
function adminStatusBatches(page, o) {
  return page.evaluate(async (o) => {
    const fn = () => chrome.runtime.sendMessage({ type: 'admin', method: 'get_status', params: {} });
    for (let i = 0; i < o.warmup; i++) await fn();
    const perCall = [];
    const singles = [];
    for (let s = 0; s < o.samples; s++) {
      const t0 = performance.now();
      let prev = t0;
      for (let i = 0; i < o.batch; i++) {
        const reply = await fn();
        if (!reply?.ok) throw new Error(`get_status: ${JSON.stringify(reply)}`);
        const t = performance.now();
        singles.push(t - prev);
        prev = t;
      }
      perCall.push((prev - t0) / o.batch);
    }
    return { perCall, singles, calls: perCall.length * o.batch };
  }, o);
}

/**
 * sites: one served origin per entry of opts.extSizes (a scope's log is filled before its first
 * request). Pushes one result per log size onto results.ext.
 */
export async function benchExtension(context, sites, results, { extSizes, scale: S }) {
  log('— phase 1: signEvent round trip through the extension —');
  const { adminPage, admin } = await extensionAdmin(context);

  let started = Date.now();
  const { accountId, pubkey } = await admin('create_account', { password: PASSWORD, label: 'bench' });
  log(`account #${accountId} ${pubkey.slice(0, 16)}… created in ${Date.now() - started} ms (NIP-49 scrypt)`);

  // One origin per log size (a scope's log is filled before its first request), each with the same grant.
  const origins = [];
  for (const [i, size] of extSizes.entries()) {
    const site = sites[i];
    const { grantId } = await admin('grant', { origin: site.url, rules: [{ method: 'get_public_key' }, ...CAPS] });
    started = Date.now();
    const now = Date.now();
    for (let done = 0; done < size; ) {
      const n = Math.min(size - done, 100_000);
      await fillExtensionLogRange(adminPage, { origin: site.url, accountId, grantId, size, from: done, to: done + n, chunk: 20_000, now, spreadMs: 30 * DAY_MS });
      done += n;
      if (size >= 100_000) log(`  ${site.url}: ${int(done)} / ${int(size)} log entries written`);
    }
    const policies = await admin('get_policies', { origin: site.url });
    const used = policies.grants.find((g) => g.id === grantId).rules.filter((r) => r.maxUsageCount !== null).map((r) => r.used);
    log(
      `grant #${grantId} for ${site.url} (get_public_key + sign_event kind 1 capped 1M/hour, 5M/day, 50M lifetime); ` +
        `log of ${int(size)} entries over 30 days written in ${((Date.now() - started) / 1000).toFixed(1)} s; live counts 1h/1d/lifetime: ${used.map(int).join(' / ')}`,
    );
    origins.push({ site, size, grantId });
  }

  for (const { site, size } of origins) {
    log(`· log of ${int(size)} entries (${site.url})`);
    const page = await context.newPage();
    await page.goto(`${site.url}/roundtrip.html`);
    await page.waitForFunction(() => window.bench?.ready());
    const check = await call(page, 'bench', 'check', [pubkey]);
    log(`sanity: signEvent → ${check.detail}`);
    if (!check.ok) throw new Error('the signed event does not verify');

    await call(page, 'bench', 'sign', [], { batch: 10, samples: 10, warmup: 100 }); // warm worker, JIT, caches
    const r = { size };
    const run = async (key, label, o) => {
      const res = await attempt(label, () => call(page, 'bench', key, [], o));
      if (!res) return undefined;
      const st = stats(res);
      line(label, st);
      return st;
    };
    // Raw signing and the round trip in turns (same load on the machine for both).
    const pair = await attempt('paired raw/signEvent', () => call(page, 'bench', 'paired', [], { batch: 20, samples: Math.round(100 * S), warmup: 100 }));
    if (pair) {
      r.raw = stats(pair.raw);
      r.sign = stats(pair.sign);
      line('raw finalizeEvent (same page)', r.raw);
      // The ratio during the quietest stretch of the round trips, against the raw signs taken in the same turns.
      const [, chunk, n] = quietest(r.sign.perCall);
      r.quietRatio = median(r.sign.perCall.slice(chunk * n, chunk * n + n)) / median(r.raw.perCall.slice(chunk * n, chunk * n + n));
      line('signEvent round trip', r.sign, `  → ${(r.sign.p50 / r.raw.p50).toFixed(2)}× raw (quiet stretch ${r.quietRatio.toFixed(2)}×)`);
    }
    r.pubkey = await run('pubkey', 'getPublicKey round trip (no cap, no crypto)', { batch: 20, samples: Math.round(60 * S), warmup: 40 });
    r.invalid = await run('invalid', 'malformed signEvent (messaging + zod, no DB)', { batch: 20, samples: Math.round(60 * S), warmup: 40 });
    r.echo = await run('echo', '2 × window.postMessage in the page', { batch: 20, samples: Math.round(60 * S), warmup: 40 });
    await adminPage.bringToFront();
    const adm = await attempt('admin get_status', () => adminStatusBatches(adminPage, { batch: 20, samples: Math.round(60 * S), warmup: 40 }));
    if (adm) line('admin get_status from options page (no DB)', (r.admin = stats(adm)));
    await page.bringToFront();
    const sw = await attempt('service-worker view', async () => {
      await call(page, 'bench', 'sign', [], { batch: 10, samples: 2, warmup: 20 }); // the worker is awake
      const worker = context.serviceWorkers().at(-1);
      await installSwProbe(worker);
      await call(page, 'bench', 'sign', [], { batch: 20, samples: Math.round(25 * S), warmup: 0 });
      return readSwProbe(worker);
    });
    if (sw) {
      r.sw = sw;
      log(
        `worker's view of ${sw.requests} signEvents (medians): arrival → log row added (zod, policy, decision, sign) ${fmt(sw.toAdd)} ms; ` +
          `add → commit ${fmt(sw.commit)} ms; commit → next request arrives ${fmt(sw.rest)} ms; arrival to arrival ${fmt(sw.cycle)} ms; ` +
          `activity tx ${fmt(sw.activity)} ms (in ${(sw.activityShare * 100).toFixed(0)} % of cycles)`,
      );
    }
    const conc = await attempt('50 concurrent', () => call(page, 'bench', 'concurrent', [50, Math.max(3, Math.round(10 * S))]));
    if (conc) {
      r.concurrent50 = median(conc);
      log(`${'50 concurrent signEvent calls (wall, median)'.padEnd(46)} ${fmt(r.concurrent50, 1)} ms`);
    }
    results.ext.push(r);
    await page.close();
  }
  await adminPage.close();
}
