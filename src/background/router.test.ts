import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { generateSecretKey, getPublicKey, verifyEvent, type VerifiedEvent } from 'nostr-tools/pure';
import * as nip19 from 'nostr-tools/nip19';
import * as nip44 from 'nostr-tools/nip44';
import * as nip49 from 'nostr-tools/nip49';
import { bytesToHex } from 'nostr-tools/utils';
import { createContext, type BackgroundContext, type ContextOptions } from './context.ts';
import { createRouter, type Router } from './router.ts';
import { embeddingOrigin, isExtensionPage, siteOrigin, type SenderInfo } from './sender.ts';
import { WardenDb } from '../db/schema.ts';
import { MemorySessionStore } from '../vault/sessionStore.ts';
import { ERROR_CODES, fail, type WireResponse } from '../shared/errors.ts';
import { METHODS, type Method } from '../shared/methods.ts';
import { adminParamSchemas } from '../shared/protocol.ts';
import { emulateBrowserExtensionUrls, settledState, snapshot, uniqueDbName, waitFor } from '../test/fixtures.ts';

// ---- harness ------------------------------------------------------------------------------

// Many tests drive dozens of IndexedDB transactions: leave room for a loaded CI machine.
vi.setConfig({ testTimeout: 20_000 });

const EXT = 'chrome-extension://abc';
const OPTIONS_PAGE = `${EXT}/src/ui/options/index.html`;
const EXT_SENDER: SenderInfo = { id: 'abc', url: OPTIONS_PAGE };
const SITE = 'https://site.example';
const OTHER = 'https://other.example';
const PW = 'router test password';
const T0 = 1_700_000_000_000;

// The router runs under Node's own (spec-conforming) URL. The sender tables below also run under
// browser URL semantics, where chrome-extension: is a standard scheme.

/** What a content script in a top-level frame of `origin` looks like to the background. */
function siteSender(origin: string, path = '/app'): SenderInfo {
  return { id: 'abc', url: `${origin}${path}`, origin, tab: { id: 7, url: `${origin}${path}` }, frameId: 0 };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

interface Harness {
  ctx: BackgroundContext;
  route: Router;
  clock: { t: number };
  dbName: string;
  session: MemorySessionStore;
  admin(method: string, params?: unknown, sender?: SenderInfo): Promise<WireResponse>;
  ok<T = Any>(method: string, params?: unknown): Promise<T>;
  nip07(site: string | SenderInfo, method: Method, params?: unknown): Promise<WireResponse>;
  sign(site: string | SenderInfo, event?: Record<string, unknown>): Promise<WireResponse>;
  pending(): Promise<{ promptId: string; origin: string; method: Method; kind?: number }[]>;
  account?: { accountId: number; pubkey: string };
}

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    h.ctx.prompts.refuseAll(fail('denied', 'test over'));
    h.ctx.db.close();
  }
});

function makeHarness(opts: Partial<ContextOptions> & { dbName?: string; session?: MemorySessionStore; clock?: { t: number } } = {}): Harness {
  const dbName = opts.dbName ?? uniqueDbName('router');
  const session = opts.session ?? new MemorySessionStore();
  const clock = opts.clock ?? { t: T0 };
  const ctx = createContext({
    db: new WardenDb(dbName),
    session,
    extensionOrigin: EXT,
    now: () => clock.t,
    scryptLogN: 8,
    ...opts,
  });
  const route = createRouter(ctx);
  const h: Harness = {
    ctx,
    route,
    clock,
    dbName,
    session,
    admin: (method, params = {}, sender = EXT_SENDER) => route({ type: 'admin', method, params }, sender),
    async ok(method, params = {}) {
      const r = await route({ type: 'admin', method, params }, EXT_SENDER);
      if (!r.ok) throw new Error(`admin ${method} failed: ${r.error.code} ${r.error.message}`);
      return r.result as Any;
    },
    nip07: (site, method, params = {}) =>
      route({ type: 'nip07', id: crypto.randomUUID(), method, params }, typeof site === 'string' ? siteSender(site) : site),
    sign: (site, event = {}) => h.nip07(site, 'sign_event', { event: { kind: 1, content: 'hello', tags: [], ...event } }),
    async pending() {
      return (await h.ok('get_status')).pending;
    },
  };
  harnesses.push(h);
  return h;
}

async function withAccount(opts: Parameters<typeof makeHarness>[0] = {}): Promise<Harness & { account: { accountId: number; pubkey: string } }> {
  const h = makeHarness(opts);
  h.account = await h.ok('create_account', { password: PW, label: 'Main' });
  return h as Harness & { account: { accountId: number; pubkey: string } };
}

/** Every stored row; activity rows are written behind the decision, so flush them first. */
async function snap(h: Harness): Promise<Record<string, unknown[]>> {
  await h.ctx.activity.flush();
  return snapshot(h.ctx.db);
}

function code(r: WireResponse): string {
  return r.ok ? 'ok' : r.error.code;
}

function signed(r: WireResponse): VerifiedEvent {
  if (!r.ok) throw new Error(`expected a signature, got ${r.error.code}: ${r.error.message}`);
  return r.result as VerifiedEvent;
}

/**
 * How a request ends without relying on prompt timeouts: its own code if it settles by itself, or
 * 'asked' if it waits on a prompt (which is then denied so nothing is left waiting).
 */
async function settle(h: Harness, p: Promise<WireResponse>): Promise<string> {
  let done: WireResponse | undefined;
  void p.then((r) => (done = r));
  const state = await waitFor(async () => (done ? 'done' : (await h.pending()).length ? 'asked' : null), 3_000, 'the request to settle or ask');
  if (state === 'done') return code(done!);
  const [pending] = await h.pending();
  await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
  expect(code(await p)).toBe('denied');
  return 'asked';
}

/**
 * With no account or a locked vault a request waits on an unlock prompt (DESIGN.md §5 step 2);
 * giving up there refuses it with its code. Returns that code.
 */
async function giveUp(h: Harness, p: Promise<WireResponse>): Promise<string> {
  const [pending] = await waitPending(h, 1);
  await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
  return code(await p);
}

async function logCount(h: Harness): Promise<number> {
  return h.ctx.db.signingLog.count();
}

/** Waits until `n` requests of `origin` wait on a prompt, and returns them. */
async function waitPending(h: Harness, n: number, origin?: string) {
  return waitFor(async () => {
    const p = (await h.pending()).filter((x) => origin === undefined || x.origin === origin);
    return p.length >= n ? p : null;
  }, 3_000, `${n} pending prompt(s)`);
}

const ALL_METHODS_RULES = METHODS.map((method) => ({ method }));

// ---- sender ------------------------------------------------------------------------------

describe.each([
  ['Node URL', () => undefined],
  ['browser URL', emulateBrowserExtensionUrls],
])('sender (%s)', (_semantics, install) => {
  beforeAll(() => install());
  afterAll(() => vi.unstubAllGlobals());

  it.each<[string, SenderInfo, string | null]>([
    ['https top frame', siteSender(SITE), SITE],
    ['http with a port', siteSender('http://127.0.0.1:5173'), 'http://127.0.0.1:5173'],
    ['default port is dropped', { url: 'https://site.example:443/x' }, SITE],
    ['no sender.origin (Firefox): from the URL', { url: `${SITE}/deep/path?q=1#h` }, SITE],
    ['blob: URL of a site', { url: `blob:${SITE}/0f0e` }, SITE],
    ['sandboxed frame: origin "null" with an http URL', { url: `${SITE}/x`, origin: 'null' }, null],
    ['sender.origin disagrees with the URL', { url: `${SITE}/x`, origin: OTHER }, null],
    ['about:srcdoc', { url: 'about:srcdoc', origin: 'null' }, null],
    ['about:blank', { url: 'about:blank' }, null],
    ['data: frame', { url: 'data:text/html,<script>1</script>' }, null],
    ['file:', { url: 'file:///etc/passwd' }, null],
    ['ftp:', { url: 'ftp://site.example/' }, null],
    ['extension page', { url: OPTIONS_PAGE }, null],
    ['no URL', {}, null],
    ['unparsable URL', { url: 'not a url' }, null],
  ])('siteOrigin: %s', (_name, sender, expected) => {
    if (expected === null) expect(() => siteOrigin(sender)).toThrow(expect.objectContaining({ code: 'denied' }));
    else expect(siteOrigin(sender)).toBe(expected);
  });

  it('embeddingOrigin: only for a cross-origin sub-frame', () => {
    expect(embeddingOrigin({ url: `${OTHER}/f`, frameId: 3, tab: { url: `${SITE}/` } }, OTHER)).toBe(SITE);
    expect(embeddingOrigin({ url: `${SITE}/f`, frameId: 3, tab: { url: `${SITE}/` } }, SITE)).toBeUndefined();
    expect(embeddingOrigin({ url: `${SITE}/f`, frameId: 0, tab: { url: `${OTHER}/` } }, SITE)).toBeUndefined();
    expect(embeddingOrigin({ url: `${OTHER}/f`, frameId: 3 }, OTHER)).toBe('an unknown site');
  });

  it.each<[string, SenderInfo, boolean]>([
    ['options page', { url: OPTIONS_PAGE }, true],
    ['popup opened in a tab', { url: `${EXT}/src/ui/popup/index.html`, tab: { id: 3, url: `${EXT}/src/ui/popup/index.html` } }, true],
    ['a web page', { url: 'https://evil.example/x' }, false],
    ['our own content script (id is ours, URL is the page)', { id: 'abc', url: 'https://evil.example/x', tab: { id: 1 } }, false],
    ['another extension', { url: 'chrome-extension://other/x.html' }, false],
    ['a host that starts like ours', { url: 'chrome-extension://abcd/x.html' }, false],
    ['moz-extension with the same id', { url: 'moz-extension://abc/x.html' }, false],
    ['about:srcdoc', { url: 'about:srcdoc' }, false],
    ['userinfo trick', { url: `${EXT}@evil.example/x` }, false],
    ['no URL', { id: 'abc' }, false],
  ])('isExtensionPage: %s → %s', (_name, sender, expected) => {
    expect(isExtensionPage(sender, EXT)).toBe(expected);
  });

  it('an opaque ("null") or empty extension origin matches no sender', () => {
    for (const sender of [{ url: 'about:srcdoc' }, { url: 'data:text/html,x' }, { url: 'null/x' }, { url: OPTIONS_PAGE }]) {
      expect(isExtensionPage(sender, '')).toBe(false);
      if (sender.url !== 'null/x') expect(isExtensionPage(sender, 'null')).toBe(false);
    }
  });
});

