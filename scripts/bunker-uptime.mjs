// How the platform treats the bunker with the browser idle: the built extension in headless
// Chromium, the bunker on a relay on 127.0.0.1, a NIP-46 client in Node that connects, signs once,
// then stays silent for IDLE_MIN minutes (no extension page open, nothing sent to the worker).
// Afterwards it signs again and reads the worker's start time: the same start time means the
// service worker was never stopped while idle. Run: npm run build && node scripts/bunker-uptime.mjs
// (IDLE_MIN=5 by default).
import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM_FLAGS, findChromium } from './browsers.mjs';
import { loadRemoteHelpers } from './remote-helpers.mjs';

const idleMin = Number(process.env.IDLE_MIN ?? 5);
const { startRelay, clientFor, closeClients, outcome } = await loadRemoteHelpers();
const ext = join(resolve(import.meta.dirname, '..'), 'dist', 'chrome');
const profile = mkdtempSync(join(tmpdir(), 'warden-uptime-'));
const relay = await startRelay();
const context = await chromium.launchPersistentContext(profile, {
  executablePath: findChromium(),
  headless: true,
  args: [`--disable-extensions-except=${ext}`, `--load-extension=${ext}`, ...CHROMIUM_FLAGS],
});
const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
const id = new URL(worker.url()).host;

/** One admin call from a short-lived options page, closed again so no extension page stays open. */
async function admin(method, params = {}) {
  const page = await context.newPage();
  try {
    await page.goto(`chrome-extension://${id}/src/ui/options/index.html?rpc`);
    const r = await page.evaluate(([m, p]) => chrome.runtime.sendMessage({ type: 'admin', method: m, params: p }), [method, params]);
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.result;
  } finally {
    await page.close();
  }
}
const note = (content) => ({ kind: 1, content, tags: [], created_at: Math.floor(Date.now() / 1000) });

try {
  await admin('create_account', { password: 'uptime password, not a secret' });
  await admin('bunker_start', { relays: [relay.url] });
  for (let i = 0; i < 100 && !(await admin('bunker_status')).relays.every((r) => r.connected); i++) await new Promise((r) => setTimeout(r, 100));
  const { bunkerUrl } = await admin('create_connect_token', { rules: [{ method: 'sign_event', kind: 1 }] });
  const client = await clientFor(bunkerUrl);
  await client.signer.connect({ name: 'uptime probe' });
  const first = await outcome(client.signer.signEvent(note('before the idle time')), 10_000);
  const before = (await admin('get_status')).workerStartedAt;
  console.log(`signed before idling: ${first.ok}; worker started at ${before}; idling ${idleMin} min with no extension page open…`);
  await new Promise((r) => setTimeout(r, idleMin * 60_000));
  const t0 = performance.now();
  const after = await outcome(client.signer.signEvent(note('after the idle time')), 60_000);
  const ms = performance.now() - t0;
  const startedAt = (await admin('get_status')).workerStartedAt;
  console.log(`after ${idleMin} min idle: signed ${after.ok ? 'yes' : `no (${after.error})`} in ${ms.toFixed(0)} ms; worker ${startedAt === before ? 'never restarted' : `restarted (started at ${startedAt}, ${((startedAt - before) / 1000).toFixed(0)} s after the first start)`}`);
  client.close();
} finally {
  closeClients();
  await context.close();
  await relay.close();
  rmSync(profile, { recursive: true, force: true });
}
