// The signing log's hash chain in the database: the chain head (one row, and a copy in memory),
// linking each new entry, chaining a log that predates the chain, the checkpoints retention
// leaves, and walking the whole chain. The rules themselves are in ./chainHash.ts;
// docs/ARCHITECTURE.md (Signing-log hash chain) explains them.
import Dexie, { type Transaction } from 'dexie';
import type { SigningLogEntry } from '../policy/records.ts';
import type { WardenDb } from './schema.ts';
import { ChainWalker, entryHash, GENESIS, type CanonicalEntry, type Checkpoint } from './chainHash.ts';

/** The hash of the newest entry ever appended: removing entries from the end breaks the chain. */
export interface HeadRow {
  key: 'head';
  hash: string;
}
/** A run of entries retention removed, keyed `cp:<lastHash>` (the hash the next entry names). */
export interface CheckpointRow extends Checkpoint {
  key: string;
}
export type ChainRow = HeadRow | CheckpointRow;

const HEAD = 'head';
const CP = 'cp:';
const cpKey = (lastHash: string) => `${CP}${lastHash}`;

/**
 * The head in memory, per database object. The background is the log's only writer and its guard
 * runs one transaction at a time (src/background/serial.ts), so after the first read the head is
 * known without a seek. A transaction that fails after linking forgets it: the next append reads
 * the row again.
 */
interface HeadState {
  hash: string | undefined;
  loading: Promise<void> | undefined;
}
const heads = new WeakMap<WardenDb, HeadState>();

function stateOf(db: WardenDb): HeadState {
  let s = heads.get(db);
  if (!s) heads.set(db, (s = { hash: undefined, loading: undefined }));
  return s;
}

/**
 * Null when the head is in memory (the hot path awaits nothing); otherwise the first read, inside
 * the caller's transaction. Without a head row (a log written by hand), the chain goes on from the
 * newest entry.
 */
export function chainReady(db: WardenDb): Promise<void> | null {
  const s = stateOf(db);
  if (s.hash !== undefined) return null;
  s.loading ??= (async () => {
    try {
      const row = (await db.logChain.get(HEAD)) as HeadRow | undefined;
      const newest = row ? undefined : await db.signingLog.orderBy('id').last();
      s.hash = row?.hash ?? (typeof newest?.hash === 'string' ? newest.hash : GENESIS);
    } finally {
      s.loading = undefined;
    }
  })();
  return s.loading;
}

/**
 * Links `entry` after the head and moves the head to it, synchronously: entries linked one after
 * another in one transaction chain in that order, matching the order their adds are issued in.
 * Call after chainReady resolved, inside the read-write transaction that adds the entry.
 */
export function linkNext(db: WardenDb, entry: CanonicalEntry): { prevHash: string; hash: string } {
  const s = stateOf(db);
  const tx = Dexie.currentTransaction as Transaction | null;
  if (s.hash === undefined || !tx) throw new Error('linkNext needs the chain head, inside a read-write transaction');
  const prevHash = s.hash;
  const hash = entryHash(prevHash, entry);
  s.hash = hash;
  forgetOnAbort(tx, s);
  return { prevHash, hash };
}

const armed = new WeakSet<IDBTransaction>();
function forgetOnAbort(tx: Transaction, s: HeadState): void {
  const idb = tx.idbtrans;
  if (!idb || armed.has(idb)) return;
  armed.add(idb);
  idb.addEventListener('abort', () => (s.hash = undefined));
}

/** The head row's new value: a put, written in the same transaction as the entry. */
export function writeHead(db: WardenDb, hash: string): Promise<unknown> {
  return db.logChain.put({ key: HEAD, hash });
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

async function loadCheckpoints(db: WardenDb): Promise<CheckpointRow[]> {
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

export interface ChainState {
  head: string | null;
  checkpoints: Checkpoint[];
}

/** The head and the checkpoints, for an export: read them in the same transaction as the entries. */
export async function chainState(db: WardenDb): Promise<ChainState> {
  const [head, cps] = await Promise.all([db.logChain.get(HEAD) as Promise<HeadRow | undefined>, loadCheckpoints(db)]);
  return { head: head?.hash ?? null, checkpoints: cps.map(({ key: _key, ...cp }) => cp).sort((a, b) => a.fromId - b.fromId) };
}

export interface VerifyResult {
  /** Entries checked: all of them when intact, those before the break otherwise. */
  entries: number;
  intact: boolean;
  firstBrokenId?: number;
}

/** Entries per read transaction: a signing request waits for at most one chunk's read. */
export const VERIFY_CHUNK = 2_000;

/**
 * Walks the chain in id order, each chunk in its own read transaction (hashing happens between
 * them, outside any transaction), so signing goes on meanwhile. A prune that lands during the walk
 * adds checkpoints: they are read again before a missing link is called a break.
 */
export async function verifyChain(db: WardenDb, chunk = VERIFY_CHUNK): Promise<VerifyResult> {
  const checkpoints = async () => new Map((await loadCheckpoints(db)).map((cp) => [cp.lastHash, cp] as const));
  const walker = new ChainWalker(await checkpoints());
  for (let after = 0; ; ) {
    const { rows, head } = await db.transaction('r', [db.signingLog, db.logChain], async () => {
      const rows = await db.signingLog.where('id').above(after).limit(chunk).toArray();
      // With the last chunk, the head of the same moment: appends after it are not in this walk.
      const head = rows.length < chunk ? (((await db.logChain.get(HEAD)) as HeadRow | undefined)?.hash ?? null) : undefined;
      return { rows, head };
    });
    for (const e of rows) {
      let step = walker.step(e);
      if (!step.ok && step.why === 'link') {
        walker.setCheckpoints(await checkpoints());
        step = walker.step(e);
      }
      if (!step.ok) return { entries: walker.entries, intact: false, firstBrokenId: step.id };
    }
    if (head !== undefined) {
      let missing = walker.finish(head);
      if (missing !== null) {
        walker.setCheckpoints(await checkpoints());
        missing = walker.finish(head);
      }
      return missing === null ? { entries: walker.entries, intact: true } : { entries: walker.entries, intact: false, firstBrokenId: missing };
    }
    after = rows[rows.length - 1]!.id;
  }
}