// ---- admin access --------------------------------------------------------------------------

describe('admin access', () => {
  const outsiders: [string, SenderInfo][] = [
    ['content script on a web page', { id: 'abc', url: 'https://evil.example/path', origin: 'https://evil.example', tab: { id: 5, url: 'https://evil.example/path' }, frameId: 0 }],
    ['web page without tab info', { url: 'https://evil.example/path' }],
    ['sub-frame of a web page', { id: 'abc', url: 'https://evil.example/f', frameId: 4, tab: { id: 5, url: OPTIONS_PAGE } }],
    ['another extension', { id: 'other', url: 'chrome-extension://other/page.html' }],
    ['a lookalike host', { url: 'https://abc/src/ui/options/index.html' }],
    ['about:srcdoc frame', { url: 'about:srcdoc', origin: 'null' }],
    ['data: frame', { url: 'data:text/html,hi' }],
    ['no URL at all (claims our id)', { id: 'abc' }],
  ];
  const attempts: [string, unknown][] = [
    ['grant', { origin: 'https://evil.example', rules: [{ method: 'sign_event' }] }],
    ['lock', {}],
    ['create_account', { password: 'x' }],
    ['set_settings', { sensitiveKinds: [] }],
    ['revoke_grant', { grantId: 1 }],
    ['export_account', { accountId: 1, password: PW }],
    ['get_status', {}],
    ['no_such_method', {}],
    ['grant', 'not even params'],
  ];

  it.each(outsiders)('%s gets denied for every admin call and nothing changes', async (_name, sender) => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event' }] });
    const before = await snap(h);
    for (const [method, params] of attempts) {
      const r = await h.route({ type: 'admin', method, params }, sender);
      expect(r, method).toEqual({ ok: false, error: { code: 'denied', message: expect.any(String) } });
      // Nothing about the admin surface leaks into the refusal.
      expect(JSON.stringify(r)).not.toContain(h.account!.pubkey);
    }
    expect(await snap(h)).toEqual(before);
    expect(h.ctx.vault.locked).toBe(false);
  });

  it.each<[string, SenderInfo]>([
    ['options page without tab', { url: OPTIONS_PAGE }],
    ['options page opened in a tab', { url: OPTIONS_PAGE, tab: { id: 9, url: OPTIONS_PAGE }, frameId: 0 }],
    ['popup', { id: 'abc', url: `${EXT}/src/ui/popup/index.html` }],
    ['prompt window', { id: 'abc', url: `${EXT}/src/ui/prompt/index.html?x=1`, tab: { id: 11 } }],
  ])('%s works', async (_name, sender) => {
    const h = makeHarness();
    const r = await h.admin('create_account', { password: PW }, sender);
    expect(r.ok).toBe(true);
    expect(await h.admin('get_status', {}, sender)).toMatchObject({ ok: true, result: { locked: false, hasAccount: true } });
  });
});

// ---- admin RPC end to end ---------------------------------------------------------------------

