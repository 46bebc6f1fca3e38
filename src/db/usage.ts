// How much of a rule's window is used, and when it frees: the one place that turns the signing
// log into a rule's usage. The guard decides with it, "Try a request" explains with it, and the
// popup, the options page and get_policies show it — so all of them always agree. What retention
// pruned is still counted, from the tally (src/db/tally.ts): a budget never comes back.
import Dexie from 'dexie';
import { windowStart, type PolicyClock } from '../policy/decide.ts';
import type { Rule } from '../policy/records.ts';
import { KIND_GIFT_WRAP } from '../policy/constraints.ts';
import type { WardenDb } from './schema.ts';
import { countSince, freesAt, type LogScope, type Tail } from './signingLog.ts';
import { prunedAfter, tallyCount, tallyFrees, tallyRows, tallyTotal, type TallyRow } from './tally.ts';

export interface Usage {
  /** Signing-log entries inside the rule's window, pruned ones included (see `tail` below for the one exception). */
  used: number;
  /** The cap, or null for an uncapped rule. */
  limit: number | null;
  /** Entries after this time count (exclusive); -Infinity for a lifetime cap. */
  windowStart: number;
  /** When the count next drops (for a spent cap: below the cap); null if nothing is in the window or it never frees. */
  freesAt: number | null;
}

export interface UsageOptions {
  /**
   * The scope's newest entry, when the caller already has it (the guard's tail cache). A scope
   * whose newest entry has position n holds at most n entries, and the tally at most its total t,
   * so when n + t is below the cap the cap cannot be spent: `used` is then n + t, an upper bound
   * that decides the same, with no seek.
   */
  tail?: Tail | null;
  /** 'always' (what the pages show), or 'if_spent' (the guard: only a refusal says when it frees). */
  frees?: 'always' | 'if_spent';
}

export async function ruleUsage(
  db: WardenDb,
  owner: { origin: string; accountId: number },
  rule: Pick<Rule, 'method' | 'kind' | 'maxUsageCount' | 'windowSeconds' | 'peers' | 'giftWraps'>,
  clock: Pick<PolicyClock, 'now'>,
  opts: UsageOptions = {},
): Promise<Usage> {
  if (rule.peers != null) return peerUsage(db, owner, rule, clock, opts);
  // A DM-read cap counts messages: the gift-wrap layer of each, logged with kind 1059. The caller's
  // tail (method-wide) is no position in that scope, so only its bound is used (see below).
  if (rule.giftWraps) {
    const wraps = { ...rule, kind: KIND_GIFT_WRAP, giftWraps: null };
    const bound = opts.tail === undefined ? undefined : opts.tail ? opts.tail.seq : 0;
    const rows = bound === undefined ? null : await tallyRows(db, { ...owner, method: rule.method, kind: null });
    if (bound !== undefined && bound + tallyTotal(rows!) < (rule.maxUsageCount ?? Infinity)) {
      return { used: bound + tallyTotal(rows!), limit: rule.maxUsageCount, windowStart: windowStart(rule, clock.now), freesAt: null };
    }
    return ruleUsage(db, owner, wraps, clock, { ...(opts.frees ? { frees: opts.frees } : {}) });
  }
  const scope = { origin: owner.origin, accountId: owner.accountId, method: rule.method, kind: rule.kind };
  const start = windowStart(rule, clock.now);
  const limit = rule.maxUsageCount;
  const { tail } = opts;
  const rows = await tallyRows(db, scope);
  const bound = tail ? tail.seq + tallyTotal(rows) : 0;
  const slowIf = (firstId: number) => prunedAfter(rows, firstId);
  const used =
    tail === undefined
      ? (await countSince(db, scope, start, undefined, slowIf)) + tallyCount(rows, start)
      : !tail
        ? tallyCount(rows, start)
        : bound < (limit ?? Infinity)
          ? bound
          : (await countSince(db, scope, start, tail, slowIf)) + tallyCount(rows, start);
  const spent = limit !== null && used >= limit;
  const wantFrees = used > 0 && rule.windowSeconds !== null && (opts.frees === 'always' || spent);
  return { used, limit, windowStart: start, freesAt: wantFrees ? await whenFrees(db, scope, rule.windowSeconds! * 1000, start, used, limit, rows) : null };
}

