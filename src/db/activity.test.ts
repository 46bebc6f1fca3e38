import { describe, expect, it } from 'vitest';
import { WardenDb } from './schema.ts';
import { ActivityWriter, appendActivity, COLLAPSE_MS, pageActivity, pruneActivity } from './activity.ts';
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

describe('ActivityWriter: repeated refusals collapse (docs/THREATS.md #34)', () => {
  type Row = Omit<ActivityEntry, 'id'>;
  const refusal = (extra: Partial<Row> = {}): Row => ({ origin: A, method: 'sign_event', kind: 1, outcome: 'denied', reason: 'deny override #1', createdAt: 1_000, ...extra });
  const rows = async (d: WardenDb, w: ActivityWriter) => {
    await w.flush();
    return (await d.activity.toArray()).map(({ outcome, kind, count, origin }) => ({ outcome, kind, count, origin }));
  };

  it('one row per (site, method, outcome, reason, kind), with the count of what it stands for, across flushes', async () => {
    const d = freshDb();
    const w = new ActivityWriter(d);
    for (let i = 0; i < 5; i++) w.push(refusal({ createdAt: 1_000 + i }));
    w.push(refusal({ origin: B }));
    w.push(refusal({ kind: 7 }));
    expect(await rows(d, w)).toEqual([
      { outcome: 'denied', kind: 1, count: 5, origin: A },
      { outcome: 'denied', kind: 1, count: undefined, origin: B },
      { outcome: 'denied', kind: 7, count: undefined, origin: A },
    ]);
    // Repeats after the row was written update it.
    for (let i = 0; i < 3; i++) w.push(refusal({ createdAt: 2_000 }));
    expect((await rows(d, w))[0]).toEqual({ outcome: 'denied', kind: 1, count: 8, origin: A });
  });

  it('a repeat while its row is being written is not lost', async () => {
    const d = freshDb();
    const w = new ActivityWriter(d);
    w.push(refusal());
    const first = w.flush();
    // Let the write take its batch and start its transaction.
    for (let i = 0; i < 3; i++) await new Promise<void>((r) => queueMicrotask(r));
    w.push(refusal());
    w.push(refusal());
    await first;
    expect(await rows(d, w)).toEqual([{ outcome: 'denied', kind: 1, count: 3, origin: A }]);
  });

  it(`a row counts repeats for ${COLLAPSE_MS / 1000} s after it began; then a new row starts`, async () => {
    const d = freshDb();
    const w = new ActivityWriter(d);
    w.push(refusal({ createdAt: 1_000 }));
    w.push(refusal({ createdAt: 1_000 + COLLAPSE_MS - 1 }));
    w.push(refusal({ createdAt: 1_000 + COLLAPSE_MS }));
    expect((await rows(d, w)).map((r) => r.count)).toEqual([2, undefined]);
  });

  it('rate_limited rows of several kinds are one row that names no kind; allowed and asked rows never collapse', async () => {
    const d = freshDb();
    const w = new ActivityWriter(d);
    for (const kind of [1, 7, 1]) w.push(refusal({ outcome: 'rate_limited', reason: 'too many', kind }));
    for (const outcome of ['allowed', 'allowed', 'asked', 'asked'] as const) w.push(refusal({ outcome, reason: 'rule #1' }));
    expect(await rows(d, w)).toEqual([
      { outcome: 'rate_limited', kind: null, count: 3, origin: A },
      ...['allowed', 'allowed', 'asked', 'asked'].map((outcome) => ({ outcome, kind: 1, count: undefined, origin: A })),
    ]);
  });
});