describe('admin RPC (DESIGN.md §7)', () => {
  it('accounts: status, create, import, list, select, export, lock, unlock', async () => {
    const h = makeHarness();
    expect(await h.ok('get_status')).toMatchObject({ locked: true, hasAccount: false, pending: [] });
    expect((await h.ok('get_status')).account).toBeUndefined();
    expect(await giveUp(h, h.nip07(SITE, 'get_public_key'))).toBe('no_account');

    const created = await h.ok('create_account', { password: PW, label: 'Main' });
    expect(created).toEqual({ accountId: expect.any(Number), pubkey: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await h.ok('get_status')).toMatchObject({
      locked: false,
      hasAccount: true,
      account: { id: created.accountId, pubkey: created.pubkey, label: 'Main' },
      pending: [],
    });

    const sk = generateSecretKey();
    const imported = await h.ok('import_account', { secret: nip19.nsecEncode(sk), password: PW, label: 'Second' });
    expect(imported).toEqual({ accountId: expect.any(Number), pubkey: getPublicKey(sk) });
    expect(imported.accountId).not.toBe(created.accountId);
    expect((await h.ok('get_status')).account.id).toBe(imported.accountId);

    const sk3 = generateSecretKey();
    const third = await h.ok('import_account', { secret: nip49.encrypt(sk3, PW, 8), password: PW });
    expect(third.pubkey).toBe(getPublicKey(sk3));
    expect(await h.ok('import_account', { secret: bytesToHex(sk), password: PW })).toEqual(imported);

    expect(await h.ok('list_accounts')).toEqual({
      accounts: [
        { id: created.accountId, pubkey: created.pubkey, label: 'Main', createdAt: T0 },
        { id: imported.accountId, pubkey: imported.pubkey, label: 'Second', createdAt: T0 },
        { id: third.accountId, pubkey: third.pubkey, label: expect.any(String), createdAt: T0 },
      ],
    });

    expect(await h.ok('select_account', { accountId: created.accountId })).toEqual({});
    expect((await h.ok('get_status')).account.id).toBe(created.accountId);

    const { ncryptsec } = await h.ok('export_account', { accountId: imported.accountId, password: PW });
    expect(getPublicKey(nip49.decrypt(ncryptsec, PW))).toBe(imported.pubkey);
    expect(code(await h.admin('export_account', { accountId: imported.accountId, password: 'wrong' }))).toBe('denied');

    expect(await h.ok('lock')).toEqual({});
    expect((await h.ok('get_status')).locked).toBe(true);
    expect(await giveUp(h, h.nip07(SITE, 'get_public_key'))).toBe('locked');
    expect(code(await h.admin('unlock', { password: 'wrong' }))).toBe('denied');
    expect((await h.ok('get_status')).locked).toBe(true);
    expect(await h.ok('unlock', { password: PW })).toEqual({});
    expect((await h.ok('get_status')).locked).toBe(false);
  });

  it('policies: grant, get_policies with used, add/update/delete rule, revoke_grant, overrides', async () => {
    const h = await withAccount();
    const { grantId } = await h.ok('grant', {
      origin: SITE,
      rules: [
        { method: 'sign_event', maxUsageCount: 3, windowSeconds: 3_600 },
        { method: 'get_public_key' },
      ],
    });
    expect(grantId).toEqual(expect.any(Number));
    for (let i = 0; i < 2; i++) expect(code(await h.sign(SITE))).toBe('ok');

    const policies = await h.ok('get_policies', {});
    expect(policies).toEqual({
      grants: [
        {
          id: grantId,
          origin: SITE,
          accountId: h.account!.accountId,
          createdAt: T0,
          expiresAt: null,
          revokedAt: null,
          onCapReached: 'deny',
          rules: [
            expect.objectContaining({ id: expect.any(Number), method: 'sign_event', kind: null, maxUsageCount: 3, windowSeconds: 3_600, used: 2 }),
            expect.objectContaining({ id: expect.any(Number), method: 'get_public_key', kind: null, maxUsageCount: null, windowSeconds: null, used: 0 }),
          ],
        },
      ],
      overrides: [],
    });
    const signRule = policies.grants[0].rules[0];

    // add_policy_rule returns the rule
    const added = await h.ok('add_policy_rule', { grantId, method: 'nip44_encrypt', maxUsageCount: 5, windowSeconds: 60 });
    expect(added).toMatchObject({ id: expect.any(Number), grantId, method: 'nip44_encrypt', kind: null, maxUsageCount: 5, windowSeconds: 60 });
    const kindRule = await h.ok('add_policy_rule', { grantId, method: 'sign_event', kind: 0 });
    expect(kindRule).toMatchObject({ method: 'sign_event', kind: 0, maxUsageCount: null });

    // update_policy_rule: absent stays, null clears
    expect(await h.ok('update_policy_rule', { ruleId: signRule.id, maxUsageCount: 10 })).toMatchObject({ id: signRule.id, maxUsageCount: 10, windowSeconds: 3_600 });
    expect(await h.ok('update_policy_rule', { ruleId: signRule.id, windowSeconds: null })).toMatchObject({ maxUsageCount: 10, windowSeconds: null });
    expect(await h.ok('update_policy_rule', { ruleId: signRule.id, maxUsageCount: null })).toMatchObject({ maxUsageCount: null, windowSeconds: null });

    expect(await h.ok('delete_policy_rule', { ruleId: added.id })).toEqual({});
    const afterDelete = await h.ok('get_policies', { origin: SITE });
    expect(afterDelete.grants[0].rules.map((r: Any) => r.id)).not.toContain(added.id);
    expect(afterDelete.grants[0].rules).toHaveLength(3);

    // overrides
    h.clock.t = T0 + 1_000;
    const { overrideId } = await h.ok('set_override', { origin: SITE, method: 'sign_event', kind: 7, effect: 'deny', expiresAt: T0 + 60_000 });
    expect((await h.ok('get_policies', {})).overrides).toEqual([
      { id: overrideId, origin: SITE, accountId: h.account!.accountId, method: 'sign_event', kind: 7, effect: 'deny', createdAt: T0 + 1_000, expiresAt: T0 + 60_000, revokedAt: null },
    ]);
    expect(code(await h.sign(SITE, { kind: 7 }))).toBe('denied');
    expect(await h.ok('revoke_override', { overrideId })).toEqual({});
    expect((await h.ok('get_policies', {})).overrides[0].revokedAt).toBe(T0 + 1_000);
    expect(code(await h.sign(SITE, { kind: 7 }))).toBe('ok');

    // revoke_grant keeps the grant with revokedAt set
    h.clock.t = T0 + 2_000;
    expect(await h.ok('revoke_grant', { grantId })).toEqual({});
    const revoked = await h.ok('get_policies', {});
    expect(revoked.grants).toHaveLength(1);
    expect(revoked.grants[0]).toMatchObject({ id: grantId, revokedAt: T0 + 2_000 });

    // filtering by origin
    expect(await h.ok('get_policies', { origin: OTHER })).toEqual({ grants: [], overrides: [] });
  });

  it('grant: a new grant for the same origin replaces the live one (old one revoked, budget kept)', async () => {
    const h = await withAccount();
    const first = await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: 2, windowSeconds: 3_600 }] });
    expect(code(await h.sign(SITE))).toBe('ok');
    expect(code(await h.sign(SITE))).toBe('ok');
    h.clock.t += 10;
    const second = await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: 2, windowSeconds: 3_600 }], onCapReached: 'deny' });
    const { grants } = await h.ok('get_policies', { origin: SITE });
    expect(grants.map((g: Any) => [g.id, g.revokedAt])).toEqual([
      [first.grantId, T0 + 10],
      [second.grantId, null],
    ]);
    expect(grants[1].rules[0].used).toBe(2);
    expect(code(await h.sign(SITE))).toBe('cap_exceeded');
  });

  it('grant with an explicit accountId, expiresAt and onCapReached; unknown accountId → not_found', async () => {
    const h = await withAccount();
    const { grantId } = await h.ok('grant', { origin: SITE, accountId: h.account!.accountId, rules: [], expiresAt: T0 + 5, onCapReached: 'ask' });
    expect((await h.ok('get_policies', {})).grants[0]).toMatchObject({ id: grantId, expiresAt: T0 + 5, onCapReached: 'ask', rules: [] });
    const before = await snap(h);
    expect(code(await h.admin('grant', { origin: SITE, accountId: 999, rules: [] }))).toBe('not_found');
    expect(await snap(h)).toEqual(before);
  });

  it('get_signing_log and get_activity: keyset paging, newest first, filters', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    await h.ok('grant', { origin: OTHER, rules: ALL_METHODS_RULES });
    const ids: string[] = [];
    const KINDS = [1, 7, 9, 11, 13];
    for (let i = 0; i < 5; i++) {
      h.clock.t = T0 + i;
      ids.push(signed(await h.sign(i % 2 ? OTHER : SITE, { kind: KINDS[i] })).id);
    }
    const peer = getPublicKey(generateSecretKey());
    expect(code(await h.nip07(SITE, 'nip44_encrypt', { pubkey: peer, plaintext: 'x' }))).toBe('ok');
    expect(code(await h.nip07(SITE, 'get_public_key'))).toBe('ok'); // not consequential: not logged

    const all: Any[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await h.ok('get_signing_log', { limit: 2, ...(before === undefined ? {} : { before }) });
      expect(page.entries.length).toBeLessThanOrEqual(2);
      all.push(...page.entries);
      if (page.next === undefined) break;
      before = page.next;
    }
    expect(all).toHaveLength(6);
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => b - a));
    expect(all[0]).toEqual({ id: expect.any(Number), origin: SITE, accountId: h.account!.accountId, method: 'nip44_encrypt', kind: null, createdAt: T0 + 4 });
    expect(all[1]).toEqual({ id: expect.any(Number), origin: SITE, accountId: h.account!.accountId, method: 'sign_event', kind: 13, createdAt: T0 + 4, eventId: ids[4] });
    expect(all.filter((e) => e.eventId).map((e) => e.eventId).reverse()).toEqual(ids);

    const other = await h.ok('get_signing_log', { origin: OTHER, limit: 100 });
    expect(other.entries.map((e: Any) => e.kind)).toEqual([11, 7]);
    expect(other.next).toBeUndefined();
    const encrypts = await h.ok('get_signing_log', { method: 'nip44_encrypt', limit: 100 });
    expect(encrypts.entries).toHaveLength(1);
    expect((await h.ok('get_signing_log', { origin: SITE, method: 'sign_event', limit: 100 })).entries.map((e: Any) => e.kind)).toEqual([13, 9, 1]);

    const activity = await h.ok('get_activity', { origin: SITE, limit: 3 });
    expect(activity.entries).toHaveLength(3);
    expect(activity.next).toEqual(activity.entries[2].id);
    expect(activity.entries[0]).toEqual({ id: expect.any(Number), origin: SITE, method: 'get_public_key', kind: null, outcome: 'allowed', reason: expect.any(String), createdAt: T0 + 4 });
    const rest = await h.ok('get_activity', { origin: SITE, before: activity.next, limit: 100 });
    expect([...activity.entries, ...rest.entries].map((e: Any) => e.method)).toEqual(['get_public_key', 'nip44_encrypt', 'sign_event', 'sign_event', 'sign_event']);
  });

  it('settings: get/set, and a sensitive-kinds change takes effect on the next request', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event' }] });
    expect(await h.ok('get_settings')).toEqual({ autoLockMinutes: 30, relays: {}, sensitiveKinds: [0, 3, 5, 10002] });
    expect(await settle(h, h.sign(SITE, { kind: 0 }))).toBe('asked');
    expect(await h.ok('set_settings', { sensitiveKinds: [3, 3, 5, 10002], relays: { 'wss://r.example': { read: true, write: false } } })).toEqual({});
    expect((await h.ok('get_settings')).sensitiveKinds).toEqual([3, 5, 10002]);
    expect(code(await h.sign(SITE, { kind: 0 }))).toBe('ok');
    await h.ok('grant', { origin: SITE, rules: [{ method: 'get_public_key' }] });
    expect(await h.nip07(SITE, 'get_relays')).toEqual({ ok: true, result: { 'wss://r.example': { read: true, write: false } } });
  });
});

// ---- validation -------------------------------------------------------------------------------

describe('bad admin params → invalid_request and nothing changes', () => {
  const bad: [string, unknown][] = [
    ['grant', { origin: 'null', rules: [] }],
    ['grant', { origin: 'https://site.example/', rules: [] }],
    ['grant', { origin: 'ftp://site.example', rules: [] }],
    ['grant', { origin: 'site.example', rules: [] }],
    ['grant', { origin: SITE }],
    ['grant', { origin: SITE, rules: 'all' }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_everything' }] }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_event', kind: -1 }] }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_event', kind: 70_000 }] }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_event', kind: 1.5 }] }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: 0 }] }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_event', windowSeconds: 1.5 }] }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_event', windowSeconds: '3600' }] }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_event', extra: true }] }],
    ['grant', { origin: SITE, rules: [], expiresAt: -1 }],
    ['grant', { origin: SITE, rules: [], expiresAt: '2030-01-01' }],
    ['grant', { origin: SITE, rules: [], onCapReached: 'allow' }],
    ['grant', { origin: SITE, rules: [], accountId: 0 }],
    ['grant', { origin: SITE, rules: [], sessionId: 'x' }],
    ['grant', { origin: SITE, rules: Array.from({ length: 201 }, () => ({ method: 'sign_event' })) }],
    ['add_policy_rule', { grantId: '1', method: 'sign_event' }],
    ['add_policy_rule', { grantId: 1, method: 'sign_event', kind: 'one' }],
    ['add_policy_rule', { grantId: 1 }],
    ['update_policy_rule', { ruleId: -1 }],
    ['update_policy_rule', { ruleId: 1, maxUsageCount: -3 }],
    ['update_policy_rule', { ruleId: 1, method: 'drop' }],
    ['delete_policy_rule', {}],
    ['revoke_grant', { grantId: null }],
    ['set_override', { origin: SITE, method: 'sign_event', effect: 'maybe' }],
    ['set_override', { origin: 'null', method: 'sign_event', effect: 'allow' }],
    ['set_override', { origin: SITE, method: 'sign_event', effect: 'allow', accountId: 2 }],
    ['revoke_override', { overrideId: 1.2 }],
    ['get_signing_log', {}],
    ['get_signing_log', { limit: 0 }],
    ['get_signing_log', { limit: 1_001 }],
    ['get_signing_log', { limit: 10, before: 'cursor' }],
    ['get_activity', { limit: 10, origin: 'null' }],
    ['resolve_prompt', { promptId: 'x', decision: 'yes' }],
    ['resolve_prompt', { promptId: '', decision: 'allow' }],
    ['resolve_prompt', { promptId: 'x', decision: 'allow', scope: 'forever' }],
    ['resolve_prompt', { promptId: 'x', decision: 'allow', durationSeconds: 0 }],
    ['resolve_prompt', { promptId: 'x', decision: 'allow', cap: { maxUsageCount: 1 } }],
    ['create_account', { password: '' }],
    ['create_account', { password: 'x'.repeat(1_025) }],
    ['create_account', { password: PW, label: 'x'.repeat(101) }],
    ['import_account', { secret: '', password: PW }],
    ['import_account', { secret: 'nsec1qqqq', password: PW }],
    ['import_account', { secret: 'z'.repeat(64), password: PW }],
    ['select_account', { accountId: 'first' }],
    ['export_account', { accountId: 1 }],
    ['unlock', {}],
    ['lock', { now: true }],
    ['get_status', { verbose: true }],
    ['set_settings', { autoLockMinutes: -1 }],
    ['set_settings', { sensitiveKinds: ['0'] }],
    ['set_settings', { relays: { 'wss://r': { read: 'yes', write: true } } }],
    ['get_policies', { origin: 'https://site.example/path' }],
    ['drop_database', {}],
    ['__proto__', {}],
    ['constructor', {}],
    ['toString', {}],
    ['grant', 42],
    ['grant', 'params'],
    ['grant', [SITE]],
  ];

  it('every one of them', async () => {
    const h = await withAccount();
    const { grantId } = await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: 5 }] });
    await h.ok('set_override', { origin: SITE, method: 'nip04_decrypt', effect: 'deny' });
    expect(grantId).toBe(1);
    const before = await snap(h);
    const status = await h.ok('get_status');
    for (const [method, params] of bad) {
      const r = await h.admin(method, params);
      expect(code(r), `${method} ${JSON.stringify(params)?.slice(0, 80)}`).toBe('invalid_request');
      if (!r.ok) expect(r.error.message.length).toBeGreaterThan(0);
    }
    expect(await snap(h)).toEqual(before);
    expect(await h.ok('get_status')).toEqual(status);
  });

  it('a malformed envelope is invalid_request', async () => {
    const h = await withAccount();
    for (const message of [{ type: 'admin' }, { type: 'admin', method: 5 }, { type: 'admin', method: 'get_status', params: {}, extra: 1 }]) {
      expect(code(await h.route(message, EXT_SENDER))).toBe('invalid_request');
    }
    for (const message of [null, undefined, 'admin', 42, [], { type: 'other' }, { method: 'get_status' }]) {
      expect(code(await h.route(message, EXT_SENDER))).toBe('invalid_request');
    }
  });
});

