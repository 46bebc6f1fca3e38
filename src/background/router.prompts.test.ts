// Requests that wait on a prompt: what the answer signs, remembers or refuses, and what lands while they wait.
import { describe, expect, it, vi } from 'vitest';
import { generateSecretKey, getPublicKey, verifyEvent } from 'nostr-tools/pure';
import * as nip44 from 'nostr-tools/nip44';
import type { WireResponse } from '../shared/errors.ts';
import { settledState, waitFor } from '../test/fixtures.ts';
import { type Any, code, logCount, makeHarness, OTHER, PW, settle, signed, SITE, T0, waitPending, withAccount } from '../test/background.ts';

// Many tests drive dozens of IndexedDB transactions: leave room for a loaded CI machine.
vi.setConfig({ testTimeout: 20_000 });

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
