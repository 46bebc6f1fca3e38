import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countSince } from './signingLog.ts';
import { revokeGrant, addRule } from './policy.ts';
import { DEFAULT_RETENTION, getRetention, pruneLogs, setRetention } from './retention.ts';
import { windowStart } from '../policy/decide.ts';
import type { Method } from '../shared/methods.ts';
import { appendEntries, freshDb, grant, S, T as NOW } from '../test/db.ts';

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
    const d = freshDb();
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
        for (const t of [d.grants, d.rules, d.signingLog, d.activity]) await t.clear();
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
});
