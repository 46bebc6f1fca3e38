// "Try a request": what the guard would decide right now, and why — the same records (through the
// same policy cache), the same counts from the signing log and the same pure decide(), without
// crypto and without writing anything (no signing-log entry, no activity row).
import { capsToCount, decide, describeDecision, type PolicyClock } from '../policy/decide.ts';
import { isConsequential, takesKind } from '../shared/methods.ts';
import type { WardenDb } from '../db/schema.ts';
import type { PolicyCache } from '../db/policyCache.ts';
import { ruleUsage } from '../db/usage.ts';
import type { GuardRequest } from './guard.ts';
import type { CapUsage, Explanation } from '../shared/adminResults.ts';
import { constraintFields, KIND_GIFT_WRAP } from '../policy/constraints.ts';

export interface ExplainDeps {
  db: WardenDb;
  policy: PolicyCache;
  clock: () => PolicyClock;
}

export function explain(deps: ExplainDeps, req: GuardRequest): Promise<Explanation> {
  const { db } = deps;
  return db.transaction('r', [db.grants, db.rules, db.overrides, db.settings, db.signingLog, db.logTally], async () => {
    const clock = deps.clock();
    // A decrypt that opens a gift wrap is judged (and logged) as kind 1059, as the guard does.
    const kind = takesKind(req.method) ? req.kind : req.method === 'nip44_decrypt' && req.target?.dm?.layer === 'wrap' ? KIND_GIFT_WRAP : null;
    const request = { ...req, kind };
    const records = await deps.policy.load(req.origin, req.accountId, clock.now);
    const rules = isConsequential(req.method) ? capsToCount(request, records, clock) : [];
    const caps: CapUsage[] = [];
    for (const rule of rules) {
      const { used, freesAt } = await ruleUsage(db, req, rule, clock, { frees: 'always' });
      const max = rule.maxUsageCount ?? Infinity;
      caps.push({
        ruleId: rule.id,
        grantId: rule.grantId,
        maxUsageCount: max,
        windowSeconds: rule.windowSeconds,
        used,
        left: Math.max(0, max - used),
        freesAt,
      });
    }
    const decision = decide(request, records, new Map(caps.map((c) => [c.ruleId, c.used])), clock);
    const spent = decision.outcome === 'cap_exceeded' || (decision.outcome === 'ask' && decision.reason === 'cap_reached') ? decision.rule : null;
    const spentFrees = spent ? caps.find((c) => c.ruleId === spent.id)?.freesAt ?? Infinity : undefined;
    // The constraints of what decided, so the page can say "only with npub1…" beside the outcome.
    const by = decision.outcome === 'allow' || decision.outcome === 'deny' ? decision.by : null;
    const decider = by ? (by.type === 'rule' ? records.rules.find((r) => r.id === by.id) : records.overrides.find((o) => o.id === by.id)) : spent;
    return {
      outcome: decision.outcome,
      askReason: decision.outcome === 'ask' ? decision.reason : null,
      decidedBy: decision.outcome === 'allow' || decision.outcome === 'deny' ? decision.by : spent ? { type: 'rule', id: spent.id, grantId: spent.grantId } : null,
      reason: describeDecision(decision, spentFrees ?? undefined),
      constraints: decider ? constraintFields(decider) : null,
      caps,
    };
  });
}
