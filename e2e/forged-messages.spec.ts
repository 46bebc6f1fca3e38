// A web page or another extension cannot reach the admin RPC, and forged window.postMessage
// traffic changes nothing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_FLAGS } from '../scripts/browsers.mjs';
import { removeDir, tempDir, until } from '../e2e-shared/common.ts';
import { CHROME_PATH, EXTENSION_DIR, expect, nostrCall, openSite, setupAccount, test, type Extension } from './fixtures.ts';
import { activity, note, policies, signingLog, sleep, status, waitForPending } from './helpers.ts';

async function snapshot(ext: Extension) {
  const { workerStartedAt: _ignored, ...s } = await status(ext);
  return { status: s, policies: await policies(ext), log: await signingLog(ext), activity: (await activity(ext)).length };
}

test('a web page cannot reach chrome.runtime', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  const reach = await page.evaluate(async (id) => {
    const c = (globalThis as unknown as { chrome?: { runtime?: { sendMessage?: unknown; connect?: unknown; id?: unknown } } }).chrome;
    const out = { hasSendMessage: typeof c?.runtime?.sendMessage === 'function', hasConnect: typeof c?.runtime?.connect === 'function', id: c?.runtime?.id ?? null, reply: 'none' as unknown };
    // Even if some runtime object existed, an attempt to send to the extension must fail.
    try {
      const send = c?.runtime?.sendMessage as ((id: string, m: unknown) => Promise<unknown>) | undefined;
      if (send) out.reply = await send(id, { type: 'admin', method: 'get_status', params: {} });
    } catch (err) {
      out.reply = `threw: ${(err as Error).message}`;
    }
    return out;
  }, ext.id);
  expect(reach.hasSendMessage).toBe(false);
  expect(reach.hasConnect).toBe(false);
  expect(reach.id).toBeNull();
  expect(reach.reply).toBe('none');
});

// docs/THREATS.md #5, #42: another extension in the same browser messages Warden by id. Warden has
// no external listener, and externally_connectable (no matches, no ids) makes Chromium refuse even
// when one exists: the test adds one to the worker, standing for any listener a later change might
// add, and it never hears a thing. Nothing changes.
test('another extension cannot message the background or connect to it', async () => {
  const dir = tempDir('warden-other-ext-');
  const other = join(dir, 'other');
  mkdirSync(other);
  writeFileSync(join(other, 'manifest.json'), JSON.stringify({ manifest_version: 3, name: 'other', version: '1.0', background: { service_worker: 'sw.js' } }));
  writeFileSync(join(other, 'sw.js'), '// probed by the test through the DevTools protocol\n');
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROME_PATH,
    headless: true,
    args: [`--disable-extensions-except=${EXTENSION_DIR},${other}`, `--load-extension=${EXTENSION_DIR},${other}`, ...CHROMIUM_FLAGS],
  });
  try {
    const workers = await until('both service workers', async () => (context.serviceWorkers().length >= 2 ? context.serviceWorkers() : undefined), 15_000);
    const names = await Promise.all(workers.map((w) => w.evaluate(() => chrome.runtime.getManifest().name)));
    const warden = workers[names.indexOf('Warden')]!;
    const foreign = workers[names.indexOf('other')]!;
    const wardenId = new URL(warden.url()).host;
    const admin = await context.newPage();
    await admin.goto(`chrome-extension://${wardenId}/src/ui/options/index.html?rpc`);
    const call = (method: string, params: unknown = {}) =>
      admin.evaluate(([m, p]) => chrome.runtime.sendMessage({ type: 'admin', method: m, params: p }), [method, params] as const) as Promise<{ ok: boolean; result?: unknown }>;
    expect((await call('create_account', { password: 'correct horse battery staple' })).ok).toBe(true);
    const before = await call('get_status');
    await warden.evaluate(() => {
      chrome.runtime.onMessageExternal.addListener((_m, _s, reply) => reply({ reached: true }));
      chrome.runtime.onConnectExternal.addListener((port) => port.postMessage({ reached: true }));
    });

    const attempts = await foreign.evaluate(async (id) => {
      const send = async (message: unknown) => {
        try {
          return { reply: (await chrome.runtime.sendMessage(id, message)) ?? null };
        } catch (err) {
          return { refused: String((err as Error).message) };
        }
      };
      const connect = () =>
        new Promise<unknown>((ok) => {
          const port = chrome.runtime.connect(id, { name: 'warden-live' });
          port.onMessage.addListener((m) => ok({ message: m }));
          port.onDisconnect.addListener(() => ok({ disconnected: chrome.runtime.lastError?.message ?? true }));
          port.postMessage({ type: 'admin', method: 'lock', params: {} });
          setTimeout(() => ok({ open: true }), 2_000);
        });
      return {
        status: await send({ type: 'admin', method: 'get_status', params: {} }),
        lock: await send({ type: 'admin', method: 'lock', params: {} }),
        grant: await send({ type: 'admin', method: 'grant', params: { origin: 'https://evil.example', rules: [{ method: 'sign_event' }] } }),
        sign: await send({ type: 'nip07', id: crypto.randomUUID(), method: 'sign_event', params: { event: { kind: 1, content: 'x', tags: [], created_at: 1 } } }),
        port: await connect(),
      };
    }, wardenId);
    for (const key of ['status', 'lock', 'grant', 'sign'] as const) expect(attempts[key], key).toEqual({ refused: expect.stringMatching(/Receiving end does not exist|Could not establish connection/) });
    expect(attempts.port).toEqual({ disconnected: expect.anything() });

    const after = await call('get_status');
    expect(after).toEqual(before);
    expect((after.result as { locked: boolean }).locked).toBe(false);
    expect(await call('get_policies')).toMatchObject({ ok: true, result: { grants: [], overrides: [] } });
  } finally {
    await context.close();
    removeDir(dir);
  }
});

