// One row per allowed request: an allowed consequential request's activity row is its signing-log
// entry (with its reason); the activity list reads both tables, merged newest first, paged by one
// cursor holding both tables' bounds (src/db/activity.ts).
import { describe, expect, it } from 'vitest';
import { pageActivity } from './activity.ts';
import { appendLog } from './signingLog.ts';
import type { ActivityEntry, Outcome } from '../policy/records.ts';
import type { Method } from '../shared/methods.ts';
import type { WardenDb } from './schema.ts';
import { A, B, freshDb, logEntry, T } from '../test/db.ts';

type Row = Omit<ActivityEntry, 'id'>;
const act = (origin: string, method: Method, outcome: Outcome, at: number): Row => ({ origin, method, kind: method === 'sign_event' ? 1 : null, outcome, reason: `${outcome} ${at}`, createdAt: at });

/** A timeline of decisions: allowed consequential ones go to the log (with a reason), the rest to the activity table. */
async function timeline(d: WardenDb, items: { origin: string; method: Method; outcome: Outcome; at: number; folded?: boolean }[]) {
  for (const it of items) {
    if (it.folded) {
      await d.transaction('rw', d.signingLog, d.logChain, () =>
        appendLog(d, { ...logEntry(it.origin, it.method, it.at, it.method === 'sign_event' ? 1 : undefined), reason: `allowed ${it.at}` }),
      );
    } else {
      await d.activity.add(act(it.origin, it.method, it.outcome, it.at) as ActivityEntry);
    }
  }
}

async function readAll(d: WardenDb, q: { origin?: string; method?: Method; outcome?: Outcome }, limit: number): Promise<ActivityEntry[]> {
  const out: ActivityEntry[] = [];
  let before: number | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await pageActivity(d, { ...q, limit, ...(before === undefined ? {} : { before }) });
    out.push(...page.entries);
    if (page.next === undefined) return out;
    expect(Number.isSafeInteger(page.next) && page.next > 0).toBe(true);
    before = page.next;
  }
  throw new Error('paging did not end');
}

const ITEMS = [
  { origin: A, method: 'sign_event' as const, outcome: 'allowed' as const, at: T + 1, folded: true },
  { origin: A, method: 'sign_event' as const, outcome: 'denied' as const, at: T + 2 },
  { origin: B, method: 'nip44_encrypt' as const, outcome: 'allowed' as const, at: T + 3, folded: true },
  { origin: A, method: 'get_public_key' as const, outcome: 'allowed' as const, at: T + 4 },
  { origin: A, method: 'sign_event' as const, outcome: 'allowed' as const, at: T + 5, folded: true },
  { origin: A, method: 'sign_event' as const, outcome: 'allowed' as const, at: T + 6, folded: true },
  { origin: B, method: 'sign_event' as const, outcome: 'cap_exceeded' as const, at: T + 7 },
  { origin: A, method: 'nip44_decrypt' as const, outcome: 'allowed' as const, at: T + 8, folded: true },
  { origin: A, method: 'sign_event' as const, outcome: 'asked' as const, at: T + 9 },
];

describe('the activity list over the activity table and the signing log', () => {
  // [filter, page size] → every matching decision once, newest first.
  const CASES: [string, { origin?: string; method?: Method; outcome?: Outcome }, number][] = [
    ['everything, one page', {}, 100],
    ['everything, pages of 1', {}, 1],
    ['everything, pages of 2', {}, 2],
    ['one site, pages of 3', { origin: A }, 3],
    ['one site and method, pages of 1', { origin: A, method: 'sign_event' }, 1],
    ['one method, pages of 2', { method: 'sign_event' }, 2],
    ['allowed only, pages of 2', { outcome: 'allowed' }, 2],
    ['refusals only: the log is not read', { outcome: 'denied' }, 1],
  ];
  it.each(CASES)('%s', async (_name, q, limit) => {
    const d = freshDb();
    await timeline(d, ITEMS);
    const got = await readAll(d, q, limit);
    const want = ITEMS.filter((i) => (!q.origin || i.origin === q.origin) && (!q.method || i.method === q.method) && (!q.outcome || i.outcome === q.outcome))
      .reverse()
      .map((i) => ({ origin: i.origin, method: i.method, outcome: i.outcome, createdAt: i.at, reason: `${i.outcome} ${i.at}` }));
    expect(got.map(({ origin, method, outcome, createdAt, reason }) => ({ origin, method, outcome, createdAt, reason }))).toEqual(want);
    // Ids are unique across both tables (a log entry's id is negated).
    expect(new Set(got.map((e) => e.id)).size).toBe(got.length);
  });

  it('an allowed request of before the fold (its entry has no reason, its row is in the activity table) shows once', async () => {
    const d = freshDb();
    await d.transaction('rw', d.signingLog, d.logChain, () => appendLog(d, logEntry(A, 'sign_event', T, 1)));
    await d.activity.add(act(A, 'sign_event', 'allowed', T) as ActivityEntry);
    await timeline(d, [{ origin: A, method: 'sign_event', outcome: 'allowed', at: T + 1, folded: true }]);
    const rows = await readAll(d, {}, 10);
    expect(rows.map((r) => [r.outcome, r.createdAt, r.id < 0 ? 'log' : 'activity'])).toEqual([
      ['allowed', T + 1, 'log'],
      ['allowed', T, 'activity'],
    ]);
  });

  it('the log side stops at the first entry from before the fold: an old log is not walked', async () => {
    const d = freshDb();
    await d.transaction('rw', d.signingLog, d.logChain, async () => {
      for (let i = 0; i < 500; i++) await appendLog(d, logEntry(A, 'sign_event', T + i, 1));
    });
    await timeline(d, [{ origin: A, method: 'sign_event', outcome: 'allowed', at: T + 1_000, folded: true }]);
    let visited = 0;
    const count = (e: unknown) => (visited++, e);
    d.signingLog.hook('reading', count);
    const { entries } = await pageActivity(d, { limit: 50, outcome: 'allowed' });
    d.signingLog.hook('reading').unsubscribe(count);
    expect(entries).toHaveLength(1);
    // The folded entry and the one that stops the walk; none of the 499 before it.
    expect(visited).toBeLessThanOrEqual(2);
  });

  it('a cursor that no page gave (any positive integer) is read as bounds, never an error', async () => {
    const d = freshDb();
    await timeline(d, ITEMS);
    for (const before of [1, 2 ** 27, 2 ** 27 + 3, Number.MAX_SAFE_INTEGER]) {
      const page = await pageActivity(d, { limit: 5, before });
      expect(Array.isArray(page.entries)).toBe(true);
    }
  });
});
