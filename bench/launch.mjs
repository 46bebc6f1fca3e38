// The machine and the browser: how idle the CPUs are, the headless Chromium with the extension
// loaded, and an admin RPC client on one of the extension's pages.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS } from '../scripts/browsers.mjs';

/** Fraction of CPU time idle over the next `ms` (Linux /proc/stat; null elsewhere). */
export async function cpuIdle(ms) {
  const read = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = read();
    await new Promise((ok) => setTimeout(ok, ms));
    const b = read();
    return (b.idle - a.idle) / Math.max(1, b.total - a.total);
  } catch {
    return null;
  }
}

/** Headless Chromium on the throwaway `profile` with only the extension in `extDir` loaded. */
export function launchBench(profile, extDir) {
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [`--disable-extensions-except=${extDir}`, `--load-extension=${extDir}`, ...CHROMIUM_FLAGS],
  });
}

/** The extension's id and an admin RPC client on one of its pages (close adminPage when done). */
export async function extensionAdmin(context) {
  const worker = context.serviceWorkers().at(-1) ?? (await context.waitForEvent('serviceworker'));
  const id = new URL(worker.url()).host;
  const adminPage = await context.newPage();
  await adminPage.goto(`chrome-extension://${id}/src/ui/options/index.html`);
  const admin = async (method, params = {}) => {
    const reply = await adminPage.evaluate(([m, p]) => chrome.runtime.sendMessage({ type: 'admin', method: m, params: p }), [method, params]);
    if (!reply?.ok) throw new Error(`${method}: ${reply?.error?.code} ${reply?.error?.message}`);
    return reply.result;
  };
  return { id, adminPage, admin };
}