test('forged admin messages and forged replies on window.postMessage change nothing', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'get_public_key' }] });
  const page = await openSite(ext, '/blank.html');
  const before = await snapshot(ext);

  const grantAll = { origin: ext.siteUrl, rules: [{ method: 'sign_event' }, { method: 'nip44_decrypt' }] };
  const forged: unknown[] = [
    { type: 'admin', method: 'grant', params: grantAll },
    { type: 'admin', method: 'lock', params: {} },
    { type: 'admin', method: 'set_override', params: { origin: ext.siteUrl, method: 'sign_event', effect: 'allow' } },
    { type: 'admin', method: 'revoke_grant', params: { grantId: before.policies.grants[0]!.id } },
    // Shaped like the provider's own requests, but naming admin methods or an admin type.
    { source: 'warden:request', id: crypto.randomUUID(), method: 'grant', params: grantAll },
    { source: 'warden:request', id: crypto.randomUUID(), method: 'lock', params: {} },
    { source: 'warden:request', id: crypto.randomUUID(), type: 'admin', method: 'resolve_prompt', params: { promptId: 'x', decision: 'allow' } },
    { source: 'warden:request', id: 'short', method: 'sign_event', params: { event: note('bad id') } },
    // Forged replies, as if the background had answered.
    { source: 'warden:reply', id: crypto.randomUUID(), ok: true, result: { grantId: 1 } },
    { type: 'admin', ok: true, result: {} },
    { ok: true, result: { locked: true } },
  ];
  const replies = await page.evaluate(async (messages) => {
    const seen: unknown[] = [];
    const listener = (e: MessageEvent) => seen.push(e.data);
    window.addEventListener('message', listener);
    for (const m of messages) {
      window.postMessage(m, '*');
      window.postMessage(m, window.location.origin);
    }
    await new Promise((ok) => setTimeout(ok, 800));
    window.removeEventListener('message', listener);
    // Whatever the bridge sent back: only replies, never a success.
    return seen.filter((d) => (d as { source?: string } | null)?.source === 'warden:reply' && !(messages as unknown[]).some((m) => JSON.stringify(m) === JSON.stringify(d)));
  }, forged);
  expect(replies.filter((r) => (r as { ok?: boolean }).ok === true)).toEqual([]);

  await sleep(200);
  const after = await snapshot(ext);
  expect(after).toEqual(before);
  expect(after.status.locked).toBe(false);

  // The real channel still works, and a forged reply did not disturb it.
  expect(await nostrCall(page, 'window.nostr.getPublicKey()')).toEqual({ ok: true, value: pubkey });
  // sign_event and nip44 stayed ungranted: they would ask, not answer.
  expect(before.policies.grants).toHaveLength(1);
  expect(after.policies.overrides).toEqual([]);
});

