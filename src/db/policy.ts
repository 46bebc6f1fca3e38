// Grants, rules and overrides: the reads the guard needs and the writes the admin RPC makes.
import { isConsequential, takesKind, type Method } from '../shared/methods.ts';
import type { RuleInput } from '../shared/protocol.ts';
import { fail } from '../shared/errors.ts';
import type { PolicyRecords } from '../policy/decide.ts';
import { isLive } from '../policy/live.ts';
import { patchRule } from '../policy/impact.ts';
import type { CapReachedAction, Effect, Grant, Override, Rule } from '../policy/records.ts';
import { constraintFields, constraintProblem, type Constraints } from '../policy/constraints.ts';
import type { WardenDb } from './schema.ts';
import { getSetting } from './settings.ts';

/** Everything decide() reads for one (origin, account): three key-range reads and one get. */
export async function loadPolicyRecords(db: WardenDb, origin: string, accountId: number, now: number): Promise<PolicyRecords> {
  const [grants, overrides, sensitiveKinds] = await Promise.all([
    db.grants.where('[origin+accountId]').equals([origin, accountId]).toArray(),
    db.overrides.where('[origin+accountId]').equals([origin, accountId]).toArray(),
    getSetting(db, 'sensitiveKinds'),
  ]);
  // Revoked grants hold no live rule: skip reading their rules (past grants pile up).
  const current = grants.filter((g) => g.revokedAt == null || g.revokedAt > now);
  const rules = current.length ? await db.rules.where('grantId').anyOf(current.map((g) => g.id)).toArray() : [];
  return { grants: current, rules, overrides, sensitiveKinds };
}

export interface GrantInput {
  origin: string;
  accountId: number;
  rules: RuleInput[];
  expiresAt?: number | null | undefined;
  onCapReached?: CapReachedAction | undefined;
  sessionId?: string | null;
}

/**
 * A cap only on a method the signing log counts: on any other it would show a meter that never
 * moves while every call succeeds (docs/THREATS.md #40).
 */
function assertCounted(method: Method, maxUsageCount: number | null | undefined): void {
  if (maxUsageCount != null && !isConsequential(method)) {
    throw fail('invalid_request', `${method} is not counted, so it cannot have a cap (caps apply to signatures, encryptions and decryptions)`);
  }
}

/**
 * A constraint only where it can apply (src/policy/constraints.ts): peers on an encrypt or decrypt,
 * relays on relay AUTH, URLs on HTTP auth. Anything else is refused and nothing is stored.
 */
function assertConstraintsFit(method: Method, kind: number | null, c: Constraints): void {
  const problem = constraintProblem(method, kind, c);
  if (problem) throw fail('invalid_request', problem);
}

function ruleRow(grantId: number, input: RuleInput, now: number, life: Partial<Rule> = {}): Omit<Rule, 'id'> {
  assertCounted(input.method, input.maxUsageCount);
  const kind = takesKind(input.method) ? (input.kind ?? null) : null;
  assertConstraintsFit(input.method, kind, input);
  return {
    grantId,
    method: input.method,
    kind,
    ...constraintFields(input),
    maxUsageCount: input.maxUsageCount ?? null,
    windowSeconds: input.windowSeconds ?? null,
    createdAt: now,
    expiresAt: life.expiresAt ?? null,
    sessionId: life.sessionId ?? null,
  };
}

/** A new grant replaces the live one for the same (origin, account): the old one is revoked, its budget is not reset. */
export function createGrant(db: WardenDb, input: GrantInput, now: number, sessionId: string): Promise<number> {
  return db.transaction('rw', db.grants, db.rules, async () => {
    const existing = await db.grants.where('[origin+accountId]').equals([input.origin, input.accountId]).toArray();
    for (const old of existing) {
      if (isLive(old, now, sessionId)) await db.grants.update(old.id, { revokedAt: now });
    }
    const grantId = (await db.grants.add({
      origin: input.origin,
      accountId: input.accountId,
      createdAt: now,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      sessionId: input.sessionId ?? null,
      onCapReached: input.onCapReached ?? 'deny',
    } as Grant)) as number;
    await db.rules.bulkAdd(input.rules.map((r) => ruleRow(grantId, r, now)) as Rule[]);
    return grantId;
  });
}

