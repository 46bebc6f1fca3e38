// The kill switch (docs/THREATS.md #44): while on, every web-page request is refused with `denied`
// before anything else — no prompt, no unlock window, no vault, no crypto, no signing-log entry —
// and the state outlives a worker restart. Turning it on works in any state; off needs the vault
// unlocked.
import { describe, expect, it, vi } from 'vitest';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { ALL_METHODS_RULES, askedThen, code, logCount, makeHarness, OTHER, PW, SITE, snap, withAccount, type Harness } from '../test/background.ts';
import { waitFor } from '../test/fixtures.ts';
import { MemorySessionStore } from '../vault/sessionStore.ts';
import { METHODS, type Method } from '../shared/methods.ts';
import { getSetting } from '../db/settings.ts';
import { WardenDb } from '../db/schema.ts';
import { STOPPED_REASON, STOPPED_TEXT } from './killSwitch.ts';

vi.setConfig({ testTimeout: 20_000 });

const peer = getPublicKey(generateSecretKey());
/** Well-formed params for each method: what a granted site would get an answer to. */
const PARAMS: Record<Method, unknown> = {
  get_public_key: {},
  get_relays: {},
  sign_event: { event: { kind: 1, content: 'hello', tags: [] } },
  nip04_encrypt: { pubkey: peer, plaintext: 'hi' },
  nip04_decrypt: { pubkey: peer, ciphertext: 'AAAAAAAAAAAAAAAAAAAAAA==?iv=AAAAAAAAAAAAAAAAAAAAAA==' },
  nip44_encrypt: { pubkey: peer, plaintext: 'hi' },
  nip44_decrypt: { pubkey: peer, ciphertext: 'A'.repeat(132) },
};

async function stop(h: Harness): Promise<void> {
  const r = await h.ok('set_kill_switch', { on: true });
  expect(r).toEqual({ killSwitch: true });
}

/** Spies on everything a refused request must never reach. */
function spies(h: Harness) {
  return {
    active: vi.spyOn(h.ctx.vault, 'active'),
    requireActive: vi.spyOn(h.ctx.vault, 'requireActive'),
    secretKey: vi.spyOn(h.ctx.vault, 'secretKey'),
    policy: vi.spyOn(h.ctx.policy, 'load'),
    ask: vi.spyOn(h.ctx.prompts, 'ask'),
  };
}
function expectUntouched(s: ReturnType<typeof spies>): void {
  for (const [name, spy] of Object.entries(s)) expect(spy, name).not.toHaveBeenCalled();
}

describe('kill switch: every web-page request refused first', () => {
  it.each(METHODS)('a granted site: %s → denied, no prompt, no vault or policy read, no log entry', async (method) => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    await stop(h);
    const s = spies(h);
    const r = await h.nip07(SITE, method, PARAMS[method]);
    expect(code(r)).toBe('denied');
    expect(!r.ok && r.error.message).toBe(STOPPED_TEXT);
    expectUntouched(s);
    expect(h.ctx.prompts.list()).toEqual([]);
    expect(await logCount(h)).toBe(0);
    const [row] = (await snap(h)).activity as { outcome: string; reason: string; method: string }[];
    expect(row).toMatchObject({ outcome: 'denied', reason: STOPPED_REASON, method });
  });

  it('the refusal names no id or number (like the other refusals)', async () => {
    const h = await withAccount();
    await stop(h);
    const r = await h.sign(SITE);
    expect(!r.ok && r.error.message).not.toMatch(/\d|#/);
  });

  const states: [string, (h: Harness) => Promise<unknown>][] = [
    ['locked', async (h) => (await h.ok('create_account', { password: PW }), h.ok('lock'))],
    ['with no account', async () => undefined],
  ];
  it.each(states)('%s: denied at once, no unlock window', async (_name, setup) => {
    const h = makeHarness();
    await setup(h);
    await stop(h);
    const s = spies(h);
    expect(code(await h.sign(SITE))).toBe('denied');
    expectUntouched(s);
    expect(await h.pending()).toEqual([]);
  });

  it('a malformed request or a bad sender is refused with denied too: nothing is looked at first', async () => {
    const h = await withAccount();
    await stop(h);
    expect(code(await h.nip07(SITE, 'sign_event', { event: 'nonsense' }))).toBe('denied');
    expect(code(await h.route({ type: 'nip07', id: crypto.randomUUID(), method: 'get_public_key', params: {} }, { id: 'abc', url: 'data:text/html,x' }))).toBe('denied');
  });

  it('a flood of refusals collapses into one activity row per method, with a count', async () => {
    const h = await withAccount();
    await stop(h);
    for (let i = 0; i < 60; i++) await h.sign(SITE, { kind: i % 3 ? 1 : 7 });
    for (let i = 0; i < 5; i++) await h.nip07(SITE, 'get_public_key');
    const rows = (await snap(h)).activity as { method: string; count?: number }[];
    expect(rows.map((r) => [r.method, r.count ?? 1]).sort()).toEqual([['get_public_key', 5], ['sign_event', 60]]);
  });

  it('after resuming, the granted site signs again and other sites are as before', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    await stop(h);
    expect(code(await h.sign(SITE))).toBe('denied');
    expect(await h.ok('set_kill_switch', { on: false })).toEqual({ killSwitch: false });
    expect((await h.ok('get_status')).killSwitch).toBe(false);
    expect(code(await h.sign(SITE))).toBe('ok');
    expect(await logCount(h)).toBe(1);
    // An ungranted site asks again, as it did before the stop.
    expect(await askedThen(h, h.sign(OTHER))).toBe('asked → denied');
  });
});

