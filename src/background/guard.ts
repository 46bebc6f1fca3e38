// The one enforcer: decide, run the crypto of an allowed request and append to the signing log,
// all in one read-write transaction (docs/ARCHITECTURE.md, Decision order, step 6). No handler checks permission itself.
// Here: the group commit that shares the transaction and the answers after it commits; one
// request's decision is ./evaluate.ts.
import { fail, WardenError } from '../shared/errors.ts';
import { isConsequential, type Method } from '../shared/methods.ts';
import { denyFor, describeDecision, refusalText, type Decision, type PolicyClock } from '../policy/decide.ts';
import type { RequestTarget } from '../policy/constraints.ts';
import type { WardenDb } from '../db/schema.ts';
import type { PolicyCache } from '../db/policyCache.ts';
import type { TailCache } from '../db/tailCache.ts';
import type { ActivityWriter } from '../db/activity.ts';
import Dexie, { type Transaction } from 'dexie';
import { chainReady, forgetHead } from '../db/logChain.ts';
import type { Group, Serial } from './serial.ts';
import type { PromptQueue } from './prompts/queue.ts';
import { evaluate, type Decided } from './evaluate.ts';

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

/**
 * The crypto of the request: synchronous, so nothing but IndexedDB is awaited in the transaction.
 * It either computes its value at once, or (a signature) checks everything that could refuse it,
 * names the event id and leaves the signing to `later`, which the guard runs while the signing-log
 * entry commits (docs/ARCHITECTURE.md, Group commit). `later` must not fail on valid input.
 */
export type Operation<T> = () => OperationResult<T>;
export type OperationResult<T> = { value: T; eventId?: string } | { eventId: string; later: () => T };

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


/** A consequential request waiting for its group: settled once its group's transaction has committed. */
interface Member {
  req: GuardRequest;
  run: Operation<unknown>;
  approvedByUser: boolean;
  resolve: (r: GuardResult<unknown>) => void;
  reject: (err: unknown) => void;
}

/** How many requests one transaction decides at most: the first of a group waits for the others' commit too. */
export const MAX_GROUP = 12;

/**
 * @param approvedByUser the user answered "allow" to a prompt for this very request: a fresh
 *   "ask" counts as allowed, but a deny override or a spent cap that landed meanwhile still wins.
 */
export function guard<T>(deps: GuardDeps, req: GuardRequest, run: Operation<T>, approvedByUser = false): Promise<GuardResult<T>> {
  if (!isConsequential(req.method)) {
    // Nothing to count or log: decide on the policy as it is now and note the decision.
    const full = approvedByUser ? null : queueFull(deps, req);
    return full ? Promise.resolve(full) : evaluate(deps, req, run, approvedByUser, []).then((d) => settle(deps, d) as GuardResult<T>);
  }
  // One lane per site: a site's flood waits behind itself, not in front of other sites. Requests
  // that wait when a transaction starts share it (group commit).
  return new Promise<GuardResult<T>>((resolve, reject) => {
    const member: Member = { req, run, approvedByUser, resolve: resolve as Member['resolve'], reject };
    deps.serial.join(groupOf(deps), member, req.origin);
  });
}

const groups = new WeakMap<GuardDeps, Group<Member>>();
function groupOf(deps: GuardDeps): Group<Member> {
  let g = groups.get(deps);
  if (!g) groups.set(deps, (g = { max: MAX_GROUP, run: (members) => runGroup(deps, members) }));
  return g;
}

/**
 * One read-write transaction for every request of the group, decided, counted and appended one
 * after another in queue order: a request's cap count reads the log with the earlier members'
 * entries in it, so a group never overshoots a cap. Once every write is issued the transaction is
 * told to commit, the signatures are computed while it does, and every member is answered only
 * after it committed. If it fails, every member is answered `internal` and nothing of it stays.
 */
async function runGroup(deps: GuardDeps, members: Member[]): Promise<void> {
  const { db } = deps;
  // Checked when the request's turn comes, not only when it arrived: a flood that arrived at
  // once is refused here without a transaction as soon as the site's queue is full. A request
  // the user approved is exempt: it gave up its place when it was answered.
  const live = members.filter((m) => {
    const full = m.approvedByUser ? null : queueFull(deps, m.req);
    if (full) m.resolve(full);
    return !full;
  });
  if (!live.length) return;
  const decided: Decided<unknown>[] = [];
  try {
    // The chain head is read once per worker, before the transaction, which then need not cover logChain.
    await chainReady(db);
    // The scope must be an `async` function: Dexie then keeps the transaction across the awaits
    // inside it (with a plain arrow, later operations would silently run outside it).
    await db.transaction('rw', [db.grants, db.rules, db.overrides, db.settings, db.signingLog, db.logTally], async () => {
      const tx = Dexie.currentTransaction as Transaction;
      const writes: Promise<unknown>[] = [];
      for (const m of live) decided.push(await evaluate(deps, m.req, m.run, m.approvedByUser, writes));
      // The transaction is told to commit, and the signatures are computed while IndexedDB
      // commits; they are released only once it has (docs/ARCHITECTURE.md, Group commit). With
      // one write (a lone request), at once: if that write fails there is nothing else to commit.
      // With several, only once all have succeeded: one failing must still abort the others, and
      // Dexie turns a failed request into an abort only while the transaction has not been told
      // to commit.
      if (writes.length > 1) await Promise.all(writes);
      tx.idbtrans?.commit?.();
      for (const d of decided) computeLater(d);
      await Promise.all(writes);
    });
  } catch (err) {
    deps.tails.clear();
    forgetHead(db);
    const error = err instanceof WardenError && err.code === 'internal' ? err : fail('internal', 'The signing log could not be written; nothing was signed or decrypted');
    for (const m of live) m.reject(error);
    return;
  }
  // Committed: the entries are durable, the answers may go.
  live.forEach((m, i) => {
    try {
      m.resolve(settle(deps, decided[i]!));
    } catch (err) {
      m.reject(err);
    }
  });
}

function computeLater<T>(d: Decided<T>): void {
  if (!('later' in d.result)) return;
  try {
    d.value = { ok: true, value: d.result.later() };
  } catch (err) {
    d.value = { ok: false, err };
  }
}

/** The answer, once it may go: the refusals' rows are noted now (a failed group notes none). */
function settle<T>(deps: Pick<GuardDeps, 'activity'>, d: Decided<T>): GuardResult<T> {
  for (const row of d.notes) deps.activity.push(row);
  if (!('later' in d.result)) return d.result;
  if (!d.value) computeLater(d);
  const v = d.value!;
  if (!v.ok) throw fail('internal', 'The signature could not be computed');
  return { type: 'allowed', value: v.value };
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
