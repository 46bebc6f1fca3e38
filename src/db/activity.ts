// What the user reads about every decision. Bounded: old rows are pruned, unlike the signing log.
import Dexie from 'dexie';
import type { Method } from '../shared/methods.ts';
import type { ActivityEntry, Outcome, SigningLogEntry } from '../policy/records.ts';
import type { WardenDb } from './schema.ts';
import type { Page } from './keyset.ts';
import { entriesBelow } from './signingLog.ts';

export const ACTIVITY_MAX_ROWS = 50_000;

export function appendActivity(db: WardenDb, entry: Omit<ActivityEntry, 'id'>): Promise<unknown> {
  return db.activity.add(entry);
}

/** Keeps the newest `max` rows. */
export async function pruneActivity(db: WardenDb, max = ACTIVITY_MAX_ROWS): Promise<number> {
  const newest = await db.activity.orderBy('id').reverse().offset(max).first();
  if (!newest) return 0;
  return db.activity.where('id').belowOrEqual(newest.id).delete();
}

/**
 * Activity rows of decisions made outside a read-write transaction (reads such as getPublicKey),
 * and of every refusal, are written behind the decision, in batches, so that path does not pay
 * for a commit. Readers call flush() first and see every row. A worker stopped within the same
 * tick may lose the last rows; the signing log, which caps count, is never written this way.
 *
 * Repeated refusals collapse: a refusal with the same site, method, outcome and reason (and kind,
 * except for rate_limited) as one noted less than COLLAPSE_MS after that row began adds to the
 * row's `count` instead of adding a row. A flood of refused calls is then a row or two, not one
 * row per call (docs/THREATS.md #34).
 */
/** Rows wait this long so a burst of reads shares one transaction. */
const FLUSH_AFTER_MS = 200;
/** How long one row goes on counting its repeats. */
export const COLLAPSE_MS = 60_000;
/** Open rows kept in memory at most (the oldest go first): many distinct refusals stay bounded too. */
const MAX_OPEN = 1_000;

type Row = Omit<ActivityEntry, 'id'>;
/** A refusal row that later repeats add to. */
interface Open {
  row: Row;
  /** Set once written. */
  id?: number;
  /** Still in the batch: a repeat only has to change the object. */
  inBatch: boolean;
}

const isRefusal = (outcome: Outcome) => outcome !== 'allowed' && outcome !== 'asked';
const collapseKey = (e: Row) => JSON.stringify([e.origin, e.method, e.outcome, e.reason, e.outcome === 'rate_limited' ? null : e.kind]);

export class ActivityWriter {
  private batch: { row: Row; open?: Open }[] = [];
  private readonly open = new Map<string, Open>();
  /** Written rows whose count grew since. */
  private readonly dirty = new Set<Open>();
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(private readonly db: WardenDb) {}

  push(entry: Row): void {
    if (isRefusal(entry.outcome)) {
      const key = collapseKey(entry);
      const o = this.open.get(key);
      if (o && entry.createdAt >= o.row.createdAt && entry.createdAt - o.row.createdAt < COLLAPSE_MS) {
        o.row.count = (o.row.count ?? 1) + 1;
        // rate_limited rows of several kinds: the row names none.
        if (o.row.kind !== entry.kind) o.row.kind = null;
        if (!o.inBatch) this.dirty.add(o);
        this.schedule();
        return;
      }
      const row = { ...entry };
      const fresh: Open = { row, inBatch: true };
      this.open.delete(key);
      this.open.set(key, fresh);
      if (this.open.size > MAX_OPEN) this.open.delete(this.open.keys().next().value!);
      this.batch.push({ row, open: fresh });
    } else {
      this.batch.push({ row: entry });
    }
    this.schedule();
  }

  flush(): Promise<void> {
    this.scheduled = false;
    this.flushing = this.flushing.then(() => this.write()).then(
      () => undefined,
      () => undefined,
    );
    return this.flushing;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
  }