describe('secrets never come back in a response', () => {
  it('import_account refusals do not echo the secret', async () => {
    const h = await withAccount();
    const sk = generateSecretKey();
    const hex = bytesToHex(sk);
    const nsec = nip19.nsecEncode(sk);
    const secrets = [hex, nsec, `${nsec.slice(0, -1)}${nsec.endsWith('q') ? 'p' : 'q'}`, '0'.repeat(64), hex.slice(2), `ncryptsec1${hex}`, nip49.encrypt(sk, 'other password', 8)];
    for (const secret of secrets) {
      const r = await h.admin('import_account', { secret, password: 'not the vault password' });
      expect(r.ok).toBe(false);
      const text = JSON.stringify(r);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(hex);
      expect(text).not.toContain(nsec);
    }
    expect((await h.ok('list_accounts')).accounts).toHaveLength(1);
  });
});

describe('unknown ids → not_found', () => {
  it('for every id-taking method, and nothing changes', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event' }] });
    const before = await snap(h);
    const cases: [string, unknown][] = [
      ['add_policy_rule', { grantId: 999, method: 'sign_event' }],
      ['update_policy_rule', { ruleId: 999, maxUsageCount: 1 }],
      ['delete_policy_rule', { ruleId: 999 }],
      ['revoke_grant', { grantId: 999 }],
      ['revoke_override', { overrideId: 999 }],
      ['select_account', { accountId: 999 }],
      ['export_account', { accountId: 999, password: PW }],
      ['resolve_prompt', { promptId: crypto.randomUUID(), decision: 'allow', scope: 'method' }],
      ['get_prompt', { promptId: crypto.randomUUID() }],
      ['grant', { origin: SITE, accountId: 999, rules: [{ method: 'sign_event' }] }],
    ];
    for (const [method, params] of cases) expect(code(await h.admin(method, params)), method).toBe('not_found');
    expect(await snap(h)).toEqual(before);
  });
});

// ---- NIP-07: who is asking ------------------------------------------------------------------

describe('nip07: the origin comes from the sender only', () => {
  it('a message claiming another origin gets nothing of that origin', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const attacker = siteSender('https://evil.example');
    const claims = [
      { type: 'nip07', id: crypto.randomUUID(), method: 'sign_event', params: { event: { kind: 1, content: 'x', tags: [] } }, origin: SITE },
      { type: 'nip07', id: crypto.randomUUID(), method: 'sign_event', params: { event: { kind: 1, content: 'x', tags: [] }, origin: SITE } },
      { type: 'nip07', id: crypto.randomUUID(), method: 'get_public_key', params: { origin: SITE, host: 'site.example' } },
    ];
    for (const message of claims) {
      const r = await h.route(message, attacker);
      expect(r.ok).toBe(false);
    }
    // A claim the schema lets through (an extra field on the event) is simply ignored: the request is
    // judged as evil.example's, so it asks instead of using site.example's grant.
    const p = h.route(
      { type: 'nip07', id: crypto.randomUUID(), method: 'sign_event', params: { event: { kind: 1, content: 'x', tags: [], origin: SITE } } },
      attacker,
    );
    const [prompt] = await waitPending(h, 1);
    expect(prompt!.origin).toBe('https://evil.example');
    await h.ok('resolve_prompt', { promptId: prompt!.promptId, decision: 'deny' });
    expect(code(await p)).toBe('denied');
    expect(await logCount(h)).toBe(0);
  });

  it.each([
    ['http instead of https', 'http://site.example'],
    ['another port', 'https://site.example:8443'],
    ['a subdomain', 'https://www.site.example'],
    ['a parent-domain lookalike', 'https://site.example.evil'],
  ])('%s does not share the grant', async (_name, origin) => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    expect(code(await h.sign(SITE))).toBe('ok');
    const p = h.sign(origin);
    const [prompt] = await waitPending(h, 1);
    expect(prompt).toMatchObject({ origin, method: 'sign_event', kind: 1 });
    await h.ok('resolve_prompt', { promptId: prompt!.promptId, decision: 'deny' });
    expect(code(await p)).toBe('denied');
    expect(await logCount(h)).toBe(1);
  });

  it('a cross-origin iframe inside a granted site is judged by its own origin; the prompt names the embedding site', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const frame: SenderInfo = { id: 'abc', url: 'https://widget.example/embed', origin: 'https://widget.example', frameId: 12, tab: { id: 3, url: `${SITE}/page` } };
    const p = h.sign(frame);
    const [pending] = await waitPending(h, 1);
    expect(pending!.origin).toBe('https://widget.example');
    expect(await h.ok('get_prompt', { promptId: pending!.promptId })).toMatchObject({ origin: 'https://widget.example', topOrigin: SITE, method: 'sign_event', kind: 1 });
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
    expect(code(await p)).toBe('denied');
    // The granted site's own iframe inside another site keeps its own grant.
    const own: SenderInfo = { url: `${SITE}/frame`, origin: SITE, frameId: 4, tab: { id: 3, url: 'https://elsewhere.example/' } };
    expect(code(await h.sign(own))).toBe('ok');
  });

  it.each<[string, SenderInfo]>([
    ['sandboxed frame of the granted site (origin "null", http URL)', { id: 'abc', url: `${SITE}/sandboxed`, origin: 'null', frameId: 3, tab: { id: 1, url: `${SITE}/` } }],
    ['about:srcdoc frame', { id: 'abc', url: 'about:srcdoc', origin: 'null', frameId: 3, tab: { id: 1, url: `${SITE}/` } }],
    ['about:srcdoc without sender.origin', { url: 'about:srcdoc', frameId: 3, tab: { id: 1, url: `${SITE}/` } }],
    ['data: frame', { url: 'data:text/html,<b>x</b>', frameId: 3 }],
    ['origin disagrees with URL', { url: `${SITE}/x`, origin: OTHER }],
    ['no URL', { id: 'abc', tab: { id: 1, url: `${SITE}/` } }],
    ['extension page', { url: OPTIONS_PAGE }],
  ])('%s is refused and nothing is signed', async (_name, sender) => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const before = await snap(h);
    for (const method of ['get_public_key', 'sign_event'] as const) {
      const r = await h.route({ type: 'nip07', id: crypto.randomUUID(), method, params: method === 'sign_event' ? { event: { kind: 1, content: 'x', tags: [] } } : {} }, sender);
      expect(r).toEqual({ ok: false, error: { code: 'denied', message: expect.any(String) } });
    }
    expect(await snap(h)).toEqual(before);
    expect(await h.pending()).toEqual([]);
  });
});

