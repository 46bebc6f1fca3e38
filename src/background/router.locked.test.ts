// Locked means locked (docs/THREATS.md #31): every admin method, in every vault state, with a
// call that would loosen and one that would not. While locked (or with no key) a loosening call
// gets `locked` and the database is the same row for row; everything else goes through.
import { describe, expect, it, vi } from 'vitest';
import { generateSecretKey } from 'nostr-tools/pure';
import { nsecEncode } from 'nostr-tools/nip19';
import type { AdminMethod } from '../shared/protocol.ts';
import { DEFAULT_SENSITIVE_KINDS } from '../shared/kinds.ts';
import type { Backup } from '../db/backupFile.ts';
import { addOverride, createGrant } from '../db/policy.ts';
import { pauseSite } from '../db/sitePause.ts';
import { type Any, code, type Harness, makeHarness, OTHER, PW, SITE, snap, T0, waitPending, withAccount } from '../test/background.ts';

vi.setConfig({ testTimeout: 20_000 });

const NEW = 'https://new.example';
type State = 'unlocked' | 'locked' | 'no account';
const STATES: State[] = ['unlocked', 'locked', 'no account'];

/** What every case can point at: a capped and an uncapped rule, a deny and an allow override, a paused site. */
interface Seed {
  accountId: number;
  pubkey: string;
  grantId: number;
  cappedRuleId: number;
  freeRuleId: number;
  denyId: number;
  allowId: number;
}

const GHOST_PUBKEY = 'ab'.repeat(32);

/** Written straight to the database, so the same records exist with no account too (a key deleted, its rows left). */
async function seed(h: Harness): Promise<Seed> {
  const accountId = h.account?.accountId ?? 999;
  const { now, sessionId } = h.ctx.clock();
  const db = h.ctx.db;
  const grantId = await createGrant(db, { origin: SITE, accountId, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 5, windowSeconds: 3600 }, { method: 'nip44_encrypt' }] }, now, sessionId);
  const rules = await db.rules.where('grantId').equals(grantId).toArray();
  const denyId = await addOverride(db, { origin: SITE, accountId, method: 'sign_event', kind: 7, effect: 'deny' }, now);
  const allowId = await addOverride(db, { origin: SITE, accountId, method: 'nip04_encrypt', effect: 'allow' }, now);
  await pauseSite(db, OTHER, accountId, { now, sessionId });
  await h.ctx.db.settings.put({ collection: 'retention', key: 'logs', value: { activityDays: 30, signingLogDays: 400 } });
  return {
    accountId,
    pubkey: h.account?.pubkey ?? GHOST_PUBKEY,
    grantId,
    cappedRuleId: rules.find((r) => r.maxUsageCount !== null)!.id,
    freeRuleId: rules.find((r) => r.maxUsageCount === null)!.id,
    denyId,
    allowId,
  };
}

function backupFile(s: Seed, retention = { activityDays: 30, signingLogDays: 400 }): string {
  const backup: Backup = {
    format: 'warden-backup',
    version: 1,
    createdAt: T0,
    accounts: [],
    grants: [{ origin: NEW, account: s.pubkey, createdAt: T0, expiresAt: null, onCapReached: 'deny', rules: [{ method: 'sign_event', kind: null, maxUsageCount: null, windowSeconds: null, expiresAt: null }] }],
    overrides: [{ origin: SITE, account: s.pubkey, method: 'sign_event', kind: 9, effect: 'deny', createdAt: T0, expiresAt: null }],
    settings: { autoLockMinutes: 30, sensitiveKinds: [...DEFAULT_SENSITIVE_KINDS], relays: {}, retention },
  };
  return JSON.stringify(backup);
}

type Params = (s: Seed) => Record<string, unknown>;
/** The answer expected where it is not `ok` (e.g. a call that needs an account, with none). */
type Codes = Partial<Record<State, string>>;
interface Case {
  /** Calls that change nothing. */
  read?: Params;
  /** Calls that would allow more, keep less of the log, or delete: refused while locked. */
  loosen?: Params[];
  loosenCodes?: Codes;
  /** For one loosening call only (by its index). */
  loosenCodesAt?: Record<number, Codes>;
  /** Calls that tighten or are neutral: they work in every state. */
  allowed?: Params[];
  allowedCodes?: Codes;
}

const NO_ACCOUNT = { 'no account': 'no_account' } as const;

