import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { BackgroundContext } from './context.ts';
import { explain } from './explain.ts';
import { guard, type GuardRequest } from './guard.ts';
import { addOverride, addRule, createGrant, revokeGrant } from '../db/policy.ts';
import type { Method } from '../shared/methods.ts';
import { makeContext, T0 } from '../test/background.ts';
import { isConsequential } from '../shared/methods.ts';

const A = 'https://a.example';
const METHODS: Method[] = ['sign_event', 'nip44_encrypt', 'get_public_key'];

function context(clock: { t: number }): BackgroundContext {
  return makeContext({ clock }).ctx;
}

const outcomeOf = (r: Awaited<ReturnType<typeof guard>>) =>
  r.type === 'allowed' ? 'allow' : r.type === 'ask' ? 'ask' : r.error.code === 'denied' ? 'deny' : r.error.code;

describe('explain', () => {
  it('says which rule allows, how much is left and when the window frees; writes nothing', async () => {
    const clock = { t: T0 };
    const ctx = context(clock);
    await ctx.ready;
    const sessionId = ctx.clock().sessionId;
    const gid = await createGrant(ctx.db, { origin: A, accountId: 1, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 5, windowSeconds: 3600 }] }, T0, sessionId);
    const noop = () => ({ value: null });
    for (let i = 0; i < 2; i++) {
      clock.t += 1000;
      await guard(ctx, { origin: A, accountId: 1, method: 'sign_event', kind: 1 }, noop);
    }
    await ctx.activity.flush();
    const rows = [await ctx.db.signingLog.count(), await ctx.db.activity.count()];
    const e = await explain(ctx, { origin: A, accountId: 1, method: 'sign_event', kind: 1 });
    expect(e).toMatchObject({ outcome: 'allow', decidedBy: { type: 'rule', grantId: gid }, askReason: null });
    expect(e.caps).toEqual([{ ruleId: expect.any(Number), grantId: gid, maxUsageCount: 5, windowSeconds: 3600, used: 2, left: 3, freesAt: T0 + 1000 + 3_600_000 }]);
    await ctx.activity.flush();
    expect([await ctx.db.signingLog.count(), await ctx.db.activity.count()]).toEqual(rows);

    const other = await explain(ctx, { origin: A, accountId: 1, method: 'sign_event', kind: 7 });
    expect(other).toMatchObject({ outcome: 'ask', askReason: 'no_rule', decidedBy: null, caps: [] });
  });

  it('PROPERTY: explain_request predicts exactly what the guard then decides', async () => {
    const clock = { t: T0 };
    const ctx = context(clock);
    await ctx.ready;
    const sessionId = ctx.clock().sessionId;
    const reqArb = fc.record({ method: fc.constantFrom(...METHODS), kind: fc.constantFrom(1, 3, 7), dt: fc.integer({ min: 0, max: 40 * 60_000 }) });
    // Caps only where the log counts (a cap on another method is refused at write time).
    const ruleArb = fc
      .record({
        method: fc.constantFrom(...METHODS),
        kind: fc.option(fc.constantFrom(1, 3), { nil: null }),
        maxUsageCount: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
        windowSeconds: fc.option(fc.constantFrom(600, 3600), { nil: null }),
      })
      .map((r) => (isConsequential(r.method) ? r : { ...r, maxUsageCount: null }));
    const overrideArb = fc.record({ method: fc.constantFrom(...METHODS), kind: fc.option(fc.constantFrom(1, 3), { nil: null }), effect: fc.constantFrom('allow' as const, 'deny' as const) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(ruleArb, { maxLength: 4 }),
        fc.array(overrideArb, { maxLength: 2 }),
        fc.constantFrom('deny' as const, 'ask' as const),
        fc.boolean(),
        fc.array(reqArb, { minLength: 1, maxLength: 12 }),
        async (rules, overrides, onCapReached, revoked, reqs) => {
          for (const t of [ctx.db.grants, ctx.db.rules, ctx.db.overrides, ctx.db.signingLog]) await t.clear();
          ctx.tails.clear();
          ctx.policy.invalidate();
          const gid = await createGrant(ctx.db, { origin: A, accountId: 1, rules, onCapReached }, clock.t, sessionId);
          if (revoked) await revokeGrant(ctx.db, gid, clock.t);
          for (const o of overrides) await addOverride(ctx.db, { origin: A, accountId: 1, ...o }, clock.t);
          if (rules.length) await addRule(ctx.db, gid, { method: 'sign_event', kind: 1, maxUsageCount: 2, windowSeconds: 60 }, clock.t, { expiresAt: clock.t + 5 * 60_000 });
          for (const r of reqs) {
            clock.t += r.dt;
            const req: GuardRequest = { origin: A, accountId: 1, method: r.method, kind: r.method === 'sign_event' ? r.kind : null };
            const predicted = await explain(ctx, req);
            const actual = await guard(ctx, req, () => ({ value: null }));
            expect(predicted.outcome).toBe(outcomeOf(actual));
            if (actual.type === 'ask') expect(predicted.reason).toBe(actual.reason);
            if (actual.type === 'refused') expect(actual.reason).toBe(predicted.reason);
          }
        },
      ),
      { numRuns: 80 },
    );
  }, 60_000);
});
