// What the user reads about every decision. Bounded: old rows are pruned, unlike the signing log.
import Dexie from 'dexie';
import type { ActivityEntry } from '../policy/records.ts';
import type { WardenDb } from './schema.ts';
import { keysetPage, type Page } from './keyset.ts';

export const ACTIVITY_MAX_ROWS = 50_000;

export function appendActivity(db: WardenDb, entry: Omit<ActivityEntry, 'id'>): Promise<unknown> {
  return db.activity.add(entry);
}

export async function pageActivity(
  db: WardenDb,
  q: { origin?: string | undefined; before?: number | undefined; limit: number },
): Promise<Page<ActivityEntry>> {
  const upper = q.before ?? Dexie.maxKey;
  const collection = q.origin
    ? db.activity.where('[origin+id]').between([q.origin, Dexie.minKey], [q.origin, upper], true, false)
    : db.activity.where('id').below(upper);
  return keysetPage(collection, q.limit);
}

/** Keeps the newest `max` rows. */
export async function pruneActivity(db: WardenDb, max = ACTIVITY_MAX_ROWS): Promise<number> {
  const newest = await db.activity.orderBy('id').reverse().offset(max).first();
  if (!newest) return 0;
  return db.activity.where('id').belowOrEqual(newest.id).delete();
}
