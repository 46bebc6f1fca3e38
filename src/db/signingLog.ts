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

export function countSince(db: WardenDb, scope: LogScope, since: number): Promise<number> {
  return inWindow(db, scope, since).count();
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

export function appendLog(db: WardenDb, entry: Omit<SigningLogEntry, 'id'>): Promise<number> {
  return db.signingLog.add(entry) as Promise<number>;
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
