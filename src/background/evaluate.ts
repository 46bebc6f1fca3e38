// One request's decision inside the guard's transaction: read its policy and the usage of the
// caps that apply, decide, run its crypto if allowed and issue its signing-log entry. The guard
// (./guard.ts) groups requests into one transaction and answers them once it commits.
import { fail, WardenError } from '../shared/errors.ts';
import { isConsequential } from '../shared/methods.ts';
import { capsToCount, decide, describeDecision, refusalText } from '../policy/decide.ts';
import type { ActivityEntry, Outcome } from '../policy/records.ts';
import { personOf } from '../policy/constraints.ts';
import { issueAppend } from '../db/signingLog.ts';
import { ruleUsage, type Usage } from '../db/usage.ts';
import type { GuardDeps, GuardRequest, GuardResult, Operation, OperationResult } from './guard.ts';

/** A decision whose answer waits for the commit: the rows to note behind it, and a signature still to compute. */
export interface Decided<T> {
  result: GuardResult<T> | { type: 'allowed'; later: () => T };
  notes: Row[];
  value?: { ok: true; value: T } | { ok: false; err: unknown };
}
export type Row = Omit<ActivityEntry, 'id'>;

/**
 * Decides one request and, if it is allowed, issues its writes into `writes` (inside the group's
 * transaction for a consequential request). Nothing is awaited but IndexedDB reads.
 */
export async function evaluate<T>(deps: GuardDeps, req: GuardRequest, run: Operation<T>, approvedByUser: boolean, writes: Promise<unknown>[]): Promise<Decided<T>> {
  const { db } = deps;
  const clock = deps.clock();
  const records = await deps.policy.load(req.origin, req.accountId, clock.now);
  const caps = capsToCount(req, records, clock);
  const logged = isConsequential(req.method);
  const tails = logged ? await deps.tails.forEntry(db, req) : null;
  const usage = new Map<number, Usage>(
    await Promise.all(
      caps.map(async (rule) => [rule.id, await ruleUsage(db, req, rule, clock, { tail: rule.kind === null ? tails!.method : tails!.kind, frees: 'if_spent' })] as const),
    ),
  );
  const decision = decide(req, records, new Map([...usage].map(([id, u]) => [id, u.used])), clock);
  // An allowed consequential request has no activity row of its own: its signing-log entry, which
  // carries the reason, is that row (one row per allowed request; src/db/activity.ts reads both).
  // Every other row is written behind, in batches, after the answer, where repeated refusals
  // collapse into one row with a count (docs/THREATS.md #34); an "asked" row is noted by the
  // prompt queue once the request really waits.
  const notes: Row[] = [];
  const note = (outcome: Outcome, reason: string): void => {
    if (logged && outcome === 'allowed') return;
    notes.push({ origin: req.origin, method: req.method, kind: req.kind, outcome, reason, createdAt: clock.now });
  };
  const refused = (error: WardenError, reason?: string): Decided<T> => ({ result: { type: 'refused', error, ...(reason === undefined ? {} : { reason }) }, notes });

  if (decision.outcome === 'allow' || (decision.outcome === 'ask' && approvedByUser)) {
    let done: OperationResult<T>;
    try {
      // The checks that can refuse (the vault locked meanwhile, the kill switch, another pubkey)
      // run here, before anything is written; only a signature's computing is left for later.
      done = run();
    } catch (err) {
      const error = err instanceof WardenError ? err : fail('invalid_request', `${req.method} failed on this input`);
      note(error.code === 'locked' || error.code === 'denied' ? error.code : 'invalid_request', error.message);
      return refused(error);
    }
    const reason = decision.outcome === 'allow' ? describeDecision(decision) : 'allowed once by the user';
    if (tails) {
      const entry = {
        origin: req.origin,
        accountId: req.accountId,
        method: req.method,
        ...(req.kind === null ? {} : { kind: req.kind }),
        createdAt: clock.now,
        ...(decision.outcome === 'allow' && decision.by.type === 'rule' ? { grantId: decision.by.grantId } : {}),
        ...(done.eventId ? { eventId: done.eventId } : {}),
        ...(req.requestId ? { requestId: req.requestId } : {}),
        // The person a per-peer cap counts by (src/db/usage.ts).
        ...(personOf(req.target) ? { peer: personOf(req.target)! } : {}),
        reason,
      };
      // Issued, not awaited: the next member's reads in this transaction see the entry.
      const issued = issueAppend(db, entry, tails);
      writes.push(issued.written);
      deps.tails.advance(req, issued.tails);
    }
    note('allowed', reason);
    return { result: 'later' in done ? { type: 'allowed', later: done.later } : { type: 'allowed', value: done.value }, notes };
  }

  if (decision.outcome === 'deny') {
    const reason = describeDecision(decision);
    note('denied', reason);
    return refused(fail('denied', refusalText(decision)), reason);
  }

  const spent = decision.outcome === 'cap_exceeded' || decision.reason === 'cap_reached' ? decision : null;
  const frees = spent ? (usage.get(spent.rule.id)?.freesAt ?? Infinity) : undefined;
  const reason = describeDecision(decision, frees);
  if (decision.outcome === 'cap_exceeded') {
    note('cap_exceeded', reason);
    return refused(fail('cap_exceeded', refusalText(decision, frees)), reason);
  }
  return { result: { type: 'ask', decision, reason }, notes };
}
