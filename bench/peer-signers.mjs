// The three signers of the peers phase (bench/peers-phase.mjs), each in its own headless Chromium
// with only its extension loaded, all set up with the same secret key and opened on the same bench
// page: Warden (a kind-1 rule set of three stacked caps and a pre-filled signing log, as phase 1),
// nos2x (a host table allowing the calls) and the storage-less reference signer (granted the
// calls). How each peer is configured is in the peers folder's README.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPS, fillExtensionLogRange } from './extension-phase.mjs';
import { extensionAdmin, launchBench } from './launch.mjs';
import { int, log } from './report.mjs';

const PASSWORD = 'bench password, not a secret';
const DAY_MS = 24 * 3600 * 1000;

/** Calls window.peers[fn](...args) in a bench page (Playwright or puppeteer: one argument either way). */
export const peersCall = (page, fn, ...args) => page.evaluate(({ fn, args }) => window.peers[fn](...args), { fn, args });

/** Opens bench/peers.html on `site` and checks that window.nostr answers with `pubkey`. */
export async function openPeersPage(newPage, site, pubkey, name) {
  const page = await newPage();
  await page.goto(`${site.url}/peers.html`);
  // Polled rather than waitForFunction, whose arguments differ between Playwright and puppeteer.
  for (const until = Date.now() + 15_000; !(await page.evaluate(() => !!window.peers?.ready())); ) {
    if (Date.now() > until) throw new Error(`${name}: no window.nostr in the bench page after 15 s`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const got = await peersCall(page, 'pubkey');
  if (got !== pubkey) throw new Error(`${name}: getPublicKey answered ${got}, expected ${pubkey}`);
  return page;
}

/** `size` signing-log rows for the site's kind-1 scope, written from an extension page before its first request. */
export async function fillLog(adminPage, { origin, accountId, grantId, size }) {
  const now = Date.now();
  for (let done = 0; done < size; ) {
    const n = Math.min(size - done, 100_000);
    await fillExtensionLogRange(adminPage, { origin, accountId, grantId, size, from: done, to: done + n, chunk: 20_000, now, spreadMs: 30 * DAY_MS });
    done += n;
  }
}

/** Warden's grant for the bench site: getPublicKey, sign_event kind 1 under three stacked caps, nip44_decrypt. */
export const wardenRules = () => [{ method: 'get_public_key' }, ...CAPS, { method: 'nip44_decrypt' }];

async function launch(dir) {
  const profile = mkdtempSync(join(tmpdir(), 'warden-peers-'));
  const context = await launchBench(profile, dir);
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

async function worker(context) {
  return context.serviceWorkers().at(-1) ?? (await context.waitForEvent('serviceworker'));
}

/** Warden from `extDir`: the key imported, the grant, a log of `logSize` entries. */
export async function setupWarden(extDir, site, { secret, pubkey, logSize }) {
  const { context, close } = await launch(extDir);
  try {
    const started = Date.now();
    const { adminPage, admin } = await extensionAdmin(context);
    const { accountId } = await admin('import_account', { secret, password: PASSWORD, label: 'peers bench' });
    const { grantId } = await admin('grant', { origin: site.url, rules: wardenRules() });
    await fillLog(adminPage, { origin: site.url, accountId, grantId, size: logSize });
    // The options page reloads its data on the background's live notices: closed, so it costs nothing while timed.
    await adminPage.close();
    const page = await openPeersPage(() => context.newPage(), site, pubkey, 'Warden');
    log(`Warden: key imported, 3 stacked caps on kind 1 + nip44_decrypt granted, ${int(logSize)}-entry log, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { name: 'Warden', context, page, ensure: async () => {}, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** nos2x: its key and a host table allowing getPublicKey, signEvent and nip44.decrypt with no conditions. */
export async function setupNos2x(dir, site, { secret, pubkey }) {
  const { context, close } = await launch(dir);
  try {
    const host = new URL(site.url).host;
    await (await worker(context)).evaluate(
      ({ secret, host }) => {
        const allow = { conditions: {}, created_at: Math.floor(Date.now() / 1000) };
        const table = Object.fromEntries(['getPublicKey', 'signEvent', 'nip44.decrypt'].map((m) => [m, allow]));
        return chrome.storage.local.set({ private_key: secret, policies: { [host]: { true: table } } });
      },
      { secret, host },
    );
    const page = await openPeersPage(() => context.newPage(), site, pubkey, 'nos2x');
    // nos2x opens its options page on install: closed, so only the bench page is open.
    for (const p of context.pages()) if (p.url().startsWith('chrome-extension://')) await p.close();
    log(`nos2x: key and host table for ${host} set in its storage`);
    return { name: 'nos2x', context, page, ensure: async () => {}, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * The reference signer: the key imported and the calls granted over its admin RPC. It keeps them in
 * memory only, so `ensure` sets them again if Chromium has stopped and restarted its worker.
 */
export async function setupRefSigner(dir, site, { secret, pubkey }) {
  const { context, close } = await launch(dir);
  try {
    const id = new URL((await worker(context)).url()).host;
    const adminPage = await context.newPage();
    await adminPage.goto(`chrome-extension://${id}/admin.html`);
    const admin = async (method, params = {}) => {
      const reply = await adminPage.evaluate(([m, p]) => chrome.runtime.sendMessage({ type: 'admin', method: m, params: p }), [method, params]);
      if (!reply?.ok) throw new Error(`ref-signer ${method}: ${reply?.error?.code} ${reply?.error?.message ?? ''}`);
      return reply.result;
    };
    const configure = async () => {
      await admin('import_account', { secret, password: PASSWORD });
      await admin('grant', { origin: site.url, rules: [{ method: 'get_public_key' }, { method: 'sign_event' }, { method: 'nip44_decrypt' }] });
    };
    await configure();
    const page = await openPeersPage(() => context.newPage(), site, pubkey, 'ref-signer');
    let restarts = 0;
    const ensure = async () => {
      if ((await admin('get_status')).hasAccount) return;
      restarts++;
      await configure();
    };
    log('ref-signer: key imported, getPublicKey, signEvent and nip44.decrypt granted (in its memory)');
    return { name: 'ref-signer', context, page, ensure, close, restarts: () => restarts };
  } catch (err) {
    await close();
    throw err;
  }
}