describe('kill switch: on and off', () => {
  it('get_status.killSwitch follows it; on twice is still on', async () => {
    const h = await withAccount();
    expect((await h.ok('get_status')).killSwitch).toBe(false);
    await stop(h);
    await stop(h);
    expect((await h.ok('get_status')).killSwitch).toBe(true);
  });

  const offWhile: [string, (h: Harness) => Promise<unknown>][] = [
    ['locked', async (h) => (await h.ok('create_account', { password: PW }), h.ok('lock'))],
    ['with no account', async () => undefined],
  ];
  it.each(offWhile)('turning it off while %s → locked, and it stays on (in memory and stored)', async (_name, setup) => {
    const h = makeHarness();
    await setup(h);
    await stop(h);
    const r = await h.admin('set_kill_switch', { on: false });
    expect(code(r)).toBe('locked');
    expect((await h.ok('get_status')).killSwitch).toBe(true);
    expect(await getSetting(h.ctx.db, 'killSwitch')).toBe(true);
    expect(code(await h.sign(SITE))).toBe('denied');
  });

  it('after unlocking, turning it off works', async () => {
    const h = await withAccount();
    await stop(h);
    await h.ok('lock');
    await h.ok('unlock', { password: PW });
    expect(await h.ok('set_kill_switch', { on: false })).toEqual({ killSwitch: false });
  });

  const bad: [string, unknown][] = [
    ['no field', {}],
    ['a string', { on: 'yes' }],
    ['a number', { on: 0 }],
    ['null', { on: null }],
    ['an extra field', { on: false, force: true }],
  ];
  it.each(bad)('bad params (%s) → invalid_request, the switch unchanged', async (_name, params) => {
    const h = await withAccount();
    await stop(h);
    expect(code(await h.admin('set_kill_switch', params))).toBe('invalid_request');
    expect((await h.ok('get_status')).killSwitch).toBe(true);
    expect(await getSetting(h.ctx.db, 'killSwitch')).toBe(true);
  });

  it('a web page cannot turn it off (admin calls only from extension pages)', async () => {
    const h = await withAccount();
    await stop(h);
    const r = await h.route({ type: 'admin', method: 'set_kill_switch', params: { on: false } }, { id: 'abc', url: `${SITE}/app`, origin: SITE, tab: { id: 7 }, frameId: 0 });
    expect(code(r)).toBe('denied');
    expect((await h.ok('get_status')).killSwitch).toBe(true);
  });
});

describe('kill switch: pending requests and restarts', () => {
  it('turning it on refuses every waiting request with denied and empties the queue', async () => {
    const h = await withAccount();
    const asking = h.sign(SITE); // no grant: asks
    const decrypting = h.nip07(OTHER, 'nip44_encrypt', PARAMS.nip44_encrypt);
    await waitFor(async () => ((await h.pending()).length === 2 ? true : null));
    await stop(h);
    expect([code(await asking), code(await decrypting)]).toEqual(['denied', 'denied']);
    expect(await h.pending()).toEqual([]);
    expect(await logCount(h)).toBe(0);
  });

  it('a request waiting on an unlock prompt is refused too', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    await h.ok('lock');
    const waiting = h.sign(SITE);
    await waitFor(async () => ((await h.pending()).length ? true : null));
    await stop(h);
    expect(code(await waiting)).toBe('denied');
    expect(await h.pending()).toEqual([]);
  });

  it('a request that passed step 0 before it turned on and waits for its turn runs no crypto', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    // Hold the site's lane, so the request is past the router's check but not yet in the guard.
    let release!: () => void;
    const held = h.ctx.serial.run(() => new Promise<void>((r) => (release = r)), SITE);
    const secretKey = vi.spyOn(h.ctx.vault, 'secretKey');
    const p = h.sign(SITE);
    await waitFor(() => (h.ctx.serial.waiting(SITE) === 1 ? true : null));
    await stop(h);
    release();
    await held;
    expect(code(await p)).toBe('denied');
    expect(secretKey).not.toHaveBeenCalled();
    expect(await logCount(h)).toBe(0);
  });

  it('survives a worker restart: a new context over the same database refuses at once', async () => {
    const first = await withAccount();
    await first.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    await stop(first);
    // A new worker (and a new browser session: nothing in storage.session) over the same database,
    // where reading the switch back is slow: the request, sent before setup has finished, waits
    // for the stored state and never slips through.
    const db = new WardenDb(first.dbName);
    const get = db.settings.get.bind(db.settings) as (key: unknown) => Promise<unknown>;
    vi.spyOn(db.settings, 'get').mockImplementation((async (key: unknown) => {
      if (Array.isArray(key) && key[1] === 'killSwitch') await new Promise((r) => setTimeout(r, 300));
      return get(key);
    }) as never);
    const second = makeHarness({ dbName: first.dbName, db, session: new MemorySessionStore() });
    const early = second.sign(SITE);
    expect(code(await early)).toBe('denied');
    expect((await second.ok('get_status')).killSwitch).toBe(true);
    expect(await logCount(second)).toBe(0);
  });

  it('turned off, the next start is off too', async () => {
    const first = await withAccount();
    await stop(first);
    await first.ok('set_kill_switch', { on: false });
    const second = makeHarness({ dbName: first.dbName });
    expect((await second.ok('get_status')).killSwitch).toBe(false);
  });
});
