import { describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { ALL_STORES, SCHEMA_V1, SCHEMA_V3, WardenDb } from './schema.ts';

/** The stores a version 1 to 3 database has (version 4 adds logTally). */
const V1_STORES = Object.keys(SCHEMA_V1) as (keyof typeof SCHEMA_V1)[];
import { countSince } from './signingLog.ts';
import { loadPolicyRecords } from './policy.ts';
import { getSetting } from './settings.ts';
import { decide, capsToCount } from '../policy/decide.ts';
import { uniqueDbName } from '../test/fixtures.ts';
import { A, T } from '../test/db.ts';
import { DEFAULT_SENSITIVE_KINDS } from '../shared/kinds.ts';

/** A database exactly as version 1 of the extension left it. */
async function createV1(name: string) {
  const v1 = new Dexie(name);
  v1.version(1).stores(SCHEMA_V1);
  await v1.open();
  await v1.table('accounts').bulkAdd([
    { pubkey: 'a'.repeat(64), label: 'Main', ncryptsec: 'ncryptsec1main', createdAt: T - 10_000 },
    { pubkey: 'b'.repeat(64), label: 'Alt', ncryptsec: 'ncryptsec1alt', createdAt: T - 9_000 },
  ]);
  const liveGrant = (await v1.table('grants').add({ origin: A, accountId: 1, createdAt: T - 5_000, expiresAt: null, revokedAt: null, onCapReached: 'deny' })) as number;
  const revokedGrant = (await v1.table('grants').add({ origin: A, accountId: 2, createdAt: T - 4_000, expiresAt: null, revokedAt: T - 3_000, onCapReached: 'ask' })) as number;
  const otherGrant = (await v1.table('grants').add({ origin: 'http://b.example:8080', accountId: 1, createdAt: T - 2_000, expiresAt: T + 86_400_000, onCapReached: 'deny' })) as number;
  // Version 1 rules carry no lifecycle (no createdAt / expiresAt / sessionId).
  await v1.table('rules').bulkAdd([
    { grantId: liveGrant, method: 'sign_event', kind: null, maxUsageCount: 2, windowSeconds: 3_600 },
    { grantId: liveGrant, method: 'get_public_key', kind: null, maxUsageCount: null, windowSeconds: null },
    { grantId: revokedGrant, method: 'sign_event', kind: 1, maxUsageCount: null, windowSeconds: null },
    { grantId: otherGrant, method: 'nip44_decrypt', kind: null, maxUsageCount: 10, windowSeconds: 60 },
    { grantId: 999, method: 'nip04_encrypt', kind: null, maxUsageCount: null, windowSeconds: null }, // orphan
  ]);
  await v1.table('overrides').bulkAdd([
    { origin: A, accountId: 1, method: 'sign_event', kind: 0, effect: 'deny', createdAt: T - 1_000, expiresAt: null, revokedAt: null },
    { origin: A, accountId: 1, method: 'nip04_decrypt', kind: null, effect: 'allow', createdAt: T - 900, expiresAt: null, revokedAt: T - 800 },
  ]);
  await v1.table('signingLog').bulkAdd([
    { origin: A, accountId: 1, method: 'sign_event', kind: 1, createdAt: T - 60_000, grantId: liveGrant, eventId: 'e'.repeat(64) },
    { origin: A, accountId: 1, method: 'sign_event', kind: 7, createdAt: T - 30_000, grantId: liveGrant },
    { origin: A, accountId: 1, method: 'nip44_encrypt', createdAt: T - 20_000 },
  ]);
  await v1.table('activity').bulkAdd([
    { origin: A, method: 'sign_event', kind: 1, outcome: 'allowed', reason: 'rule', createdAt: T - 60_000 },
    { origin: A, method: 'sign_event', kind: 0, outcome: 'denied', reason: 'deny override', createdAt: T - 500 },
  ]);
  await v1.table('settings').bulkAdd([
    { collection: 'prefs', key: 'autoLockMinutes', value: 12 },
    { collection: 'prefs', key: 'sensitiveKinds', value: [0, 3, 5, 10002, 30023] },
    { collection: 'vault', key: 'activeAccountId', value: 2 },
  ]);
  const before: Record<string, unknown[]> = {};
  for (const store of V1_STORES) before[store] = await v1.table(store).toArray();
  v1.close();
  return { before, liveGrant, revokedGrant, otherGrant };
}

describe('schema upgrade v1 → v2', () => {
  it('keeps every row, keeps revoked grants revoked, and gives rules createdAt from their grant', async () => {
    const name = uniqueDbName('upgrade');
    const { before, liveGrant, revokedGrant, otherGrant } = await createV1(name);

    const db = new WardenDb(name);
    await db.open();
    expect(db.verno).toBe(6);

    // Nothing lost: every row is still there with every field it had (an upgrade may add fields).
    for (const store of V1_STORES) {
      const rows = await db.table(store).toArray();
      expect(rows, store).toHaveLength(before[store]!.length);
      rows.forEach((row, i) => expect(row, `${store}[${i}]`).toMatchObject(before[store]![i] as object));
    }
    for (const store of ['accounts', 'grants', 'overrides', 'activity', 'settings'] as const) {
      expect(await db.table(store).toArray(), store).toEqual(before[store]);
    }

    // Revoked grants stay revoked, live ones stay live.
    expect((await db.grants.get(revokedGrant))?.revokedAt).toBe(T - 3_000);
    expect((await db.grants.get(liveGrant))?.revokedAt).toBeNull();

    // Rules: same rows, plus a lifecycle taken from their grant.
    const rules = await db.rules.toArray();
    expect(rules).toHaveLength(before.rules!.length);
    const grantCreated = new Map([
      [liveGrant, T - 5_000],
      [revokedGrant, T - 4_000],
      [otherGrant, T - 2_000],
    ]);
    for (const [i, rule] of rules.entries()) {
      const old = before.rules![i] as Record<string, unknown>;
      expect(rule).toMatchObject(old);
      expect(rule.createdAt).toBe(grantCreated.get(rule.grantId) ?? 0);
      expect(rule.expiresAt).toBeNull();
      expect(rule.sessionId).toBeNull();
    }

    // The migrated data still drives the same decisions and counts.
    expect(await getSetting(db, 'autoLockMinutes')).toBe(12);
    expect(await getSetting(db, 'activeAccountId')).toBe(2);
    // Counts over migrated log rows agree with a plain count of the rows.
    const log = await db.signingLog.toArray();
    for (const [method, kind, since] of [
      ['sign_event', null, T - 3_600_000],
      ['sign_event', null, T - 45_000],
      ['sign_event', 1, -Infinity],
      ['sign_event', 7, T - 45_000],
      ['nip44_encrypt', null, -Infinity],
    ] as const) {
      const brute = log.filter((e) => e.origin === A && e.accountId === 1 && e.method === method && (kind === null || e.kind === kind) && e.createdAt > since).length;
      expect(await countSince(db, { origin: A, accountId: 1, method, kind }, since), `${method}/${kind}/${since}`).toBe(brute);
    }
    expect(await countSince(db, { origin: A, accountId: 1, method: 'sign_event', kind: null }, T - 3_600_000)).toBe(2);
    const records = await loadPolicyRecords(db, A, 1, T);
    const clock = { now: T, sessionId: 'any' };
    const req = { method: 'sign_event' as const, kind: 1 };
    const usage = new Map<number, number>();
    for (const rule of capsToCount(req, records, clock)) usage.set(rule.id, 2);
    expect(decide(req, records, usage, clock).outcome).toBe('cap_exceeded');
    expect(decide({ method: 'sign_event', kind: 0 }, records, new Map(), clock).outcome).toBe('deny');
    // The revoked grant (account 2) allows nothing.
    expect(decide(req, await loadPolicyRecords(db, A, 2, T), new Map(), clock).outcome).toBe('ask');
    db.close();
  });

  it('opening an already upgraded database again changes nothing', async () => {
    const name = uniqueDbName('upgrade');
    await createV1(name);
    const first = new WardenDb(name);
    await first.open();
    const rules = await first.rules.toArray();
    first.close();
    const second = new WardenDb(name);
    await second.open();
    expect(await second.rules.toArray()).toEqual(rules);
    second.close();
  });

  it('a fresh database opens at the latest version with every store', async () => {
    const db = new WardenDb(uniqueDbName());
    await db.open();
    expect(db.verno).toBe(6);
    expect(db.tables.map((t) => t.name).sort()).toEqual([...ALL_STORES, 'logChain'].sort());
    db.close();
  });
});

describe('schema upgrade v2 → v3: credential kinds join the default sensitive kinds', () => {
  async function v2With(sensitive: number[] | undefined): Promise<string> {
    const name = uniqueDbName('upgrade3');
    const v2 = new Dexie(name);
    v2.version(1).stores(SCHEMA_V1);
    v2.version(2).stores(SCHEMA_V1);
    await v2.open();
    await v2.table('settings').put({ collection: 'prefs', key: 'autoLockMinutes', value: 12 });
    if (sensitive) await v2.table('settings').put({ collection: 'prefs', key: 'sensitiveKinds', value: sensitive });
    v2.close();
    return name;
  }
  it.each([
    ['the first default stored as is', [0, 3, 5, 10002], [...DEFAULT_SENSITIVE_KINDS]],
    ['the first default in another order', [10002, 5, 3, 0], [...DEFAULT_SENSITIVE_KINDS]],
    ['nothing stored', undefined, [...DEFAULT_SENSITIVE_KINDS]],
    ['a list the user edited (more)', [0, 3, 5, 10002, 30023], [0, 3, 5, 10002, 30023]],
    ['a list the user edited (fewer)', [3], [3]],
  ] as const)('%s', async (_name, stored, expected) => {
    const db = new WardenDb(await v2With(stored ? [...stored] : undefined));
    await db.open();
    expect(await getSetting(db, 'sensitiveKinds')).toEqual(expected);
    expect(await getSetting(db, 'autoLockMinutes')).toBe(12);
    db.close();
  });
});

describe('schema upgrade v3 → v4: the pruned tally', () => {
  it('a version-3 database (made with the previous schema) loses nothing and gets an empty tally that counts', async () => {
    const name = uniqueDbName('upgrade4');
    const v3 = new Dexie(name);
    v3.version(1).stores(SCHEMA_V1);
    v3.version(2).stores(SCHEMA_V1);
    v3.version(3).stores(SCHEMA_V3);
    await v3.open();
    await v3.table('accounts').add({ pubkey: 'a'.repeat(64), label: 'Main', ncryptsec: 'ncryptsec1main', createdAt: T - 10_000 });
    const gid = (await v3.table('grants').add({ origin: A, accountId: 1, createdAt: T - 5_000, expiresAt: null, revokedAt: null, onCapReached: 'deny' })) as number;
    await v3.table('rules').add({ grantId: gid, method: 'sign_event', kind: null, maxUsageCount: 3, windowSeconds: null, createdAt: T - 5_000, expiresAt: null, sessionId: null });
    await v3.table('overrides').add({ origin: A, accountId: 1, method: 'sign_event', kind: 0, effect: 'deny', createdAt: T - 1_000, expiresAt: null, revokedAt: null });
    await v3.table('signingLog').bulkAdd([
      { origin: A, accountId: 1, method: 'sign_event', kind: 1, createdAt: T - 60_000, seqMethod: 1, seqKind: 1 },
      { origin: A, accountId: 1, method: 'sign_event', kind: 7, createdAt: T - 30_000, seqMethod: 2, seqKind: 1 },
    ]);
    await v3.table('activity').add({ origin: A, method: 'sign_event', kind: 1, outcome: 'allowed', reason: 'rule', createdAt: T - 60_000 });
    await v3.table('settings').bulkAdd([
      { collection: 'prefs', key: 'autoLockMinutes', value: 12 },
      { collection: 'retention', key: 'logs', value: { activityDays: 90, signingLogDays: 30 } },
    ]);
    const before: Record<string, unknown[]> = {};
    for (const store of V1_STORES) before[store] = await v3.table(store).toArray();
    v3.close();

    const db = new WardenDb(name);
    await db.open();
    expect(db.verno).toBe(6);
    // Version 5 then chains the log (its own test is in logChain.test.ts): every field kept.
    const unchained = (rows: unknown[]) => rows.map((r) => {
      const { prevHash: _p, hash: _h, ...rest } = r as Record<string, unknown>;
      return rest;
    });
    for (const store of V1_STORES) {
      const rows = await db.table(store).toArray();
      expect(store === 'signingLog' ? unchained(rows) : rows, store).toEqual(before[store]);
    }
    expect(await db.logTally.count()).toBe(0);
    // The new table works at once: counts over the upgraded log are what they were.
    expect(await countSince(db, { origin: A, accountId: 1, method: 'sign_event', kind: null }, -Infinity)).toBe(2);
    await db.transaction('rw', db.logTally, () => db.logTally.put({ origin: A, accountId: 1, method: 'sign_event', kind: -1, day: 1, count: 4, firstId: 0, lastId: 0, firstAt: 1, lastAt: 2 }));
    expect(await db.logTally.count()).toBe(1);
    db.close();
  });
});
