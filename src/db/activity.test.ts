import { describe, expect, it } from 'vitest';
import { WardenDb } from './schema.ts';
import { appendActivity, pageActivity, pruneActivity } from './activity.ts';
import type { ActivityEntry, Outcome } from '../policy/records.ts';
import { A, freshDb } from '../test/db.ts';

const B = 'http://b.example:8080';

async function seed(d: WardenDb, n: number): Promise<ActivityEntry[]> {
  const outcomes: Outcome[] = ['allowed', 'denied', 'asked', 'cap_exceeded'];
  for (let i = 0; i < n; i++) {
    await appendActivity(d, { origin: i % 3 ? A : B, method: 'sign_event', kind: i, outcome: outcomes[i % 4]!, reason: `r${i}`, createdAt: 1_000 + i });
  }
  return d.activity.toArray();
}

describe('pageActivity', () => {
  it.each<[string, string | undefined, number]>([
    ['all origins', undefined, 4],
    ['one origin', A, 5],
    ['the other origin', B, 2],
    ['one row per page', A, 1],
  ])('%s: newest first, keyset paged without duplicates or gaps', async (_name, origin, limit) => {
    const d = freshDb();
    const rows = await seed(d, 23);
    const expected = rows.filter((e) => !origin || e.origin === origin).sort((x, y) => y.id - x.id);
    const got: ActivityEntry[] = [];
    let before: number | undefined;
    let pages = 0;
    for (;;) {
      const page = await pageActivity(d, { origin, before, limit });
      pages++;
      expect(page.entries.length).toBeLessThanOrEqual(limit);
      got.push(...page.entries);
      if (page.next === undefined) break;
      expect(page.entries).toHaveLength(limit);
      before = page.next;
    }
    expect(got).toEqual(expected);
    expect(pages).toBe(Math.max(1, Math.ceil(expected.length / limit)));
  });

  it('an empty log gives an empty page and no cursor', async () => {
    expect(await pageActivity(freshDb(), { limit: 10 })).toEqual({ entries: [] });
  });
});

describe('pruneActivity', () => {
  it('keeps the newest `max` rows', async () => {
    const d = freshDb();
    const rows = await seed(d, 12);
    expect(await pruneActivity(d, 5)).toBe(7);
    expect((await d.activity.toArray()).map((e) => e.id)).toEqual(rows.slice(-5).map((e) => e.id));
    expect(await pruneActivity(d, 5)).toBe(0);
  });

  it('does nothing under the bound', async () => {
    const d = freshDb();
    await seed(d, 3);
    expect(await pruneActivity(d, 3)).toBe(0);
    expect(await d.activity.count()).toBe(3);
  });
});