test('a forged reply with a guessed id cannot settle a real pending call', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openSite(ext, '/blank.html');
  // No grant: the call waits on a prompt. The page floods forged replies meanwhile.
  const result = await page.evaluate(async () => {
    const nostr = (window as unknown as { nostr: { getPublicKey: () => Promise<string> } }).nostr;
    const call = nostr.getPublicKey().then((v) => ({ settled: true, value: v }), (e: { code?: string }) => ({ settled: true, code: e.code }));
    for (let i = 0; i < 200; i++) {
      window.postMessage({ source: 'warden:reply', id: crypto.randomUUID(), ok: true, result: 'f'.repeat(64) }, window.location.origin);
      window.postMessage({ source: 'warden:reply', id: String(i), ok: true, result: 'f'.repeat(64) }, window.location.origin);
    }
    const late = new Promise((ok) => setTimeout(() => ok({ settled: false }), 800));
    return Promise.race([call, late]);
  });
  expect(result).toEqual({ settled: false });
  const pending = (await status(ext)).pending;
  expect(pending).toHaveLength(1);
  await ext.admin('resolve_prompt', { promptId: pending[0]!.promptId, decision: 'deny' });
});

test('a forged request claiming another origin is judged by its real origin', async ({ ext }) => {
  await setupAccount(ext);
  // Only the OTHER origin holds a grant.
  await ext.admin('grant', { origin: ext.otherSiteUrl, rules: [{ method: 'get_public_key' }, { method: 'sign_event' }] });
  const page = await openSite(ext, '/blank.html');
  const id = await page.evaluate(
    ([claimed, event]) => {
      const id = crypto.randomUUID();
      const w = window as unknown as { __reply?: Promise<unknown> };
      w.__reply = new Promise((ok) => {
        window.addEventListener('message', (e) => {
          const d = e.data as { source?: string; id?: string };
          if (d?.source === 'warden:reply' && d.id === id) ok(d);
        });
      });
      window.postMessage(
        { source: 'warden:request', id, method: 'sign_event', params: { event }, origin: claimed, host: new URL(claimed).host, sender: { origin: claimed, url: `${claimed}/` } },
        window.location.origin,
      );
      return id;
    },
    [ext.otherSiteUrl, note('claims to be the other site')] as const,
  );
  expect(id).toMatch(/^[0-9a-f-]{36}$/);

  // Judged as siteUrl (no grant): it asks, for the real origin, and nothing is signed.
  const pending = await waitForPending(ext, 1);
  expect(pending).toHaveLength(1);
  expect(pending[0]).toMatchObject({ origin: ext.siteUrl, method: 'sign_event' });
  expect(await signingLog(ext)).toEqual([]);
  await ext.admin('resolve_prompt', { promptId: pending[0]!.promptId, decision: 'deny' });
  const reply = await page.evaluate(() => (window as unknown as { __reply: Promise<unknown> }).__reply);
  expect(reply).toMatchObject({ ok: false, error: { code: 'denied' } });

  // A claim inside the params is not trusted either: refused as malformed, or judged (asked) as siteUrl.
  await page.evaluate(
    ([claimed, event]) => {
      const id = crypto.randomUUID();
      const w = window as unknown as { __reply2?: Promise<unknown> };
      w.__reply2 = new Promise((ok) => {
        window.addEventListener('message', (e) => {
          const d = e.data as { source?: string; id?: string };
          if (d?.source === 'warden:reply' && d.id === id) ok(d);
        });
      });
      window.postMessage({ source: 'warden:request', id, method: 'sign_event', params: { event, origin: claimed } }, window.location.origin);
    },
    [ext.otherSiteUrl, note('params claim')] as const,
  );
  const early = await page.evaluate(() =>
    Promise.race([(window as unknown as { __reply2: Promise<unknown> }).__reply2, new Promise((ok) => setTimeout(() => ok('waiting'), 1_500))]),
  );
  let settled = early;
  if (early === 'waiting') {
    const p = await waitForPending(ext, 1);
    expect(p[0]).toMatchObject({ origin: ext.siteUrl });
    await ext.admin('resolve_prompt', { promptId: p[0]!.promptId, decision: 'deny' });
    settled = await page.evaluate(() => (window as unknown as { __reply2: Promise<unknown> }).__reply2);
  }
  expect(settled).toMatchObject({ ok: false });
  expect(await signingLog(ext)).toEqual([]);
  expect((await status(ext)).pending).toEqual([]);
});
