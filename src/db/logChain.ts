// The signing log's hash chain in the database: the chain head (one row, and a copy in memory),
// linking each new entry, chaining a log that predates the chain, the checkpoints retention
// leaves (the walk over the whole chain is ./logVerify.ts). The rules themselves are in ./chainHash.ts;
// docs/ARCHITECTURE.md (Signing-log hash chain) explains them.
import Dexie, { type Transaction } from 'dexie';
import type { SigningLogEntry } from '../policy/records.ts';
import type { WardenDb } from './schema.ts';
import { entryHash, GENESIS, type CanonicalEntry, type Checkpoint } from './chainHash.ts';

/**
 * The hash of the newest entry ever appended (and, since it is written behind, that entry's id):
 * removing entries from the end breaks the chain. A row without `id` (written before version 8 of
 * the code, always in the entry's own transaction) names the newest entry exactly.
 */
export interface HeadRow {
  key: 'head';
  hash: string;
  id?: number;
}
/** A run of entries retention removed, keyed `cp:<lastHash>` (the hash the next entry names). */
export interface CheckpointRow extends Checkpoint {
  key: string;
}
export type ChainRow = HeadRow | CheckpointRow;

const HEAD = 'head';
const CP = 'cp:';
const cpKey = (lastHash: string) => `${CP}${lastHash}`;

interface Link {
  hash: string;
  id?: number;
}

/**
 * The chain in memory, per database object. The background is the log's only writer and its guard
 * runs one transaction at a time (src/background/serial.ts), so after the first read the head is
 * known without a seek. A transaction that fails after linking forgets it: the next append reads
 * again.
 */
interface HeadState {
  hash: string | undefined;
  loading: Promise<void> | undefined;
  /** The newest entry whose transaction committed: what the head row is brought up to. */
  committed: Link | undefined;
  /** The head row as last written by this worker. */
  written: Link | undefined;
  writing: Promise<void>;
}
const heads = new WeakMap<WardenDb, HeadState>();

function stateOf(db: WardenDb): HeadState {
  let s = heads.get(db);
  if (!s) heads.set(db, (s = { hash: undefined, loading: undefined, committed: undefined, written: undefined, writing: Promise.resolve() }));
  return s;
}

/**
 * Where the next entry links: the newest entry, unless the head row names a newer one (entries
 * were removed from the end: the next entry then links to the removed one, so the break stays
 * visible), or the head row alone when the log is empty (pruned to nothing). A head row without
 * an id predates the written-behind head and is exact.
 */
function nextLink(newest: SigningLogEntry | undefined, row: HeadRow | undefined): string {
  const newestHash = typeof newest?.hash === 'string' ? newest.hash : undefined;
  if (!row) return newestHash ?? GENESIS;
  if (row.id === undefined || !newest || newestHash === undefined) return row.hash;
  return newest.id >= row.id ? newestHash : row.hash;
}

/**
 * Null when the head is in memory (the hot path awaits nothing); otherwise the first read: inside
 * the caller's transaction (which must then cover signingLog and logChain), or on its own before
 * one (the guard does this, so its transactions need not cover logChain).
 */
export function chainReady(db: WardenDb): Promise<void> | null {
  const s = stateOf(db);
  if (s.hash !== undefined) return null;
  s.loading ??= (async () => {
    try {
      const [row, newest] = await Promise.all([db.logChain.get(HEAD) as Promise<HeadRow | undefined>, db.signingLog.orderBy('id').last()]);
      s.hash = nextLink(newest, row);
    } finally {
      s.loading = undefined;
    }
  })();
  return s.loading;
}

/** The newest link of each transaction that appended, recorded as its adds succeed. */
const lastOf = new WeakMap<IDBTransaction, Link>();

/**
 * Links `entry` after the head and moves the head to it, synchronously: entries linked one after
 * another in one transaction chain in that order, matching the order their adds are issued in.
 * Call after chainReady resolved, inside the read-write transaction that adds the entry; once the
 * add succeeds, `noteAdded` lets the head row be brought up to it when the transaction commits.
 */
export function linkNext(db: WardenDb, entry: CanonicalEntry): { prevHash: string; hash: string } {
  const s = stateOf(db);
  const tx = Dexie.currentTransaction as Transaction | null;
  if (s.hash === undefined || !tx) throw new Error('linkNext needs the chain head, inside a read-write transaction');
  const prevHash = s.hash;
  const hash = entryHash(prevHash, entry);
  s.hash = hash;
  watch(db, tx, s);
  return { prevHash, hash };
}

/**
 * Forgets the head in memory: the next append works it out again from the database. For a
 * transaction that failed without aborting (told to commit, then a write of it failed: it commits
 * without that entry, and the head would name an entry that is not there).
 */
export function forgetHead(db: WardenDb): void {
  stateOf(db).hash = undefined;
}

/** The entry with this hash, linked in `tx`, got this id (its add succeeded). */
export function noteAdded(tx: Transaction, hash: string, id: number): void {
  if (tx.idbtrans) lastOf.set(tx.idbtrans, { hash, id });
}

const armed = new WeakSet<IDBTransaction>();
function watch(db: WardenDb, tx: Transaction, s: HeadState): void {
  const idb = tx.idbtrans;
  if (!idb || armed.has(idb)) return;
  armed.add(idb);
  idb.addEventListener('abort', () => (s.hash = undefined));
  idb.addEventListener('complete', () => {
    const last = lastOf.get(idb);
    if (!last) return;
    s.committed = last;
    // In a task of its own: the listeners of this 'complete' event run in one task, and the put's
    // own work (a Dexie transaction, about 0.5 ms in the worker) would otherwise sit between the
    // commit and the next request of a sequential caller.
    setTimeout(() => writeHeadBehind(db, s), 0);
  });
}

