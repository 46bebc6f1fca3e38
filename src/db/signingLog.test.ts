import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WardenDb } from './schema.ts';
import { appendLog, countSince, freesAt, pageLog, type LogScope } from './signingLog.ts';
import { windowStart } from '../policy/decide.ts';
import type { SigningLogEntry } from '../policy/records.ts';
import type { Method } from '../shared/methods.ts';
import { A, appendEntry, B, freshDb, logEntry, type LogRow, T as NOW } from '../test/db.ts';


/** Rows written by appendLog (with sequence numbers) or as an older version stored them (without). */
const modes = {
  appendLog: async (d: WardenDb, rows: LogRow[]) => {
    for (const row of rows) await appendEntry(d, row);
  },
  'legacy rows': async (d: WardenDb, rows: LogRow[]) => {
    await d.signingLog.bulkAdd(rows as SigningLogEntry[]);
  },
};

describe.each(Object.entries(modes))('countSince (%s)', (_mode, insert) => {
  it('counts by (origin, account, method) at method level and by kind at kind level', async () => {
    const d = freshDb();
    await insert(d, [
      logEntry(A, 'sign_event', NOW - 10, 1),
      logEntry(A, 'sign_event', NOW - 9, 1),
      logEntry(A, 'sign_event', NOW - 8, 7),
      logEntry(A, 'sign_event', NOW - 7, 0),
      logEntry(A, 'nip44_decrypt', NOW - 6),
      logEntry(B, 'sign_event', NOW - 5, 1), // another origin
      logEntry(A, 'sign_event', NOW - 4, 1, 2), // another account
    ]);
    const scope = (method: Method, kind: number | null, accountId = 1, origin = A): LogScope => ({ origin, accountId, method, kind });
    expect(await countSince(d, scope('sign_event', null), -Infinity)).toBe(4);
    expect(await countSince(d, scope('sign_event', 1), -Infinity)).toBe(2);
    expect(await countSince(d, scope('sign_event', 7), -Infinity)).toBe(1);
    expect(await countSince(d, scope('sign_event', 0), -Infinity)).toBe(1);
    expect(await countSince(d, scope('sign_event', 3), -Infinity)).toBe(0);
    expect(await countSince(d, scope('nip44_decrypt', null), -Infinity)).toBe(1);
    expect(await countSince(d, scope('nip44_encrypt', null), -Infinity)).toBe(0);
    expect(await countSince(d, scope('sign_event', null, 2), -Infinity)).toBe(1);
    expect(await countSince(d, scope('sign_event', null, 1, B), -Infinity)).toBe(1);
    expect(await countSince(d, scope('sign_event', null, 1, 'https://c.example'), -Infinity)).toBe(0);
  });

  it('the lower bound is exclusive: the window is (since, +∞)', async () => {
    const d = freshDb();
    const since = NOW - 3_600_000;
    await insert(d, [
      logEntry(A, 'sign_event', since - 1, 1),
      logEntry(A, 'sign_event', since, 1),
      logEntry(A, 'sign_event', since + 1, 1),
      logEntry(A, 'sign_event', NOW, 1),
    ]);
    const method: LogScope = { origin: A, accountId: 1, method: 'sign_event', kind: null };
    const kind: LogScope = { ...method, kind: 1 };
    expect(await countSince(d, method, since)).toBe(2);
    expect(await countSince(d, kind, since)).toBe(2);
    expect(await countSince(d, method, since - 1)).toBe(3);
    expect(await countSince(d, kind, since - 2)).toBe(4);
    expect(await countSince(d, method, NOW)).toBe(0);
    // windowStart + countSince, as the guard uses them.
    expect(await countSince(d, method, windowStart({ windowSeconds: 3_600 }, NOW))).toBe(2);
    expect(await countSince(d, method, windowStart({ windowSeconds: 3_600 }, NOW + 1))).toBe(1);
    expect(await countSince(d, method, windowStart({ windowSeconds: null }, NOW))).toBe(4);
  });

  it('a lifetime count includes entries at time 0 and negative times', async () => {
    const d = freshDb();
    await insert(d, [logEntry(A, 'nip04_encrypt', -5), logEntry(A, 'nip04_encrypt', 0), logEntry(A, 'nip04_encrypt', NOW)]);
    expect(await countSince(d, { origin: A, accountId: 1, method: 'nip04_encrypt', kind: null }, -Infinity)).toBe(3);
  });

  it('an origin that is a prefix of another does not leak into it', async () => {
    const d = freshDb();
    await insert(d, [logEntry('https://a.example:8443', 'sign_event', NOW, 1), logEntry('https://a.example.evil', 'sign_event', NOW, 1)]);
    expect(await countSince(d, { origin: A, accountId: 1, method: 'sign_event', kind: null }, -Infinity)).toBe(0);
  });
});

