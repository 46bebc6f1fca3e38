// Constraints in the data layer: schema version 6 keeps a version-5 database whole, a constraint
// that does not fit its rule is refused with nothing stored, and a cap with peers counts its peers.
import { describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { SCHEMA_V1, SCHEMA_V4, SCHEMA_V5 } from './schema.ts';
import { addOverride, addRule, createGrant, listPolicies, updateRule } from './policy.ts';
import { ruleUsage } from './usage.ts';
import { adminParamSchemas } from '../shared/protocol.ts';
import { WardenError } from '../shared/errors.ts';
import { A, appendEntries, clockAt, freshDb, grant, logEntry, openDb, S, T } from '../test/db.ts';
import { snapshot, uniqueDbName } from '../test/fixtures.ts';

const X = 'a'.repeat(64);
const Y = 'b'.repeat(64);
const Z = 'c'.repeat(64);

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof WardenError ? `${err.code}: ${err.message}` : `not a WardenError: ${String(err)}`;
  }
  return 'resolved';
}

describe('schema version 6', () => {
  it('opens a version-5 database and loses nothing; old rules have no constraints and still decide', async () => {
    const name = uniqueDbName('v6');
    const v5 = new Dexie(name);
    v5.version(1).stores(SCHEMA_V1);
    v5.version(4).stores(SCHEMA_V4);
    v5.version(5).stores(SCHEMA_V5);
    await v5.open();
    const grantId = (await v5.table('grants').add({ origin: A, accountId: 1, createdAt: T, expiresAt: null, revokedAt: null, sessionId: null, onCapReached: 'deny' })) as number;
    await v5.table('rules').bulkAdd([
      { grantId, method: 'nip44_decrypt', kind: null, maxUsageCount: 3, windowSeconds: 60, createdAt: T, expiresAt: null, sessionId: null },
      { grantId, method: 'sign_event', kind: 22242, maxUsageCount: null, windowSeconds: null, createdAt: T, expiresAt: null, sessionId: null },
    ]);
    await v5.table('overrides').add({ origin: A, accountId: 1, method: 'sign_event', kind: 0, effect: 'deny', createdAt: T, expiresAt: null, revokedAt: null });
    await v5.table('signingLog').bulkAdd([
      { origin: A, accountId: 1, method: 'nip44_decrypt', createdAt: T + 1, seqMethod: 1, prevHash: '0'.repeat(64), hash: '1'.repeat(64) },
      { origin: A, accountId: 1, method: 'nip44_decrypt', createdAt: T + 2, seqMethod: 2, prevHash: '1'.repeat(64), hash: '2'.repeat(64) },
    ]);
    await v5.table('logChain').put({ key: 'head', hash: '2'.repeat(64) });
    const before: Record<string, unknown[]> = {};
    for (const t of v5.tables) before[t.name] = await t.toArray();
    v5.close();

    const d = openDb(name);
    await d.open();
    expect(d.verno).toBe(7);
    const after = await snapshot(d);
    for (const store of Object.keys(before)) if (store !== 'logChain') expect(after[store]).toEqual(before[store]);
    expect(await d.logChain.toArray()).toEqual(before.logChain);
    // The new index exists and old entries (no peer) simply are not in it.
    expect(d.signingLog.schema.idxByName['[origin+accountId+method+peer+createdAt]']).toBeDefined();
    const rule = (await d.rules.toArray())[0]!;
    expect((await ruleUsage(d, { origin: A, accountId: 1 }, rule, clockAt(T + 10))).used).toBe(2);
  });
});