/** Every admin method: one missing here fails the typecheck, so a new method gets a case. */
const CASES: Record<AdminMethod, Case> = {
  get_status: { read: () => ({}) },
  create_account: { allowed: [() => ({ password: PW, label: 'Another' })] },
  import_account: { allowed: [() => ({ secret: nsecEncode(generateSecretKey()), password: PW })] },
  list_accounts: { read: () => ({}) },
  select_account: { allowed: [(s) => ({ accountId: s.accountId })], allowedCodes: { 'no account': 'not_found' } },
  export_account: { read: (s) => ({ accountId: s.accountId, password: PW }) },
  unlock: { allowed: [() => ({ password: PW })], allowedCodes: NO_ACCOUNT },
  lock: { allowed: [() => ({})] },
  get_policies: { read: () => ({}) },
  grant: {
    loosen: [
      () => ({ origin: NEW, rules: [{ method: 'sign_event' }] }),
      // Replacing the live grant: a cap raised, or a cap dropped, or asking once it is spent.
      () => ({ origin: SITE, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 50, windowSeconds: 3600 }] }),
      () => ({ origin: SITE, rules: [{ method: 'sign_event', kind: 1 }] }),
      () => ({ origin: SITE, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 5, windowSeconds: 3600 }], onCapReached: 'ask' }),
    ],
    // A narrower replacement of the live grant tightens; with no key there is no grant to compare with.
    allowed: [() => ({ origin: SITE, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 3, windowSeconds: 3600 }] })],
    allowedCodes: { 'no account': 'locked' },
  },
  add_policy_rule: {
    loosen: [(s) => ({ grantId: s.grantId, method: 'nip04_encrypt' }), (s) => ({ grantId: s.grantId, method: 'sign_event', kind: 0 })],
    allowed: [(s) => ({ grantId: s.grantId, method: 'nip44_encrypt', maxUsageCount: 2, windowSeconds: 3600 })],
  },
  update_policy_rule: {
    loosen: [
      (s) => ({ ruleId: s.cappedRuleId, maxUsageCount: 50 }),
      (s) => ({ ruleId: s.cappedRuleId, maxUsageCount: null }),
      (s) => ({ ruleId: s.cappedRuleId, windowSeconds: 60 }),
      (s) => ({ ruleId: s.cappedRuleId, kind: null }),
      (s) => ({ ruleId: s.freeRuleId, method: 'nip44_decrypt' }),
    ],
    allowed: [(s) => ({ ruleId: s.cappedRuleId, maxUsageCount: 2 }), (s) => ({ ruleId: s.cappedRuleId, windowSeconds: 86_400 }), (s) => ({ ruleId: s.freeRuleId, maxUsageCount: 9, windowSeconds: 60 })],
  },
  delete_policy_rule: { loosen: [(s) => ({ ruleId: s.cappedRuleId })], allowed: [(s) => ({ ruleId: s.freeRuleId })] },
  revoke_grant: { allowed: [(s) => ({ grantId: s.grantId })] },
  set_override: {
    loosen: [() => ({ origin: SITE, method: 'sign_event', kind: 0, effect: 'allow' })],
    allowed: [() => ({ origin: SITE, method: 'sign_event', kind: 0, effect: 'deny' })],
    allowedCodes: NO_ACCOUNT,
  },
  revoke_override: { loosen: [(s) => ({ overrideId: s.denyId })], allowed: [(s) => ({ overrideId: s.allowId })] },
  get_signing_log: { read: () => ({ limit: 10 }) },
  export_signing_log: { read: () => ({ limit: 10 }) },
  verify_log: { read: () => ({}) },
  get_activity: { read: () => ({ limit: 10 }) },
  // No prompt waits here: unlocked the handler says not_found; a waiting one is tested below.
  resolve_prompt: {
    loosen: [() => ({ promptId: 'p1', decision: 'allow', scope: 'method' }), () => ({ promptId: 'p1', decision: 'allow', preset: 'social' })],
    loosenCodes: { unlocked: 'not_found' },
    allowed: [() => ({ promptId: 'p1', decision: 'deny', scope: 'method' }), () => ({ promptId: 'p1', decision: 'allow' })],
    allowedCodes: { unlocked: 'not_found', locked: 'not_found', 'no account': 'not_found' },
  },
  get_prompt: { read: () => ({ promptId: 'p1' }) },
  list_prompts: { read: () => ({}) },
  get_settings: { read: () => ({}) },
  set_settings: {
    loosen: [() => ({ sensitiveKinds: [0, 3] }), () => ({ autoLockMinutes: 0 }), () => ({ autoLockMinutes: 600 }), () => ({ relays: {}, autoLockMinutes: 5, sensitiveKinds: [] })],
    allowed: [() => ({ autoLockMinutes: 5 }), () => ({ sensitiveKinds: [...DEFAULT_SENSITIVE_KINDS, 30078] }), () => ({ relays: { 'wss://r.example': { read: true, write: true } } })],
  },
  explain_request: { read: () => ({ origin: SITE, method: 'sign_event', kind: 1 }) },
  rename_account: { allowed: [(s) => ({ accountId: s.accountId, label: 'Renamed' })], allowedCodes: { 'no account': 'not_found' } },
  delete_account: { loosen: [(s) => ({ accountId: s.accountId, password: PW })], loosenCodes: { unlocked: 'ok' } },
  get_tab_site: { read: () => ({ tabId: 1 }) },
  pause_site: { allowed: [() => ({ origin: SITE })], allowedCodes: NO_ACCOUNT },
  resume_site: { loosen: [() => ({ origin: OTHER })] },
  query_activity: { read: () => ({ limit: 10 }) },
  export_perms: { read: (s) => ({ grantId: s.grantId }) },
  import_perms: { loosen: [() => ({ origin: NEW, perms: 'sign_event:1' })] },
  get_retention: { read: () => ({}) },
  set_retention: {
    loosen: [() => ({ activityDays: 1 }), () => ({ signingLogDays: 10 })],
    allowed: [() => ({ activityDays: 365 }), () => ({ signingLogDays: null })],
  },
  prune_now: { allowed: [() => ({})] },
  backup_export: { read: () => ({ password: PW }) },
  restore_preview: { read: (s) => ({ backup: backupFile(s) }) },
  restore_apply: {
    loosen: [(s) => ({ backup: backupFile(s), password: PW, acceptLoosening: true }), (s) => ({ backup: backupFile(s, { activityDays: 1, signingLogDays: 400 }), password: PW, acceptLoosening: true })],
    // With no key here the file's grant (for a key that is not here) is left out: nothing it loosens applies.
    loosenCodesAt: { 0: { 'no account': 'ok' } },
    // Without accepting, only what tightens is applied: that works locked too.
    allowed: [(s) => ({ backup: backupFile(s), password: PW })],
  },
  get_site_view: { read: () => ({ origin: SITE }) },
  list_sites: { read: () => ({}) },
  set_kill_switch: { loosen: [() => ({ on: false })], allowed: [() => ({ on: true })] },
  // The bunker: a door for remote clients and the tokens that make grants loosen; closing tightens.
  bunker_start: { loosen: [() => ({ relays: ['ws://127.0.0.1:9'] })] },
  bunker_stop: { allowed: [() => ({})] },
  bunker_status: { read: () => ({}) },
  create_connect_token: { loosen: [() => ({ rules: [{ method: 'sign_event', kind: 1 }] })] },
  // Unlocked it gets past the gate and is refused for the bunker being off.
  accept_nostrconnect: { loosen: [() => ({ uri: `nostrconnect://${'ab'.repeat(32)}?relay=ws%3A%2F%2F127.0.0.1%3A9&secret=s1` })], loosenCodes: { unlocked: 'invalid_request' } },
  revoke_connect_token: { allowed: [() => ({ token: '0'.repeat(64) })], allowedCodes: { unlocked: 'not_found', locked: 'not_found', 'no account': 'not_found' } },
  list_connect_tokens: { read: () => ({}) },
  end_remote_client: { allowed: [() => ({ pubkey: 'ab'.repeat(32) })], allowedCodes: { unlocked: 'not_found', locked: 'not_found', 'no account': 'not_found' } },
};

