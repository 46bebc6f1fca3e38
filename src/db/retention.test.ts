import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countSince, readTail } from './signingLog.ts';
import { revokeGrant, addRule } from './policy.ts';
import { DEFAULT_RETENTION, getRetention, pruneLogs, setRetention } from './retention.ts';
import { windowStart } from '../policy/decide.ts';
import type { Method } from '../shared/methods.ts';
import { appendEntries, freshDb, grant, S, T as NOW } from '../test/db.ts';
import { ruleUsage } from './usage.ts';

const DAY = 24 * 3600 * 1000;
const ORIGINS = ['https://a.example', 'https://b.example'];
const METHODS: Method[] = ['sign_event', 'nip44_encrypt'];

describe('retention settings', () => {
  it('defaults: activity 90 days, signing log kept forever; a patch keeps the other field', async () => {
    const d = freshDb();
    expect(await getRetention(d)).toEqual(DEFAULT_RETENTION);
    expect(await setRetention(d, { signingLogDays: 30 })).toEqual({ activityDays: 90, signingLogDays: 30 });
    expect(await setRetention(d, { activityDays: null })).toEqual({ activityDays: null, signingLogDays: 30 });
    expect(await getRetention(d)).toEqual({ activityDays: null, signingLogDays: 30 });
  });
});

