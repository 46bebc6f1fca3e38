// Version 7 adds the bunker's stores to a version-5 database: nothing already there is lost.
import { describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { SCHEMA_V1, SCHEMA_V4, SCHEMA_V5, WardenDb } from './schema.ts';
import { SCHEMA_V7 } from './bunkerSchema.ts';
import { uniqueDbName } from '../test/fixtures.ts';

describe('schema upgrade v5 → v7: the bunker stores', () => {
  it('keeps every row of a version-5 database and adds empty bunker stores', async () => {
    const name = uniqueDbName('upgrade7');
    const v5 = new Dexie(name);
    v5.version(1).stores(SCHEMA_V1);
    v5.version(4).stores(SCHEMA_V4);
    v5.version(5).stores(SCHEMA_V5);
    await v5.open();
    await v5.table('accounts').add({ pubkey: 'a'.repeat(64), label: 'Main', ncryptsec: 'ncryptsec1main', createdAt: 1 });
    await v5.table('grants').add({ origin: 'https://a.example', accountId: 1, createdAt: 2, expiresAt: null, revokedAt: null, onCapReached: 'deny' });
    await v5.table('settings').add({ collection: 'prefs', key: 'autoLockMinutes', value: 12 });
    await v5.table('logChain').put({ key: 'head', hash: 'h' });
    const before: Record<string, unknown[]> = {};
    for (const t of v5.tables) before[t.name] = await t.toArray();
    v5.close();

    const db = new WardenDb(name);
    await db.open();
    expect(db.verno).toBe(7);
    for (const [store, rows] of Object.entries(before)) expect(await db.table(store).toArray(), store).toEqual(rows);
    for (const store of Object.keys(SCHEMA_V7)) expect(await db.table(store).count(), store).toBe(0);
    db.close();
  });
});
