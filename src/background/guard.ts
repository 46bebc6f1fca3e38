// The one enforcer: decide, run the crypto of an allowed request and append to the signing log,
// all in one read-write transaction (docs/ARCHITECTURE.md, Decision order, step 6). No handler checks permission itself.
import { fail, WardenError } from '../shared/errors.ts';
import { isConsequential, type Method } from '../shared/methods.ts';
import { capsToCount, decide, denyFor, describeDecision, refusalText, type Decision, type PolicyClock } from '../policy/decide.ts';
import type { ActivityEntry, Outcome } from '../policy/records.ts';
import { personOf, type RequestTarget } from '../policy/constraints.ts';
import type { WardenDb } from '../db/schema.ts';
import type { PolicyCache } from '../db/policyCache.ts';
import type { TailCache } from '../db/tailCache.ts';
import type { ActivityWriter } from '../db/activity.ts';
import { appendLog } from '../db/signingLog.ts';
import { ruleUsage, type Usage } from '../db/usage.ts';
import type { Serial } from './serial.ts';
import type { PromptQueue } from './prompts/queue.ts';

export interface GuardRequest {
  origin: string;
  accountId: number;
  method: Method;
  kind: number | null;
  /** The page's id for the call, kept with its signing-log entry. */
  requestId?: string | undefined;
  /** What the request is aimed at (src/policy/target.ts): decide() matches constraints against it. */
  target?: RequestTarget | undefined;
}

/** The crypto of the request: synchronous, so nothing but IndexedDB is awaited in the transaction. */
export type Operation<T> = () => { value: T; eventId?: string };

export type GuardResult<T> =
  | { type: 'allowed'; value: T }
  | { type: 'refused'; error: WardenError; /** The activity log's sentence, with the detail the page is not told. */ reason?: string }
  | { type: 'ask'; decision: Extract<Decision, { outcome: 'ask' }>; reason: string };

export interface GuardDeps {
  db: WardenDb;
  policy: PolicyCache;
  tails: TailCache;
  activity: ActivityWriter;
  /**
   * Consequential requests run one at a time (IndexedDB would serialise their read-write
   * transactions anyway). Doing it here too means a request reads the tail cache only after the
   * previous request's transaction has finished, so two requests never take the same position.
   */
  serial: Serial;
  /** Whether too many requests wait already: checked before a request reads or writes anything. */
  prompts: Pick<PromptQueue, 'tooMany'>;
  clock: () => PolicyClock;
}


/**
 * @param approvedByUser the user answered "allow" to a prompt for this very request: a fresh
 *   "ask" counts as allowed, but a deny override or a spent cap that landed meanwhile still wins.
 */
export function guard<T>(deps: GuardDeps, req: GuardRequest, run: Operation<T>, approvedByUser = false): Promise<GuardResult<T>> {
  const { db } = deps;
  if (!isConsequential(req.method)) {
    // Nothing to count or log: decide on the policy as it is now and note the decision.
    const full = approvedByUser ? null : queueFull(deps, req);
    return full ? Promise.resolve(full) : evaluate(deps, req, run, approvedByUser);
  }
  // One lane per site: a site's flood waits behind itself, not in front of other sites.
  // The scope functions must be `async` functions: Dexie then keeps the transaction across the
  // awaits inside them (with a plain arrow, later operations would silently run outside it).
  return deps.serial.run(() => {
    // Checked when the request's turn comes, not only when it arrived: a flood that arrived at
    // once is refused here without a transaction as soon as the site's queue is full. A request
    // the user approved is exempt: it gave up its place when it was answered.
    const full = approvedByUser ? null : queueFull(deps, req);
    if (full) return Promise.resolve(full);
    return db
      .transaction('rw', [db.grants, db.rules, db.overrides, db.settings, db.signingLog, db.logChain, db.logTally, db.activity], async () => evaluate(deps, req, run, approvedByUser))
      .catch((err: unknown) => {
        deps.tails.clear();
        throw err;
      });
  }, req.origin);
}

