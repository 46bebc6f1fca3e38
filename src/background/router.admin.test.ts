// The admin RPC end to end through the router: accounts, policies, logs, settings, unknown ids.
import { describe, expect, it, vi } from 'vitest';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import * as nip19 from 'nostr-tools/nip19';
import * as nip49 from 'nostr-tools/nip49';
import { bytesToHex } from 'nostr-tools/utils';
import { ALL_METHODS_RULES, type Any, code, giveUp, makeHarness, OTHER, PW, settle, signed, SITE, snap, T0, withAccount } from '../test/background.ts';

// Many tests drive dozens of IndexedDB transactions: leave room for a loaded CI machine.
vi.setConfig({ testTimeout: 20_000 });

describe('admin RPC (the wire contract)', () => {
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
      {
        id: overrideId, origin: SITE, accountId: h.account!.accountId, method: 'sign_event', kind: 7, effect: 'deny', createdAt: T0 + 1_000, expiresAt: T0 + 60_000, revokedAt: null,
        // No constraints: every one of them shows as null.
        peers: null, relays: null, urls: null, httpMethods: null, giftWraps: null,
      },
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
    const KINDS = [1, 7, 9, 11, 14]; // none sensitive: the method-wide rule covers them
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
    expect(all[1]).toEqual({ id: expect.any(Number), origin: SITE, accountId: h.account!.accountId, method: 'sign_event', kind: 14, createdAt: T0 + 4, eventId: ids[4] });
    expect(all.filter((e) => e.eventId).map((e) => e.eventId).reverse()).toEqual(ids);

    const other = await h.ok('get_signing_log', { origin: OTHER, limit: 100 });
    expect(other.entries.map((e: Any) => e.kind)).toEqual([11, 7]);
    expect(other.next).toBeUndefined();
    const encrypts = await h.ok('get_signing_log', { method: 'nip44_encrypt', limit: 100 });
    expect(encrypts.entries).toHaveLength(1);
    expect((await h.ok('get_signing_log', { origin: SITE, method: 'sign_event', limit: 100 })).entries.map((e: Any) => e.kind)).toEqual([14, 9, 1]);

    const activity = await h.ok('get_activity', { origin: SITE, limit: 3 });
    expect(activity.entries).toHaveLength(3);
    // The cursor holds the bounds of both tables the list reads (src/db/activity.ts).
    expect(activity.next).toEqual(expect.any(Number));
    expect(activity.entries[0]).toEqual({ id: expect.any(Number), origin: SITE, method: 'get_public_key', kind: null, outcome: 'allowed', reason: expect.any(String), createdAt: T0 + 4 });
    const rest = await h.ok('get_activity', { origin: SITE, before: activity.next, limit: 100 });
    expect([...activity.entries, ...rest.entries].map((e: Any) => e.method)).toEqual(['get_public_key', 'nip44_encrypt', 'sign_event', 'sign_event', 'sign_event']);
  });

  it('settings: get/set, and a sensitive-kinds change takes effect on the next request', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event' }] });
    expect(await h.ok('get_settings')).toEqual({ autoLockMinutes: 30, relays: {}, sensitiveKinds: [0, 3, 5, 13, 62, 9734, 10000, 10002, 10050, 22242, 24133, 24242, 27235] });
    expect(await settle(h, h.sign(SITE, { kind: 0 }))).toBe('asked');
    // A credential kind asks under a method-wide rule: a login token for another service needs its own rule.
    expect(await settle(h, h.sign(SITE, { kind: 27235, tags: [['u', 'https://api.example/x'], ['method', 'POST']] }))).toBe('asked');
    expect(await h.ok('set_settings', { sensitiveKinds: [3, 3, 5, 10002], relays: { 'wss://r.example': { read: true, write: false } } })).toEqual({});
    expect((await h.ok('get_settings')).sensitiveKinds).toEqual([3, 5, 10002]);
    expect(code(await h.sign(SITE, { kind: 0 }))).toBe('ok');
    await h.ok('grant', { origin: SITE, rules: [{ method: 'get_public_key' }] });
    expect(await h.nip07(SITE, 'get_relays')).toEqual({ ok: true, result: { 'wss://r.example': { read: true, write: false } } });
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