export async function revokeGrant(db: WardenDb, grantId: number, now: number): Promise<void> {
  await db.transaction('rw', db.grants, async () => {
    const grant = await db.grants.get(grantId);
    if (!grant) throw fail('not_found', `no grant #${grantId}`);
    // Revoking twice keeps the first time: a revocation is never moved.
    if (grant.revokedAt == null) await db.grants.update(grantId, { revokedAt: now });
  });
}

export async function addRule(db: WardenDb, grantId: number, input: RuleInput, now: number, life: Partial<Rule> = {}): Promise<Rule> {
  return db.transaction('rw', db.grants, db.rules, async () => {
    if (!(await db.grants.get(grantId))) throw fail('not_found', `no grant #${grantId}`);
    const row = ruleRow(grantId, input, now, life);
    const id = (await db.rules.add(row as Rule)) as number;
    return { ...row, id };
  });
}

export interface RulePatch {
  method?: Method | undefined;
  kind?: number | null | undefined;
  maxUsageCount?: number | null | undefined;
  windowSeconds?: number | null | undefined;
  peers?: string[] | null | undefined;
  relays?: string[] | null | undefined;
  urls?: string[] | null | undefined;
  httpMethods?: string[] | null | undefined;
  giftWraps?: boolean | null | undefined;
}

/** Absent fields stay; null clears. */
export function updateRule(db: WardenDb, ruleId: number, patch: RulePatch): Promise<Rule> {
  return db.transaction('rw', db.rules, async () => {
    const rule = await db.rules.get(ruleId);
    if (!rule) throw fail('not_found', `no rule #${ruleId}`);
    const next = patchRule(rule, patch);
    assertCounted(next.method, next.maxUsageCount);
    assertConstraintsFit(next.method, next.kind, next);
    await db.rules.put(next);
    return next;
  });
}

export async function deleteRule(db: WardenDb, ruleId: number): Promise<void> {
  await db.transaction('rw', db.rules, async () => {
    if (!(await db.rules.get(ruleId))) throw fail('not_found', `no rule #${ruleId}`);
    await db.rules.delete(ruleId);
  });
}

export interface OverrideInput {
  origin: string;
  accountId: number;
  method: Method;
  kind?: number | null | undefined;
  effect: Effect;
  expiresAt?: number | null | undefined;
  sessionId?: string | null;
  peers?: string[] | null | undefined;
  relays?: string[] | null | undefined;
  urls?: string[] | null | undefined;
  httpMethods?: string[] | null | undefined;
  giftWraps?: boolean | null | undefined;
}

export async function addOverride(db: WardenDb, input: OverrideInput, now: number): Promise<number> {
  const kind = takesKind(input.method) ? (input.kind ?? null) : null;
  assertConstraintsFit(input.method, kind, input);
  return (await db.overrides.add({
    origin: input.origin,
    accountId: input.accountId,
    method: input.method,
    kind,
    ...constraintFields(input),
    effect: input.effect,
    createdAt: now,
    expiresAt: input.expiresAt ?? null,
    revokedAt: null,
    sessionId: input.sessionId ?? null,
  } as Override)) as number;
}

export async function revokeOverride(db: WardenDb, overrideId: number, now: number): Promise<void> {
  await db.transaction('rw', db.overrides, async () => {
    const row = await db.overrides.get(overrideId);
    if (!row) throw fail('not_found', `no override #${overrideId}`);
    if (row.revokedAt == null) await db.overrides.update(overrideId, { revokedAt: now });
  });
}

export async function listPolicies(db: WardenDb, origin?: string): Promise<{ grants: Grant[]; rules: Rule[]; overrides: Override[] }> {
  return db.transaction('r', db.grants, db.rules, db.overrides, async () => {
    const grants = origin ? await db.grants.where('origin').equals(origin).toArray() : await db.grants.toArray();
    const rules = grants.length ? await db.rules.where('grantId').anyOf(grants.map((g) => g.id)).toArray() : [];
    const overrides = origin ? await db.overrides.where('origin').equals(origin).toArray() : await db.overrides.toArray();
    return { grants, rules, overrides };
  });
}