describe('nip07: events', () => {
  const bigTags = Array.from({ length: 2_001 }, () => ['t', 'x']);
  const badEvents: [string, unknown][] = [
    ['event missing', undefined],
    ['event null', null],
    ['event a string', '{"kind":1}'],
    ['kind missing', { content: '', tags: [] }],
    ['kind negative', { kind: -1, content: '', tags: [] }],
    ['kind fractional', { kind: 1.5, content: '', tags: [] }],
    ['kind too large', { kind: 65_536, content: '', tags: [] }],
    ['kind a string', { kind: '1', content: '', tags: [] }],
    ['content missing', { kind: 1, tags: [] }],
    ['content a number', { kind: 1, content: 5, tags: [] }],
    ['tags missing', { kind: 1, content: '' }],
    ['tags not an array', { kind: 1, content: '', tags: 't' }],
    ['tag not an array', { kind: 1, content: '', tags: ['e'] }],
    ['tag with a number', { kind: 1, content: '', tags: [['e', 1]] }],
    ['tag with null', { kind: 1, content: '', tags: [['e', null]] }],
    ['too many tags', { kind: 1, content: '', tags: bigTags }],
    ['created_at negative', { kind: 1, content: '', tags: [], created_at: -1 }],
    ['created_at fractional', { kind: 1, content: '', tags: [], created_at: 1.5 }],
    ['created_at beyond 2^32', { kind: 1, content: '', tags: [], created_at: 2 ** 32 }],
    ['created_at a string', { kind: 1, content: '', tags: [], created_at: '1700000000' }],
    ['pubkey uppercase', { kind: 1, content: '', tags: [], pubkey: 'A'.repeat(64) }],
    ['pubkey short', { kind: 1, content: '', tags: [], pubkey: 'a'.repeat(63) }],
    ['content over the size limit', { kind: 1, content: 'x'.repeat(130 * 1024), tags: [] }],
  ];

  it.each(badEvents)('%s → invalid_request, no prompt, nothing logged', async (_name, event) => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const before = await snap(h);
    const r = await h.nip07(SITE, 'sign_event', event === undefined ? {} : { event });
    expect(code(r)).toBe('invalid_request');
    expect(await snap(h)).toEqual(before);
    expect(h.ctx.prompts.list()).toEqual([]);
  });

  it('malformed requests of the other methods → invalid_request, nothing logged', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const peer = getPublicKey(generateSecretKey());
    const before = await snap(h);
    const cases: [Method, unknown][] = [
      ['get_public_key', { extra: 1 }],
      ['nip04_encrypt', { pubkey: peer }],
      ['nip04_encrypt', { pubkey: 'xyz', plaintext: 'a' }],
      ['nip44_encrypt', { pubkey: peer, plaintext: 'x'.repeat(65_536) }],
      ['nip44_decrypt', { pubkey: peer, ciphertext: '' }],
      ['nip04_decrypt', { pubkey: peer, plaintext: 'not a ciphertext field' }],
      ['sign_event', { event: { kind: 1, content: '', tags: [] }, extra: true }],
    ];
    for (const [method, params] of cases) expect(code(await h.nip07(SITE, method, params)), method).toBe('invalid_request');
    for (const message of [
      { type: 'nip07', id: 'short', method: 'get_public_key', params: {} },
      { type: 'nip07', id: crypto.randomUUID(), method: 'getPublicKey', params: {} },
      { type: 'nip07', id: crypto.randomUUID(), method: 'get_public_key', params: {}, extra: 1 },
      { type: 'nip07', method: 'get_public_key', params: {} },
    ]) {
      expect(code(await h.route(message, siteSender(SITE)))).toBe('invalid_request');
    }
    expect(await snap(h)).toEqual(before);
  });

  // THREATS.md 15: malformed input is refused with no prompt. A ciphertext that cannot be a
  // NIP-04/NIP-44 payload, or a pubkey that is not a curve point, is checkable without the key.
  const malformedCrypto: [string, Method, Record<string, string>][] = [
    ['nip44_decrypt of a non-base64 ciphertext', 'nip44_decrypt', { ciphertext: '!!! not base64 !!!' }],
    ['nip04_decrypt of a ciphertext without ?iv=', 'nip04_decrypt', { ciphertext: 'aGVsbG8=' }],
    ['nip44_encrypt to a pubkey that is not on the curve', 'nip44_encrypt', { pubkey: 'f'.repeat(64), plaintext: 'x' }],
  ];
  for (const [name, method, extra] of malformedCrypto) {
    it(`${name} → invalid_request without a prompt`, async () => {
      const h = await withAccount({ promptTimeoutMs: 50 });
      const r = await h.nip07(SITE, method, { pubkey: getPublicKey(generateSecretKey()), ...extra });
      expect(code(r)).toBe('invalid_request');
    });
  }

  // The limit is in UTF-8 bytes, not UTF-16 code units: 50,000 "€" are 150,000 bytes.
  it('an event over the documented size in UTF-8 bytes is refused', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const r = await h.sign(SITE, { content: '€'.repeat(50_000) });
    expect(code(r)).toBe('invalid_request');
  });

  it('an event whose pubkey is another key → invalid_request, nothing logged', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const before = await snap(h);
    const r = await h.sign(SITE, { pubkey: getPublicKey(generateSecretKey()) });
    expect(code(r)).toBe('invalid_request');
    expect(await snap(h)).toEqual(before);
    // Its own pubkey is fine.
    expect(signed(await h.sign(SITE, { pubkey: h.account!.pubkey })).pubkey).toBe(h.account!.pubkey);
  });

  it('stale id/sig are ignored: the background computes id, pubkey and signature; windows use its own clock', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const ev = signed(await h.sign(SITE, { id: 'f'.repeat(64), sig: 'bogus', created_at: 0, tags: [['p', 'x']] }));
    expect(verifyEvent(ev)).toBe(true);
    expect(ev.id).not.toBe('f'.repeat(64));
    expect(ev.pubkey).toBe(h.account!.pubkey);
    expect(ev).toMatchObject({ kind: 1, content: 'hello', tags: [['p', 'x']], created_at: 0 });
    const noTime = signed(await h.sign(SITE));
    expect(noTime.created_at).toBe(Math.floor(T0 / 1000));
    // The page's created_at does not decide which window an entry counts in.
    const log = await h.ctx.db.signingLog.toArray();
    expect(log.map((e) => e.createdAt)).toEqual([T0, T0]);
    expect(log[0]!.eventId).toBe(ev.id);
  });

  it('encrypt and decrypt round-trip with a peer', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const peerSk = generateSecretKey();
    const peer = getPublicKey(peerSk);
    for (const [enc, dec] of [
      ['nip44_encrypt', 'nip44_decrypt'],
      ['nip04_encrypt', 'nip04_decrypt'],
    ] as const) {
      const c = await h.nip07(SITE, enc, { pubkey: peer, plaintext: 'secret message' });
      if (!c.ok) throw new Error(c.error.message);
      expect(await h.nip07(SITE, dec, { pubkey: peer, ciphertext: c.result })).toEqual({ ok: true, result: 'secret message' });
    }
    // And it interoperates: the peer decrypts what we encrypted.
    const c = await h.nip07(SITE, 'nip44_encrypt', { pubkey: peer, plaintext: 'hi' });
    if (!c.ok) throw new Error(c.error.message);
    expect(nip44.decrypt(c.result as string, nip44.getConversationKey(peerSk, h.account!.pubkey))).toBe('hi');
    // A garbage ciphertext is refused without leaking anything.
    const before = await logCount(h);
    const bad = await h.nip07(SITE, 'nip44_decrypt', { pubkey: peer, ciphertext: 'AAAA' });
    expect(code(bad)).toBe('invalid_request');
    expect(await logCount(h)).toBe(before); // a failed decrypt is not logged as allowed
  });
});

// ---- caps, live changes, lifecycle ---------------------------------------------------------------

