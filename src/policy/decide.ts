// The decision (docs/ARCHITECTURE.md, Decision order, steps 3–5) as a pure function of (request, records, now).
import { isConsequential, policyMethod, type Method } from '../shared/methods.ts';
import { isLive } from './live.ts';
import type { Grant, Override, Rule } from './records.ts';
import { constraintsCover, denyReaches, KIND_GIFT_WRAP, personOf, type RequestTarget } from './constraints.ts';

export interface PolicyRequest {
  method: Method;
  /**
   * sign_event: the event kind; a nip44_decrypt that opened a gift wrap holding a seal: 1059 (so
   * its log entry counts as one message read); null otherwise.
   */
  kind: number | null;
  /** What the request is aimed at (src/policy/target.ts); absent = nothing a constraint can match. */
  target?: RequestTarget | undefined;
}

export interface PolicyRecords {
  /** Grants for (origin, account); decide() keeps only the live ones. */
  grants: readonly Grant[];
  /** Rules of those grants. */
  rules: readonly Rule[];
  /** Overrides for (origin, account). */
  overrides: readonly Override[];
  sensitiveKinds: readonly number[];
}

export interface PolicyClock {
  now: number;
  sessionId: string;
}

export type Decision =
  | { outcome: 'allow'; by: { type: 'override'; id: number } | { type: 'rule'; id: number; grantId: number } }
  | { outcome: 'deny'; by: { type: 'override'; id: number } }
  | { outcome: 'cap_exceeded'; rule: Rule; used: number }
  | { outcome: 'ask'; reason: 'no_rule' }
  | { outcome: 'ask'; reason: 'cap_reached'; rule: Rule; used: number };

function sameMethod(scoped: Method, requested: Method): boolean {
  return scoped === requested || scoped === policyMethod(requested);
}

/**
 * Does a record's scope cover the request? Its (method, kind), then its constraints (peers, relays,
 * URLs, gift wraps: src/policy/constraints.ts). Sensitive kinds need a named kind; a decrypt's
 * kind (1059 for a gift wrap) is a label, never sensitive.
 */
function covers(scope: Rule | Override, req: PolicyRequest, sensitive: readonly number[]): boolean {
  if (!sameMethod(scope.method, req.method)) return false;
  const kindOk = scope.kind !== null ? scope.kind === req.kind : req.kind === null || req.method !== 'sign_event' || !sensitive.includes(req.kind);
  return kindOk && constraintsCover(scope, req.target, req.method);
}

/**
 * A cap binds on every request its (method, kind) counts, sensitive kinds included. With `peers` it
 * counts (and binds) only its peers; with giftWraps it counts messages — the gift-wrap layer, one
 * per message — not the seal layer that follows. Relays and URLs do not narrow a cap: it counts
 * and binds on every request of its kind (stricter, never looser).
 */
function capBinds(rule: Rule, req: PolicyRequest): boolean {
  if (!sameMethod(rule.method, req.method) || !(rule.kind === null || rule.kind === req.kind) || rule.maxUsageCount === null) return false;
  if (rule.giftWraps && req.kind !== KIND_GIFT_WRAP) return false;
  if (rule.peers != null) {
    const person = personOf(req.target);
    if (person === undefined || !rule.peers.includes(person)) return false;
  }
  return true;
}

function liveGrants(records: PolicyRecords, clock: PolicyClock): Grant[] {
  return records.grants.filter((g) => isLive(g, clock.now, clock.sessionId));
}

function liveRules(records: PolicyRecords, clock: PolicyClock): Rule[] {
  const grantIds = new Set(liveGrants(records, clock).map((g) => g.id));
  return records.rules.filter((r) => grantIds.has(r.grantId) && isLive(r, clock.now, clock.sessionId));
}

/**
 * The capped rules whose usage decide() needs, so the caller can count exactly those from the
 * signing log (inside the same transaction) and nothing more.
 */
export function capsToCount(req: PolicyRequest, records: PolicyRecords, clock: PolicyClock): Rule[] {
  if (!isConsequential(req.method)) return [];
  return liveRules(records, clock).filter((r) => capBinds(r, req));
}

/**
 * Step 3 alone: the live deny override that refuses the request, if any. It needs nothing but the
 * policy — no key, no unlocked vault, no count — so it is checked before anything else happens to
 * a request (docs/THREATS.md #28). A deny needs no named kind: denying a method denies its
 * sensitive kinds too.
 */
