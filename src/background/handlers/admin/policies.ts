import type { Grant, Rule } from '../../../policy/records.ts';
import { addOverride, addRule, createGrant, deleteRule, listPolicies, revokeGrant, revokeOverride, updateRule } from '../../../db/policy.ts';
import { ruleUsage } from '../../../db/usage.ts';
import { constraintFields } from '../../../policy/constraints.ts';
import type { BackgroundContext } from '../../context.ts';
import { grantFields } from '../../siteView.ts';
import type { AdminHandlers } from './types.ts';


/** A rule as the RPC shows it, with `used`: the live count in its window. */
async function ruleView(ctx: BackgroundContext, grant: Grant, rule: Rule, now: number) {
  const { used } = await ruleUsage(ctx.db, grant, rule, { now });
  const { id, method, kind, maxUsageCount, windowSeconds, createdAt, expiresAt } = rule;
  return { id, method, kind, maxUsageCount, windowSeconds, ...constraintFields(rule), createdAt, expiresAt: expiresAt ?? null, used };
}

export const policyHandlers = {
  get_policies: async (ctx, p) => {
    const now = ctx.now();
    const { grants, rules, overrides } = await listPolicies(ctx.db, p.origin);
    return {
      grants: await Promise.all(
        grants.map(async (g) => ({
          ...grantFields(g),
          rules: await Promise.all(rules.filter((r) => r.grantId === g.id).map((r) => ruleView(ctx, g, r, now))),
        })),
      ),
      overrides: overrides.map((o) => {
        const { id, origin, accountId, method, kind, effect, createdAt, expiresAt, revokedAt } = o;
        return { id, origin, accountId, method, kind, ...constraintFields(o), effect, createdAt, expiresAt: expiresAt ?? null, revokedAt: revokedAt ?? null };
      }),
    };
  },
  grant: async (ctx, p) => {
    const grantId = await createGrant(
      ctx.db,
      { origin: p.origin, accountId: ctx.vault.accountIdOrActive(p.accountId), rules: p.rules, expiresAt: p.expiresAt, onCapReached: p.onCapReached },
      ctx.now(),
      ctx.clock().sessionId,
    );
    return { grantId };
  },
  add_policy_rule: async (ctx, { grantId, ...rule }) => addRule(ctx.db, grantId, rule, ctx.now()),
  update_policy_rule: async (ctx, { ruleId, ...patch }) => updateRule(ctx.db, ruleId, patch),
  delete_policy_rule: async (ctx, p) => {
    await deleteRule(ctx.db, p.ruleId);
    return {};
  },
  revoke_grant: async (ctx, p) => {
    await revokeGrant(ctx.db, p.grantId, ctx.now());
    return {};
  },
  set_override: async (ctx, p) => ({
    overrideId: await addOverride(ctx.db, { ...p, accountId: ctx.vault.accountIdOrActive() }, ctx.now()),
  }),
  revoke_override: async (ctx, p) => {
    await revokeOverride(ctx.db, p.overrideId, ctx.now());
    return {};
  },
} satisfies Partial<AdminHandlers>;