describe('caps and live policy', () => {
  it('N + 30 concurrent requests against a cap of N → exactly N signed', async () => {
    const N = 7;
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: N, windowSeconds: 3_600 }] });
    const results = await Promise.all(Array.from({ length: N + 30 }, (_, i) => h.sign(SITE, { content: `n${i}` })));
    const codes = results.map(code);
    expect(codes.filter((c) => c === 'ok')).toHaveLength(N);
    expect(codes.filter((c) => c === 'cap_exceeded')).toHaveLength(30);
    expect(await logCount(h)).toBe(N);
    expect((await h.ok('get_policies', {})).grants[0].rules[0].used).toBe(N);
  });

  it('concurrent requests against stacked caps of two kinds → every cap holds', async () => {
    const h = await withAccount();
    await h.ok('grant', {
      origin: SITE,
      rules: [
        { method: 'sign_event', maxUsageCount: 9, windowSeconds: 3_600 },
        { method: 'sign_event', kind: 1, maxUsageCount: 4, windowSeconds: 60 },
      ],
    });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => h.sign(SITE, { kind: i % 2 ? 1 : 7 })));
    const oks = results.filter((r) => r.ok).map((r) => signed(r).kind);
    expect(oks.filter((k) => k === 1)).toHaveLength(4);
    expect(oks).toHaveLength(9);
    expect(await logCount(h)).toBe(9);
  });

  it('the cap error says which rule and when it frees up; the window slides with the clock', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: 2, windowSeconds: 60 }] });
    expect(code(await h.sign(SITE))).toBe('ok');
    h.clock.t = T0 + 10_000;
    expect(code(await h.sign(SITE))).toBe('ok');
    const spent = await h.sign(SITE);
    expect(code(spent)).toBe('cap_exceeded');
    if (!spent.ok) expect(spent.error.message).toContain(new Date(T0 + 60_000).toISOString());
    // The window is (now - 60 s, now]: the entry at T0 leaves exactly at T0 + 60 s.
    h.clock.t = T0 + 59_999;
    expect(code(await h.sign(SITE))).toBe('cap_exceeded');
    h.clock.t = T0 + 60_000;
    expect(code(await h.sign(SITE))).toBe('ok');
    expect(code(await h.sign(SITE))).toBe('cap_exceeded');
  });

  it('revoke takes effect on the very next request', async () => {
    const h = await withAccount();
    const { grantId } = await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    expect(code(await h.sign(SITE))).toBe('ok');
    expect(code(await h.nip07(SITE, 'get_public_key'))).toBe('ok');
    await h.ok('revoke_grant', { grantId });
    expect(await settle(h, h.sign(SITE))).toBe('asked');
    expect(await settle(h, h.nip07(SITE, 'get_public_key'))).toBe('asked');
    expect(await logCount(h)).toBe(1);
  });

  it('a cap retune (and a rule change) takes effect on the very next request', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: 5, windowSeconds: 3_600 }] });
    const ruleId = (await h.ok('get_policies', {})).grants[0].rules[0].id;
    expect(code(await h.sign(SITE))).toBe('ok');
    expect(code(await h.sign(SITE))).toBe('ok');
    await h.ok('update_policy_rule', { ruleId, maxUsageCount: 2 });
    expect(code(await h.sign(SITE))).toBe('cap_exceeded');
    await h.ok('update_policy_rule', { ruleId, maxUsageCount: 3 });
    expect(code(await h.sign(SITE))).toBe('ok');
    expect(code(await h.sign(SITE))).toBe('cap_exceeded');
    await h.ok('update_policy_rule', { ruleId, maxUsageCount: null });
    expect(code(await h.sign(SITE))).toBe('ok');
    await h.ok('update_policy_rule', { ruleId, kind: 7 });
    expect(await settle(h, h.sign(SITE, { kind: 1 }))).toBe('asked');
    expect(code(await h.sign(SITE, { kind: 7 }))).toBe('ok');
    await h.ok('delete_policy_rule', { ruleId });
    expect(await settle(h, h.sign(SITE, { kind: 7 }))).toBe('asked');
  });

  it('a deny override beats the grant on the next request; an allow override is still capped', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: 2, windowSeconds: 3_600 }] });
    const { overrideId } = await h.ok('set_override', { origin: SITE, method: 'sign_event', effect: 'deny' });
    expect(code(await h.sign(SITE))).toBe('denied');
    await h.ok('revoke_override', { overrideId });
    await h.ok('set_override', { origin: SITE, method: 'sign_event', kind: 0, effect: 'allow' });
    expect(code(await h.sign(SITE, { kind: 0 }))).toBe('ok');
    expect(code(await h.sign(SITE, { kind: 1 }))).toBe('ok');
    // The kind-null rule's cap binds the override-allowed kind 0 too.
    expect(code(await h.sign(SITE, { kind: 0 }))).toBe('cap_exceeded');
  });

  it('re-granting does not reset a budget, and "allow once" counts against it', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 2, windowSeconds: 3_600 }] });
    // kind 1 is covered by the rule; kind 7 is not: allow it once from the prompt. Both count for a
    // kind-null cap later.
    expect(code(await h.sign(SITE, { kind: 1 }))).toBe('ok');
    const asked = h.sign(SITE, { kind: 7 });
    const [p] = await waitPending(h, 1);
    await h.ok('resolve_prompt', { promptId: p!.promptId, decision: 'allow', scope: 'once' });
    expect(code(await asked)).toBe('ok');
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: 2, windowSeconds: 3_600 }] });
    expect(code(await h.sign(SITE, { kind: 1 }))).toBe('cap_exceeded');
  });

  it('an expiring grant stops allowing at its expiry instant', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES, expiresAt: T0 + 1_000 });
    h.clock.t = T0 + 999;
    expect(code(await h.sign(SITE))).toBe('ok');
    h.clock.t = T0 + 1_000;
    expect(await settle(h, h.sign(SITE))).toBe('asked');
  });

  it('no account → no_account; locked → locked; nothing logged', async () => {
    const h = makeHarness();
    expect(await giveUp(h, h.sign(SITE))).toBe('no_account');
    await h.ok('create_account', { password: PW });
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    await h.ok('lock');
    expect(await giveUp(h, h.sign(SITE))).toBe('locked');
    expect(await logCount(h)).toBe(0);
    // Unlocking while a request waits on the unlock prompt lets that same request through.
    const waiting = h.sign(SITE);
    await waitPending(h, 1);
    await h.ok('unlock', { password: PW });
    expect(code(await waiting)).toBe('ok');
    expect(await logCount(h)).toBe(1);
  });
});

// ---- MV3 lifecycle --------------------------------------------------------------------------------

class GatedSessionStore extends MemorySessionStore {
  private open!: () => void;
  readonly gate = new Promise<void>((r) => (this.open = r));
  release(): void {
    this.open();
  }
  override async get<T>(key: string): Promise<T | undefined> {
    await this.gate;
    return super.get<T>(key);
  }
}

describe('worker start', () => {
  it('a request arriving before setup completes waits and succeeds (not a false locked)', async () => {
    const first = await withAccount();
    await first.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    first.ctx.db.close();

    // The worker restarts: same database, same storage.session, but session reads are slow.
    const session = new GatedSessionStore();
    for (const [k, v] of first.session.data) session.data.set(k, v);
    const restarted = makeHarness({ dbName: first.dbName, session });
    const sig = restarted.sign(SITE);
    const pk = restarted.nip07(SITE, 'get_public_key');
    const status = restarted.admin('get_status');
    expect(await settledState(sig)).toBe('pending');
    session.release();
    expect(signed(await sig).pubkey).toBe(first.account!.pubkey);
    expect(await pk).toEqual({ ok: true, result: first.account!.pubkey });
    expect(await status).toMatchObject({ ok: true, result: { locked: false, hasAccount: true } });
  });

  it('a new browser session (empty storage.session) starts locked', async () => {
    const first = await withAccount();
    await first.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    first.ctx.db.close();
    const next = makeHarness({ dbName: first.dbName });
    expect(await giveUp(next, next.sign(SITE))).toBe('locked');
    await next.ok('unlock', { password: PW });
    expect(code(await next.sign(SITE))).toBe('ok');
  });

  it('fails closed when IndexedDB cannot be opened', async () => {
    const db = new WardenDb(uniqueDbName('broken'));
    db.open = (() => Promise.reject(new Error('IndexedDB is unavailable'))) as typeof db.open;
    const h = makeHarness({ db });
    const results = await Promise.all([h.sign(SITE), h.nip07(SITE, 'get_public_key'), h.admin('get_status'), h.admin('create_account', { password: PW })]);
    for (const r of results) expect(r).toEqual({ ok: false, error: { code: 'internal', message: expect.any(String) } });
  });
});

// ---- prompts ---------------------------------------------------------------------------------------

