// What the user reads about every decision. Bounded: old rows are pruned, unlike the signing log.
import Dexie from 'dexie';
import type { Method } from '../shared/methods.ts';
import type { ActivityEntry, Outcome } from '../policy/records.ts';
import type { WardenDb } from './schema.ts';
import { keysetPage, type Page } from './keyset.ts';

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
 * Activity rows of decisions made outside a read-write transaction (reads such as getPublicKey)
 * are written behind the decision, in batches, so that path does not pay for a commit. Readers call flush() first and see every row. A worker stopped within the
 * same tick may lose the last rows; the signing log, which caps count, is never written this way.
 */
/** Rows wait this long so a burst of reads shares one transaction. */
const FLUSH_AFTER_MS = 200;

export class ActivityWriter {
  private batch: Omit<ActivityEntry, 'id'>[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(private readonly db: WardenDb) {}

  push(entry: Omit<ActivityEntry, 'id'>): void {
    this.batch.push(entry);
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
    }
  }

  flush(): Promise<void> {
    this.scheduled = false;
    const rows = this.batch;
    this.batch = [];
    if (rows.length) this.flushing = this.flushing.then(() => this.db.activity.bulkAdd(rows as ActivityEntry[])).then(() => undefined, () => undefined);
    return this.flushing;
  }
}

export interface ActivityQuery {
  origin?: string | undefined;
  method?: Method | undefined;
  outcome?: Outcome | undefined;
  before?: number | undefined;
  limit: number;
}

/** Newest first, keyset-paged by id; the origin is a key range, method and outcome a filter over it (activity is bounded). */
export function pageActivity(db: WardenDb, q: ActivityQuery): Promise<Page<ActivityEntry>> {
  const upper = q.before ?? Dexie.maxKey;
  let c = q.origin ? db.activity.where('[origin+id]').between([q.origin, Dexie.minKey], [q.origin, upper], true, false) : db.activity.where('id').below(upper);
  if (q.method || q.outcome) c = c.filter((e) => (!q.method || e.method === q.method) && (!q.outcome || e.outcome === q.outcome));
  return keysetPage(c, q.limit);
}
