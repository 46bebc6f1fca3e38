import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import Dexie from 'dexie';
import { appendLog } from './signingLog.ts';
import { canonicalText, entryHash, GENESIS } from './chainHash.ts';
import { chainReady, flushHead, type HeadRow } from './logChain.ts';
import { verifyChain } from './logVerify.ts';
import { pruneLogs } from './retention.ts';
import { SCHEMA_V1, WardenDb } from './schema.ts';
import type { SigningLogEntry } from '../policy/records.ts';
import type { WardenDb as Db } from './schema.ts';
import { appendEntries, appendEntry, A, B, freshDb, grant, logEntry, openDb, S, T, type LogRow } from '../test/db.ts';
import { uniqueDbName } from '../test/fixtures.ts';

const DAY = 86_400_000;
const all = (d: Db) => d.signingLog.orderBy('id').toArray();
/** The stored head once it has caught up (it is written behind the commits, in a task of its own). */
const head = async (d: Db) => {
  await flushHead(d);
  return ((await d.logChain.get('head')) as HeadRow | undefined)?.hash ?? null;
};

/** n entries of alternating sites and methods, one minute apart, ending at `end`. */
function rows(n: number, end = T): LogRow[] {
  return Array.from({ length: n }, (_, i) => (i % 3 === 2 ? logEntry(B, 'nip44_encrypt', end - (n - i) * 60_000) : logEntry(A, 'sign_event', end - (n - i) * 60_000, i % 2 ? 7 : 1)));
}

/** Every entry links to the one before it and matches its own hash. */
function expectLinked(entries: SigningLogEntry[]) {
  let prev = GENESIS;
  for (const e of entries) {
    expect(e.prevHash, `#${e.id} prevHash`).toBe(prev);
    expect(e.hash, `#${e.id} hash`).toBe(entryHash(prev, e));
    prev = e.hash!;
  }
  return prev;
}