/**
 * While too many requests wait for a person (of this site, or of all sites), a new request is
 * refused with rate_limited before anything is read or written for it; its activity row collapses
 * with the other refusals of the flood (docs/THREATS.md #7, #34).
 */
function queueFull(deps: Pick<GuardDeps, 'prompts' | 'activity' | 'clock'>, req: GuardRequest): GuardResult<never> | null {
  const error = deps.prompts.tooMany(req.origin);
  if (!error) return null;
  deps.activity.push({ origin: req.origin, method: req.method, kind: req.kind, outcome: 'rate_limited', reason: error.message, createdAt: deps.clock().now });
  return { type: 'refused', error };
}

/**
 * The refusal a live deny override gives this request now, before the vault or the key is looked
 * at: a paused site is refused at once, even while locked, and learns nothing about the key. The
 * guard's full decision still runs for whatever is not refused here.
 */
export async function earlyRefusal(deps: Pick<GuardDeps, 'policy' | 'activity' | 'clock'>, req: GuardRequest): Promise<WardenError | null> {
  const clock = deps.clock();
  const deny = denyFor(req, await deps.policy.load(req.origin, req.accountId, clock.now), clock);
  if (!deny) return null;
  const reason = describeDecision(deny);
  deps.activity.push({ origin: req.origin, method: req.method, kind: req.kind, outcome: 'denied', reason, createdAt: clock.now });
  return fail('denied', refusalText(deny));
}

async function evaluate<T>(deps: GuardDeps, req: GuardRequest, run: Operation<T>, approvedByUser: boolean): Promise<GuardResult<T>> {
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
  // An allowed consequential request's row shares the read-write transaction's commit with its
  // signing-log entry (a second commit per request would cost more than the row). Every other row
  // is written behind, in batches, where repeated refusals collapse into one row with a count
  // (docs/THREATS.md #34); an "asked" row is noted by the prompt queue once the request really waits.
  const note = async (outcome: Outcome, reason: string): Promise<void> => {
    const row = { origin: req.origin, method: req.method, kind: req.kind, outcome, reason, createdAt: clock.now };
    if (logged && outcome === 'allowed') await db.activity.add(row as ActivityEntry);
    else deps.activity.push(row);
  };

  if (decision.outcome === 'allow' || (decision.outcome === 'ask' && approvedByUser)) {
    let done: ReturnType<Operation<T>>;
    try {
      done = run();
    } catch (err) {
      const error = err instanceof WardenError ? err : fail('invalid_request', `${req.method} failed on this input`);
      // A refusal the operation raises itself: the vault locked meanwhile, or the kill switch.
      await note(error.code === 'locked' || error.code === 'denied' ? error.code : 'invalid_request', error.message);
      return { type: 'refused', error };
    }
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
      };
      const [newTails] = await Promise.all([
        appendLog(db, entry, tails),
        note('allowed', decision.outcome === 'allow' ? describeDecision(decision) : 'allowed once by the user'),
      ]);
      deps.tails.advance(req, newTails);
    } else {
      await note('allowed', decision.outcome === 'allow' ? describeDecision(decision) : 'allowed once by the user');
    }
    return { type: 'allowed', value: done.value };
  }

  if (decision.outcome === 'deny') {
    const reason = describeDecision(decision);
    await note('denied', reason);
    return { type: 'refused', error: fail('denied', refusalText(decision)), reason };
  }

  const spent = decision.outcome === 'cap_exceeded' || decision.reason === 'cap_reached' ? decision : null;
  const frees = spent ? (usage.get(spent.rule.id)?.freesAt ?? Infinity) : undefined;
  const reason = describeDecision(decision, frees);
  if (decision.outcome === 'cap_exceeded') {
    await note('cap_exceeded', reason);
    return { type: 'refused', error: fail('cap_exceeded', refusalText(decision, frees)), reason };
  }
  return { type: 'ask', decision, reason };
}