describe('prompts', () => {
  it('an asked request waits as a pending prompt; allow once signs it without remembering', async () => {
    const h = await withAccount();
    const p = h.sign(SITE, { content: 'please sign' });
    const [pending] = await waitPending(h, 1);
    expect(pending).toEqual({ promptId: expect.any(String), origin: SITE, method: 'sign_event', kind: 1 });
    expect(await settledState(p)).toBe('pending');
    expect(await logCount(h)).toBe(0); // nothing signed before the answer
    const shown = await h.ok('get_prompt', { promptId: pending!.promptId });
    expect(shown).toMatchObject({ origin: SITE, method: 'sign_event', kind: 1, topOrigin: null, details: { type: 'event', event: { content: 'please sign', pubkey: h.account!.pubkey } } });

    expect(await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'allow', scope: 'once' })).toEqual({});
    const ev = signed(await p);
    expect(verifyEvent(ev)).toBe(true);
    expect(ev.id).toBe(shown.details.event.id); // what was shown is what was signed
    expect(await h.pending()).toEqual([]);
    expect(await h.ok('get_policies', {})).toEqual({ grants: [], overrides: [] });
    const log = await h.ctx.db.signingLog.toArray();
    expect(log).toHaveLength(1);
    expect(log[0]!.grantId).toBeUndefined();
    // The id is single-use.
    expect(code(await h.admin('resolve_prompt', { promptId: pending!.promptId, decision: 'allow' }))).toBe('not_found');
  });

  it('get_status.pending omits kind for methods other than sign_event', async () => {
    const h = await withAccount();
    const p = h.nip07(SITE, 'nip44_encrypt', { pubkey: getPublicKey(generateSecretKey()), plaintext: 'x' });
    const [pending] = await waitPending(h, 1);
    expect(pending).toEqual({ promptId: expect.any(String), origin: SITE, method: 'nip44_encrypt' });
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
    expect(code(await p)).toBe('denied');
  });

  it('deny → denied, nothing signed or decrypted', async () => {
    const h = await withAccount();
    const peerSk = generateSecretKey();
    const ciphertext = nip44.encrypt('top secret', nip44.getConversationKey(peerSk, h.account!.pubkey));
    const p = h.nip07(SITE, 'nip44_decrypt', { pubkey: getPublicKey(peerSk), ciphertext });
    const [pending] = await waitPending(h, 1);
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
    const r = await p;
    expect(code(r)).toBe('denied');
    expect(JSON.stringify(r)).not.toContain('top secret');
    expect(await logCount(h)).toBe(0);
    expect(await h.ok('get_policies', {})).toEqual({ grants: [], overrides: [] });
  });

  it('allow + scope kind creates a rule and re-evaluates the other waiting requests of the site', async () => {
    const h = await withAccount();
    const k1 = [h.sign(SITE, { kind: 1, content: 'a' }), h.sign(SITE, { kind: 1, content: 'b' }), h.sign(SITE, { kind: 1, content: 'c' })];
    const k7 = h.sign(SITE, { kind: 7 });
    const elsewhere = h.sign(OTHER, { kind: 1 });
    const pending = await waitPending(h, 5);
    const first = pending.find((p) => p.origin === SITE && p.kind === 1)!;
    const seven = pending.find((p) => p.kind === 7)!;
    await h.ok('resolve_prompt', { promptId: first.promptId, decision: 'allow', scope: 'kind' });
    for (const r of await Promise.all(k1)) expect(verifyEvent(signed(r))).toBe(true);
    // kind 7 and the other site still wait; kind 7 under the same prompt id.
    const left = await waitPending(h, 2);
    expect(left.map((p) => p.promptId).sort()).toEqual([seven.promptId, pending.find((p) => p.origin === OTHER)!.promptId].sort());
    expect(await settledState(k7)).toBe('pending');
    const { grants } = await h.ok('get_policies', { origin: SITE });
    expect(grants).toHaveLength(1);
    expect(grants[0].rules).toEqual([expect.objectContaining({ method: 'sign_event', kind: 1, maxUsageCount: null, windowSeconds: null, used: 3 })]);
    expect((await h.ok('get_policies', { origin: OTHER })).grants).toEqual([]);
    await h.ok('resolve_prompt', { promptId: seven.promptId, decision: 'deny' });
    await h.ok('resolve_prompt', { promptId: left.find((p) => p.origin === OTHER)!.promptId, decision: 'deny' });
    expect(code(await k7)).toBe('denied');
    expect(code(await elsewhere)).toBe('denied');
    // Remembered: the next kind 1 is allowed without asking.
    expect(code(await h.sign(SITE, { kind: 1 }))).toBe('ok');
  });

  it('deny + scope method creates a deny override and refuses the other waiting requests of the site', async () => {
    const h = await withAccount();
    const waiting = [h.sign(SITE, { kind: 1 }), h.sign(SITE, { kind: 0 }), h.sign(SITE, { kind: 30_023 })];
    const other = h.nip07(SITE, 'get_public_key');
    const pending = await waitPending(h, 4);
    const first = pending.find((p) => p.method === 'sign_event')!;
    await h.ok('resolve_prompt', { promptId: first.promptId, decision: 'deny', scope: 'method' });
    for (const r of await Promise.all(waiting)) expect(code(r)).toBe('denied');
    const left = await waitPending(h, 1);
    expect(left.map((p) => p.method)).toEqual(['get_public_key']);
    expect((await h.ok('get_policies', {})).overrides).toEqual([
      expect.objectContaining({ origin: SITE, method: 'sign_event', kind: null, effect: 'deny', revokedAt: null, expiresAt: null }),
    ]);
    await h.ok('resolve_prompt', { promptId: left[0]!.promptId, decision: 'allow' });
    expect(code(await other)).toBe('ok');
    expect(code(await h.sign(SITE, { kind: 9 }))).toBe('denied');
  });

  it('deny + scope kind denies only that kind', async () => {
    const h = await withAccount();
    const p = h.sign(SITE, { kind: 4 });
    const [pending] = await waitPending(h, 1);
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny', scope: 'kind' });
    expect(code(await p)).toBe('denied');
    expect((await h.ok('get_policies', {})).overrides).toEqual([expect.objectContaining({ method: 'sign_event', kind: 4, effect: 'deny' })]);
    expect(code(await h.sign(SITE, { kind: 4 }))).toBe('denied');
    expect(await settle(h, h.sign(SITE, { kind: 5 }))).toBe('asked');
  });

  it('allow + scope method with a cap and a duration', async () => {
    const h = await withAccount();
    const p = h.sign(SITE, { kind: 1 });
    const [pending] = await waitPending(h, 1);
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'allow', scope: 'method', durationSeconds: 3_600, cap: { maxUsageCount: 2, windowSeconds: 60 } });
    expect(code(await p)).toBe('ok');
    const rule = (await h.ok('get_policies', {})).grants[0].rules[0];
    expect(rule).toMatchObject({ method: 'sign_event', kind: null, maxUsageCount: 2, windowSeconds: 60, used: 1, expiresAt: T0 + 3_600_000 });
    expect(code(await h.sign(SITE, { kind: 7 }))).toBe('ok');
    expect(code(await h.sign(SITE, { kind: 7 }))).toBe('cap_exceeded');
    h.clock.t = T0 + 3_600_000; // the remembered rule has ended
    expect(await settle(h, h.sign(SITE, { kind: 7 }))).toBe('asked');
  });

  it('"until the browser closes" ends with the browser session, not with a worker restart', async () => {
    const h = await withAccount();
    const p = h.sign(SITE, { kind: 1 });
    const [pending] = await waitPending(h, 1);
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'allow', scope: 'kind', durationSeconds: 'session' });
    expect(code(await p)).toBe('ok');
    h.ctx.db.close();
    const restarted = makeHarness({ dbName: h.dbName, session: h.session });
    expect(code(await restarted.sign(SITE, { kind: 1 }))).toBe('ok');
    restarted.ctx.db.close();
    const newBrowser = makeHarness({ dbName: h.dbName });
    await newBrowser.ok('unlock', { password: PW });
    expect(await settle(newBrowser, newBrowser.sign(SITE, { kind: 1 }))).toBe('asked');
  });

  it('applyToAllFromOrigin answers every waiting request of that site only', async () => {
    const h = await withAccount();
    const site = [h.sign(SITE, { kind: 1 }), h.sign(SITE, { kind: 7 }), h.nip07(SITE, 'get_public_key')];
    const other = h.sign(OTHER);
    const pending = await waitPending(h, 4);
    await h.ok('resolve_prompt', { promptId: pending.find((p) => p.origin === SITE)!.promptId, decision: 'allow', applyToAllFromOrigin: true });
    const results = await Promise.all(site);
    expect(results.map(code)).toEqual(['ok', 'ok', 'ok']);
    const left = await h.pending();
    expect(left.map((p) => p.origin)).toEqual([OTHER]);
    await h.ok('resolve_prompt', { promptId: left[0]!.promptId, decision: 'deny', applyToAllFromOrigin: true });
    expect(code(await other)).toBe('denied');
    expect(await h.ok('get_policies', {})).toEqual({ grants: [], overrides: [] });
  });

  it('rate_limited past 20 waiting from one site; other sites still queue', async () => {
    const h = await withAccount();
    const flood = Array.from({ length: 25 }, (_, i) => h.sign(SITE, { content: `${i}` }));
    const early: WireResponse[] = [];
    for (const p of flood) void p.then((r) => early.push(r));
    await waitFor(async () => early.length >= 5 && (await h.pending()).length >= 20, 3_000, '20 waiting and 5 refused');
    expect(early.map(code)).toEqual(Array(5).fill('rate_limited'));
    expect((await h.pending()).length).toBe(20);
    const other = h.sign(OTHER);
    await waitPending(h, 1, OTHER);
    const any = (await h.pending()).find((p) => p.origin === SITE)!;
    await h.ok('resolve_prompt', { promptId: any.promptId, decision: 'deny', applyToAllFromOrigin: true });
    const codes = (await Promise.all(flood)).map(code);
    expect(codes.filter((c) => c === 'denied')).toHaveLength(20);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(5);
    expect(await settledState(other)).toBe('pending');
  });

  it('times out with a short promptTimeoutMs: code timeout, nothing pending, nothing signed', async () => {
    const h = await withAccount({ promptTimeoutMs: 30 });
    const r = await h.sign(SITE);
    expect(code(r)).toBe('timeout');
    expect(await h.pending()).toEqual([]);
    expect(await logCount(h)).toBe(0);
  });

  it('a deny override that lands while a request waits wins over "allow once"', async () => {
    const h = await withAccount();
    const p = h.sign(SITE);
    const [pending] = await waitPending(h, 1);
    await h.ok('set_override', { origin: SITE, method: 'sign_event', effect: 'deny' });
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'allow' });
    expect(code(await p)).toBe('denied');
    expect(await logCount(h)).toBe(0);
  });

  it('a cap spent while a request waits wins over "allow once"', async () => {
    const h = await withAccount();
    const p = h.sign(SITE);
    const [pending] = await waitPending(h, 1);
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: 1, windowSeconds: 3_600 }] });
    expect(code(await h.sign(SITE))).toBe('ok'); // the budget is spent by another request
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'allow' });
    expect(code(await p)).toBe('cap_exceeded');
    expect(await logCount(h)).toBe(1);
  });

  it('a lock that lands while a request waits: the answer cannot sign', async () => {
    const h = await withAccount();
    const p = h.sign(SITE);
    const [pending] = await waitPending(h, 1);
    await h.ok('lock');
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'allow' });
    expect(code(await p)).toBe('locked');
    expect(await logCount(h)).toBe(0);
  });

  it('onCapReached ask: a spent cap asks, and allowing it once goes past the cap and is counted', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: 1, windowSeconds: 3_600 }], onCapReached: 'ask' });
    expect(code(await h.sign(SITE))).toBe('ok');
    const p = h.sign(SITE);
    const [pending] = await waitPending(h, 1);
    expect((await h.ok('get_prompt', { promptId: pending!.promptId })).reason).toMatch(/cap/);
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'allow' });
    expect(code(await p)).toBe('ok');
    expect((await h.ok('get_policies', {})).grants[0].rules[0].used).toBe(2);
  });

  it('two prompts answered "remember" at once give one consistent grant with both rules', async () => {
    const h = await withAccount();
    const a = h.sign(SITE, { kind: 1 });
    const b = h.sign(SITE, { kind: 7 });
    const pending = await waitPending(h, 2);
    await Promise.all(pending.map((p) => h.ok('resolve_prompt', { promptId: p.promptId, decision: 'allow', scope: 'kind' })));
    expect((await Promise.all([a, b])).map(code)).toEqual(['ok', 'ok']);
    const { grants } = await h.ok('get_policies', {});
    expect(grants.filter((g: Any) => g.revokedAt === null)).toHaveLength(1);
    const live = grants.find((g: Any) => g.revokedAt === null);
    expect(live.rules.map((r: Any) => r.kind).sort()).toEqual([1, 7]);
  });

  // A prompt id is single-use: it is claimed before anything is awaited, so two answers that
  // arrive together (double click, two windows) cannot both remember.
  it('two answers to the same prompt at once: only one is taken (single-use id)', async () => {
    const h = await withAccount();
    const p = h.sign(SITE, { kind: 1 });
    const [pending] = await waitPending(h, 1);
    const answers = await Promise.all([
      h.admin('resolve_prompt', { promptId: pending!.promptId, decision: 'allow', scope: 'kind' }),
      h.admin('resolve_prompt', { promptId: pending!.promptId, decision: 'allow', scope: 'kind' }),
    ]);
    expect(code(await p)).toBe('ok');
    expect(answers.map(code).sort()).toEqual(['not_found', 'ok']);
    expect((await h.ok('get_policies', {})).grants[0].rules).toHaveLength(1);
  });
});