describe('countSince agrees with a plain count of the stored rows', () => {
  const origins = [A, B];
  const methods: Method[] = ['sign_event', 'nip44_decrypt'];
  const op = fc.record({
    origin: fc.constantFrom(...origins),
    accountId: fc.constantFrom(1, 2),
    method: fc.constantFrom(...methods),
    kind: fc.constantFrom(0, 1, 7),
    // Mostly forward, sometimes backwards (a clock set back).
    dt: fc.integer({ min: -50, max: 200 }),
  });
  const query = fc.record({
    origin: fc.constantFrom(...origins),
    accountId: fc.constantFrom(1, 2),
    method: fc.constantFrom(...methods),
    kind: fc.constantFrom<number | null>(null, 0, 1, 7),
    back: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }),
  });

  it('property: for any log and any window, including older rows without sequence numbers', async () => {
    const d = freshDb();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 12 }), fc.array(op, { maxLength: 25 }), fc.array(query, { minLength: 1, maxLength: 8 }), async (legacy, ops, queries) => {
        await d.signingLog.clear();
        let t = 10_000;
        const row = (o: (typeof ops)[number]) => {
          t += o.dt;
          return logEntry(o.origin, o.method, t, o.method === 'sign_event' ? o.kind : undefined, o.accountId);
        };
        // Rows of an older version first (as a migration that did not number them left them), then new appends.
        const legacyRows = legacy.map(row).sort((x, y) => x.createdAt - y.createdAt);
        await d.signingLog.bulkAdd(legacyRows as SigningLogEntry[]);
        t = Math.max(t, ...legacyRows.map((r) => r.createdAt));
        for (const o of ops) await appendEntry(d, row(o));
        const stored = await d.signingLog.toArray();
        for (const q of queries) {
          const kind = q.method === 'sign_event' ? q.kind : null;
          const since = q.back === undefined ? -Infinity : t - q.back;
          const brute = stored.filter(
            (e) => e.origin === q.origin && e.accountId === q.accountId && e.method === q.method && (kind === null || e.kind === kind) && e.createdAt > since,
          ).length;
          expect(await countSince(d, { origin: q.origin, accountId: q.accountId, method: q.method, kind }, since)).toBe(brute);
        }
      }),
      { numRuns: 100 },
    );
  }, 30_000);

  it('appendLog never stores a createdAt older than the newest entry of its scope (clock set back)', async () => {
    const d = freshDb();
    await appendEntry(d, logEntry(A, 'sign_event', 5_000, 1));
    await appendEntry(d, logEntry(A, 'sign_event', 4_000, 7));
    const rows = await d.signingLog.toArray();
    expect(rows.map((r) => r.createdAt)).toEqual([5_000, 5_000]);
    expect(await countSince(d, { origin: A, accountId: 1, method: 'sign_event', kind: null }, 4_999)).toBe(2);
  });
});

describe('appendLog', () => {
  it('refuses to run outside a transaction (count-then-append must be atomic)', async () => {
    const d = freshDb();
    await expect(appendLog(d, logEntry(A, 'sign_event', 1, 1))).rejects.toThrow(/transaction/);
    expect(await d.signingLog.count()).toBe(0);
  });
});

describe('freesAt', () => {
  const scope: LogScope = { origin: A, accountId: 1, method: 'sign_event', kind: null };

  it('is when the oldest entry that must leave the window leaves it', async () => {
    const d = freshDb();
    for (const t of [100, 200, 300, 400]) await appendEntry(d, logEntry(A, 'sign_event', t, 1));
    // cap 3 per 1000 ms at now = 1000: 4 used, 2 must leave, the second oldest leaves at 1200.
    const since = 0;
    const used = await countSince(d, scope, since);
    expect(used).toBe(4);
    const at = await freesAt(d, scope, since, 1_000, used, 3);
    expect(at).toBe(1_200);
    expect(await countSince(d, scope, at - 1_000)).toBe(2); // below the cap at `at`
    expect(await countSince(d, scope, at - 1 - 1_000)).toBe(3); // still spent 1 ms before
  });

  it('a lifetime cap never frees', async () => {
    const d = freshDb();
    await appendEntry(d, logEntry(A, 'sign_event', 5, 1));
    expect(await freesAt(d, scope, -Infinity, null, 1, 1)).toBe(Infinity);
  });

  it('property: at freesAt the count is below the cap, 1 ms earlier it is not', async () => {
    const d = freshDb();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 4_000 }),
        async (times, max, windowMs) => {
          await d.signingLog.clear();
          await d.signingLog.bulkAdd(times.map((t) => logEntry(A, 'sign_event', t, 1)) as SigningLogEntry[]);
          const now = 5_000;
          const since = now - windowMs;
          const used = await countSince(d, scope, since);
          fc.pre(used >= max);
          const at = await freesAt(d, scope, since, windowMs, used, max);
          expect(at).toBeGreaterThan(now);
          expect(await countSince(d, scope, at - windowMs)).toBeLessThan(max);
          expect(await countSince(d, scope, at - 1 - windowMs)).toBeGreaterThanOrEqual(max);
        },
      ),
      { numRuns: 60 },
    );
  }, 30_000);
});

