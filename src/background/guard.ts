// The one enforcer: decide, run the crypto of an allowed request and append to the signing log,
// all in one read-write transaction (DESIGN.md §5 step 6). No handler checks permission itself.
import { fail, WardenError } from '../shared/errors.ts';
import { isConsequential, type Method } from '../shared/methods.ts';
import { capsToCount, decide, describeDecision, windowStart, type Decision, type PolicyClock } from '../policy/decide.ts';
import type { Outcome } from '../policy/records.ts';
import type { WardenDb } from '../db/schema.ts';
import type { PolicyCache } from '../db/policyCache.ts';
import { appendLog, countSince, freesAt, readTails } from '../db/signingLog.ts';
import { appendActivity } from '../db/activity.ts';

export interface GuardRequest {
  origin: string;
  accountId: number;
  method: Method;
  kind: number | null;
}

/** The crypto of the request: synchronous, so nothing but IndexedDB is awaited in the transaction. */
export type Operation<T> = () => { value: T; eventId?: string };

export type GuardResult<T> =
  | { type: 'allowed'; value: T }
  | { type: 'refused'; error: WardenError }
  | { type: 'ask'; decision: Extract<Decision, { outcome: 'ask' }>; reason: string };

export interface GuardDeps {
  db: WardenDb;
  policy: PolicyCache;
  clock: () => PolicyClock;
}

/**
 * @param approvedByUser the user answered "allow" to a prompt for this very request: a fresh
 *   "ask" counts as allowed, but a deny override or a spent cap that landed meanwhile still wins.
 */
export function guard<T>(deps: GuardDeps, req: GuardRequest, run: Operation<T>, approvedByUser = false): Promise<GuardResult<T>> {
  const { db } = deps;
  return db.transaction('rw', [db.grants, db.rules, db.overrides, db.signingLog, db.activity, db.settings], async () => {
    const clock = deps.clock();
    const records = await deps.policy.load(req.origin, req.accountId, clock.now);
    const caps = capsToCount(req, records, clock);
    // One batch of index seeks: the scope's newest entries (for counts and the append) and the
    // first entry inside each cap's window.
    const tailsRead = isConsequential(req.method) ? readTails(db, req) : undefined;
    const [tails, counts] = await Promise.all([
      tailsRead,
      Promise.all(caps.map((rule) => countSince(db, { ...req, kind: rule.kind }, windowStart(rule, clock.now), tailsRead))),
    ]);
    const usage = new Map(caps.map((rule, i) => [rule.id, counts[i]!]));
    const decision = decide(req, records, usage, clock);

    const note = (outcome: Outcome, reason: string) =>
      appendActivity(db, { origin: req.origin, method: req.method, kind: req.kind, outcome, reason, createdAt: clock.now });

    if (decision.outcome === 'allow' || (decision.outcome === 'ask' && approvedByUser)) {
      let done: ReturnType<Operation<T>>;
      try {
        done = run();
      } catch (err) {
        const error = err instanceof WardenError ? err : fail('invalid_request', `${req.method} failed on this input`);
        await note('invalid_request', error.message);
        return { type: 'refused', error };
      }
      const writes: Promise<unknown>[] = [note('allowed', decision.outcome === 'allow' ? describeDecision(decision) : 'allowed once by the user')];
      if (tails) {
        const log = appendLog(db, {
          origin: req.origin,
          accountId: req.accountId,
          method: req.method,
          ...(req.kind === null ? {} : { kind: req.kind }),
          createdAt: clock.now,
          ...(decision.outcome === 'allow' && decision.by.type === 'rule' ? { grantId: decision.by.grantId } : {}),
          ...(done.eventId ? { eventId: done.eventId } : {}),
        }, tails);
        writes.push(log);
      }
      await Promise.all(writes);
      return { type: 'allowed', value: done.value };
    }

    if (decision.outcome === 'deny') {
      const reason = describeDecision(decision);
      await note('denied', reason);
      return { type: 'refused', error: fail('denied', `Denied by ${reason}`) };
    }

    const spent = decision.outcome === 'cap_exceeded' || decision.reason === 'cap_reached' ? decision : null;
    const frees = spent
      ? await freesAt(
          db,
          { ...req, kind: spent.rule.kind },
          windowStart(spent.rule, clock.now),
          spent.rule.windowSeconds === null ? null : spent.rule.windowSeconds * 1000,
          spent.used,
          spent.rule.maxUsageCount ?? 0,
        )
      : undefined;
    const reason = describeDecision(decision, frees);
    if (decision.outcome === 'cap_exceeded') {
      await note('cap_exceeded', reason);
      return { type: 'refused', error: fail('cap_exceeded', `Usage cap reached: ${reason}`) };
    }
    await note('asked', reason);
    return { type: 'ask', decision, reason };
  });
}
