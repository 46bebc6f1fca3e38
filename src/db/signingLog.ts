// The append-only signing log: the only source of truth for caps.
import Dexie, { type IndexableType } from 'dexie';
import type { Method } from '../shared/methods.ts';
import type { SigningLogEntry } from '../policy/records.ts';
import type { WardenDb } from './schema.ts';
import { keysetPage, type Page } from './keyset.ts';
import { chainReady, linkNext, noteAdded } from './logChain.ts';

export interface LogScope {
  origin: string;
  accountId: number;
  method: Method;
  /** null counts every kind of the method. */
  kind: number | null;
}

/** Entries of a scope with createdAt in (since, +∞): a key-range read on a compound index. */
function inWindow(db: WardenDb, scope: LogScope, since: number) {
  const lower = Number.isFinite(since) ? since : Dexie.minKey;
  const { origin, accountId, method, kind } = scope;
  return kind === null
    ? db.signingLog
        .where('[origin+accountId+method+createdAt]')
        .between([origin, accountId, method, lower], [origin, accountId, method, Dexie.maxKey], false, true)
    : db.signingLog
        .where('[origin+accountId+method+kind+createdAt]')
        .between([origin, accountId, method, kind, lower], [origin, accountId, method, kind, Dexie.maxKey], false, true);
}

/** The newest entry of a scope: its position (1, 2, 3…) and time. */
export interface Tail {
  seq: number;
  createdAt: number;
}

/** The position of an entry in a scope's sequence (method-wide or per kind). */
function seqOf(entry: SigningLogEntry, scope: LogScope): number | undefined {
  return scope.kind === null ? entry.seqMethod : entry.seqKind;
}

/** One reverse seek: the newest entry of a scope, or null for an empty scope. */
export async function readTail(db: WardenDb, scope: LogScope): Promise<Tail | null> {
  const newest = await inWindow(db, scope, -Infinity).last();
  const seq = newest && seqOf(newest, scope);
  if (!newest) return null;
  // Rows written before sequence numbers existed: their count is their position.
  return { seq: seq ?? (await inWindow(db, scope, -Infinity).count()), createdAt: newest.createdAt };
}

/**
 * How many entries of a scope lie in (since, now]. Each entry carries its position in its scope
 * (assigned at append, never changed), so the count is newest.seq − first-in-window.seq + 1: two
 * index seeks, whatever the size of the log or of the window. Still derived from the log, not a
 * counter that could drift.
 *
 * @param newest the scope's tail, when the caller already knows it.
 */
export async function countSince(db: WardenDb, scope: LogScope, since: number, newest?: Tail | null, slowIf?: (firstId: number) => boolean): Promise<number> {
  const [tail, first] = await Promise.all([newest === undefined ? readTail(db, scope) : newest, inWindow(db, scope, since).first()]);
  if (!tail || !first) return 0;
  const firstSeq = seqOf(first, scope);
  // Rows written before sequence numbers existed are counted the slow way; so is a window among
  // whose entries some were deleted (`slowIf`, from the pruned tally: their positions would count).
  if (firstSeq === undefined || slowIf?.(first.id)) return inWindow(db, scope, since).count();
  return tail.seq - firstSeq + 1;
}

/**
 * When a spent window frees up: the moment enough of its oldest entries have left it for the
 * count to drop below the cap. A lifetime cap never frees.
 */
export async function freesAt(db: WardenDb, scope: LogScope, since: number, windowMs: number | null, used: number, max: number): Promise<number> {
  if (windowMs === null) return Infinity;
  const pivot = await inWindow(db, scope, since).offset(Math.max(0, used - max)).first();
  return pivot ? pivot.createdAt + windowMs : since + windowMs;
}

export interface EntryTails {
  method: Tail | null;
  kind: Tail | null;
}

export function readEntryTails(db: WardenDb, entry: Omit<LogScope, 'kind'> & { kind?: number | undefined }): Promise<EntryTails> {
  const base = { origin: entry.origin, accountId: entry.accountId, method: entry.method };
  return Promise.all([readTail(db, { ...base, kind: null }), entry.kind === undefined ? null : readTail(db, { ...base, kind: entry.kind })]).then(
    ([method, kind]) => ({ method, kind }),
  );
}

type NewEntry = Omit<SigningLogEntry, 'id' | 'seqMethod' | 'seqKind' | 'prevHash' | 'hash'>;

