// Caps and live policy changes bind on the very next request; a worker start never answers a false "locked".
import { describe, expect, it, vi } from 'vitest';
import { WardenDb } from '../db/schema.ts';
import { MemorySessionStore } from '../vault/sessionStore.ts';
import { settledState, uniqueDbName } from '../test/fixtures.ts';
import { ALL_METHODS_RULES, code, giveUp, logCount, makeHarness, PW, settle, signed, SITE, T0, waitPending, withAccount } from '../test/background.ts';

// Many tests drive dozens of IndexedDB transactions: leave room for a loaded CI machine.
vi.setConfig({ testTimeout: 20_000 });

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