  /** One transaction: the new rows, and the counts of written rows that grew. */
  private async write(): Promise<void> {
    const items = this.batch;
    this.batch = [];
    // Writes run one after another, so a row without an id now is one whose write failed: its
    // repeats are lost with it.
    const grown = [...this.dirty].filter((o) => o.id !== undefined);
    this.dirty.clear();
    if (!items.length && !grown.length) return;
    // Copies: repeats from now on change the open row, and reach storage as an update.
    const rows = items.map((i) => ({ ...i.row }));
    for (const i of items) if (i.open) i.open.inBatch = false;
    const counts = grown.map((o) => ({ id: o.id!, count: o.row.count ?? 1, kind: o.row.kind }));
    await this.db.transaction('rw', this.db.activity, async () => {
      const ids = rows.length ? await this.db.activity.bulkAdd(rows as ActivityEntry[], { allKeys: true }) : [];
      items.forEach((i, n) => {
        if (i.open) i.open.id = ids[n] as number;
      });
      for (const c of counts) await this.db.activity.update(c.id, { count: c.count, kind: c.kind });
    });
    // Repeats that came while this ran: written by the next flush.
    if (this.dirty.size) this.schedule();
  }
}

export interface ActivityQuery {
  origin?: string | undefined;
  method?: Method | undefined;
  outcome?: Outcome | undefined;
  before?: number | undefined;
  limit: number;
}

/**
 * The activity list reads two tables: the activity table (refusals, asks, the allowed reads, and
 * allowed requests from before the fold) and the signing log, whose entries with a `reason` are
 * the allowed consequential requests' rows (one row per allowed request: docs/ARCHITECTURE.md,
 * Group commit). A log entry shows as a row with its id negated, so the two never share an id.
 *
 * A page cursor holds both tables' keyset bounds in one positive integer: activity bound × 2^27 +
 * log bound, 0 meaning "no bound yet" (room for 67M activity ids and 134M log ids).
 */
const LOG_SPAN = 2 ** 27;
const encodeCursor = (activityBelow: number, logBelow: number) => activityBelow * LOG_SPAN + logBelow;
function decodeCursor(before: number | undefined): { activityBelow: number; logBelow: number } {
  if (before === undefined) return { activityBelow: 0, logBelow: 0 };
  return { activityBelow: Math.floor(before / LOG_SPAN), logBelow: before % LOG_SPAN };
}

type FoldedEntry = SigningLogEntry & { reason: string };

/** An allowed request's activity row, as its signing-log entry holds it. */
export function logRow(e: FoldedEntry): ActivityEntry {
  return { id: -e.id, origin: e.origin, method: e.method, kind: e.kind ?? null, outcome: 'allowed', reason: e.reason, createdAt: e.createdAt };
}

function logSide(db: WardenDb, q: ActivityQuery, below: number) {
  return entriesBelow(db, q, below || Dexie.maxKey);
}

/**
 * Newest first, keyset-paged; the origin is a key range, method and outcome a filter over it
 * (activity is bounded). The log side stops at its first entry without a reason: entries from
 * before the fold are older than every folded one, so no old log is walked.
 */
export async function pageActivity(db: WardenDb, q: ActivityQuery): Promise<Page<ActivityEntry>> {
  const { activityBelow, logBelow } = decodeCursor(q.before);
  const upper = activityBelow || Dexie.maxKey;
  let c = q.origin ? db.activity.where('[origin+id]').between([q.origin, Dexie.minKey], [q.origin, upper], true, false) : db.activity.where('id').below(upper);
  if (q.method || q.outcome) c = c.filter((e) => (!q.method || e.method === q.method) && (!q.outcome || e.outcome === q.outcome));
  const wantLog = !q.outcome || q.outcome === 'allowed';
  const [rows, logged] = await Promise.all([
    c.reverse().limit(q.limit + 1).toArray(),
    wantLog ? logSide(db, q, logBelow).reverse().until((e) => typeof e.reason !== 'string', false).limit(q.limit + 1).toArray() : Promise.resolve([]),
  ]);
  const folded = logged.filter((e): e is FoldedEntry => typeof e.reason === 'string');
  // Merge newest first by time. On a tie the activity row goes first: it was written behind its
  // decision, so it came last, as it did when every row was in the activity table.
  const entries: ActivityEntry[] = [];
  let i = 0;
  let j = 0;
  while (entries.length < q.limit && (i < rows.length || j < folded.length)) {
    const a = rows[i];
    const l = folded[j];
    if (l && (!a || l.createdAt > a.createdAt)) entries.push(logRow(folded[j++] as FoldedEntry));
    else entries.push(rows[i++]!);
  }
  if (i >= rows.length && j >= folded.length) return { entries };
  return { entries, next: encodeCursor(i ? rows[i - 1]!.id : activityBelow, j ? folded[j - 1]!.id : logBelow) };
}
