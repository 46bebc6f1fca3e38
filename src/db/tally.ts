// What retention pruned from the signing log, still counted: a cap's budget must never come back
// because its entries were deleted (docs/ARCHITECTURE.md, Data model, The pruned tally;
// docs/THREATS.md #39). One row per scope per UTC day of the pruned entries' createdAt; a scope is
// (origin, account, method, kind) — the scopes ruleUsage counts by — with kind ANY_KIND for the
// method-wide scope (what a rule with `kind: null` counts), so each pruned entry adds to two rows.
import type { Method } from '../shared/methods.ts';
import type { SigningLogEntry } from '../policy/records.ts';
import type { WardenDb } from './schema.ts';
import Dexie from 'dexie';

/** The kind of the method-wide scope's rows (every real kind is ≥ 0). */
export const ANY_KIND = -1;
const DAY_MS = 24 * 3600 * 1000;
const MAX_SCOPES = 4_096;

export interface TallyRow {
  origin: string;
  accountId: number;
  method: Method;
  /** The scope's kind, or ANY_KIND for every kind of the method. */
  kind: number;
  /** UTC day number (createdAt / 86,400,000, rounded down) of the entries counted here. */
  day: number;
  count: number;
  /** Smallest and largest signing-log id among them: where they stood in the log. */
  firstId: number;
  lastId: number;
  firstAt: number;
  lastAt: number;
}

export interface TallyScope {
  origin: string;
  accountId: number;
  method: Method;
  /** null: the method-wide scope. */
  kind: number | null;
}

const rowKey = (r: Pick<TallyRow, 'origin' | 'accountId' | 'method' | 'kind' | 'day'>): [string, number, string, number, number] => [
  r.origin,
  r.accountId,
  r.method,
  r.kind,
  r.day,
];

/**
 * Adds `entries` (about to be deleted, in the pruning transaction) to their rows. Merging into a
 * day's existing row only widens it, which can only make a count larger (see tallyCount) or send
 * one to the exact count (prunedAfter).
 */
export async function carryPruned(db: WardenDb, entries: readonly SigningLogEntry[]): Promise<void> {
  if (!entries.length) return;
  if (!Dexie.currentTransaction) throw new Error('carryPruned must run in the pruning transaction');
  const rows = new Map<string, TallyRow>();
  const add = (e: SigningLogEntry, kind: number) => {
    const day = Math.floor(e.createdAt / DAY_MS);
    const key = JSON.stringify(rowKey({ ...e, kind, day }));
    const r = rows.get(key);
    if (!r) {
      rows.set(key, { origin: e.origin, accountId: e.accountId, method: e.method, kind, day, count: 1, firstId: e.id, lastId: e.id, firstAt: e.createdAt, lastAt: e.createdAt });
      return;
    }
    r.count += 1;
    r.firstId = Math.min(r.firstId, e.id);
    r.lastId = Math.max(r.lastId, e.id);
    r.firstAt = Math.min(r.firstAt, e.createdAt);
    r.lastAt = Math.max(r.lastAt, e.createdAt);
  };
  for (const e of entries) {
    add(e, ANY_KIND);
    if (e.kind !== undefined && e.kind !== null) add(e, e.kind);
  }
  const fresh = [...rows.values()];
  const stored = await db.logTally.bulkGet(fresh.map(rowKey));
  const merged = fresh.map((r, i) => {
    const old = stored[i];
    return old
      ? { ...r, count: old.count + r.count, firstId: Math.min(old.firstId, r.firstId), lastId: Math.max(old.lastId, r.lastId), firstAt: Math.min(old.firstAt, r.firstAt), lastAt: Math.max(old.lastAt, r.lastAt) }
      : r;
  });
  await db.logTally.bulkPut(merged);
  forget(db);
}

/**
 * How many pruned entries a window (since, now] adds: every row whose newest entry is inside it,
 * in full. A row that straddles the window's start counts whole, so the result is never lower
 * than the pruned entries inside the window — at most that one day's earlier entries too high —
 * and exact for a lifetime cap (since = -Infinity).
 */
export function tallyCount(rows: readonly TallyRow[], since: number): number {
  let n = 0;
  for (const r of rows) if (r.lastAt > since) n += r.count;
  return n;
}

/** Every pruned entry of the scope: an upper bound of what any window adds. */
export function tallyTotal(rows: readonly TallyRow[]): number {
  let n = 0;
  for (const r of rows) n += r.count;
  return n;
}

/**
 * Whether an entry was pruned from after the entry `id` (in log order). Then the positions of the
 * kept entries from `id` on would count it a second time, or — if the scope's newest entries went
 * and later ones took their positions again — not at all: the kept entries must be counted one by
 * one. It happens only in a method-wide scope, where a kind's cap keeps that kind's entries and
 * the other kinds' entries around them are pruned; every other pruned scope loses its oldest
 * entries only.
 */
export function prunedAfter(rows: readonly TallyRow[], id: number): boolean {
  return rows.some((r) => r.lastId > id);
}

/**
 * When the `need`-th oldest counted item leaves a window of `windowMs`, if a tally row holds it: a
 * row leaves as a whole, once its newest entry has. Else how many are still to leave from the log.
 * Pruned entries are taken to be older than the kept ones (true but next to a kind's cap, where
 * the answer is only an estimate).
 */
export function tallyFrees(rows: readonly TallyRow[], since: number, windowMs: number, need: number): { at: number } | { left: number } {
  const counted = rows.filter((r) => r.lastAt > since).sort((a, b) => a.lastAt - b.lastAt);
  let left = need;
  for (const r of counted) {
    left -= r.count;
    if (left <= 0) return { at: r.lastAt + windowMs };
  }
  return { left };
}

// The rows of each scope, read once per worker and kept: they change only when retention prunes,
// and carryPruned empties the cache inside that transaction. A read that started before a prune
// and ends after it is not kept (the generation moved on).
interface Cache {
  generation: number;
  scopes: Map<string, readonly TallyRow[]>;
}
const caches = new WeakMap<WardenDb, Cache>();

function cacheOf(db: WardenDb): Cache {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = { generation: 0, scopes: new Map() }));
  return c;
}

function forget(db: WardenDb): void {
  const c = cacheOf(db);
  c.generation += 1;
  c.scopes.clear();
}

/** The scope's rows in day order: one key-range read the first time, from memory after that. */
export async function tallyRows(db: WardenDb, scope: TallyScope): Promise<readonly TallyRow[]> {
  const kind = scope.kind ?? ANY_KIND;
  const key = `${scope.accountId} ${scope.method} ${kind} ${scope.origin}`;
  const c = cacheOf(db);
  const hit = c.scopes.get(key);
  if (hit) return hit;
  const generation = c.generation;
  const rows = await db.logTally
    .where('[origin+accountId+method+kind+day]')
    .between([scope.origin, scope.accountId, scope.method, kind, Dexie.minKey], [scope.origin, scope.accountId, scope.method, kind, Dexie.maxKey])
    .toArray();
  if (c.generation === generation) {
    if (c.scopes.size >= MAX_SCOPES) c.scopes.clear();
    c.scopes.set(key, rows);
  }
  return rows;
}