/**
 * The head row is written behind the appending transaction, in a small transaction of its own,
 * at most one at a time: the appends of a burst share one write, and no append waits for it (no
 * second put on the hot path; docs/ARCHITECTURE.md, Signing-log hash chain). It never moves back.
 */
function writeHeadBehind(db: WardenDb, s: HeadState): void {
  s.writing = s.writing.then(async () => {
    const target = s.committed;
    if (!target || (s.written && s.written.id !== undefined && target.id !== undefined && s.written.id >= target.id)) return;
    try {
      await db.logChain.put({ key: HEAD, hash: target.hash, ...(target.id === undefined ? {} : { id: target.id }) });
      s.written = target;
    } catch {
      // A closed database or a full disk: the next commit tries again; verify flushes first.
    }
  });
}

/** Waits until the head row names the newest committed entry: before the chain is read whole. */
export function flushHead(db: WardenDb): Promise<void> {
  const s = stateOf(db);
  if (s.committed && s.committed !== s.written) writeHeadBehind(db, s);
  return s.writing;
}

/**
 * The schema upgrade that introduces the chain: every existing entry, in id order, once. Runs in
 * the upgrade transaction, so hashing is synchronous.
 */
export async function chainExisting(tx: Transaction): Promise<void> {
  let prev = GENESIS;
  let any = false;
  await tx
    .table<SigningLogEntry>('signingLog')
    .toCollection()
    .modify((e) => {
      e.prevHash = prev;
      e.hash = entryHash(prev, e);
      prev = e.hash;
      any = true;
    });
  if (any) await tx.table<ChainRow>('logChain').put({ key: HEAD, hash: prev });
}

export async function loadCheckpoints(db: WardenDb): Promise<CheckpointRow[]> {
  return (await db.logChain.where('key').startsWith(CP).toArray()) as CheckpointRow[];
}

/**
 * Deletes the entries `ids` (taken from `candidates`) and records what retention removed: each
 * run of entries that followed one another in the chain becomes a checkpoint, merged with the
 * checkpoints right before and after it, so a pruned log still verifies. Inside the pruning
 * read-write transaction (over signingLog and logChain).
 */
export async function removeEntries(db: WardenDb, candidates: readonly SigningLogEntry[], ids: readonly number[]): Promise<void> {
  if (!ids.length) return;
  // The head row trails the newest entry (it is written behind): bring it up before removing
  // anything, so a log pruned to its last entry still names its end. A row that names a newer
  // entry than the newest one (entries removed from the end) is left as it is: it is the evidence.
  const [row, newest] = await Promise.all([db.logChain.get(HEAD) as Promise<HeadRow | undefined>, db.signingLog.orderBy('id').last()]);
  if (newest && typeof newest.hash === 'string' && row?.id !== undefined && row.id < newest.id) {
    await db.logChain.put({ key: HEAD, hash: newest.hash, id: newest.id });
  } else if (newest && typeof newest.hash === 'string' && !row) {
    await db.logChain.put({ key: HEAD, hash: newest.hash, id: newest.id });
  }
  const doomed = new Set(ids);
  const gone = candidates.filter((e) => doomed.has(e.id) && typeof e.hash === 'string' && typeof e.prevHash === 'string').sort((a, b) => a.id - b.id);
  if (gone.length) {
    const byLast = new Map<string, Checkpoint>();
    const byPrev = new Map<string, Checkpoint>();
    const changed = new Map<string, Checkpoint | null>();
    const drop = (cp: Checkpoint) => {
      byLast.delete(cp.lastHash);
      byPrev.delete(cp.prevHash);
      changed.set(cpKey(cp.lastHash), null);
    };
    for (const { key: _key, ...cp } of await loadCheckpoints(db)) {
      byLast.set(cp.lastHash, cp);
      byPrev.set(cp.prevHash, cp);
    }
    for (let i = 0; i < gone.length; ) {
      let j = i;
      while (j + 1 < gone.length && gone[j + 1]!.prevHash === gone[j]!.hash) j++;
      let cp: Checkpoint = { prevHash: gone[i]!.prevHash!, lastHash: gone[j]!.hash!, fromId: gone[i]!.id, toId: gone[j]!.id, removed: j - i + 1 };
      const before = byLast.get(cp.prevHash);
      if (before) {
        drop(before);
        cp = { ...cp, prevHash: before.prevHash, fromId: before.fromId, removed: cp.removed + before.removed };
      }
      const after = byPrev.get(cp.lastHash);
      if (after) {
        drop(after);
        cp = { ...cp, lastHash: after.lastHash, toId: after.toId, removed: cp.removed + after.removed };
      }
      byLast.set(cp.lastHash, cp);
      byPrev.set(cp.prevHash, cp);
      changed.set(cpKey(cp.lastHash), cp);
      i = j + 1;
    }
    const puts = [...changed].flatMap(([key, cp]) => (cp ? [{ key, ...cp }] : []));
    const deletes = [...changed].flatMap(([key, cp]) => (cp ? [] : [key]));
    await Promise.all([db.logChain.bulkDelete(deletes), db.logChain.bulkPut(puts)]);
  }
  await db.signingLog.bulkDelete([...ids]);
}

/** The head row's hash: the newest entry it names (it may trail the newest committed entries). */
export async function readHead(db: WardenDb): Promise<string | null> {
  return ((await db.logChain.get(HEAD)) as HeadRow | undefined)?.hash ?? null;
}