describe('pruneLogs', () => {
  it('deletes old entries nobody counts, keeps what a window or a lifetime cap counts', async () => {
    const d = freshDb();
    const [A, B] = ORIGINS as [string, string];
    await grant(d, A, [{ method: 'sign_event', kind: 1, maxUsageCount: 100, windowSeconds: 30 * 86_400 }], NOW - 100 * DAY);
    await grant(d, B, [{ method: 'nip44_encrypt', maxUsageCount: 5 }], NOW - 100 * DAY);
    const rows = [
      { origin: A, accountId: 1, method: 'sign_event' as const, kind: 1, createdAt: NOW - 20 * DAY }, // in the 30-day window: kept
      { origin: A, accountId: 1, method: 'sign_event' as const, kind: 7, createdAt: NOW - 20 * DAY }, // kind 7 is not capped: pruned
      { origin: A, accountId: 1, method: 'sign_event' as const, kind: 1, createdAt: NOW - 40 * DAY }, // outside the window: pruned
      { origin: B, accountId: 1, method: 'nip44_encrypt' as const, createdAt: NOW - 80 * DAY }, // lifetime cap: kept
      { origin: B, accountId: 2, method: 'nip44_encrypt' as const, createdAt: NOW - 80 * DAY }, // another account: pruned
      { origin: A, accountId: 1, method: 'sign_event' as const, kind: 7, createdAt: NOW - 1 * DAY }, // newer than retention: kept
    ];
    await appendEntries(d, rows);
    await d.activity.bulkAdd([
      { origin: A, method: 'sign_event', kind: 1, outcome: 'allowed', reason: 'old', createdAt: NOW - 91 * DAY },
      { origin: A, method: 'sign_event', kind: 1, outcome: 'allowed', reason: 'new', createdAt: NOW - 89 * DAY },
    ] as never);
    const result = await pruneLogs(d, () => ({ now: NOW, sessionId: S }), { activityDays: 90, signingLogDays: 7 });
    expect(result).toEqual({ activityDeleted: 1, signingLogDeleted: 3, signingLogKept: 2 });
    const left = (await d.signingLog.toArray()).map((e) => `${e.origin} ${e.accountId} ${e.kind ?? '-'} ${(NOW - e.createdAt) / DAY}`);
    expect(left.sort()).toEqual([`${A} 1 1 20`, `${A} 1 7 1`, `${B} 1 - 80`].sort());
    expect((await d.activity.toArray()).map((a) => a.reason)).toEqual(['new']);
  });

  it('a revoked grant, an expired rule or an uncapped rule protects nothing', async () => {
    const d = freshDb();
    const A = ORIGINS[0]!;
    const g = await grant(d, A, [{ method: 'sign_event', maxUsageCount: 9 }], NOW - 50 * DAY);
    await revokeGrant(d, g, NOW - DAY);
    const g2 = await grant(d, A, [{ method: 'sign_event' }], NOW - 50 * DAY);
    await addRule(d, g2, { method: 'sign_event', maxUsageCount: 3 }, NOW - 50 * DAY, { expiresAt: NOW - 1 });
    await appendEntries(d, [{ origin: A, accountId: 1, method: 'sign_event', kind: 1, createdAt: NOW - 30 * DAY }]);
    expect((await pruneLogs(d, () => ({ now: NOW, sessionId: S }), { activityDays: null, signingLogDays: 7 })).signingLogDeleted).toBe(1);
  });

  it('PROOF: retention never loosens a cap — every entry a live cap counts survives and every count is unchanged', async () => {
    let d = freshDb();
    const ruleArb = fc.record({
      origin: fc.constantFrom(...ORIGINS),
      accountId: fc.constantFrom(1, 2),
      method: fc.constantFrom(...METHODS),
      kind: fc.option(fc.constantFrom(1, 7), { nil: null }),
      maxUsageCount: fc.option(fc.integer({ min: 1, max: 50 }), { nil: null }),
      windowSeconds: fc.option(fc.constantFrom(3_600, 86_400, 7 * 86_400, 30 * 86_400, 45 * 86_400), { nil: null }),
      dead: fc.constantFrom('live', 'live', 'live', 'revoked', 'expired'),
    });
    const entryArb = fc.record({
      origin: fc.constantFrom(...ORIGINS),
      accountId: fc.constantFrom(1, 2),
      method: fc.constantFrom(...METHODS),
      kind: fc.constantFrom(1, 7),
      ageMs: fc.integer({ min: 0, max: 60 * DAY }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(ruleArb, { maxLength: 6 }), fc.array(entryArb, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 40 }), async (rules, entries, days) => {
        d = freshDb(); // a database per run: the tally and its cache start empty
        for (const r of rules) {
          const gid = await grant(d, r.origin, [], NOW - 90 * DAY, { accountId: r.accountId });
          await addRule(d, gid, r, NOW - 90 * DAY, r.dead === 'expired' ? { expiresAt: NOW - DAY } : {});
          if (r.dead === 'revoked') await revokeGrant(d, gid, NOW - DAY);
        }
        await appendEntries(
          d,
          entries.map((e) => ({ origin: e.origin, accountId: e.accountId, method: e.method, createdAt: NOW - e.ageMs, ...(e.method === 'sign_event' ? { kind: e.kind } : {}) })),
        );
        // What every live capped rule counts, before.
        const liveCapped = (await d.rules.toArray()).filter((r) => r.maxUsageCount !== null && (r.expiresAt ?? Infinity) > NOW);
        const counted = async () => {
          const out: { count: number; ids: number[] }[] = [];
          for (const r of liveCapped) {
            const g = (await d.grants.get(r.grantId))!;
            if (g.revokedAt != null) continue;
            const scope = { origin: g.origin, accountId: g.accountId, method: r.method, kind: r.kind };
            const since = windowStart(r, NOW);
            const ids = (await d.signingLog.toArray())
              .filter((e) => e.origin === g.origin && e.accountId === g.accountId && e.method === r.method && (r.kind === null || e.kind === r.kind) && e.createdAt > since)
              .map((e) => e.id);
            // What the guard and the pages read (the log and the pruned tally) is the log's count.
            const { used } = await ruleUsage(d, g, r, { now: NOW });
            expect(used).toBe(ids.length);
            out.push({ count: await countSince(d, scope, since), ids });
          }
          return out;
        };
        const before = await counted();
        for (const b of before) expect(b.count).toBe(b.ids.length);
        const beforeAll = await d.signingLog.toArray();

        const result = await pruneLogs(d, () => ({ now: NOW, sessionId: S }), { activityDays: null, signingLogDays: days });

        const after = await counted();
        expect(after).toEqual(before); // same entries, same counts
        const left = new Set((await d.signingLog.toArray()).map((e) => e.id));
        // Whatever was deleted was older than the retention; whatever is newer is still there.
        for (const e of beforeAll) {
          if (e.createdAt >= NOW - days * DAY) expect(left.has(e.id)).toBe(true);
        }
        // And it does prune: an old entry that no live cap counts is gone.
        const countedIds = new Set(before.flatMap((b) => b.ids));
        for (const e of beforeAll) {
          if (e.createdAt < NOW - days * DAY && !countedIds.has(e.id)) expect(left.has(e.id)).toBe(false);
        }
        expect(result.signingLogDeleted).toBe(beforeAll.length - left.size);
      }),
      { numRuns: 120 },
    );
  }, 60_000);

  it('PROPERTY: revoke → prune → re-grant — a lifetime cap counts exactly what it did before, a windowed one never less (and at most its first day more)', async () => {
    let d = freshDb();
    const ruleArb = fc.record({
      origin: fc.constantFrom(...ORIGINS),
      accountId: fc.constantFrom(1, 2),
      method: fc.constantFrom(...METHODS),
      kind: fc.option(fc.constantFrom(1, 7), { nil: null }),
      maxUsageCount: fc.integer({ min: 1, max: 50 }),
      windowSeconds: fc.option(fc.constantFrom(3_600, 86_400, 7 * 86_400, 30 * 86_400, 45 * 86_400), { nil: null }),
      // A grant left live keeps protecting what it counts, so the others' entries are pruned around it.
      keep: fc.constantFrom(false, false, false, true),
    });
    const entryArb = fc.record({
      origin: fc.constantFrom(...ORIGINS),
      accountId: fc.constantFrom(1, 2),
      method: fc.constantFrom(...METHODS),
      kind: fc.constantFrom(1, 7),
      ageMs: fc.integer({ min: 0, max: 60 * DAY }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(ruleArb, { minLength: 1, maxLength: 6 }),
        fc.array(entryArb, { minLength: 1, maxLength: 60 }),
        // Two prunes (an earlier one, then one at NOW), each with its own retention in days.
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 10 }),
        async (rules, entries, days1, days2, earlierDays) => {
          d = freshDb(); // a database per run: the tally and its cache start empty
          const grants: number[] = [];
          for (const r of rules) {
            const gid = await grant(d, r.origin, [], NOW - 90 * DAY, { accountId: r.accountId });
            await addRule(d, gid, r, NOW - 90 * DAY);
            grants.push(gid);
          }
          const rows = entries.map((e) => ({ origin: e.origin, accountId: e.accountId, method: e.method, createdAt: NOW - e.ageMs, ...(e.method === 'sign_event' ? { kind: e.kind } : {}) }));
          await appendEntries(d, rows);
          const usageOf = (r: (typeof rules)[number]) => ruleUsage(d, { origin: r.origin, accountId: r.accountId }, r, { now: NOW });
          const before = await Promise.all(rules.map(async (r) => (await usageOf(r)).used));

          // Every grant revoked but those kept: nothing protects their entries any more.
          for (const [i, gid] of grants.entries()) if (!rules[i]!.keep) await revokeGrant(d, gid, NOW - 11 * DAY);
          const anyKept = rules.some((r) => r.keep);
          await pruneLogs(d, () => ({ now: NOW - earlierDays * DAY, sessionId: S }), { activityDays: null, signingLogDays: days1 });
          await pruneLogs(d, () => ({ now: NOW, sessionId: S }), { activityDays: null, signingLogDays: days2 });
          const cutoff = Math.max(NOW - earlierDays * DAY - days1 * DAY, NOW - days2 * DAY);
          // It did prune: with no grant kept, nothing older than the later cutoff is left.
          if (!anyKept) expect(await d.signingLog.where('createdAt').below(cutoff).count()).toBe(0);

          // Re-granted with the same caps.
          for (const r of rules) {
            const gid = await grant(d, r.origin, [], NOW, { accountId: r.accountId });
            await addRule(d, gid, r, NOW);
          }
          for (const [i, r] of rules.entries()) {
            const after = (await usageOf(r)).used;
            const inScope = (e: { origin: string; accountId: number; method: string; kind?: number }) =>
              e.origin === r.origin && e.accountId === r.accountId && e.method === r.method && (r.kind === null || e.kind === r.kind);
            const label = JSON.stringify(r);
            // The guard's path (its cached tail: no seek while the bound is below the cap) decides the same.
            const tail = await readTail(d, { origin: r.origin, accountId: r.accountId, method: r.method, kind: r.kind });
            const guarded = (await ruleUsage(d, { origin: r.origin, accountId: r.accountId }, r, { now: NOW }, { tail })).used;
            expect(guarded >= r.maxUsageCount, label).toBe(after >= r.maxUsageCount);
            // Never lower: the budget is not given back.
            expect(after, label).toBeGreaterThanOrEqual(before[i]!);
            if (r.windowSeconds === null) {
              expect(after, `lifetime cap ${label}`).toBe(before[i]);
              continue;
            }
            // And a pruned day counts whole, so a window can widen to the start of its first day.
            const dayStart = Math.floor(windowStart(r, NOW) / DAY) * DAY;
            expect(after, label).toBeLessThanOrEqual(rows.filter((e) => inScope(e) && e.createdAt > dayStart - 1).length);
          }
        },
      ),
      { numRuns: 120 },
    );
  }, 60_000);
});