export function denyFor(req: PolicyRequest, records: PolicyRecords, clock: PolicyClock): Extract<Decision, { outcome: 'deny' }> | null {
  const deny = records.overrides.find(
    (o) =>
      o.effect === 'deny' &&
      sameMethod(o.method, req.method) &&
      (o.kind === null || o.kind === req.kind) &&
      denyReaches(o, req.target, req.method) &&
      isLive(o, clock.now, clock.sessionId),
  );
  return deny ? { outcome: 'deny', by: { type: 'override', id: deny.id } } : null;
}

/**
 * @param usage ruleId → number of signing-log entries inside that rule's window, for at least
 *   every rule capsToCount() returned.
 */
export function decide(
  req: PolicyRequest,
  records: PolicyRecords,
  usage: ReadonlyMap<number, number>,
  clock: PolicyClock,
): Decision {
  const sensitive = records.sensitiveKinds;
  const overrides = records.overrides.filter((o) => isLive(o, clock.now, clock.sessionId));

  const deny = denyFor(req, records, clock);
  if (deny) return deny;

  // Caps bind on every request they count, whatever would allow it — a rule, an override, or the
  // user's "allow once" after a prompt — so they are checked before asking: a prompt could not
  // lift a spent cap (only a grant's onCapReached: 'ask' offers that).
  for (const rule of capsToCount(req, records, clock)) {
    const used = usage.get(rule.id);
    if (used === undefined) throw new Error(`usage of rule ${rule.id} was not counted`);
    if (used >= (rule.maxUsageCount ?? Infinity)) {
      const grant = liveGrants(records, clock).find((g) => g.id === rule.grantId);
      return grant?.onCapReached === 'ask'
        ? { outcome: 'ask', reason: 'cap_reached', rule, used }
        : { outcome: 'cap_exceeded', rule, used };
    }
  }

  const allowOverride = overrides.find((o) => o.effect === 'allow' && covers(o, req, sensitive));
  const allowRule = liveRules(records, clock).find((r) => covers(r, req, sensitive));
  if (!allowOverride && !allowRule) return { outcome: 'ask', reason: 'no_rule' };

  return allowOverride
    ? { outcome: 'allow', by: { type: 'override', id: allowOverride.id } }
    : { outcome: 'allow', by: { type: 'rule', id: allowRule!.id, grantId: allowRule!.grantId } };
}

/** The start of a rule's counting window (exclusive), or -Infinity for a lifetime cap. */
export function windowStart(rule: Pick<Rule, 'windowSeconds'>, now: number): number {
  return rule.windowSeconds === null ? -Infinity : now - rule.windowSeconds * 1000;
}

/** One line a person can read: which rule or override decided, and for a cap when it frees. */
export function describeDecision(decision: Decision, freesAt?: number): string {
  switch (decision.outcome) {
    case 'allow':
      return decision.by.type === 'override'
        ? `allow override #${decision.by.id}`
        : `rule #${decision.by.id} of grant #${decision.by.grantId}`;
    case 'deny':
      return `deny override #${decision.by.id}`;
    case 'ask':
      return decision.reason === 'no_rule' ? 'no rule covers this request' : `${capText(decision.rule, decision.used, freesAt)}; grant asks`;
    case 'cap_exceeded':
      return capText(decision.rule, decision.used, freesAt);
  }
}

/**
 * What a page is told about a refusal: the kind of refusal and, for a cap, when it frees — never
 * an internal id or a count (docs/THREATS.md #35). The activity log keeps the detail.
 */
export function refusalText(decision: Extract<Decision, { outcome: 'deny' | 'cap_exceeded' }>, freesAt?: number): string {
  if (decision.outcome === 'deny') return 'Denied by a deny override for this site';
  const frees = freesAt === undefined || !Number.isFinite(freesAt) ? 'it does not free up' : `it frees at ${new Date(freesAt).toISOString()}`;
  return `Usage cap reached; ${frees}`;
}

function capText(rule: Rule, used: number, freesAt?: number): string {
  const window = rule.windowSeconds === null ? 'lifetime' : `${rule.windowSeconds} s`;
  const frees = freesAt === undefined || !Number.isFinite(freesAt) ? 'never frees up' : `frees at ${new Date(freesAt).toISOString()}`;
  return `cap of rule #${rule.id} spent (${used}/${rule.maxUsageCount} per ${window}); ${frees}`;
}
