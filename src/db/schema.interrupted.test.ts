// docs/THREATS.md #27: an upgrade that fails midway leaves the database as it was. IndexedDB runs a
// version change as one transaction, and Dexie runs every upgrade step inside it; these tests pin
// that down for Warden's own database: a failing step is appended on a subclass (after every real
// version, whatever that is now), so the real steps run first and must be rolled back with it.
import { describe, expect, it } from 'vitest';
import Dexie, { type Transaction } from 'dexie';
import { ALL_STORES, SCHEMA_V1, WardenDb } from './schema.ts';
import { uniqueDbName } from '../test/fixtures.ts';
import { code, makeHarness, SITE } from '../test/background.ts';

const A = 'https://a.example';
const T = 1_700_000_000_000;
/** The newest version the extension declares today. */
const CURRENT = new WardenDb(uniqueDbName('verno')).verno;
const NEXT = CURRENT + 1;

/** The extension's database with one more version whose upgrade is `step` (and `stores`, if given). */
class UpgradedDb extends WardenDb {
  constructor(name: string, step: (tx: Transaction) => Promise<unknown>, stores: Record<string, string> = {}) {
    super(name);
    this.version(NEXT).stores(stores).upgrade(step);
  }
}

/** Every row of every store and the version, read without declaring any schema (Dexie's dynamic mode). */
async function readBack(name: string): Promise<{ version: number; rows: Record<string, unknown[]> }> {
  const db = new Dexie(name);
  await db.open();
  const rows: Record<string, unknown[]> = {};
  // A store a later version adds (e.g. logTally) is absent from an old database: it reads as empty.
  const present = new Set(db.tables.map((t) => t.name));
  for (const store of ALL_STORES) rows[store] = present.has(store) ? await db.table(store).toArray() : [];
  const version = db.verno;
  db.close();
  return { version, rows };
}

/** Rows of every store, written through `db` (open at whatever version it declares). */
async function fill(db: Dexie): Promise<void> {
  await db.table('accounts').bulkAdd([
    { pubkey: 'a'.repeat(64), label: 'Main', ncryptsec: 'ncryptsec1main', createdAt: T - 10_000 },
    { pubkey: 'b'.repeat(64), label: 'Alt', ncryptsec: 'ncryptsec1alt', createdAt: T - 9_000 },
  ]);
  await db.table('grants').bulkAdd([
    { origin: A, accountId: 1, createdAt: T - 5_000, expiresAt: null, revokedAt: null, onCapReached: 'deny' },
    { origin: A, accountId: 2, createdAt: T - 4_000, expiresAt: null, revokedAt: T - 3_000, onCapReached: 'ask' },
  ]);
  await db.table('rules').bulkAdd([
    { grantId: 1, method: 'sign_event', kind: null, maxUsageCount: 2, windowSeconds: 3_600 },
    { grantId: 1, method: 'sign_event', kind: 1, maxUsageCount: null, windowSeconds: null },
    { grantId: 2, method: 'get_public_key', kind: null, maxUsageCount: null, windowSeconds: null },
  ]);
  await db.table('overrides').add({ origin: A, accountId: 1, method: 'sign_event', kind: 0, effect: 'deny', createdAt: T - 1_000, expiresAt: null, revokedAt: null });
  await db.table('signingLog').bulkAdd([
    { origin: A, accountId: 1, method: 'sign_event', kind: 1, createdAt: T - 60_000, grantId: 1, eventId: 'e'.repeat(64) },
    { origin: A, accountId: 1, method: 'sign_event', kind: 1, createdAt: T - 30_000, grantId: 1 },
  ]);
  await db.table('activity').add({ origin: A, method: 'sign_event', kind: 0, outcome: 'denied', reason: 'deny override', createdAt: T - 500 });
  await db.table('settings').bulkAdd([
    { collection: 'prefs', key: 'autoLockMinutes', value: 12 },
    // The first default list: the real version 3 step rewrites it when it runs.
    { collection: 'prefs', key: 'sensitiveKinds', value: [0, 3, 5, 10002] },
  ]);
}

/** A database as the current extension leaves it, filled. */
async function atCurrent(name: string): Promise<void> {
  const db = new WardenDb(name);
  await db.open();
  await fill(db);
  db.close();
}

