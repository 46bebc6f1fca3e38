#!/usr/bin/env node
// Popup-open benchmark: how long the popup takes to show the current site — its grant, every
// rule's live usage meter and when its window frees, its latest activity — with 1,000 and with
// 100,000 signing-log entries for that site (and 20,000 activity rows), in real headless Chromium
// with the built extension. Also the one RPC the popup polls each second (get_site_view).
//
//   node bench/popup.mjs                 uses dist/chrome (npm run build first)
//   BENCH_EXT_DIR=dir node bench/popup.mjs
//
// Exported as benchPopup() for the bench's phase 3 (bench/ui-phases.mjs); prints numbers and
// asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const DAY = 86_400_000;
const RULES = [
  { method: 'get_public_key' },
  { method: 'sign_event', kind: 1, maxUsageCount: 1_000_000, windowSeconds: 3_600 },
  { method: 'sign_event', kind: 1, maxUsageCount: 5_000_000, windowSeconds: 86_400 },
  { method: 'sign_event', kind: 1, maxUsageCount: 50_000_000 },
  { method: 'sign_event', kind: 7, maxUsageCount: 100, windowSeconds: 3_600 },
  { method: 'nip44_encrypt', maxUsageCount: 1_000, windowSeconds: 86_400 },
];

const quantile = (v, p) => {
  const s = [...v].sort((a, b) => a - b);
  const i = (s.length - 1) * p;
  return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
};

/** Writes `n` signing-log rows for (origin, account, sign_event, kind 1) over 30 days, as the guard appends them (with positions). */
function fillLog(page, p) {
  return page.evaluate(async ({ origin, accountId, grantId, n, now, activity }) => {
    const db = await new Promise((ok, no) => {
      const r = indexedDB.open('warden');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => no(r.error);
    });
    const chunk = 20_000;
    for (let done = 0; done < n; done += chunk) {
      await new Promise((ok, no) => {
        const tx = db.transaction(['signingLog', 'activity'], 'readwrite', { durability: 'relaxed' });
        const store = tx.objectStore('signingLog');
        for (let i = done; i < Math.min(n, done + chunk); i++) {
          const createdAt = now - 30 * 86_400_000 + Math.floor(((i + 1) * (30 * 86_400_000 - 1)) / n);
          store.add({ origin, accountId, method: 'sign_event', kind: 1, createdAt, grantId, eventId: i.toString(16).padStart(64, '0'), seqMethod: i + 1, seqKind: i + 1 });
        }
        if (done === 0) {
          const act = tx.objectStore('activity');
          for (let i = 0; i < activity; i++) act.add({ origin, method: 'sign_event', kind: 1, outcome: 'allowed', reason: 'rule #2 of grant #1', createdAt: now - activity + i });
        }
        tx.oncomplete = () => ok();
        tx.onerror = () => no(tx.error);
      });
    }
    db.close();
  }, p);
}

/**
 * @param ctx {{ context, id, admin, log, sites: string[] }} sites: one origin per log size (each
 *   scope is filled before its first request).
 */
export async function benchPopup({ context, id, admin, log, sites, sizes = [1_000, 100_000], opens = 15 }) {
  const results = [];
  // get_status names the active account's id `id`; create_account answers `accountId`.
  const active = (await admin('get_status')).account;
  const accountId = active ? active.id : (await admin('create_account', { password: 'bench popup password', label: 'bench' })).accountId;
  for (const [i, size] of sizes.entries()) {
    const origin = sites[i];
    const { grantId } = await admin('grant', { origin, rules: RULES });
    const filler = await context.newPage();
    await filler.goto(`chrome-extension://${id}/src/ui/options/index.html#sites`);
    const t0 = Date.now();
    await fillLog(filler, { origin, accountId, grantId, n: size, now: Date.now(), activity: Math.min(20_000, size) });
    await filler.close();
    log(`popup bench: ${size.toLocaleString('en-US')} log entries for ${origin} written in ${Date.now() - t0} ms`);
    const policy = await admin('get_site_view', { origin });
    const used = policy.grants[0].rules.map((r) => r.used);

    // Open the popup page afresh each time: load, scripts, first RPCs, render of every meter.
    const times = [];
    for (let k = 0; k < opens + 2; k++) {
      const page = await context.newPage();
      await page.setViewportSize({ width: 380, height: 700 });
      const start = Date.now();
      await page.goto(`chrome-extension://${id}/src/ui/popup/index.html?origin=${encodeURIComponent(origin)}`);
      await page.waitForSelector('[data-testid="popup-meter-text"]');
      await page.waitForSelector('[data-testid="popup-activity-row"]');
      const ms = Date.now() - start;
      const nav = await page.evaluate(() => performance.now());
      await page.close();
      if (k >= 2) times.push(Math.min(ms, nav));
    }
    // The RPC the open popup polls every second.
    const rpcPage = await context.newPage();
    await rpcPage.goto(`chrome-extension://${id}/src/ui/options/index.html#sites`);
    const rpc = await rpcPage.evaluate(async (o) => {
      const out = [];
      for (let k = 0; k < 60; k++) {
        const t = performance.now();
        const r = await chrome.runtime.sendMessage({ type: 'admin', method: 'get_site_view', params: { origin: o, activityLimit: 6 } });
        if (!r.ok) throw new Error(r.error.message);
        out.push(performance.now() - t);
      }
      return out.slice(10);
    }, origin);
    await rpcPage.close();
    const r = { size, used, open50: quantile(times, 0.5), open95: quantile(times, 0.95), rpc50: quantile(rpc, 0.5), rpc95: quantile(rpc, 0.95) };
    log(`popup bench: ${size.toLocaleString('en-US')} entries: popup ready p50 ${r.open50.toFixed(0)} ms, p95 ${r.open95.toFixed(0)} ms; get_site_view p50 ${r.rpc50.toFixed(1)} ms, p95 ${r.rpc95.toFixed(1)} ms; meters show ${used.join(' / ')}`);
    results.push(r);
  }
  return results;
}

export function popupSummary(results) {
  const lines = ['', 'popup: open until the site, every meter and the activity are on screen (page load included)', ''];
  lines.push('log entries | popup ready p50 | p95    | get_site_view p50 | p95');
  for (const r of results) lines.push(`${r.size.toLocaleString('en-US').padStart(11)} | ${`${r.open50.toFixed(0)} ms`.padStart(15)} | ${`${r.open95.toFixed(0)} ms`.padStart(6)} | ${`${r.rpc50.toFixed(1)} ms`.padStart(17)} | ${r.rpc95.toFixed(1)} ms`);
  return lines.join('\n');
}

async function main() {
  const { serveStatic } = await import('../scripts/serve-demo.mjs');
  const { extensionAdmin, launchBench } = await import('./launch.mjs');
  const ext = resolve(ROOT, process.env.BENCH_EXT_DIR ?? 'dist/chrome');
  const profile = mkdtempSync(join(tmpdir(), 'warden-popup-bench-'));
  const servers = await Promise.all([0, 1].map(() => serveStatic([join(ROOT, 'demo')])));
  const context = await launchBench(profile, ext);
  try {
    const { id, adminPage, admin } = await extensionAdmin(context);
    const t0 = Date.now();
    const results = await benchPopup({ context, id, admin, log: (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)} s]`, ...a), sites: servers.map((s) => s.url) });
    await adminPage.close();
    console.log(popupSummary(results));
  } finally {
    await context.close();
    for (const s of servers) s.server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
