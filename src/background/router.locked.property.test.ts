// PROPERTY (docs/THREATS.md #31): whatever admin calls are made at a locked browser, in any
// order, no request's outcome moves toward allow and no cap gains budget. What the gate lets
// through must really tighten (or change nothing), judged by the guard's own explain_request.
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import type { Method } from '../shared/methods.ts';
import { type Any, PW, SITE, withAccount } from '../test/background.ts';

vi.setConfig({ testTimeout: 120_000 });

const methods: Method[] = ['sign_event', 'nip44_encrypt', 'get_public_key'];
const kind = fc.option(fc.constantFrom(1, 3, 7), { nil: null });
const count = fc.option(fc.integer({ min: 1, max: 6 }), { nil: null });
const win = fc.option(fc.constantFrom(60, 3600), { nil: null });
const rule = fc.record({ method: fc.constantFrom(...methods), kind, maxUsageCount: count, windowSeconds: win }).map((r) => (r.method === 'get_public_key' ? { ...r, maxUsageCount: null } : r));

/** One admin call; `pick` chooses among the ids that exist when it runs. */
const call = fc.oneof(
  fc.record({ m: fc.constant('grant'), rules: fc.array(rule, { maxLength: 3 }), ask: fc.boolean() }),
  fc.record({ m: fc.constant('add_policy_rule'), rule }),
  fc.record({ m: fc.constant('update_policy_rule'), pick: fc.nat(), patch: fc.record({ kind, maxUsageCount: count, windowSeconds: win }, { requiredKeys: [] }) }),
  fc.record({ m: fc.constant('delete_policy_rule'), pick: fc.nat() }),
  fc.record({ m: fc.constant('set_override'), method: fc.constantFrom(...methods), kind, effect: fc.constantFrom('allow', 'deny') }),
  fc.record({ m: fc.constant('revoke_override'), pick: fc.nat() }),
  fc.record({ m: fc.constant('set_settings'), sensitiveKinds: fc.subarray([0, 3, 7]) }),
  fc.record({ m: fc.constant('pause_site') }),
  fc.record({ m: fc.constant('resume_site') }),
);
type Call = typeof call extends fc.Arbitrary<infer T> ? T : never;

type Req = { method: Method; kind: number | null };
const requests: Req[] = methods.flatMap((method): Req[] => (method === 'sign_event' ? [1, 3, 7].map((k) => ({ method, kind: k })) : [{ method, kind: null }]));
const rank = { deny: 0, cap_exceeded: 1, ask: 2, allow: 3 } as const;

describe('locked means locked (property)', () => {
  it('PROPERTY: any sequence of admin calls while locked never lets a request through that was not, nor gives a cap more room', async () => {
    const h = await withAccount();
    const params = async (c: Call): Promise<[string, Record<string, unknown>]> => {
      const { grants, overrides } = await h.ok('get_policies', { origin: SITE });
      const live = grants.find((g: Any) => g.revokedAt === null);
      const rules = live?.rules ?? [];
      const at = <T>(xs: T[], i: number) => xs[i % Math.max(xs.length, 1)];
      switch (c.m) {
        case 'grant': return ['grant', { origin: SITE, rules: c.rules, onCapReached: c.ask ? 'ask' : 'deny' }];
        case 'add_policy_rule': return ['add_policy_rule', { grantId: live?.id ?? 999_999, ...c.rule }];
        case 'update_policy_rule': return ['update_policy_rule', { ruleId: at<Any>(rules, c.pick)?.id ?? 999_999, ...c.patch }];
        case 'delete_policy_rule': return ['delete_policy_rule', { ruleId: at<Any>(rules, c.pick)?.id ?? 999_999 }];
        case 'set_override': return ['set_override', { origin: SITE, method: c.method, kind: c.kind, effect: c.effect }];
        case 'revoke_override': return ['revoke_override', { overrideId: at<Any>(overrides, c.pick)?.id ?? 999_999 }];
        case 'set_settings': return ['set_settings', { sensitiveKinds: c.sensitiveKinds }];
        default: return [c.m, { origin: SITE }];
      }
    };
    const explainAll = () => Promise.all(requests.map((r) => h.ok('explain_request', { origin: SITE, ...r })));
    const minLeft = (e: Any) => Math.min(Infinity, ...e.caps.map((c: Any) => c.left));

    await fc.assert(
      // The profile starts with a grant of a few rules (what there is to loosen), then anything.
      fc.asyncProperty(fc.tuple(fc.record({ m: fc.constant('grant' as const), rules: fc.array(rule, { minLength: 1, maxLength: 3 }), ask: fc.boolean() }), fc.array(call, { maxLength: 2 })).map(([g, rest]) => [g, ...rest]), fc.array(call, { minLength: 1, maxLength: 5 }), async (setup, attack) => {
        await h.ok('unlock', { password: PW });
        for (const t of [h.ctx.db.grants, h.ctx.db.rules, h.ctx.db.overrides]) await t.clear();
        await h.ok('set_settings', { sensitiveKinds: [0, 3] });
        h.ctx.policy.invalidate();
        for (const c of setup) await h.admin(...(await params(c)));
        await h.ok('lock');
        const before = await explainAll();
        for (const c of attack) {
          await h.admin(...(await params(c)));
          const after = await explainAll();
          requests.forEach((r, i) => {
            const what = `${JSON.stringify(c)} → ${r.method} ${r.kind}`;
            expect(rank[after[i].outcome as keyof typeof rank], what).toBeLessThanOrEqual(rank[before[i].outcome as keyof typeof rank]);
            if (after[i].outcome === 'allow' && before[i].outcome === 'allow') expect(minLeft(after[i]), what).toBeLessThanOrEqual(minLeft(before[i]));
          });
        }
      }),
      { numRuns: 120 },
    );
  });
});