/**
 * Appends an entry with its sequence numbers, continuing the given tails (read in the same
 * transaction, or kept by a TailCache), and links it into the hash chain (src/db/logChain.ts).
 * createdAt never goes back within a scope — a clock set backwards would break the order the
 * counts rely on — and clamping forward only makes an entry count longer, so a cap errs strict.
 * Returns the new tails. The transaction must cover signingLog (and logChain, unless the chain
 * head was loaded before it: chainReady).
 */
export async function appendLog(db: WardenDb, entry: NewEntry, tails?: EntryTails): Promise<EntryTails> {
  // Appending outside a transaction would break the count-then-append atomicity caps rely on.
  if (!Dexie.currentTransaction) throw new Error('appendLog must run inside a read-write transaction');
  const t = tails ?? (await readEntryTails(db, entry));
  // Awaits only the first time: then the head is in memory (no seek on the hot path).
  const ready = chainReady(db);
  if (ready) await ready;
  const issued = issueAppend(db, entry, t);
  await issued.written;
  return issued.tails;
}

/**
 * The append without an await: the row's positions and link are fixed and its add is issued
 * before this returns, so a group of requests decided one after another in one transaction
 * appends in decision order, and a later read in the transaction sees the row (IndexedDB runs a
 * transaction's requests in the order they were made). Needs the chain head in memory
 * (chainReady resolved) and the tails.
 */
export function issueAppend(db: WardenDb, entry: NewEntry, t: EntryTails): { tails: EntryTails; written: Promise<number> } {
  const tx = Dexie.currentTransaction;
  if (!tx) throw new Error('issueAppend must run inside a read-write transaction');
  const createdAt = Math.max(entry.createdAt, t.method?.createdAt ?? -Infinity);
  const seqMethod = (t.method?.seq ?? 0) + 1;
  const seqKind = entry.kind === undefined ? undefined : (t.kind?.seq ?? 0) + 1;
  const row = { ...entry, createdAt, seqMethod, ...(seqKind === undefined ? {} : { seqKind }) };
  // Linking and issuing the add happen with no await between, so appends chain in add order.
  // No head row is written here: it follows the commit (logChain.ts, writeHeadBehind).
  const link = linkNext(db, row);
  const written = db.signingLog.add({ ...row, ...link } as SigningLogEntry).then((id) => {
    noteAdded(tx, link.hash, id);
    return id;
  });
  return { tails: { method: { seq: seqMethod, createdAt }, kind: seqKind === undefined ? null : { seq: seqKind, createdAt } }, written };
}

/** Re-sends come within seconds of the first try: this many of the site's newest entries are enough. */
const RESEND_LOOKBACK = 500;

/** Whether a request with this page id was already logged for the site (answered before a worker stop). */
export async function wasLogged(db: WardenDb, origin: string, requestId: string): Promise<boolean> {
  const recent = await db.signingLog.where('[origin+id]').between([origin, Dexie.minKey], [origin, Dexie.maxKey]).reverse().limit(RESEND_LOOKBACK).toArray();
  return recent.some((e) => e.requestId === requestId);
}

export interface LogPageQuery {
  origin?: string | undefined;
  method?: Method | undefined;
  before?: number | undefined;
  limit: number;
}

/** Entries of a site and/or method with ids below `upper`, as an id-ordered key range (one per filter shape). */
export function entriesBelow(db: WardenDb, q: { origin?: string | undefined; method?: Method | undefined }, upper: IndexableType = Dexie.maxKey) {
  return q.origin && q.method
    ? db.signingLog.where('[origin+method+id]').between([q.origin, q.method, Dexie.minKey], [q.origin, q.method, upper], true, false)
    : q.origin
      ? db.signingLog.where('[origin+id]').between([q.origin, Dexie.minKey], [q.origin, upper], true, false)
      : q.method
        ? db.signingLog.where('[method+id]').between([q.method, Dexie.minKey], [q.method, upper], true, false)
        : db.signingLog.where('id').below(upper);
}

/** Newest first, keyset-paged by id (ids grow with createdAt), never by offset. */
export async function pageLog(db: WardenDb, q: LogPageQuery): Promise<Page<SigningLogEntry>> {
  return keysetPage(entriesBelow(db, q, q.before ?? Dexie.maxKey), q.limit);
}