describe('a constraint that does not fit is refused at write time, nothing stored', () => {
  it.each<[string, object]>([
    ['peers on sign_event', { method: 'sign_event', kind: 1, peers: [X] }],
    ['relays on kind 1', { method: 'sign_event', kind: 1, relays: ['wss://r.example'] }],
    ['urls on relay AUTH', { method: 'sign_event', kind: 22242, urls: ['https://a.com'] }],
    ['httpMethods on Blossom auth', { method: 'sign_event', kind: 24242, httpMethods: ['GET'] }],
    ['giftWraps on nip04_decrypt', { method: 'nip04_decrypt', giftWraps: true }],
  ])('%s', async (_name, bad) => {
    const d = freshDb();
    const grantId = await grant(d, A, [{ method: 'get_public_key' }]);
    const before = await snapshot(d);
    expect(await code(addRule(d, grantId, bad as never, T))).toMatch(/^invalid_request: .*apply|^invalid_request: giftWraps/);
    expect(await code(createGrant(d, { origin: A, accountId: 1, rules: [{ method: 'get_public_key' }, bad as never] }, T + 1, S))).toMatch(/^invalid_request/);
    expect(await code(addOverride(d, { origin: A, accountId: 1, effect: 'allow', ...(bad as { method: 'sign_event' }) }, T))).toMatch(/^invalid_request/);
    expect(await snapshot(d)).toEqual(before);
  });

  it('an update that would leave a constraint on the wrong method is refused and the rule stays', async () => {
    const d = freshDb();
    const grantId = await grant(d, A, [{ method: 'nip44_decrypt', peers: [X] }]);
    const [rule] = (await listPolicies(d, A)).rules;
    expect(await code(updateRule(d, rule!.id, { method: 'sign_event', kind: 1 }))).toMatch(/^invalid_request: peers apply only/);
    expect(await code(updateRule(d, rule!.id, { relays: ['wss://r.example'] }))).toMatch(/^invalid_request: relays apply only/);
    expect((await d.rules.get(rule!.id))).toMatchObject({ method: 'nip44_decrypt', peers: [X], relays: null, grantId });
    // Clearing with null works, and the lists are stored sorted without duplicates.
    expect(await updateRule(d, rule!.id, { peers: [Y, X, Y] })).toMatchObject({ peers: [X, Y] });
    expect(await updateRule(d, rule!.id, { peers: null })).toMatchObject({ peers: null });
  });

  it.each<[string, object, RegExp]>([
    ['an empty peers list ("any" is null)', { peers: [] }, /at least one value/],
    ['a peer that is not 64 hex', { peers: ['npub1xyz'] }, /64 lowercase hex/],
    ['a relay that is not ws(s)', { kind: 22242, relays: ['https://r.example'] }, /not a relay URL/],
    ['a URL that is not http(s)', { kind: 27235, urls: ['ftp://a.com'] }, /not an http\(s\) URL/],
    ['an unknown HTTP method', { kind: 27235, httpMethods: ['FETCH'] }, /not an HTTP method/],
  ])('the wire schema refuses %s', (_name, extra, message) => {
    const parsed = adminParamSchemas.add_policy_rule.safeParse({ grantId: 1, method: 'sign_event', ...extra });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(message);
  });

  it('the wire schema normalises relays, URLs and HTTP methods', () => {
    const parsed = adminParamSchemas.add_policy_rule.parse({ grantId: 1, method: 'sign_event', kind: 27235, urls: ['HTTPS://A.com/api/'], httpMethods: ['get'] });
    expect(parsed).toMatchObject({ urls: ['https://a.com/api'], httpMethods: ['GET'] });
    const auth = adminParamSchemas.grant.parse({ origin: A, rules: [{ method: 'sign_event', kind: 22242, relays: ['WSS://Relay.Example/'] }] });
    expect(auth.rules[0]).toMatchObject({ relays: ['wss://relay.example'] });
  });
});

