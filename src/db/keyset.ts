import type { Page } from '../shared/adminResults.ts';

export type { Page };

/** What a keyset page needs of a Dexie collection (any table's, whatever its insert type). */
interface NewestFirst<T> {
  reverse(): { limit(n: number): { toArray(): Promise<T[]> } };
}

/** Newest first by id; reads one row more than asked to know whether a next page exists. */
export async function keysetPage<T extends { id: number }>(collection: NewestFirst<T>, limit: number): Promise<Page<T>> {
  const rows = await collection.reverse().limit(limit + 1).toArray();
  const entries = rows.slice(0, limit);
  const last = entries[entries.length - 1];
  return rows.length > limit && last ? { entries, next: last.id } : { entries };
}
