// The pruned tally: rows written at a prune, the rule that says which rows a count adds, and the
// budget it keeps through revoke → prune → re-grant.
import { describe, expect, it, vi } from 'vitest';
import { ANY_KIND, carryPruned, prunedAfter, tallyCount, tallyFrees, tallyRows, tallyTotal, type TallyRow } from './tally.ts';
import { ruleUsage } from './usage.ts';
import { pruneLogs } from './retention.ts';
import { revokeGrant } from './policy.ts';
import { A, appendEntries, clockAt, freshDb, grant, logEntry, T } from '../test/db.ts';
import { code, logCount, SITE, T0, withAccount } from '../test/background.ts';
import type { SigningLogEntry } from '../policy/records.ts';

vi.setConfig({ testTimeout: 20_000 });

const DAY = 24 * 3600 * 1000;

const row = (over: Partial<TallyRow>): TallyRow => ({
  origin: A, accountId: 1, method: 'sign_event', kind: ANY_KIND, day: 0, count: 1, firstId: 1, lastId: 1, firstAt: 0, lastAt: 0, ...over,
});

describe('tallyCount: which rows a count adds', () => {
  const rows = [
    row({ count: 3, firstId: 1, lastId: 3, firstAt: 100, lastAt: 300 }),
    row({ count: 2, firstId: 10, lastId: 11, firstAt: 1_000, lastAt: 1_100 }),
    row({ count: 4, firstId: 20, lastId: 40, firstAt: 2_000, lastAt: 2_500 }),
  ];
  it.each([
    ['lifetime: every row', -Infinity, 9],
    ['a window starting after every row: none', 2_500, 0],
    ['a row whose newest entry is at the window start (exclusive) counts nothing', 300, 6],
    ['a row straddling the window start counts whole (never lower)', 250, 9],
    ['only the rows inside', 1_100, 4],
  ] as const)('%s', (_name, since, expected) => {
    expect(tallyCount(rows, since)).toBe(expected);
  });

  it.each([
    ['every row lies before the entry', 41, false],
    ['a row ends after it', 39, true],
    ['a row straddles it', 15, true],
    ['every row lies after it', 0, true],
  ] as const)('prunedAfter: %s', (_name, id, expected) => {
    expect(prunedAfter(rows, id)).toBe(expected);
  });

  it('total, and when the counted rows leave a window', () => {
    expect(tallyTotal(rows)).toBe(9);
    expect(tallyFrees(rows, -Infinity, 60, 1)).toEqual({ at: 360 });
    expect(tallyFrees(rows, -Infinity, 60, 4)).toEqual({ at: 1_160 });
    expect(tallyFrees(rows, 1_050, 60, 6)).toEqual({ at: 2_560 });
    expect(tallyFrees(rows, 1_050, 60, 8)).toEqual({ left: 2 });
  });
});

describe('carryPruned', () => {
  const entry = (id: number, createdAt: number, kind?: number, method: SigningLogEntry['method'] = 'sign_event'): SigningLogEntry =>
    ({ id, origin: A, accountId: 1, method, createdAt, ...(kind === undefined ? {} : { kind }) }) as SigningLogEntry;

  it('adds each entry to its method-wide row and its kind row, one row per UTC day, merging into a stored day', async () => {
    const d = freshDb('tally');
    await d.transaction('rw', d.logTally, async () => {
      await carryPruned(d, [entry(1, 10 * DAY + 5, 1), entry(2, 10 * DAY + 9, 7), entry(3, 11 * DAY, 1), entry(4, 10 * DAY + 1, undefined, 'nip44_encrypt')]);
    });
    await d.transaction('rw', d.logTally, async () => carryPruned(d, [entry(9, 10 * DAY + 20, 1)]));
    const rows = (await d.logTally.toArray()).map((r) => `${r.method} ${r.kind} d${r.day} ×${r.count} ids ${r.firstId}-${r.lastId} at ${r.firstAt - r.day * DAY}-${r.lastAt - r.day * DAY}`);
    expect(rows.sort()).toEqual(
      [
        'nip44_encrypt -1 d10 ×1 ids 4-4 at 1-1',
        'sign_event -1 d10 ×3 ids 1-9 at 5-20',
        'sign_event -1 d11 ×1 ids 3-3 at 0-0',
        'sign_event 1 d10 ×2 ids 1-9 at 5-20',
        'sign_event 1 d11 ×1 ids 3-3 at 0-0',
        'sign_event 7 d10 ×1 ids 2-2 at 9-9',
      ].sort(),
    );
  });

  it('refuses to run outside a transaction and writes nothing', async () => {
    const d = freshDb('tally');
    await expect(carryPruned(d, [entry(1, 5, 1)])).rejects.toThrow(/pruning transaction/);
    expect(await d.logTally.count()).toBe(0);
  });

  it('the cached rows of a scope are dropped when a prune adds to them', async () => {
    const d = freshDb('tally');
    const scope = { origin: A, accountId: 1, method: 'sign_event' as const, kind: null };
    expect(await tallyRows(d, scope)).toEqual([]);
    await d.transaction('rw', d.logTally, async () => carryPruned(d, [entry(1, 5, 1)]));
    expect((await tallyRows(d, scope)).map((r) => r.count)).toEqual([1]);
    expect((await tallyRows(d, { ...scope, kind: 1 })).map((r) => r.count)).toEqual([1]);
    expect(await tallyRows(d, { ...scope, kind: 7 })).toEqual([]);
  });
});

