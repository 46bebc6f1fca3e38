// Does a proposed change allow more than what is here now? One answer, used by both the restore
// plan (every change it lists is labelled with it) and the lock gate (a locked vault refuses what
// loosens: docs/THREATS.md #31), so the two can never disagree. Pure: records in, a label out.
import { takesKind, type Method } from '../shared/methods.ts';
import type { CapReachedAction, Effect } from './records.ts';
import { CONSTRAINT_KEYS, constraintFields, constraintsWithin, type Constraints } from './constraints.ts';

/** 'loosens': allows more than now (or keeps less to check it by); 'tightens': allows less; 'neutral': neither. */
export type Impact = 'loosens' | 'tightens' | 'neutral';

/** The worst of several: one loosening part makes the whole change loosen. */
export function combine(impacts: readonly Impact[]): Impact {
  if (impacts.includes('loosens')) return 'loosens';
  return impacts.includes('tightens') ? 'tightens' : 'neutral';
}

export interface Scope extends Constraints {
  method: Method;
  /** null = any kind but the sensitive ones (see decide.ts `covers`). */
  kind: number | null;
}

export interface Cap {
  /** null = uncapped. */
  maxUsageCount: number | null;
  /** null = lifetime (the longest window). */
  windowSeconds: number | null;
}

export type RuleShape = Scope & Cap & { expiresAt?: number | null | undefined };

const until = (t: number | null | undefined) => t ?? Infinity;
const span = (windowSeconds: number | null) => windowSeconds ?? Infinity;

/** Does `wide` allow every request `narrow` allows? A kind-wide scope never covers a sensitive kind. */
export function scopeCovers(wide: Scope, narrow: Scope, sensitiveKinds: readonly number[]): boolean {
  if (wide.method !== narrow.method) return false;
  // Constraints narrow: a wide scope covers only if its constraints let through all the narrow one's.
  if (!constraintsWithin(wide, narrow)) return false;
  if (wide.kind === narrow.kind) return true;
  return wide.kind === null && narrow.kind !== null && !sensitiveKinds.includes(narrow.kind);
}

/**
 * Does a cap on `wide` bind every request of `narrow`? (A cap counts every kind it names, sensitive
 * ones too.) Only peers and giftWraps narrow what a cap counts (src/policy/decide.ts capBinds).
 */
function capScopeCovers(wide: Scope, narrow: Scope): boolean {
  const counted = { peers: wide.peers ?? null, giftWraps: wide.giftWraps ?? null };
  return wide.method === narrow.method && (wide.kind === null || wide.kind === narrow.kind) && constraintsWithin(counted, narrow);
}

/** Same constraints, compared in their stored form (lists sorted, absent as null). */
export function sameConstraints(a: Constraints, b: Constraints): boolean {
  const x = constraintFields(a);
  const y = constraintFields(b);
  return CONSTRAINT_KEYS.every((k) => JSON.stringify(x[k]) === JSON.stringify(y[k]));
}

/** Does `strict` leave at most the budget of `loose`: no more uses over a window at least as long? */
export function capAtLeastAsStrict(strict: Cap, loose: Cap): boolean {
  if (loose.maxUsageCount === null) return true;
  if (strict.maxUsageCount === null) return false;
  return strict.maxUsageCount <= loose.maxUsageCount && span(strict.windowSeconds) >= span(loose.windowSeconds);
}

/** One cap replaced by another on the same scope. */
export function capImpact(current: Cap, proposed: Cap): Impact {
  const same = current.maxUsageCount === proposed.maxUsageCount && (current.maxUsageCount === null || current.windowSeconds === proposed.windowSeconds);
  if (same) return 'neutral';
  return capAtLeastAsStrict(proposed, current) ? 'tightens' : 'loosens';
}

/** A rule after a patch, as the database stores it: absent fields stay, null clears, a method without kinds has none. */
export function patchRule<R extends RuleShape>(
  rule: R,
  patch: Partial<Pick<RuleShape, 'method' | 'kind' | 'maxUsageCount' | 'windowSeconds' | (typeof CONSTRAINT_KEYS)[number]>>,
): R {
  const next: R = { ...rule };
  if (patch.method !== undefined) next.method = patch.method;
  if (patch.kind !== undefined) next.kind = patch.kind;
  if (patch.maxUsageCount !== undefined) next.maxUsageCount = patch.maxUsageCount;
  if (patch.windowSeconds !== undefined) next.windowSeconds = patch.windowSeconds;
  for (const key of CONSTRAINT_KEYS) {
    if (patch[key] !== undefined) (next as Constraints)[key] = patch[key] as never;
  }
  if (!takesKind(next.method)) next.kind = null;
  return { ...next, ...constraintFields(next) };
}

/**
 * A rule changed in place. A new scope loosens unless it is inside the old one and the old rule had
 * no cap (a cap moved off part of its scope stops counting there); on the same scope the caps decide.
 */
export function ruleUpdateImpact(current: RuleShape, proposed: RuleShape, sensitiveKinds: readonly number[]): Impact {
  // Removing or widening a constraint is a new, wider scope (loosens); adding or narrowing one, a
  // scope inside the old one (tightens, when the old rule had no cap to lose there).
  const sameScope = current.method === proposed.method && current.kind === proposed.kind && sameConstraints(current, proposed);
  if (!sameScope) {
    const narrower = scopeCovers(current, proposed, sensitiveKinds);
    return narrower && current.maxUsageCount === null ? combine(['tightens', capImpact(current, proposed)]) : 'loosens';
  }
  return capImpact(current, proposed);
}

