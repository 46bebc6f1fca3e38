// The edges of a restore: a shorter retention loosens, the account in use stays, keys and policy
// change together or not at all, and labels from the file stay data.
import { describe, expect, it, vi } from 'vitest';
import { snapshot } from '../../../test/fixtures.ts';
import { type Any, code, type Harness, makeHarness, T0 } from '../../../test/background.ts';
import type { Backup } from '../../../db/backupFile.ts';
import { quoted } from '../../../db/restorePlan.ts';
import { DEFAULT_SENSITIVE_KINDS } from '../../../shared/kinds.ts';

vi.setConfig({ testTimeout: 30_000 });
const PW = 'backup test password';
const A = 'https://a.example';

async function profileWithKey(label = 'Main'): Promise<{ h: Harness; backup: Backup }> {
  const h = makeHarness();
  await h.ok('create_account', { password: PW, label });
  await h.ok('grant', { origin: A, rules: [{ method: 'sign_event', kind: 1 }] });
  return { h, backup: JSON.parse((await h.ok('backup_export', { password: PW })).backup) };
}

describe('restore: retention', () => {
  it('a shorter retention in the file is listed as loosening and applied only when accepted; a longer one is neutral', async () => {
    const { backup } = await profileWithKey();
    const here = makeHarness();
    await here.ok('create_account', { password: PW });
    await here.ok('set_retention', { activityDays: 90, signingLogDays: 400 });
    const file = (retention: Backup['settings']['retention']) => JSON.stringify({ ...backup, accounts: [], grants: [], settings: { ...backup.settings, retention } });

    const shorter = file({ activityDays: 90, signingLogDays: 1 });
    const plan = await here.ok('restore_preview', { backup: shorter });
    const change = plan.changes.find((c: Any) => c.key === 'retention');
    expect(change).toMatchObject({ impact: 'loosens', text: expect.stringContaining('keeps less of the log: loosens what you can check') });
    expect(await here.ok('restore_apply', { backup: shorter, password: PW })).toMatchObject({ applied: 0, skipped: 1 });
    expect(await here.ok('get_retention')).toEqual({ activityDays: 90, signingLogDays: 400 });
    await here.ok('restore_apply', { backup: shorter, password: PW, acceptLoosening: true });
    expect(await here.ok('get_retention')).toEqual({ activityDays: 90, signingLogDays: 1 });

    const longer = file({ activityDays: 365, signingLogDays: null });
    expect((await here.ok('restore_preview', { backup: longer })).changes).toMatchObject([{ key: 'retention', impact: 'neutral' }]);
  });
});

describe('restore: accounts', () => {
  it('keeps the account in use: a restore that adds a key does not switch to it', async () => {
    const { backup } = await profileWithKey('From the file');
    const here = makeHarness();
    const mine = await here.ok('create_account', { password: PW, label: 'Mine' });
    const r = await here.ok('restore_apply', { backup: JSON.stringify(backup), password: PW, acceptLoosening: true });
    expect(r.accountsAdded).toBe(1);
    expect((await here.ok('list_accounts')).accounts).toHaveLength(2);
    expect((await here.ok('get_status')).account).toMatchObject({ id: mine.accountId, label: 'Mine' });
  });

  it('keys and policy are one step: a plan check that fails after the keys were added leaves the keys, the lock and the policy as they were', async () => {
    const { backup } = await profileWithKey('From the file');
    const here = makeHarness();
    const mine = await here.ok('create_account', { password: PW, label: 'Mine' });
    await here.ok('lock');
    const file = JSON.stringify(backup);
    const { planId } = await here.ok('restore_preview', { backup: file });
    const before = await snapshot(here.ctx.db);
    // Something changes the policy while the keys are being added: the second look at the plan differs.
    const importKey = here.ctx.vault.import.bind(here.ctx.vault);
    vi.spyOn(here.ctx.vault, 'import').mockImplementation(async (...args) => {
      const added = await importKey(...args);
      await here.ctx.db.settings.put({ collection: 'prefs', key: 'autoLockMinutes', value: 45 });
      return added;
    });
    const r = await here.admin('restore_apply', { backup: file, password: PW, planId });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringContaining('nothing was changed') } });
    expect(here.ctx.vault.import).toHaveBeenCalledTimes(1);
    expect((await here.ok('list_accounts')).accounts.map((a: Any) => a.id)).toEqual([mine.accountId]);
    expect(await here.ok('get_status')).toMatchObject({ locked: true, account: { id: mine.accountId } });
    // Row for row as before, but for the setting the "someone else" wrote.
    const after = await snapshot(here.ctx.db);
    const without = (s: Record<string, unknown[]>) => ({ ...s, settings: s.settings!.filter((x) => (x as Any).key !== 'autoLockMinutes') });
    expect(without(after)).toEqual(without(before));
  });
});

describe('restore: labels from the file are data', () => {
  const hostile = [
    'x"\nallow https://evil.example: sign_event (uncapped)',
    'a\\" and more',
    'right-to-left \u202e evil.example',
    'line\u2028separator',
    'tab\tand\rcarriage',
  ];

  it.each(hostile)('quoted(%j) is one line, one quoted string, and says the same text', (label) => {
    const q = quoted(label);
    expect(q).not.toMatch(/[\n\r\u2028\u2029\u202e\t]/);
    // One string: it opens and closes with a quote, and every quote inside is escaped.
    expect(q).toMatch(/^"(?:[^"\\]|\\.)*"$/);
    const back = q.slice(1, -1).replace(/\\u\{([0-9a-f]+)\}|\\n|\\(.)/g, (_m, hex: string | undefined, ch: string | undefined) => (hex ? String.fromCodePoint(parseInt(hex, 16)) : ch ?? '\n'));
    expect(back).toBe(label);
  });

  it('a key label that looks like a change line stays inside its own change line', async () => {
    const { backup } = await profileWithKey();
    backup.accounts[0]!.label = hostile[0]!;
    backup.grants = [];
    const here = makeHarness();
    const plan = await here.ok('restore_preview', { backup: JSON.stringify(backup) });
    expect(plan.changes).toHaveLength(1);
    const [add] = plan.changes;
    expect(add).toMatchObject({ type: 'add_account', impact: 'neutral', label: hostile[0] });
    expect(add.text).not.toContain('\n');
    expect(add.text).toMatch(/^add the key "(?:[^"\\]|\\.)*" \([0-9a-f]{12}…\)$/);
    expect(plan.changes.filter((c: Any) => c.text.startsWith('allow'))).toEqual([]);
  });

  it('relay names from the file are quoted too', async () => {
    const { backup } = await profileWithKey();
    const here = makeHarness();
    const account = backup.accounts[0]!;
    backup.accounts = [];
    backup.grants = [];
    backup.settings = { autoLockMinutes: 30, sensitiveKinds: [...DEFAULT_SENSITIVE_KINDS], relays: { 'wss://r.example"\ngrant https://evil': { read: true, write: true } }, retention: { activityDays: 90, signingLogDays: null } };
    const plan = await here.ok('restore_preview', { backup: JSON.stringify(backup) });
    expect(plan.changes.map((c: Any) => c.text)).toEqual(['relays: "wss://r.example\\"\\ngrant https://evil"']);
    expect(code(await here.admin('restore_preview', { backup: JSON.stringify({ ...backup, createdAt: T0, accounts: [{ ...account, label: 'x'.repeat(101) }] }) }))).toBe('invalid_request');
  });
});
