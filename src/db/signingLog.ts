// The append-only signing log: the only source of truth for caps.
import Dexie from 'dexie';
import type { Method } from '../shared/methods.ts';
import type { SigningLogEntry } from '../policy/records.ts';
import type { WardenDb } from './schema.ts';
import { keysetPage, type Page } from './keyset.ts';

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

/** The newest entry of a request's method-wide scope and of its kind scope. */
export interface Tails {
  method: SigningLogEntry | undefined;
  kind: SigningLogEntry | undefined;
}

/** Reads the tails once per request: the counts and the append both start from them. */
export async function readTails(db: WardenDb, scope: LogScope): Promise<Tails> {
  const [method, kind] = await Promise.all([
    inWindow(db, { ...scope, kind: null }, -Infinity).last(),
    scope.kind === null ? undefined : inWindow(db, scope, -Infinity).last(),
  ]);
  return { method, kind };
}

/** The position of an entry in its scope's sequence (method-wide or per kind). */
function seqOf(entry: SigningLogEntry | undefined, kindScoped: boolean): number | undefined {
  return kindScoped ? entry?.seqKind : entry?.seqMethod;
}

/**
 * How many entries of a scope lie in (since, now]. Each entry carries its position in its scope
 * (assigned at append, never changed), so the count is newest.seq − first-in-window.seq + 1: two
 * index seeks, whatever the size of the log or of the window. Still derived from the log, not a
 * counter that could drift.
 *
 * @param tails the request's tails (from readTails with the request's kind), if already read.
 */
export async function countSince(db: WardenDb, scope: LogScope, since: number, tails?: Promise<Tails>): Promise<number> {
  const kindScoped = scope.kind !== null;
  const newestOf = async () => {
    const t = await tails;
    const hit = kindScoped ? t?.kind : t?.method;
    return hit && (!kindScoped || hit.kind === scope.kind) ? hit : inWindow(db, scope, -Infinity).last();
  };
  const [newest, first] = await Promise.all([newestOf(), inWindow(db, scope, since).first()]);
  if (!newest || !first) return 0;
  const a = seqOf(first, kindScoped);
  const b = seqOf(newest, kindScoped);
  // Rows written before sequence numbers existed are counted the slow way.
  if (a === undefined || b === undefined) return inWindow(db, scope, since).count();
  return b - a + 1;
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

/**
 * Appends an entry with its sequence numbers; must run in the transaction that read `tails`.
 * createdAt never goes back within a scope (a clock set backwards would break the order the
 * counts rely on); clamping forward only makes an entry count longer, so a cap errs strict.
 */
export async function appendLog(db: WardenDb, entry: Omit<SigningLogEntry, 'id' | 'seqMethod' | 'seqKind'>, tails?: Tails): Promise<number> {
  const t = tails ?? (await readTails(db, { ...entry, kind: entry.kind ?? null }));
  const row: Omit<SigningLogEntry, 'id'> = {
    ...entry,
    createdAt: Math.max(entry.createdAt, t.method?.createdAt ?? -Infinity),
    seqMethod: (t.method?.seqMethod ?? 0) + 1,
    ...(entry.kind === undefined ? {} : { seqKind: (t.kind?.seqKind ?? 0) + 1 }),
  };
  return (await db.signingLog.add(row as SigningLogEntry)) as number;
}

export interface LogPageQuery {
  origin?: string | undefined;
  method?: Method | undefined;
  before?: number | undefined;
  limit: number;
}

/** Newest first, keyset-paged by id (ids grow with createdAt), never by offset. */
export async function pageLog(db: WardenDb, q: LogPageQuery): Promise<Page<SigningLogEntry>> {
  const upper = q.before ?? Dexie.maxKey;
  const collection =
    q.origin && q.method
      ? db.signingLog.where('[origin+method+id]').between([q.origin, q.method, Dexie.minKey], [q.origin, q.method, upper], true, false)
      : q.origin
        ? db.signingLog.where('[origin+id]').between([q.origin, Dexie.minKey], [q.origin, upper], true, false)
        : q.method
          ? db.signingLog.where('[method+id]').between([q.method, Dexie.minKey], [q.method, upper], true, false)
          : db.signingLog.where('id').below(upper);
  return keysetPage(collection, q.limit);
}