// ---- property tests ---------------------------------------------------------------------------------

describe('property: any message gets exactly one well-formed answer and a refusal changes nothing', () => {
  const GRANTED = SITE;
  const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

  const senderArb: fc.Arbitrary<SenderInfo> = fc.oneof(
    fc.constant<SenderInfo>({ url: OPTIONS_PAGE }),
    fc.constant<SenderInfo>({ id: 'abc', url: OPTIONS_PAGE, tab: { id: 2, url: OPTIONS_PAGE } }),
    fc.constantFrom(GRANTED, 'http://site.example', 'https://site.example:8443', OTHER).map((o) => siteSender(o)),
    fc.constant<SenderInfo>({ url: 'about:srcdoc', origin: 'null', frameId: 2, tab: { id: 1, url: `${GRANTED}/` } }),
    fc.constant<SenderInfo>({ url: `${GRANTED}/x`, origin: 'null' }),
    fc.constant<SenderInfo>({ url: 'data:text/html,hi' }),
    fc.constant<SenderInfo>({}),
    fc.record(
      {
        id: optional(fc.string()),
        url: optional(fc.oneof(fc.string(), fc.webUrl())),
        origin: optional(fc.oneof(fc.string(), fc.constant('null'))),
        frameId: optional(fc.integer()),
        tab: optional(fc.record({ id: optional(fc.integer()), url: optional(fc.webUrl()) })),
      },
      { requiredKeys: [] },
    ),
  );

  const eventArb = fc.record(
    {
      kind: fc.oneof(fc.integer({ min: -5, max: 70_000 }), fc.double(), fc.string()),
      content: fc.oneof(fc.string(), fc.anything()),
      tags: fc.oneof(fc.array(fc.array(fc.string(), { maxLength: 3 }), { maxLength: 3 }), fc.anything()),
      created_at: fc.oneof(fc.integer(), fc.anything()),
      pubkey: fc.oneof(hex64, fc.string()),
      id: fc.anything(),
      sig: fc.anything(),
      origin: fc.constant(GRANTED),
    },
    { requiredKeys: [] },
  );
  const nip07ParamsArb = fc.oneof(
    fc.constant({}),
    fc.record({ event: eventArb }, { requiredKeys: [] }),
    fc.record({ pubkey: fc.oneof(hex64, fc.string()), plaintext: fc.oneof(fc.string(), fc.anything()) }, { requiredKeys: [] }),
    fc.record({ pubkey: fc.oneof(hex64, fc.string()), ciphertext: fc.oneof(fc.base64String(), fc.string(), fc.anything()) }, { requiredKeys: [] }),
    fc.anything(),
  );
  const nip07Arb = fc.record(
    {
      type: fc.constant('nip07'),
      id: fc.oneof(fc.uuid(), fc.string()),
      method: fc.oneof(fc.constantFrom(...METHODS), fc.string()),
      params: nip07ParamsArb,
      origin: fc.constant(GRANTED),
    },
    { requiredKeys: ['type'] },
  );
  const adminMethods = Object.keys(adminParamSchemas);
  const ruleArb = fc.record(
    { method: fc.oneof(fc.constantFrom(...METHODS), fc.string()), kind: fc.oneof(fc.integer(), fc.constant(null)), maxUsageCount: fc.oneof(fc.integer(), fc.constant(null)), windowSeconds: fc.integer() },
    { requiredKeys: [] },
  );
  const adminParamsArb = fc.oneof(
    fc.constant({}),
    fc.anything(),
    fc.record(
      {
        origin: fc.oneof(fc.constant(GRANTED), fc.constant('null'), fc.webUrl(), fc.string()),
        rules: fc.oneof(fc.array(ruleArb, { maxLength: 3 }), fc.anything()),
        grantId: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.string()),
        ruleId: fc.integer({ min: -2, max: 5 }),
        overrideId: fc.integer({ min: -2, max: 5 }),
        accountId: fc.integer({ min: -2, max: 5 }),
        promptId: fc.string(),
        decision: fc.constantFrom('allow', 'deny', 'maybe'),
        method: fc.oneof(fc.constantFrom(...METHODS), fc.string()),
        effect: fc.constantFrom('allow', 'deny', 'x'),
        password: fc.string(),
        secret: fc.oneof(fc.string(), hex64),
        limit: fc.integer({ min: -1, max: 2_000 }),
        before: fc.integer(),
        kind: fc.oneof(fc.integer(), fc.constant(null)),
      },
      { requiredKeys: [] },
    ),
  );
  const adminArb = fc.record(
    { type: fc.constant('admin'), method: fc.oneof(fc.constantFrom(...adminMethods), fc.string()), params: adminParamsArb },
    { requiredKeys: ['type', 'method'] },
  );

  let h: Harness & { account: { accountId: number; pubkey: string } };
  let secretHex: string;
  let secretNsec: string;
  let prompts = 0;
  beforeEach(async () => {
    prompts = 0;
    h = await withAccount({ promptTimeoutMs: 15, onPromptsChanged: () => void prompts++ });
    await h.ok('grant', { origin: GRANTED, rules: ALL_METHODS_RULES });
    secretHex = bytesToHex(h.ctx.vault.secretKey(h.account.accountId));
    secretNsec = nip19.nsecEncode(h.ctx.vault.secretKey(h.account.accountId));
  });

  function wellFormed(r: unknown): asserts r is WireResponse {
    expect(r).toBeTypeOf('object');
    expect(r).not.toBeNull();
    const res = r as Record<string, unknown>;
    if (res.ok === true) {
      expect(Object.keys(res).sort()).toEqual(['ok', 'result']);
    } else {
      expect(res.ok).toBe(false);
      expect(Object.keys(res).sort()).toEqual(['error', 'ok']);
      const e = res.error as Record<string, unknown>;
      expect(Object.keys(e).sort()).toEqual(['code', 'message']);
      expect(ERROR_CODES).toContain(e.code);
      expect(typeof e.message).toBe('string');
      expect((e.message as string).length).toBeGreaterThan(0);
    }
    // It must cross a runtime message boundary.
    expect(() => structuredClone(r)).not.toThrow();
    // And it never carries the secret key.
    const text = JSON.stringify(r) ?? '';
    expect(text).not.toContain(secretHex);
    expect(text).not.toContain(secretNsec);
  }

  async function send(message: unknown, sender: SenderInfo): Promise<{ r: WireResponse; before: Record<string, unknown[]>; status: unknown }> {
    if (h.ctx.vault.locked) await h.ctx.vault.unlock(PW);
    const before = await snap(h);
    const status = h.ctx.vault.status();
    let r: unknown;
    expect(() => {
      r = h.route(message, sender);
    }).not.toThrow();
    r = await (r as Promise<unknown>);
    wellFormed(r);
    expect(h.ctx.prompts.list()).toEqual([]);
    return { r, before, status };
  }

  it('fc.anything() from any sender: refused with nothing changed, no prompt', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), senderArb, async (message, sender) => {
        const { r, before, status } = await send(message, sender);
        expect(r.ok).toBe(false);
        expect(await snap(h)).toEqual(before);
        expect(h.ctx.vault.status()).toEqual(status);
        expect(prompts).toBe(0);
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it('structured nip07/admin messages from any sender: a refusal writes nothing but a non-allowed activity row', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(nip07Arb, adminArb), senderArb, async (message, sender) => {
        const { r, before, status } = await send(message, sender);
        if (r.ok) return;
        const after = await snap(h);
        for (const store of ['accounts', 'grants', 'rules', 'overrides', 'signingLog', 'settings']) {
          expect(after[store], store).toEqual(before[store]);
        }
        const added = after.activity!.slice(before.activity!.length) as { outcome: string; origin: string }[];
        expect(after.activity!.slice(0, before.activity!.length)).toEqual(before.activity);
        let origin: string | null = null;
        try {
          origin = siteOrigin(sender);
        } catch {
          /* not a site */
        }
        if (added.length) {
          expect((message as { type: string }).type).toBe('nip07');
          expect(origin).not.toBeNull();
        }
        for (const row of added) {
          expect(row.outcome).not.toBe('allowed');
          expect(row.origin).toBe(origin);
        }
        if (r.error.code !== 'locked') expect(h.ctx.vault.status()).toEqual(status);
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});