describe('a budget survives revoke → prune → re-grant', () => {
  it.each([
    ['a lifetime cap', null],
    ['a 30-day cap', 30 * 86_400],
  ])('%s', async (_name, windowSeconds) => {
    const d = freshDb('tally');
    const rules = [{ method: 'sign_event' as const, maxUsageCount: 5, windowSeconds }];
    const g = await grant(d, A, rules, T - 40 * DAY);
    await appendEntries(d, [logEntry(A, 'sign_event', T - 20 * DAY, 1), logEntry(A, 'sign_event', T - 19 * DAY, 7), logEntry(A, 'sign_event', T - 18 * DAY, 1)]);
    const rule = { method: 'sign_event' as const, kind: null, maxUsageCount: 5, windowSeconds };
    const before = await ruleUsage(d, { origin: A, accountId: 1 }, rule, clockAt());
    expect(before.used).toBe(3);
    await revokeGrant(d, g, T - DAY);
    expect((await pruneLogs(d, () => clockAt(), { activityDays: null, signingLogDays: 7 })).signingLogDeleted).toBe(3);
    expect(await d.signingLog.count()).toBe(0);
    await grant(d, A, rules, T);
    const after = await ruleUsage(d, { origin: A, accountId: 1 }, rule, clockAt(), { frees: 'always' });
    expect(after.used).toBe(3);
    // A windowed cap's next drop: the oldest pruned row leaves the window with its day's newest entry.
    expect(after.freesAt).toBe(windowSeconds === null ? null : T - 20 * DAY + windowSeconds * 1000);
    // The guard's path (a known empty tail) agrees.
    expect((await ruleUsage(d, { origin: A, accountId: 1 }, rule, clockAt(), { tail: null })).used).toBe(3);
  });

  it('next to a kind cap that keeps its entries: the method-wide count is exact, whether or not the newest entries went', async () => {
    const d = freshDb('tally');
    // A live lifetime cap on kind 1 keeps every kind-1 entry; the kind-7 ones around them are pruned.
    await grant(d, A, [{ method: 'sign_event', kind: 1, maxUsageCount: 100 }], T - 40 * DAY);
    const old = [20, 19, 18, 17, 16].map((age, i) => logEntry(A, 'sign_event', T - age * DAY, i === 1 || i === 3 ? 1 : 7));
    await appendEntries(d, old); // 7, 1, 7, 1, 7: the newest (kind 7) goes too
    const wide = { method: 'sign_event' as const, kind: null, maxUsageCount: 50, windowSeconds: null };
    const owner = { origin: A, accountId: 1 };
    expect((await ruleUsage(d, owner, wide, clockAt())).used).toBe(5);
    expect((await pruneLogs(d, () => clockAt(), { activityDays: null, signingLogDays: 7 })).signingLogDeleted).toBe(3);
    expect((await ruleUsage(d, owner, wide, clockAt())).used).toBe(5);
    // Later entries take the pruned newest one's position again; still exact.
    await appendEntries(d, [logEntry(A, 'sign_event', T - DAY, 7), logEntry(A, 'sign_event', T, 1)]);
    expect((await ruleUsage(d, owner, wide, clockAt())).used).toBe(7);
    expect((await ruleUsage(d, owner, { ...wide, kind: 7 }, clockAt())).used).toBe(4);
    expect((await ruleUsage(d, owner, { ...wide, kind: 1 }, clockAt())).used).toBe(3);
  });

  it('through the background: revoke, prune_now, re-grant the same lifetime cap → still spent', async () => {
    const h = await withAccount();
    const cap = [{ method: 'sign_event', maxUsageCount: 2 }];
    const { grantId } = await h.ok('grant', { origin: SITE, rules: cap });
    expect(code(await h.sign(SITE))).toBe('ok');
    expect(code(await h.sign(SITE))).toBe('ok');
    await h.ok('revoke_grant', { grantId });
    await h.ok('set_retention', { signingLogDays: 1 });
    h.clock.t = T0 + 3 * DAY;
    expect((await h.ok('prune_now')).signingLogDeleted).toBe(2);
    expect(await logCount(h)).toBe(0);
    await h.ok('grant', { origin: SITE, rules: cap });
    expect((await h.ok('get_policies', { origin: SITE })).grants.find((g: { revokedAt: number | null }) => g.revokedAt === null).rules[0].used).toBe(2);
    expect(code(await h.sign(SITE))).toBe('cap_exceeded');
    expect(await logCount(h)).toBe(0);
  });
});