async function harnessIn(state: State): Promise<Harness> {
  if (state === 'no account') return makeHarness();
  const h = await withAccount();
  if (state === 'locked') await h.ok('lock');
  return h;
}

type Row = [AdminMethod, State, number, Params];
const rows = (pick: (c: Case) => Params[] | undefined): Row[] =>
  (Object.keys(CASES) as AdminMethod[]).flatMap((m) => (pick(CASES[m]) ?? []).flatMap((p, i) => STATES.map((s): Row => [m, s, i, p])));

describe('locked means locked: every admin method × vault state', () => {
  it.each(rows((c) => c.loosen))('%s while %s, loosening call #%i', async (method, state, i, params) => {
    const h = await harnessIn(state);
    const s = await seed(h);
    const before = await snap(h);
    const r = await h.admin(method, params(s));
    const expected = CASES[method].loosenCodesAt?.[i]?.[state] ?? CASES[method].loosenCodes?.[state] ?? (state === 'unlocked' ? 'ok' : undefined);
    if (expected !== undefined) {
      expect(code(r), JSON.stringify(r)).toBe(expected);
      return;
    }
    expect(r).toEqual({ ok: false, error: { code: 'locked', message: expect.stringContaining('Unlock to loosen') } });
    expect(await snap(h)).toEqual(before);
    expect(h.ctx.vault.locked).toBe(true);
  });

  it.each(rows((c) => c.allowed))('%s while %s, tightening or neutral call #%i goes through', async (method, state, _i, params) => {
    const h = await harnessIn(state);
    const s = await seed(h);
    const r = await h.admin(method, params(s));
    expect(code(r), JSON.stringify(r)).toBe(CASES[method].allowedCodes?.[state] ?? 'ok');
  });

  it.each(rows((c) => (c.read ? [c.read] : undefined)))('%s while %s reads and is never refused for the lock', async (method, state, _i, params) => {
    const h = await harnessIn(state);
    const s = await seed(h);
    const before = await snap(h);
    const r = await h.admin(method, params(s));
    expect(code(r)).not.toBe('locked');
    const after = await snap(h);
    // export_account and backup_export check the password: a right one leaves the back-off as it was.
    expect(after).toEqual(before);
  });

  it('every method has at least one case', () => {
    for (const [method, c] of Object.entries(CASES)) expect(c.read ?? c.loosen ?? c.allowed, method).toBeDefined();
  });
});

