// Backup and restore, accounts rename/delete, through the admin router (real Dexie on fake-indexeddb).
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { snapshot } from '../../../test/fixtures.ts';
import { type Any, code, type Harness, makeHarness, T0 } from '../../../test/background.ts';
import type { MemorySessionStore } from '../../../vault/sessionStore.ts';
import type { Method } from '../../../shared/methods.ts';
import type { Backup } from '../../../db/backupFile.ts';
import { DEFAULT_SENSITIVE_KINDS } from '../../../shared/kinds.ts';
import { isConsequential } from '../../../shared/methods.ts';

vi.setConfig({ testTimeout: 30_000 });
const PW = 'backup test password';
const A = 'https://a.example';
const B = 'https://b.example';

/** The live policy in a form that does not depend on local ids or creation times. */
async function livePolicy(h: Harness) {
  const { grants, overrides } = await h.ok('get_policies');
  const accounts = new Map((await h.ok('list_accounts')).accounts.map((a: Any) => [a.id, a.pubkey]));
  return {
    grants: grants
      .filter((g: Any) => g.revokedAt === null)
      .map((g: Any) => ({
        origin: g.origin,
        account: accounts.get(g.accountId),
        expiresAt: g.expiresAt,
        onCapReached: g.onCapReached,
        rules: g.rules.map(({ method, kind, maxUsageCount, windowSeconds, expiresAt }: Any) => ({ method, kind, maxUsageCount, windowSeconds, expiresAt })).sort((x: Any, y: Any) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
      }))
      .sort((x: Any, y: Any) => x.origin.localeCompare(y.origin)),
    overrides: overrides
      .filter((o: Any) => o.revokedAt === null)
      .map(({ origin, accountId, method, kind, effect, expiresAt }: Any) => ({ origin, account: accounts.get(accountId), method, kind, effect, expiresAt }))
      .sort((x: Any, y: Any) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    settings: await h.ok('get_settings'),
    retention: await h.ok('get_retention'),
  };
}

async function seedPolicy(h: Harness) {
  await h.ok('grant', { origin: A, rules: [{ method: 'get_public_key' }, { method: 'sign_event', kind: 1, maxUsageCount: 20, windowSeconds: 3600 }, { method: 'sign_event', kind: 1, maxUsageCount: 200, windowSeconds: 86_400 }], onCapReached: 'ask' });
  await h.ok('grant', { origin: B, rules: [{ method: 'nip44_encrypt', maxUsageCount: 5 }], expiresAt: T0 + 10 * 86_400_000 });
  await h.ok('set_override', { origin: A, method: 'sign_event', kind: 0, effect: 'deny' });
  await h.ok('set_override', { origin: B, method: 'nip04_decrypt', effect: 'allow', expiresAt: T0 + 3_600_000 });
  await h.ok('set_settings', { autoLockMinutes: 15, sensitiveKinds: [...DEFAULT_SENSITIVE_KINDS, 30078], relays: { 'wss://relay.example': { read: true, write: false } } });
  await h.ok('set_retention', { activityDays: 30, signingLogDays: 400 });
}

describe('backup and restore', () => {
  it('round trip: backup, restore into an empty profile (accepting) → the same keys and the same live policy', async () => {
    const one = makeHarness();
    const { pubkey } = await one.ok('create_account', { password: PW, label: 'Main' });
    await seedPolicy(one);
    const { backup } = await one.ok('backup_export', { password: PW });
    expect(backup).not.toMatch(/nsec1|"secret/);
    expect(JSON.parse(backup).accounts[0].ncryptsec).toMatch(/^ncryptsec1/);
    expect(code(await one.admin('backup_export', { password: 'wrong' }))).toBe('denied');

    const two = makeHarness();
    const preview = await two.ok('restore_preview', { backup });
    expect(preview.changes.map((c: Any) => [c.type, c.impact])).toEqual(
      expect.arrayContaining([['add_account', 'neutral'], ['add_grant', 'loosens'], ['add_override', 'tightens'], ['add_override', 'loosens']]),
    );
    expect(await snapshot(two.ctx.db)).toEqual(await snapshot(two.ctx.db)); // preview wrote nothing (sanity of the helper)
    const result = await two.ok('restore_apply', { backup, password: PW, acceptLoosening: true, planId: preview.planId });
    expect(result).toMatchObject({ accountsAdded: 1, skipped: 0 });
    expect((await two.ok('list_accounts')).accounts.map((a: Any) => a.pubkey)).toEqual([pubkey]);
    expect(await livePolicy(two)).toEqual(await livePolicy(one));
    // Restoring the same backup again changes nothing.
    expect((await two.ok("restore_preview", { backup })).changes.map((c: Any) => c.text)).toEqual([]);
  });

  it('without accepting, a restore applies only what tightens; the preview said so', async () => {
    const one = makeHarness();
    await one.ok('create_account', { password: PW, label: 'Main' });
    await seedPolicy(one);
    const { backup } = await one.ok('backup_export', { password: PW });
    const two = makeHarness();
    const preview = await two.ok('restore_preview', { backup });
    const r = await two.ok('restore_apply', { backup, password: PW });
    expect(r.skipped).toBe(preview.changes.filter((c: Any) => c.impact === 'loosens').length);
    const p = await two.ok('get_policies');
    expect(p.grants).toEqual([]);
    expect(p.overrides.map((o: Any) => o.effect)).toEqual(['deny']);
  });

  it('a preview that no longer matches the policy, a wrong password or a malformed file change nothing', async () => {
    const one = makeHarness();
    await one.ok('create_account', { password: PW });
    await seedPolicy(one);
    const { backup } = await one.ok('backup_export', { password: PW });
    const two = makeHarness();
    // The same key here: the backup's grants then meet a local policy.
    const { ncryptsec } = await one.ok('export_account', { accountId: 1, password: PW });
    await two.ok('import_account', { secret: ncryptsec, password: PW });
    const preview = await two.ok('restore_preview', { backup });
    await two.ok('grant', { origin: A, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 1, windowSeconds: 60 }] });
    const before = await snapshot(two.ctx.db);
    expect(code(await two.admin('restore_apply', { backup, password: PW, acceptLoosening: true, planId: preview.planId }))).toBe('invalid_request');
    expect(code(await two.admin('restore_apply', { backup, password: 'nope nope', acceptLoosening: true }))).toBe('denied');
    expect(code(await two.admin('restore_preview', { backup: backup.replace('warden-backup', 'other') }))).toBe('invalid_request');
    expect(code(await two.admin('restore_preview', { backup: '{"format":' }))).toBe('invalid_request');
    // Nothing changed but the count of wrong passwords (which slows down guessing).
    const withoutBackoff = (snap: Record<string, unknown[]>) => ({ ...snap, settings: snap.settings!.filter((r) => (r as { key: string }).key !== 'passwordBackoff') });
    expect(withoutBackoff(await snapshot(two.ctx.db))).toEqual(withoutBackoff(before));
  });

  it('a looser cap in the backup is kept out (the local one binds harder); a stricter one is stacked and said to tighten', async () => {
    const h = makeHarness();
    const { pubkey } = await h.ok('create_account', { password: PW });
    await h.ok('grant', { origin: A, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 20, windowSeconds: 3600 }] });
    const rule = (maxUsageCount: number, windowSeconds: number | null) => ({ method: 'sign_event' as const, kind: 1, maxUsageCount, windowSeconds, expiresAt: null });
    const backup: Backup = {
      format: 'warden-backup',
      version: 1,
      createdAt: T0,
      accounts: [],
      grants: [{ origin: A, account: pubkey, createdAt: T0, expiresAt: null, onCapReached: 'deny', rules: [rule(100, 3600), rule(20, 60), rule(5, 3600), rule(50, 86_400)] }],
      overrides: [],
      settings: { autoLockMinutes: 30, sensitiveKinds: [0, 3, 5, 10002], relays: {}, retention: { activityDays: 90, signingLogDays: null } },
    };
    const plan = await h.ok('restore_preview', { backup: JSON.stringify(backup) });
    expect(plan.changes.map((c: Any) => [c.impact, c.rule.maxUsageCount, c.rule.windowSeconds])).toEqual([
      ['tightens', 5, 3600],
      ['tightens', 50, 86_400],
    ]);
    expect(plan.kept).toHaveLength(2);
  });

  it('PROPERTY: a restore without accepting never lets any request through that was not, nor raises any cap', async () => {
    const h = makeHarness();
    const { pubkey } = await h.ok('create_account', { password: PW });
    const methods: Method[] = ['sign_event', 'nip44_encrypt', 'get_public_key'];
    // Caps only where the log counts (a cap on another method is refused at write time).
    const rule = fc
      .record({
        method: fc.constantFrom(...methods),
        kind: fc.option(fc.constantFrom(1, 3), { nil: null }),
        maxUsageCount: fc.option(fc.integer({ min: 1, max: 9 }), { nil: null }),
        windowSeconds: fc.option(fc.constantFrom(60, 3600), { nil: null }),
      })
      .map((r) => (isConsequential(r.method) ? r : { ...r, maxUsageCount: null }));
    const override = fc.record({ method: fc.constantFrom(...methods), kind: fc.option(fc.constantFrom(1, 3), { nil: null }), effect: fc.constantFrom('allow' as const, 'deny' as const) });
    const policy = fc.record({ rules: fc.option(fc.array(rule, { maxLength: 3 }), { nil: null }), overrides: fc.array(override, { maxLength: 2 }), ask: fc.boolean() });
    type Req = { method: Method; kind: number | null };
    const requests: Req[] = methods.flatMap((method): Req[] => (method === 'sign_event' ? [1, 3, 7].map((kind) => ({ method, kind })) : [{ method, kind: null }]));
    const rank = { deny: 0, cap_exceeded: 1, ask: 2, allow: 3 } as const;
    await fc.assert(
      fc.asyncProperty(policy, policy, async (local, incoming) => {
        for (const t of [h.ctx.db.grants, h.ctx.db.rules, h.ctx.db.overrides]) await t.clear();
        h.ctx.policy.invalidate();
        if (local.rules) await h.ok('grant', { origin: A, rules: local.rules, onCapReached: local.ask ? 'ask' : 'deny' });
        for (const o of local.overrides) await h.ok('set_override', { origin: A, ...o });
        const backup: Backup = {
          format: 'warden-backup',
          version: 1,
          createdAt: T0,
          accounts: [],
          grants: incoming.rules ? [{ origin: A, account: pubkey, createdAt: T0, expiresAt: null, onCapReached: incoming.ask ? 'ask' : 'deny', rules: incoming.rules.map((r) => ({ ...r, expiresAt: null })) }] : [],
          overrides: incoming.overrides.map((o) => ({ origin: A, account: pubkey, createdAt: T0, expiresAt: null, ...o })),
          settings: { autoLockMinutes: 30, sensitiveKinds: [0, 3, 5, 10002], relays: {}, retention: { activityDays: 90, signingLogDays: null } },
        };
        const explainAll = () => Promise.all(requests.map((r) => h.ok('explain_request', { origin: A, ...r })));
        const before = await explainAll();
        await h.ok('restore_apply', { backup: JSON.stringify(backup), password: PW });
        const after = await explainAll();
        requests.forEach((_, i) => {
          expect(rank[after[i].outcome as keyof typeof rank]).toBeLessThanOrEqual(rank[before[i].outcome as keyof typeof rank]);
          const minLeft = (e: Any) => Math.min(Infinity, ...e.caps.map((c: Any) => c.left));
          if (after[i].outcome === 'allow') expect(minLeft(after[i])).toBeLessThanOrEqual(minLeft(before[i]));
        });
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});

describe('accounts: rename and delete', () => {
  it('rename changes the label only; delete wipes that key, revokes its grants and keeps the other account working', async () => {
    const h = makeHarness();
    const first = await h.ok('create_account', { password: PW, label: 'First' });
    await h.ok('grant', { origin: A, rules: [{ method: 'sign_event' }] });
    const second = await h.ok('create_account', { password: PW, label: 'Second' });
    expect(await h.ok('rename_account', { accountId: first.accountId, label: 'Renamed' })).toMatchObject({ id: first.accountId, label: 'Renamed', pubkey: first.pubkey });
    expect(code(await h.admin('rename_account', { accountId: 99, label: 'x' }))).toBe('not_found');
    await h.ok('select_account', { accountId: first.accountId });
    const logBefore = await h.ctx.db.signingLog.count();

    // A wrong password deletes nothing (and counts as a wrong password for the back-off).
    const before = await snapshot(h.ctx.db);
    expect(code(await h.admin('delete_account', { accountId: first.accountId, password: 'wrong password' }))).toBe('denied');
    expect((await snapshot(h.ctx.db)).accounts).toEqual(before.accounts);
    expect(h.ctx.vault.secretKey(first.accountId)).toHaveLength(32);
    expect(code(await h.admin('delete_account', { accountId: first.accountId }))).toBe('invalid_request');

    await h.ok('delete_account', { accountId: first.accountId, password: PW });
    expect((await h.ok('list_accounts')).accounts.map((a: Any) => a.label)).toEqual(['Second']);
    const status = await h.ok('get_status');
    expect(status).toMatchObject({ locked: false, hasAccount: true, account: { id: second.accountId } });
    expect(() => h.ctx.vault.secretKey(first.accountId)).toThrow();
    expect(JSON.stringify([...(h.ctx.session as MemorySessionStore).data])).not.toContain(`"${first.accountId}":`);
    const grants = (await h.ok('get_policies')).grants;
    expect(grants.every((g: Any) => g.revokedAt !== null)).toBe(true);
    expect(await h.ctx.db.signingLog.count()).toBe(logBefore);

    await h.ok('delete_account', { accountId: second.accountId, password: PW });
    expect(await h.ok('get_status')).toMatchObject({ locked: true, hasAccount: false });
    // With no key left the vault counts as locked: deleting is refused before anything is looked up.
    expect(code(await h.admin('delete_account', { accountId: second.accountId, password: PW }))).toBe('locked');
  });
});