/** A database as version 1 of the extension left it, filled: upgrading it runs every real step. */
async function atV1(name: string): Promise<void> {
  const db = new Dexie(name);
  db.version(1).stores(SCHEMA_V1);
  await db.open();
  await fill(db);
  db.close();
}

/** Upgrade steps that break midway, each after it has already rewritten rows. */
const FAILURES: { name: string; step: (tx: Transaction) => Promise<unknown>; stores: Record<string, string>; error: RegExp }[] = [
  {
    name: 'a step that throws after reviving a grant, emptying the log and deleting an account',
    step: async (tx: Transaction) => {
      await tx.table('grants').toCollection().modify((g) => void (g.revokedAt = null));
      await tx.table('signingLog').clear();
      await tx.table('accounts').delete(2);
      throw new Error('the upgrade step crashed');
    },
    stores: {},
    error: /the upgrade step crashed/,
  },
  {
    name: 'a modify that fails on its second row, after other tables were rewritten',
    step: async (tx: Transaction) => {
      await tx.table('rules').toCollection().modify((r) => void (r.maxUsageCount = null));
      let n = 0;
      await tx.table('overrides').toCollection().modify((o) => void (o.effect = 'allow'));
      return tx
        .table('signingLog')
        .toCollection()
        .modify(() => {
          if (++n === 2) throw new Error('a row could not be moved');
        });
    },
    stores: {},
    error: /a row could not be moved/,
  },
  {
    name: 'a new unique index that the stored rows violate (the browser aborts the version change)',
    step: async (tx: Transaction) => {
      await tx.table('settings').put({ collection: 'prefs', key: 'autoLockMinutes', value: 0 });
    },
    stores: { rules: '++id, grantId, &method' },
    error: /AbortError/,
  },
];

describe('an upgrade interrupted midway (docs/THREATS.md #27)', () => {
  describe.each([
    { from: 'the current version', create: atCurrent, fromVersion: CURRENT },
    { from: 'version 1 (the real upgrade steps run first, and are undone too)', create: atV1, fromVersion: 1 },
  ])('from $from', ({ create, fromVersion }) => {
    it.each(FAILURES)('$name: the open fails clearly, and every row and the version are as before', async ({ step, stores, error }) => {
      const name = uniqueDbName('interrupted');
      await create(name);
      const before = await readBack(name);
      expect(before.version).toBe(fromVersion);

      const db = new UpgradedDb(name, step, stores);
      const failure = await db.open().then(
        () => null,
        (e: Error) => e,
      );
      expect(failure, 'the open failed').toBeInstanceOf(Error);
      expect(`${failure!.name}: ${failure!.message}`).toMatch(error);
      expect(db.isOpen()).toBe(false);

      const after = await readBack(name);
      expect(after.version).toBe(fromVersion);
      expect(after.rows).toEqual(before.rows);
    });
  });

  it('a later upgrade that works moves the data and keeps every row', async () => {
    const name = uniqueDbName('interrupted');
    await atCurrent(name);
    const before = await readBack(name);
    await new UpgradedDb(name, FAILURES[0]!.step).open().catch(() => undefined);

    const db = new UpgradedDb(name, (tx) => tx.table('rules').toCollection().modify((r) => void (r.movedAt = T)));
    await db.open();
    expect(db.verno).toBe(NEXT);
    db.close();
    const after = await readBack(name);
    expect(after.version).toBe(NEXT);
    expect(after.rows.rules).toEqual((before.rows.rules as object[]).map((r) => ({ ...r, movedAt: T })));
    for (const store of ALL_STORES.filter((s) => s !== 'rules')) expect(after.rows[store], store).toEqual(before.rows[store]);
  });

  it('the background on a database whose upgrade fails: every request is refused with internal, nothing changes', async () => {
    const name = uniqueDbName('interrupted');
    await atCurrent(name);
    const before = await readBack(name);
    const h = makeHarness({ db: new UpgradedDb(name, FAILURES[0]!.step) });
    const replies = await Promise.all([h.sign(SITE), h.nip07(SITE, 'get_public_key'), h.admin('get_status'), h.admin('get_policies', {})]);
    expect(replies.map(code)).toEqual(['internal', 'internal', 'internal', 'internal']);
    h.ctx.db.close();
    expect(await readBack(name)).toEqual(before);
  });
});