describe('pageLog (keyset, newest first)', () => {
  async function seed(d: WardenDb): Promise<SigningLogEntry[]> {
    const methods: Method[] = ['sign_event', 'nip44_decrypt', 'nip04_encrypt'];
    for (let i = 0; i < 40; i++) {
      const method = methods[i % 3]!;
      await appendEntry(d, logEntry(i % 2 ? A : B, method, NOW + i, method === 'sign_event' ? i % 5 : undefined));
    }
    return d.signingLog.toArray();
  }

  async function all(d: WardenDb, q: { origin?: string; method?: Method }, limit: number) {
    const pages: SigningLogEntry[][] = [];
    let before: number | undefined;
    for (let guard = 0; guard < 100; guard++) {
      const page = await pageLog(d, { ...q, before, limit });
      pages.push(page.entries);
      if (page.next === undefined) break;
      expect(page.next).toBe(page.entries[page.entries.length - 1]!.id);
      before = page.next;
    }
    return pages;
  }

  it.each<[string, { origin?: string; method?: Method }, number]>([
    ['everything', {}, 7],
    ['by origin', { origin: A }, 6],
    ['by method', { method: 'sign_event' }, 4],
    ['by origin and method', { origin: B, method: 'nip44_decrypt' }, 3],
    ['limit 1', { origin: A }, 1],
    ['limit larger than the set', {}, 1_000],
  ])('%s: newest first, no duplicates, no gaps', async (_name, q, limit) => {
    const d = freshDb();
    const rows = await seed(d);
    const expected = rows
      .filter((e) => (!q.origin || e.origin === q.origin) && (!q.method || e.method === q.method))
      .sort((x, y) => y.id - x.id);
    expect(expected.length).toBeGreaterThan(0);
    const pages = await all(d, q, limit);
    for (const page of pages.slice(0, -1)) expect(page).toHaveLength(limit);
    expect(pages.flat()).toEqual(expected);
    expect(pages.length).toBe(Math.max(1, Math.ceil(expected.length / limit)));
  });

  it('exactly `limit` rows → no next cursor', async () => {
    const d = freshDb();
    for (let i = 0; i < 5; i++) await appendEntry(d, logEntry(A, 'sign_event', NOW + i, 1));
    const page = await pageLog(d, { limit: 5 });
    expect(page.entries).toHaveLength(5);
    expect(page.next).toBeUndefined();
  });

  it('a cursor excludes its own row and a page after the last is empty', async () => {
    const d = freshDb();
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(await appendEntry(d, logEntry(A, 'sign_event', NOW + i, 1)));
    expect((await pageLog(d, { before: ids[1]!, limit: 10 })).entries.map((e) => e.id)).toEqual([ids[0]]);
    expect((await pageLog(d, { before: ids[0]!, limit: 10 })).entries).toEqual([]);
    expect((await pageLog(d, { origin: A, before: ids[2]!, limit: 10 })).entries.map((e) => e.id)).toEqual([ids[1], ids[0]]);
  });

  it('rows appended between pages do not shift later pages', async () => {
    const d = freshDb();
    for (let i = 0; i < 6; i++) await appendEntry(d, logEntry(A, 'sign_event', NOW + i, 1));
    const first = await pageLog(d, { origin: A, limit: 3 });
    await appendEntry(d, logEntry(A, 'sign_event', NOW + 100, 1));
    const second = await pageLog(d, { origin: A, before: first.next, limit: 3 });
    const ids = [...first.entries, ...second.entries].map((e) => e.id);
    expect(new Set(ids).size).toBe(6);
    expect(ids).toEqual([6, 5, 4, 3, 2, 1]);
  });

  it('filters read only the asked origin, even a prefix-sharing one', async () => {
    const d = freshDb();
    await appendEntry(d, logEntry('https://a.example.evil', 'sign_event', NOW, 1));
    await appendEntry(d, logEntry(A, 'sign_event', NOW, 1));
    const page = await pageLog(d, { origin: A, limit: 10 });
    expect(page.entries.map((e) => e.origin)).toEqual([A]);
  });
});