describe('the canonical form', () => {
  it('is the JSON array documented in docs/ARCHITECTURE.md, absent fields null, hashed with SHA-256', () => {
    const e = { origin: 'https://a.example', accountId: 1, method: 'sign_event' as const, kind: 1, createdAt: 1_700_000_000_000, eventId: 'ab'.repeat(32), seqMethod: 3, seqKind: 2 };
    const text = canonicalText(GENESIS, e);
    expect(text).toBe(`["warden-log/1","${GENESIS}","https://a.example",1,"sign_event",1,1700000000000,null,"${'ab'.repeat(32)}",null,3,2]`);
    // An independent SHA-256 (node:crypto) over the UTF-8 bytes gives the same hash.
    expect(entryHash(GENESIS, e)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    // The id and the chain fields themselves are not part of it; non-ASCII text is hashed as UTF-8.
    expect(canonicalText(GENESIS, { ...e, id: 9, hash: 'x', prevHash: 'y' } as never)).toBe(text);
    // A field added later (peer) trails the fixed ones only when present: older entries keep their hashes.
    expect(canonicalText(GENESIS, { ...e, peer: null } as never)).toBe(text);
    expect(canonicalText(GENESIS, { ...e, peer: 'cd'.repeat(32) } as never)).toBe(`${text.slice(0, -1)},"${'cd'.repeat(32)}"]`);
    const u = { ...e, origin: 'https://bücher.example' };
    expect(entryHash(GENESIS, u)).toBe(createHash('sha256').update(canonicalText(GENESIS, u), 'utf8').digest('hex'));
  });
});

describe('appending', () => {
  it('chains every entry to the one before, across transactions, and keeps the head row', async () => {
    const d = freshDb();
    await appendEntries(d, rows(5, T - DAY));
    await appendEntry(d, logEntry(A, 'sign_event', T, 1));
    await appendEntries(d, rows(4, T + DAY));
    const entries = await all(d);
    expect(entries).toHaveLength(10);
    expect(entries[0]!.prevHash).toBe(GENESIS);
    expect(await head(d)).toBe(expectLinked(entries));
    expect(await verifyChain(d)).toEqual({ entries: 10, intact: true });
  });

  it('concurrent appends in one transaction chain in the order they were made', async () => {
    const d = freshDb();
    const batch = (n: number, at: number) =>
      d.transaction('rw', d.signingLog, d.logChain, () => Promise.all(Array.from({ length: n }, (_, i) => appendLog(d, logEntry(`https://s${i}.example`, 'sign_event', at + i, 1)))));
    await batch(6, T); // the head is read once, by whichever comes first; the others wait for it
    await batch(6, T + 100); // the head is in memory
    const entries = await all(d);
    expect(entries.map((e) => e.origin)).toEqual([...Array(2)].flatMap(() => Array.from({ length: 6 }, (_, i) => `https://s${i}.example`)));
    expect(await head(d)).toBe(expectLinked(entries));
    expect((await verifyChain(d)).intact).toBe(true);
  });

  it('reads the head row once; later appends seek nothing for the chain', async () => {
    const d = freshDb();
    await appendEntry(d, logEntry(A, 'sign_event', T, 1));
    const get = vi.spyOn(d.logChain, 'get');
    const orderBy = vi.spyOn(d.signingLog, 'orderBy');
    await d.transaction('rw', d.signingLog, d.logChain, async () => {
      for (let i = 1; i <= 5; i++) await appendLog(d, logEntry(A, 'sign_event', T + i, 1));
    });
    expect(get).not.toHaveBeenCalled();
    expect(orderBy).not.toHaveBeenCalled();
    expect((await verifyChain(d)).intact).toBe(true);
  });

  it('a worker restart reads the head from its row and goes on from it', async () => {
    const name = uniqueDbName('chain');
    const first = openDb(name);
    await appendEntries(first, rows(3));
    first.close();
    const second = openDb(name);
    await appendEntries(second, rows(3, T + DAY));
    expectLinked(await all(second));
    expect((await verifyChain(second)).intact).toBe(true);
  });

  it('a transaction that fails after linking leaves no trace: the next entry links to the last committed one', async () => {
    const d = freshDb();
    await appendEntries(d, rows(2));
    const failed = d.transaction('rw', d.signingLog, d.logChain, async () => {
      await appendLog(d, logEntry(A, 'sign_event', T + 1, 1));
      throw new Error('the operation failed after the append');
    });
    await expect(failed).rejects.toThrow(/failed after/);
    await appendEntry(d, logEntry(A, 'sign_event', T + 2, 1));
    const entries = await all(d);
    expect(entries).toHaveLength(3);
    expectLinked(entries);
    expect((await verifyChain(d)).intact).toBe(true);
  });

  it('without a head row (a log written by hand) the chain goes on from the newest entry', async () => {
    const d = freshDb();
    await appendEntries(d, rows(3));
    const name = d.name;
    d.close();
    const raw = openDb(name);
    await raw.logChain.delete('head');
    await appendEntry(raw, logEntry(A, 'sign_event', T + 5, 1));
    expectLinked(await all(raw));
  });
});

describe('the head row, written behind the appends (docs/ARCHITECTURE.md, Signing-log hash chain)', () => {
  const headRow = async (d: Db) => (await d.logChain.get('head')) as HeadRow | undefined;

  it('an append needs no logChain in its transaction once the head is in memory: no second put on the hot path', async () => {
    const d = freshDb();
    await appendEntries(d, rows(2));
    await chainReady(d);
    await flushHead(d);
    const put = vi.spyOn(d.logChain, 'put');
    // A transaction over signingLog alone: touching logChain inside it would throw.
    await d.transaction('rw', d.signingLog, () => appendLog(d, logEntry(A, 'sign_event', T + 1, 1)));
    await d.transaction('rw', d.signingLog, async () => {
      await appendLog(d, logEntry(A, 'sign_event', T + 2, 1));
      await appendLog(d, logEntry(A, 'sign_event', T + 3, 1));
    });
    await flushHead(d);
    const entries = await all(d);
    expectLinked(entries);
    // Written after the commits, naming the newest entry by hash and id; never more often than the transactions.
    expect(await headRow(d)).toEqual({ key: 'head', hash: entries[4]!.hash, id: entries[4]!.id });
    expect(put.mock.calls.length).toBeGreaterThan(0);
    expect(put.mock.calls.length).toBeLessThanOrEqual(2);
  });

  it('a head row that trails the newest entries (a worker stopped before writing it) still verifies; removing its entry is found', async () => {
    const d = freshDb();
    await appendEntries(d, rows(6));
    await flushHead(d);
    const entries = await all(d);
    await d.logChain.put({ key: 'head', hash: entries[3]!.hash!, id: entries[3]!.id });
    const reopened = openDb(d.name);
    d.close();
    expect(await verifyChain(reopened)).toEqual({ entries: 6, intact: true });
    await reopened.signingLog.bulkDelete([entries[3]!.id, entries[4]!.id, entries[5]!.id]);
    expect(await verifyChain(reopened)).toMatchObject({ intact: false, firstBrokenId: entries[3]!.id });
  });

  it('after the newest entries were removed and the worker restarted, the next entry links to the removed one: the removal stays visible', async () => {
    const d = freshDb();
    await appendEntries(d, rows(5));
    await flushHead(d);
    const name = d.name;
    d.close();
    const raw = openDb(name);
    await raw.signingLog.bulkDelete([4, 5]);
    raw.close();
    const restarted = openDb(name);
    await appendEntry(restarted, logEntry(A, 'sign_event', T + 10, 1));
    const entries = await all(restarted);
    expect(entries.map((e) => e.id)).toEqual([1, 2, 3, 6]);
    expect(await verifyChain(restarted)).toMatchObject({ intact: false, firstBrokenId: 4 });
  });

  it('a head row from before the written-behind head (no id) is taken as exact', async () => {
    const d = freshDb();
    await appendEntries(d, rows(3));
    await flushHead(d);
    const entries = await all(d);
    await d.logChain.put({ key: 'head', hash: entries[2]!.hash! });
    const restarted = openDb(d.name);
    d.close();
    await appendEntry(restarted, logEntry(A, 'sign_event', T + 1, 1));
    expectLinked(await all(restarted));
    expect((await verifyChain(restarted)).intact).toBe(true);
  });

  it('pruning brings a trailing head row up first, so a log pruned to nothing still names its end', async () => {
    const d = freshDb();
    await appendEntries(d, rows(4, T - 30 * DAY));
    await flushHead(d);
    const entries = await all(d);
    await d.logChain.put({ key: 'head', hash: entries[1]!.hash!, id: entries[1]!.id });
    const restarted = openDb(d.name);
    d.close();
    await pruneLogs(restarted, () => ({ now: T, sessionId: S }), { activityDays: null, signingLogDays: 1 });
    expect(await restarted.signingLog.count()).toBe(0);
    expect(await headRow(restarted)).toEqual({ key: 'head', hash: entries[3]!.hash, id: entries[3]!.id });
    expect(await verifyChain(restarted)).toEqual({ entries: 0, intact: true });
  });
});

/** Changes made to a chained log of 8 entries behind the extension's back, and where the walk must find them. */
const TAMPERS: [string, (d: Db, ids: number[]) => Promise<unknown>, number | 'intact'][] = [
  ['nothing changed', async () => {}, 'intact'],
  ['an entry in the middle deleted', (d, ids) => d.signingLog.delete(ids[4]!), 5],
  ['the first entry deleted', (d, ids) => d.signingLog.delete(ids[0]!), 1],
  ['the newest entry deleted', (d, ids) => d.signingLog.delete(ids[7]!), 8],
  ['the two newest entries deleted', (d, ids) => d.signingLog.bulkDelete([ids[6]!, ids[7]!]), 7],
  ['every entry deleted (the head row stays)', (d) => d.signingLog.clear(), 1],
  ['three entries in the middle deleted', (d, ids) => d.signingLog.bulkDelete(ids.slice(2, 5)), 3],
  ['origin altered', (d, ids) => d.signingLog.update(ids[3]!, { origin: 'https://evil.example' }), 4],
  ['createdAt altered', (d, ids) => d.signingLog.update(ids[5]!, { createdAt: T - 99 * DAY }), 6],
  ['kind altered', (d, ids) => d.signingLog.update(ids[0]!, { kind: 3 }), 1],
  ['accountId altered', (d, ids) => d.signingLog.update(ids[6]!, { accountId: 2 }), 7],
  ['a sequence number altered (would loosen a cap count)', (d, ids) => d.signingLog.update(ids[2]!, { seqMethod: 99 }), 3],
  ['the hash rewritten to match an altered entry', async (d, ids) => {
    const e = (await d.signingLog.get(ids[3]!))!;
    const changed = { ...e, origin: 'https://evil.example' };
    await d.signingLog.put({ ...changed, hash: entryHash(changed.prevHash!, changed) });
  }, 5],
  ['the chain fields removed from an entry', (d, ids) => d.signingLog.update(ids[2]!, { hash: undefined, prevHash: undefined }), 3],
  ['two entries swapped (reordered)', async (d, ids) => {
    const [x, y] = [(await d.signingLog.get(ids[2]!))!, (await d.signingLog.get(ids[3]!))!];
    await d.signingLog.bulkPut([{ ...y, id: x.id }, { ...x, id: y.id }]);
  }, 3],
  ['an entry moved to the end (reordered)', async (d, ids) => {
    const e = (await d.signingLog.get(ids[1]!))!;
    await d.signingLog.delete(e.id);
    await d.signingLog.add({ ...e, id: ids[7]! + 1 });
  }, 2],
  ['an unchained entry slipped in', (d) => d.signingLog.add({ ...logEntry(A, 'sign_event', T, 1), id: 100 } as SigningLogEntry), 100],
  ['the head row deleted', (d) => d.logChain.delete('head'), 9],
];

describe('verifyChain finds a change at the right entry', () => {
  it.each(TAMPERS)('%s', async (_name, tamper, expected) => {
    for (const chunk of [1_000, 3]) {
      const d = freshDb();
      await appendEntries(d, rows(8));
      // The head row written behind the appends lands before anything is changed.
      await flushHead(d);
      const ids = (await all(d)).map((e) => e.id);
      expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      await tamper(d, ids);
      const result = await verifyChain(d, chunk);
      if (expected === 'intact') expect(result, `chunk ${chunk}`).toEqual({ entries: 8, intact: true });
      else expect(result, `chunk ${chunk}`).toMatchObject({ intact: false, firstBrokenId: expected });
    }
  });

  it('an empty log that never had an entry is intact', async () => {
    expect(await verifyChain(freshDb())).toEqual({ entries: 0, intact: true });
  });
});

describe('retention keeps checkpoints', () => {
  const clock = () => ({ now: T, sessionId: S });

  it('a log pruned at the front, with kept entries in between, still verifies; a later removal is still found', async () => {
    const d = freshDb();
    // A lifetime cap on B's encrypts keeps those entries whatever their age: holes, not one prefix.
    await grant(d, B, [{ method: 'nip44_encrypt', maxUsageCount: 1_000 }], T - 100 * DAY);
    await appendEntries(d, rows(30, T - 20 * DAY));
    await appendEntries(d, rows(6, T));
    const before = await all(d);
    const result = await pruneLogs(d, clock, { activityDays: null, signingLogDays: 7 });
    expect(result.signingLogDeleted).toBe(20);
    expect(result.signingLogKept).toBe(10);
    const kept = await all(d);
    expect(kept).toHaveLength(16);
    expect(kept[0]!.id).toBeGreaterThan(before[0]!.id);
    expect(await verifyChain(d)).toEqual({ entries: 16, intact: true });
    // The checkpoint before the first kept entry is the hash of the entry just before it.
    const checkpoints = await d.logChain.where('key').startsWith('cp:').toArray();
    expect(checkpoints.some((cp) => 'prevHash' in cp && cp.prevHash === GENESIS && cp.lastHash === kept[0]!.prevHash)).toBe(true);

    // Appending after a prune goes on from the head; removing a kept entry is still caught.
    await appendEntry(d, logEntry(A, 'sign_event', T + 1, 1));
    expect((await verifyChain(d)).intact).toBe(true);
    const victim = kept[5]!.id;
    await d.signingLog.delete(victim);
    expect(await verifyChain(d)).toMatchObject({ intact: false, firstBrokenId: victim });
  });

  it('runs pruned at different times merge; a log pruned to nothing verifies', async () => {
    const d = freshDb();
    await appendEntries(d, rows(12, T - 30 * DAY));
    await appendEntries(d, rows(12, T - 10 * DAY));
    await appendEntries(d, rows(3, T));
    await pruneLogs(d, clock, { activityDays: null, signingLogDays: 20 });
    expect(await verifyChain(d)).toEqual({ entries: 15, intact: true });
    await pruneLogs(d, clock, { activityDays: null, signingLogDays: 5 });
    expect(await verifyChain(d)).toEqual({ entries: 3, intact: true });
    expect(await d.logChain.where('key').startsWith('cp:').count()).toBe(1);
    await pruneLogs(d, () => ({ now: T + 30 * DAY, sessionId: S }), { activityDays: null, signingLogDays: 1 });
    expect(await d.signingLog.count()).toBe(0);
    expect(await verifyChain(d)).toEqual({ entries: 0, intact: true });
    await appendEntry(d, logEntry(A, 'sign_event', T + 31 * DAY, 1));
    expect(await verifyChain(d)).toEqual({ entries: 1, intact: true });
  });
});

describe('schema version 5 chains an older log once', () => {
  async function v3Log(name: string) {
    const v3 = new Dexie(name);
    v3.version(1).stores(SCHEMA_V1);
    v3.version(2).stores(SCHEMA_V1);
    v3.version(3).stores(SCHEMA_V1);
    await v3.open();
    const old = rows(7).map((r, i) => ({ ...r, seqMethod: i + 1, eventId: `${i}`.padStart(64, 'e') }));
    await v3.table('signingLog').bulkAdd(old);
    const stored = await v3.table('signingLog').toArray();
    v3.close();
    return stored as SigningLogEntry[];
  }

  it('every entry gets its link, nothing else changes, the chain verifies and goes on', async () => {
    const name = uniqueDbName('upgrade5');
    const before = await v3Log(name);
    const d = openDb(name);
    await d.open();
    expect(d.verno).toBe(7);
    const after = await all(d);
    expect(after).toHaveLength(before.length);
    after.forEach((e, i) => {
      const { prevHash: _p, hash: _h, ...rest } = e;
      expect(rest).toEqual(before[i]);
    });
    expect(await head(d)).toBe(expectLinked(after));
    expect(await verifyChain(d)).toEqual({ entries: 7, intact: true });
    await appendEntry(d, logEntry(A, 'sign_event', T + 1, 1));
    expect(await verifyChain(d)).toEqual({ entries: 8, intact: true });
    d.close();

    // Opening it again chains nothing a second time.
    const again = openDb(name);
    const hashes = (await all(again)).map((e) => e.hash);
    expect(hashes).toHaveLength(8);
    expect(new Set(hashes).size).toBe(8);
    expect((await verifyChain(again)).intact).toBe(true);
  });

  it('an empty version-3 database upgrades with no head row and verifies', async () => {
    const name = uniqueDbName('upgrade5');
    const v3 = new Dexie(name);
    v3.version(3).stores(SCHEMA_V1);
    await v3.open();
    v3.close();
    const d = new WardenDb(name);
    expect(await verifyChain(d)).toEqual({ entries: 0, intact: true });
    expect(await d.logChain.count()).toBe(0);
    d.close();
  });
});
