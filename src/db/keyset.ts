import type { Collection } from 'dexie';
import type { Page } from '../shared/adminResults.ts';

export type { Page };

/** Newest first by id; reads one row more than asked to know whether a next page exists. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function keysetPage<T extends { id: number }>(collection: Collection<T, any, any>, limit: number): Promise<Page<T>> {
  const rows = await collection.reverse().limit(limit + 1).toArray();
  const entries = rows.slice(0, limit);
  const last = entries[entries.length - 1];
  return rows.length > limit && last ? { entries, next: last.id } : { entries };
}