/** Removing a rule: it took away an allowance (tightens) and, if capped, a cap that counted (loosens). */
export function ruleDeleteImpact(rule: Cap): Impact {
  return rule.maxUsageCount === null ? 'tightens' : 'loosens';
}

/**
 * A rule added beside the live rules of a grant: it loosens if it allows a request (or allows it for
 * longer) that no live rule already does; otherwise a cap no live cap already binds as hard
 * tightens; otherwise nothing changes ('neutral': already here, as strictly or more).
 */
export function ruleAddImpact(
  live: { grantExpiresAt: number | null | undefined; rules: readonly RuleShape[] } | undefined,
  proposed: RuleShape,
  proposedGrantExpiresAt: number | null | undefined,
  sensitiveKinds: readonly number[],
): Impact {
  const allowsUntil = Math.min(until(proposed.expiresAt), until(proposedGrantExpiresAt));
  const covering = live ? live.rules.filter((l) => scopeCovers(l, proposed, sensitiveKinds)) : [];
  const coveredUntil = live ? Math.min(until(live.grantExpiresAt), Math.max(-Infinity, ...covering.map((l) => until(l.expiresAt)))) : -Infinity;
  if (allowsUntil > coveredUntil) return 'loosens';
  if (proposed.maxUsageCount === null) return 'neutral';
  const bound = live!.rules.some((l) => capScopeCovers(l, proposed) && l.maxUsageCount !== null && capAtLeastAsStrict(l, proposed));
  return bound ? 'neutral' : 'tightens';
}

export interface GrantShape {
  expiresAt?: number | null | undefined;
  onCapReached: CapReachedAction;
  rules: readonly RuleShape[];
}

/**
 * A new grant for a site, which replaces its live one (revoked, its caps with it). It loosens if any
 * of its rules allows more than the live grant did, if a live cap has no counterpart at least as
 * strict, or if a spent cap would ask instead of refusing.
 */
export function grantReplaceImpact(live: GrantShape | undefined, proposed: GrantShape, sensitiveKinds: readonly number[]): Impact {
  if (!live) return proposed.rules.length ? 'loosens' : 'neutral';
  const current = { grantExpiresAt: live.expiresAt, rules: live.rules };
  const added = proposed.rules.map((r) => ruleAddImpact(current, r, proposed.expiresAt, sensitiveKinds));
  const capsKept = live.rules
    .filter((l) => l.maxUsageCount !== null)
    .every((l) => proposed.rules.some((r) => capScopeCovers(r, l) && capAtLeastAsStrict(r, l) && until(r.expiresAt) >= until(l.expiresAt)));
  const askInstead = live.onCapReached === 'deny' && proposed.onCapReached === 'ask';
  if (!capsKept || askInstead) return 'loosens';
  // Every live rule the new grant does not carry is an allowance that ends: that tightens.
  const dropped = live.rules.some((l) => !proposed.rules.some((r) => scopeCovers(r, l, sensitiveKinds)));
  const earlier = until(proposed.expiresAt) < until(live.expiresAt);
  return combine([...added, dropped || earlier || (live.onCapReached === 'ask' && proposed.onCapReached === 'deny') ? 'tightens' : 'neutral']);
}

export interface OverrideShape extends Scope {
  effect: Effect;
  expiresAt?: number | null | undefined;
}

/** An override added beside the site's live ones: an allow loosens and a deny tightens, unless the same one is already here for as long. */
export function overrideAddImpact(live: readonly OverrideShape[], proposed: OverrideShape): Impact {
  const present = live.some(
    (l) =>
      l.method === proposed.method &&
      l.kind === proposed.kind &&
      l.effect === proposed.effect &&
      until(l.expiresAt) >= until(proposed.expiresAt) &&
      // One already here that reaches at least as far: an allow that allows, a deny that denies as much.
      constraintsWithin(l, proposed),
  );
  if (present) return 'neutral';
  return proposed.effect === 'allow' ? 'loosens' : 'tightens';
}

/** Lifting an override: lifting a deny (a pause among them) loosens, lifting an allow tightens; a dead one changes nothing. */
export function overrideLiftImpact(override: { effect: Effect; live: boolean }): Impact {
  if (!override.live) return 'neutral';
  return override.effect === 'deny' ? 'loosens' : 'tightens';
}

/** Fewer sensitive kinds loosen (a kind-wide rule then allows them), more tighten. */
export function sensitiveKindsImpact(current: readonly number[], proposed: readonly number[]): Impact {
  const removed = current.some((k) => !proposed.includes(k));
  const added = proposed.some((k) => !current.includes(k));
  return removed ? 'loosens' : added ? 'tightens' : 'neutral';
}

/** Minutes of idle time before the vault locks; 0 = never (the loosest). */
export function autoLockImpact(current: number, proposed: number): Impact {
  const length = (m: number) => (m === 0 ? Infinity : m);
  if (length(proposed) === length(current)) return 'neutral';
  return length(proposed) > length(current) ? 'loosens' : 'tightens';
}

export interface RetentionShape {
  /** Days kept; null = forever. */
  activityDays: number | null;
  signingLogDays: number | null;
}

/**
 * Keeping less of a log takes away what the user can check afterwards, so it is gated like any
 * loosening; keeping more changes what is allowed not at all ('neutral').
 */
export function retentionImpact(current: RetentionShape, proposed: Partial<RetentionShape>): Impact {
  const days = (d: number | null) => d ?? Infinity;
  const shorter = (['activityDays', 'signingLogDays'] as const).some((k) => proposed[k] !== undefined && days(proposed[k]) < days(current[k]));
  return shorter ? 'loosens' : 'neutral';
}