/**
 * The moment enough of the window's oldest items have left it for the count to drop below the cap
 * (below the cap: the oldest one). The tally's rows leave first (see tallyFrees).
 */
async function whenFrees(db: WardenDb, scope: LogScope, windowMs: number, start: number, used: number, limit: number | null, rows: readonly TallyRow[]): Promise<number> {
  const need = used - Math.min(used, limit ?? used) + 1;
  const fromTally = tallyFrees(rows, start, windowMs, need);
  if ('at' in fromTally) return fromTally.at;
  // The log's entry at offset left − 1 of the window (freesAt's offset is used − max).
  return freesAt(db, scope, start, windowMs, fromTally.left - 1, 0);
}

/**
 * A rule with `peers` counts only its peers' entries: one key-range count per peer on
 * [origin+accountId+method+peer+createdAt] (schema version 6), so its cost grows with the number of
 * peers the rule names, not with the log. With giftWraps only the gift-wrap layer (kind 1059)
 * counts, which takes reading the window's entries of those peers rather than a native count.
 * What retention pruned is kept per method, not per peer (src/db/tally.ts): all of it counts here,
 * which can only make the cap stricter. Entries from before version 6 carry no peer and do not
 * count (no rule could name peers then).
 */
async function peerUsage(
  db: WardenDb,
  owner: { origin: string; accountId: number },
  rule: Pick<Rule, 'method' | 'kind' | 'maxUsageCount' | 'windowSeconds' | 'peers' | 'giftWraps'>,
  clock: Pick<PolicyClock, 'now'>,
  opts: UsageOptions,
): Promise<Usage> {
  const start = windowStart(rule, clock.now);
  const lower = Number.isFinite(start) ? start : Dexie.minKey;
  const limit = rule.maxUsageCount;
  const inWindow = (peer: string) =>
    db.signingLog
      .where('[origin+accountId+method+peer+createdAt]')
      .between([owner.origin, owner.accountId, rule.method, peer, lower], [owner.origin, owner.accountId, rule.method, peer, Dexie.maxKey], false, true);
  const rows = await tallyRows(db, { ...owner, method: rule.method, kind: rule.giftWraps ? KIND_GIFT_WRAP : null });
  const pruned = tallyCount(rows, start);
  const wantTimes = rule.giftWraps || opts.frees === 'always' || limit !== null;
  const times: number[] = [];
  let counted = 0;
  for (const peer of rule.peers ?? []) {
    if (!wantTimes) {
      counted += await inWindow(peer).count();
      continue;
    }
    const entries = await inWindow(peer).toArray();
    for (const e of entries) if (!rule.giftWraps || e.kind === KIND_GIFT_WRAP) times.push(e.createdAt);
  }
  const used = (wantTimes ? times.length : counted) + pruned;
  const spent = limit !== null && used >= limit;
  const wantFrees = used > 0 && rule.windowSeconds !== null && (opts.frees === 'always' || spent);
  if (!wantFrees) return { used, limit, windowStart: start, freesAt: null };
  // The count drops below the cap once the (used − cap + 1) oldest entries have left the window.
  const need = used - Math.min(used, limit ?? used) + 1;
  times.sort((a, b) => a - b);
  const fromTally = tallyFrees(rows, start, rule.windowSeconds! * 1000, need);
  const at = 'at' in fromTally ? fromTally.at : (times[fromTally.left - 1] ?? start) + rule.windowSeconds! * 1000;
  return { used, limit, windowStart: start, freesAt: at };
}