describe('usage of a rule with peers (src/db/usage.ts)', () => {
  it('counts only its peers; with giftWraps only the gift-wrap layer (messages, not layers)', async () => {
    const d = freshDb();
    const dec = (createdAt: number, peer: string, kind?: number) => ({ ...logEntry(A, 'nip44_decrypt', createdAt, kind), peer });
    await appendEntries(d, [dec(T + 1, X), dec(T + 2, X), dec(T + 3, Y), dec(T + 4, Z), dec(T + 5, X, 1059), dec(T + 6, X), dec(T + 7, Y, 1059), { ...logEntry(A, 'nip44_decrypt', T + 8) }]);
    const at = clockAt(T + 100);
    const owner = { origin: A, accountId: 1 };
    const base = { method: 'nip44_decrypt' as const, kind: null, maxUsageCount: 10, windowSeconds: 3_600 };
    expect((await ruleUsage(d, owner, base, at)).used).toBe(8);
    expect((await ruleUsage(d, owner, { ...base, peers: [X] }, at)).used).toBe(4);
    expect((await ruleUsage(d, owner, { ...base, peers: [X, Y] }, at)).used).toBe(6);
    expect((await ruleUsage(d, owner, { ...base, peers: [Z] }, at)).used).toBe(1);
    expect((await ruleUsage(d, owner, { ...base, giftWraps: true }, at)).used).toBe(2);
    expect((await ruleUsage(d, owner, { ...base, giftWraps: true, peers: [X] }, at)).used).toBe(1);
    // Another site's entries for the same peer never count.
    await appendEntries(d, [{ ...logEntry('https://b.example', 'nip44_decrypt', T + 9), peer: X }]);
    expect((await ruleUsage(d, owner, { ...base, peers: [X] }, at)).used).toBe(4);
  });

  it('the window applies per peer, and a spent cap says when it frees', async () => {
    const d = freshDb();
    const dec = (createdAt: number, peer: string) => ({ ...logEntry(A, 'nip44_decrypt', createdAt), peer });
    await appendEntries(d, [dec(T, X), dec(T + 30_000, X), dec(T + 40_000, Y), dec(T + 50_000, X)]);
    const rule = { method: 'nip44_decrypt' as const, kind: null, maxUsageCount: 2, windowSeconds: 60, peers: [X] };
    const u = await ruleUsage(d, { origin: A, accountId: 1 }, rule, clockAt(T + 59_000), { frees: 'always' });
    expect(u.used).toBe(3);
    // Two of X's three must leave: the second (T + 30 s) leaves at T + 90 s.
    expect(u.freesAt).toBe(T + 90_000);
    expect((await ruleUsage(d, { origin: A, accountId: 1 }, rule, clockAt(T + 61_000))).used).toBe(2);
  });
});

describe('backup and restore keep constraints', () => {
  it('a restored rule and override name the same peers and relays (a restore never widens them)', async () => {
    const { buildBackup, parseBackup } = await import('./backupFile.ts');
    const { planRestore, applyPlan } = await import('./restorePlan.ts');
    const from = freshDb();
    await from.accounts.add({ pubkey: 'd'.repeat(64), label: 'Main', ncryptsec: `ncryptsec1${'q'.repeat(60)}`, createdAt: T } as never);
    await createGrant(from, { origin: A, accountId: 1, rules: [{ method: 'nip44_decrypt', peers: [X] }, { method: 'sign_event', kind: 22242, relays: ['wss://r.example'] }] }, T, S);
    await addOverride(from, { origin: A, accountId: 1, method: 'nip44_decrypt', effect: 'deny', peers: [Y] }, T);
    const parsed = parseBackup(JSON.stringify(await buildBackup(from, clockAt())));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.backup.grants[0]!.rules.map((r) => [r.peers, r.relays])).toEqual([[[X], null], [null, ['wss://r.example']]]);
    const to = freshDb();
    await to.accounts.add({ pubkey: 'd'.repeat(64), label: 'Main', ncryptsec: `ncryptsec1${'q'.repeat(60)}`, createdAt: T } as never);
    await applyPlan(to, await planRestore(to, parsed.backup, clockAt()), true, clockAt());
    const { rules, overrides } = await listPolicies(to, A);
    expect(rules.map((r) => [r.method, r.peers, r.relays])).toEqual([['nip44_decrypt', [X], null], ['sign_event', null, ['wss://r.example']]]);
    expect(overrides.map((o) => [o.effect, o.peers])).toEqual([['deny', [Y]]]);
  });
});