describe('locked means locked: the edges', () => {
  it('a prompt that still waits when the vault locks cannot be answered with a remembered allow; deny still works', async () => {
    const h = await withAccount();
    const call = h.sign(SITE);
    const [pending] = await waitPending(h, 1);
    await h.ok('lock');
    const before = await snap(h);
    expect(code(await h.admin('resolve_prompt', { promptId: pending!.promptId, decision: 'allow', scope: 'method' }))).toBe('locked');
    expect(await snap(h)).toEqual(before);
    expect((await h.pending()).map((p) => p.promptId)).toEqual([pending!.promptId]);
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny', scope: 'kind' });
    expect(code(await call)).toBe('denied');
    expect((await h.ok('get_policies')).overrides).toMatchObject([{ effect: 'deny', method: 'sign_event', kind: 1 }]);
  });

  it('while locked, calls are judged one at a time: a cap lowered to 1 cannot be raised back by a call judged at the same moment', async () => {
    const h = await withAccount();
    const s = await seed(h);
    await h.ok('lock');
    const [a, b] = await Promise.all([
      h.admin('update_policy_rule', { ruleId: s.cappedRuleId, maxUsageCount: 1 }),
      h.admin('update_policy_rule', { ruleId: s.cappedRuleId, maxUsageCount: 3 }),
    ]);
    expect([code(a), code(b)]).toEqual(['ok', 'locked']);
    expect((await h.ctx.db.rules.get(s.cappedRuleId))!.maxUsageCount).toBe(1);
  });

  it('after unlocking, the same loosening call works', async () => {
    const h = await withAccount();
    await h.ok('lock');
    expect(code(await h.admin('set_settings', { sensitiveKinds: [] }))).toBe('locked');
    await h.ok('unlock', { password: PW });
    expect(code(await h.admin('set_settings', { sensitiveKinds: [] }))).toBe('ok');
    expect((await h.ok('get_settings')).sensitiveKinds).toEqual([]);
  });

  it('delete_account: a wrong password is denied (and counted), a right one while locked is still refused', async () => {
    const h = await withAccount();
    const { accountId } = h.account;
    expect(code(await h.admin('delete_account', { accountId, password: 'not the password' }))).toBe('denied');
    expect((await h.ok('list_accounts')).accounts).toHaveLength(1);
    const backoff = (await h.ctx.db.settings.get(['vault', 'passwordBackoff']))?.value as Any;
    expect(backoff.failures).toBe(1);
    await h.ok('lock');
    expect(code(await h.admin('delete_account', { accountId, password: PW }))).toBe('locked');
    await h.ok('unlock', { password: PW });
    expect(code(await h.admin('delete_account', { accountId, password: PW }))).toBe('ok');
    expect((await h.ok('list_accounts')).accounts).toEqual([]);
  });

  it('a first-run restore (no key here) that brings its keys may loosen; one that brings none may not', async () => {
    const one = await withAccount();
    await one.ok('grant', { origin: NEW, rules: [{ method: 'sign_event' }] });
    const { backup } = await one.ok('backup_export', { password: PW });
    const fresh = makeHarness();
    expect(await fresh.ok('restore_apply', { backup, password: PW, acceptLoosening: true })).toMatchObject({ accountsAdded: 1, skipped: 0 });
    expect((await fresh.ok('get_policies')).grants).toHaveLength(1);

    const keyless = JSON.parse(backup);
    keyless.accounts = [];
    keyless.grants = [];
    keyless.settings.retention = { activityDays: 1, signingLogDays: null };
    const empty = makeHarness();
    const before = await snap(empty);
    expect(code(await empty.admin('restore_apply', { backup: JSON.stringify(keyless), password: PW, acceptLoosening: true }))).toBe('locked');
    expect(await snap(empty)).toEqual(before);
  });
});
